package bus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/requestid"
)

// observed counts what an Observer hears, per consumer.
type observed struct {
	mu          sync.Mutex
	delivered   []int
	actions     map[bus.Action]int
	gaveUp      int
	consumerSet map[string]bool
}

func (o *observed) Delivered(c string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delivered = append(o.delivered, n)
	o.consumerSet[c] = true
}

func (o *observed) Settled(c string, a bus.Action) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.actions[a]++
	o.consumerSet[c] = true
}

func (o *observed) GaveUp(c string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.gaveUp++
	o.consumerSet[c] = true
}

// A handler works in a context carrying the request id of its message's header (and none for a
// message without one); the observer hears each delivery, each answer and each failure recorded.
func TestConsumerRequestIDAndObserver(t *testing.T) {
	ns := bustest.Start(t)
	ctx := context.Background()
	obs := &observed{actions: map[bus.Action]int{}, consumerSet: map[string]bool{}}
	var mu sync.Mutex
	ids := map[string]string{} // subject → request id seen by the handler
	attempts := map[string]int{}
	done := make(chan struct{}, 10)
	recorded := make(chan bus.Failure, 1)
	stop, err := bus.Consumer{
		Stream: bus.StreamIngest, Durable: "observed", Filter: "tn.ingest.obs.>", AckWait: 5 * time.Second,
		MaxDeliver: 3, Concurrency: 2, Log: quiet, Observer: obs,
		GiveUp: func(ctx context.Context, f bus.Failure) error {
			if requestid.From(ctx) != "req-fails" {
				t.Errorf("GiveUp context carries %q, want req-fails", requestid.From(ctx))
			}
			recorded <- f
			return nil
		},
		Handle: func(ctx context.Context, msg jetstream.Msg) error {
			mu.Lock()
			ids[msg.Subject()] = requestid.From(ctx)
			attempts[msg.Subject()]++
			n := attempts[msg.Subject()]
			mu.Unlock()
			defer func() { done <- struct{}{} }()
			switch msg.Subject() {
			case "tn.ingest.obs.retry":
				if n == 1 {
					return errors.New("transient")
				}
			case "tn.ingest.obs.fails":
				return bus.Permanent(errors.New("never"))
			}
			return nil
		},
	}.Start(ctx, ns.JS)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)
	for subject, id := range map[string]string{"tn.ingest.obs.ok": "req-ok", "tn.ingest.obs.retry": "req-retry", "tn.ingest.obs.fails": "req-fails", "tn.ingest.obs.none": ""} {
		msg := &nats.Msg{Subject: subject, Data: []byte("x"), Header: nats.Header{}}
		requestid.Stamp(requestid.With(ctx, id), msg.Header)
		if _, err := ns.JS.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ { // four messages, one of them twice (retried after 1 s)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("only %d of 5 deliveries handled", i)
		}
	}
	select {
	case <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatal("the permanent failure was not given up")
	}
	stop(ctx)
	mu.Lock()
	defer mu.Unlock()
	for subject, want := range map[string]string{"tn.ingest.obs.ok": "req-ok", "tn.ingest.obs.retry": "req-retry", "tn.ingest.obs.fails": "req-fails", "tn.ingest.obs.none": ""} {
		if ids[subject] != want {
			t.Errorf("%s: handler context carries %q, want %q", subject, ids[subject], want)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	redelivered := 0
	for _, n := range obs.delivered {
		if n > 1 {
			redelivered++
		}
	}
	if len(obs.delivered) != 5 || redelivered != 1 {
		t.Errorf("observer heard deliveries %v, want 5 of which 1 redelivery", obs.delivered)
	}
	if obs.actions[bus.Ack] != 3 || obs.actions[bus.Retry] != 1 || obs.actions[bus.GiveUp] != 1 || obs.gaveUp != 1 {
		t.Errorf("observer heard %v and %d give-ups, want 3 acks, 1 retry, 1 give-up recorded", obs.actions, obs.gaveUp)
	}
	if len(obs.consumerSet) != 1 || !obs.consumerSet["observed"] {
		t.Errorf("observer heard of consumers %v, want only \"observed\"", obs.consumerSet)
	}
}
