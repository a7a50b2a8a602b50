package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// TestDecide is the one rule of what a handler's answer does to its message.
func TestDecide(t *testing.T) {
	transient := errors.New("store unreachable")
	for _, c := range []struct {
		name           string
		err            error
		delivered, max int
		action         bus.Action
		delay          time.Duration
	}{
		{"done", nil, 1, 5, bus.Ack, 0},
		{"done on the last delivery", nil, 5, 5, bus.Ack, 0},
		{"transient, first delivery", transient, 1, 5, bus.Retry, time.Second},
		{"transient, third delivery", transient, 3, 5, bus.Retry, 4 * time.Second},
		{"transient, backoff capped at a minute", transient, 9, 20, bus.Retry, time.Minute},
		{"transient, last delivery", transient, 5, 5, bus.GiveUp, 0},
		{"transient, beyond the last (a redelivery the server still made)", transient, 6, 5, bus.GiveUp, 0},
		{"permanent, first delivery", bus.Permanent(transient), 1, 5, bus.GiveUp, 0},
		{"permanent wrapped", fmt.Errorf("step: %w", bus.Permanent(transient)), 1, 5, bus.GiveUp, 0},
		{"no limit", transient, 100, 0, bus.Retry, time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			action, delay := bus.Decide(c.err, c.delivered, c.max)
			if action != c.action || delay != c.delay {
				t.Errorf("Decide(%v, %d, %d) = %s %v, want %s %v", c.err, c.delivered, c.max, action, delay, c.action, c.delay)
			}
		})
	}
}

// giveUps records what a consumer gave up on.
type giveUps struct {
	mu   sync.Mutex
	got  []bus.Failure
	fail int // this many first calls fail
	ch   chan bus.Failure
}

func newGiveUps(fail int) *giveUps { return &giveUps{fail: fail, ch: make(chan bus.Failure, 16)} }

func (g *giveUps) record(_ context.Context, f bus.Failure) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail > 0 {
		g.fail--
		return errors.New("audit store down")
	}
	g.got = append(g.got, f)
	g.ch <- f
	return nil
}

func (g *giveUps) wait(t *testing.T, what string) bus.Failure {
	t.Helper()
	select {
	case f := <-g.ch:
		return f
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: nothing given up", what)
	}
	return bus.Failure{}
}

func startConsumer(t *testing.T, js jetstream.JetStream, c bus.Consumer) {
	t.Helper()
	c.Stream, c.Log = bus.StreamIngest, quiet
	stop, err := c.Start(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(context.Background()) })
}

