package bus_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// deliveries records, per message, how many times a handler received it.
type deliveries struct {
	mu sync.Mutex
	n  map[string][]uint64 // subject → NumDelivered of each delivery
}

func (d *deliveries) add(msg jetstream.Msg) {
	md, _ := msg.Metadata()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		d.n = map[string][]uint64{}
	}
	d.n[msg.Subject()] = append(d.n[msg.Subject()], md.NumDelivered)
}

func (d *deliveries) get(subject string) []uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]uint64(nil), d.n[subject]...)
}

// With KeepAlive, a message handled for several times AckWait — and one waiting that long for
// a free slot — is delivered once: the server hears it is in progress.
func TestConsumerKeepAliveHoldsSlowMessages(t *testing.T) {
	ns := bustest.Start(t)
	ctx := context.Background()
	const ackWait = time.Second
	var got deliveries
	var wg sync.WaitGroup
	wg.Add(2)
	stop, err := bus.Consumer{
		Stream: bus.StreamIngest, Durable: "keepalive", Filter: "tn.ingest.ka.>", AckWait: ackWait,
		MaxDeliver: 5, Concurrency: 1, Log: quiet, KeepAlive: true, GiveUp: noGiveUp(t),
		Handle: func(ctx context.Context, msg jetstream.Msg) error {
			got.add(msg)
			if len(got.get(msg.Subject())) == 1 {
				defer wg.Done()
			}
			time.Sleep(3*ackWait + ackWait/2)
			return nil
		},
	}.Start(ctx, ns.JS)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx) // a second stop is harmless
	for _, s := range []string{"tn.ingest.ka.one", "tn.ingest.ka.two"} {
		if _, err := ns.JS.Publish(ctx, s, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	time.Sleep(2 * ackWait) // time for a wrong redelivery to show
	for _, s := range []string{"tn.ingest.ka.one", "tn.ingest.ka.two"} {
		if d := got.get(s); len(d) != 1 || d[0] != 1 {
			t.Errorf("%s delivered %v (NumDelivered of each), want once", s, d)
		}
	}
	stop(ctx)
}

// The messages of a process that died (its connection gone, no more heartbeats) go to another
// replica after AckWait.
func TestConsumerRedeliversAfterTheHolderDies(t *testing.T) {
	ns := bustest.Start(t)
	ctx := context.Background()
	const ackWait = time.Second
	cons := func(js jetstream.JetStream, handle func(context.Context, jetstream.Msg) error) func(context.Context) {
		stop, err := bus.Consumer{
			Stream: bus.StreamIngest, Durable: "takeover", Filter: "tn.ingest.to.>", AckWait: ackWait,
			MaxDeliver: 5, Concurrency: 1, Log: quiet, KeepAlive: true, Handle: handle, GiveUp: noGiveUp(t),
		}.Start(ctx, js)
		if err != nil {
			t.Fatal(err)
		}
		return stop
	}
	nc, js := bustest.Connect(t, ns.Srv.ClientURL())
	taken := make(chan struct{})
	hang := make(chan struct{})
	defer close(hang)
	cons(js, func(context.Context, jetstream.Msg) error {
		close(taken)
		<-hang
		return nil
	})
	if _, err := ns.JS.Publish(ctx, "tn.ingest.to.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	<-taken
	time.Sleep(2 * ackWait) // held well past AckWait while alive
	nc.Close()              // kill -9
	died := time.Now()
	again := make(chan uint64, 1)
	stop := cons(ns.JS, func(_ context.Context, msg jetstream.Msg) error {
		md, _ := msg.Metadata()
		again <- md.NumDelivered
		return nil
	})
	defer stop(ctx)
	select {
	case n := <-again:
		if n != 2 {
			t.Errorf("taken over at delivery %d, want 2 (no redelivery while the first holder lived)", n)
		}
		if after := time.Since(died); after > 3*ackWait {
			t.Errorf("taken over %v after the holder died, AckWait is %v", after, ackWait)
		}
	case <-time.After(10 * ackWait):
		t.Fatal("the message of the dead holder was not redelivered")
	}
}

// noGiveUp is the GiveUp of a test in which nothing may be given up.
func noGiveUp(t *testing.T) func(context.Context, bus.Failure) error {
	return func(_ context.Context, f bus.Failure) error {
		t.Errorf("gave up on %s: %v", f.Subject, f.Cause)
		return nil
	}
}