func streamEmpty(t *testing.T, js jetstream.JetStream, durable string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cons, err := js.Consumer(ctx, bus.StreamIngest, durable)
		if err != nil {
			t.Fatal(err)
		}
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.NumAckPending == 0 && ci.NumPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds messages: ack pending %d, pending %d", durable, ci.NumAckPending, ci.NumPending)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A handler that panics: the message is given up at once (recorded, with the panic), not retried.
func TestConsumerPanicIsGivenUp(t *testing.T) {
	ns := bustest.Start(t)
	g := newGiveUps(0)
	calls := 0
	startConsumer(t, ns.JS, bus.Consumer{Durable: "panics", Filter: "tn.ingest.panic.>", AckWait: 2 * time.Second, MaxDeliver: 5, GiveUp: g.record,
		Handle: func(context.Context, jetstream.Msg) error { calls++; panic("index out of range") }})
	if _, err := ns.JS.Publish(context.Background(), "tn.ingest.panic.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	f := g.wait(t, "panic")
	if !strings.Contains(f.Cause.Error(), "index out of range") || f.Subject != "tn.ingest.panic.x" || f.Delivered != 1 || string(f.Data) != "x" {
		t.Errorf("failure %+v", f)
	}
	streamEmpty(t, ns.JS, "panics")
	if calls != 1 {
		t.Errorf("handled %d times, want once", calls)
	}
}

// A permanent error is given up at once; a transient one is retried until MaxDeliver, then given up.
func TestConsumerPermanentAndTransient(t *testing.T) {
	ns := bustest.Start(t)
	g := newGiveUps(0)
	var mu sync.Mutex
	deliveries := map[string]int{}
	startConsumer(t, ns.JS, bus.Consumer{Durable: "errs", Filter: "tn.ingest.err.>", AckWait: 5 * time.Second, MaxDeliver: 3, GiveUp: g.record,
		Handle: func(_ context.Context, m jetstream.Msg) error {
			mu.Lock()
			deliveries[m.Subject()]++
			mu.Unlock()
			if strings.HasSuffix(m.Subject(), "permanent") {
				return bus.Permanent(errors.New("malformed"))
			}
			return errors.New("not yet")
		}})
	for _, s := range []string{"tn.ingest.err.permanent", "tn.ingest.err.transient"} {
		if _, err := ns.JS.Publish(context.Background(), s, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]bus.Failure{}
	for range 2 {
		f := g.wait(t, "errors")
		got[f.Subject] = f
	}
	mu.Lock()
	defer mu.Unlock()
	if deliveries["tn.ingest.err.permanent"] != 1 || got["tn.ingest.err.permanent"].Delivered != 1 {
		t.Errorf("permanent: %d deliveries, given up at %d", deliveries["tn.ingest.err.permanent"], got["tn.ingest.err.permanent"].Delivered)
	}
	if deliveries["tn.ingest.err.transient"] != 3 || got["tn.ingest.err.transient"].Delivered != 3 {
		t.Errorf("transient: %d deliveries, given up at %d; want 3", deliveries["tn.ingest.err.transient"], got["tn.ingest.err.transient"].Delivered)
	}
}

// A give-up that cannot be recorded keeps the message: it is delivered again and recorded then.
func TestConsumerGiveUpThatFailsIsRetried(t *testing.T) {
	ns := bustest.Start(t)
	g := newGiveUps(1)
	calls := 0
	startConsumer(t, ns.JS, bus.Consumer{Durable: "recfail", Filter: "tn.ingest.rec.>", AckWait: 5 * time.Second, MaxDeliver: 5, GiveUp: g.record,
		Handle: func(context.Context, jetstream.Msg) error { calls++; return bus.Permanent(errors.New("bad")) }})
	if _, err := ns.JS.Publish(context.Background(), "tn.ingest.rec.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	f := g.wait(t, "recorded give-up")
	if f.Delivered != 2 || calls != 2 {
		t.Errorf("recorded at delivery %d after %d calls, want the second", f.Delivered, calls)
	}
	streamEmpty(t, ns.JS, "recfail")
}

// A message whose every delivery went unanswered (its holder died each time) is reported by the
// server's max-deliveries advisory, and given up through GiveUp all the same.
func TestConsumerMaxDeliveriesAdvisory(t *testing.T) {
	ns := bustest.Start(t)
	ctx := context.Background()
	g := newGiveUps(0)
	// A consumer whose handler never answers in time stands for a process that died holding the
	// message: the server redelivers it after AckWait until MaxDeliver, then advises.
	block := make(chan struct{})
	startConsumer(t, ns.JS, bus.Consumer{Durable: "dies", Filter: "tn.ingest.dies.>", AckWait: 500 * time.Millisecond, MaxDeliver: 2, Concurrency: 4,
		GiveUp: g.record, Handle: func(ctx context.Context, m jetstream.Msg) error {
			select {
			case <-block:
			case <-ctx.Done():
			}
			return nil
		}})
	t.Cleanup(func() { close(block) }) // before the consumer stops: cleanups run last first
	ack, err := ns.JS.Publish(ctx, "tn.ingest.dies.x", []byte(`{"doc":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	f := g.wait(t, "advisory")
	var body map[string]string
	if f.StreamSeq != ack.Sequence || f.Subject != "tn.ingest.dies.x" || json.Unmarshal(f.Data, &body) != nil || body["doc"] != "x" ||
		!strings.Contains(f.Cause.Error(), "max deliveries") {
		t.Errorf("advisory failure %+v (%s)", f, f.Data)
	}
}

// A batch handler answers one error per message; each answer is carried out alone.
func TestConsumerBatchAnswers(t *testing.T) {
	ns := bustest.Start(t)
	g := newGiveUps(0)
	var mu sync.Mutex
	seen := map[string]int{}
	startConsumer(t, ns.JS, bus.Consumer{Durable: "batch", Filter: "tn.ingest.batch.>", AckWait: 5 * time.Second, MaxDeliver: 3, Batch: 10, GiveUp: g.record,
		HandleBatch: func(_ context.Context, ms []jetstream.Msg) []error {
			mu.Lock()
			defer mu.Unlock()
			errs := make([]error, len(ms))
			for i, m := range ms {
				seen[m.Subject()]++
				switch {
				case strings.HasSuffix(m.Subject(), "bad"):
					errs[i] = bus.Permanent(errors.New("cannot apply"))
				case strings.HasSuffix(m.Subject(), "slow") && seen[m.Subject()] == 1:
					errs[i] = errors.New("conflict, again")
				}
			}
			return errs
		}})
	for _, s := range []string{"tn.ingest.batch.ok", "tn.ingest.batch.bad", "tn.ingest.batch.slow"} {
		if _, err := ns.JS.Publish(context.Background(), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	if f := g.wait(t, "batch"); f.Subject != "tn.ingest.batch.bad" {
		t.Errorf("gave up %s", f.Subject)
	}
	streamEmpty(t, ns.JS, "batch")
	mu.Lock()
	defer mu.Unlock()
	if seen["tn.ingest.batch.ok"] != 1 || seen["tn.ingest.batch.bad"] != 1 || seen["tn.ingest.batch.slow"] != 2 {
		t.Errorf("deliveries %v", seen)
	}
}

// A consumer that would lose failures unrecorded is refused at start.
func TestConsumerNeedsGiveUp(t *testing.T) {
	ns := bustest.Start(t)
	_, err := bus.Consumer{Stream: bus.StreamIngest, Durable: "nogiveup", Filter: "tn.ingest.n.>",
		Handle: func(context.Context, jetstream.Msg) error { return nil }}.Start(context.Background(), ns.JS)
	if err == nil {
		t.Fatal("a consumer without GiveUp started")
	}
}

// With Linger, a batch that is not full waits that long from its first message for more: three
// events published 100 ms apart are applied at once, and a batch is not held past Linger.
func TestConsumerBatchLinger(t *testing.T) {
	ns := bustest.Start(t)
	var mu sync.Mutex
	var batches [][]string
	var at []time.Time
	startConsumer(t, ns.JS, bus.Consumer{Durable: "linger", Filter: "tn.ingest.linger.>", AckWait: 5 * time.Second, MaxDeliver: 3, Batch: 10,
		Linger: time.Second, GiveUp: noGiveUp(t),
		HandleBatch: func(_ context.Context, ms []jetstream.Msg) []error {
			mu.Lock()
			defer mu.Unlock()
			var b []string
			for _, m := range ms {
				b = append(b, m.Subject())
			}
			batches, at = append(batches, b), append(at, time.Now())
			return make([]error, len(ms))
		}})
	start := time.Now()
	for _, s := range []string{"tn.ingest.linger.a", "tn.ingest.linger.b", "tn.ingest.linger.c"} {
		if _, err := ns.JS.Publish(context.Background(), s, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	streamEmpty(t, ns.JS, "linger")
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 1 || len(batches[0]) != 3 {
		t.Fatalf("batches %v, want the three events in one", batches)
	}
	if took := at[0].Sub(start); took > 3*time.Second {
		t.Errorf("the batch was applied %v after its first event, Linger is 1 s", took)
	}
}
