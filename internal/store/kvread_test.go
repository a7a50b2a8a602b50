package store

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lostNodeKV answers its first Get as a node killed with the request in hand does: never (until
// the caller's deadline); then it answers from a live replica.
type lostNodeKV struct {
	jetstream.KeyValue
	calls atomic.Int32
}

func (k *lostNodeKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	if k.calls.Add(1) == 1 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if key == "missing" {
		return nil, jetstream.ErrKeyNotFound
	}
	return entry{key: key, value: []byte(`{"ok":true}`)}, nil
}

type entry struct {
	jetstream.KeyValueEntry
	key   string
	value []byte
}

func (e entry) Key() string   { return e.key }
func (e entry) Value() []byte { return e.value }

// A read sent to a node that dies is tried again on another after one short attempt, instead
// of failing the request after the client's whole timeout (measured on a three-node cluster:
// an upload answered 500 after 5 s, its token or account read lost with the killed node).
func TestReadRidesOutALostNode(t *testing.T) {
	kv := &lostNodeKV{}
	start := time.Now()
	e, err := RidingKV(kv).Get(context.Background(), "admin")
	if err != nil {
		t.Fatalf("read after a lost node: %v", err)
	}
	if string(e.Value()) != `{"ok":true}` {
		t.Fatalf("value %q", e.Value())
	}
	if took := time.Since(start); took > attemptTimeout+time.Second {
		t.Errorf("took %v, want one lost attempt (%v) and a retry", took, attemptTimeout)
	}
	if n := kv.calls.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// A key that does not exist is said at once, never retried.
func TestReadNotFoundIsNotRetried(t *testing.T) {
	kv := &lostNodeKV{}
	kv.calls.Store(1) // no lost node
	start := time.Now()
	_, err := RidingKV(kv).Get(context.Background(), "missing")
	if !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("err %v, want ErrKeyNotFound", err)
	}
	if n := kv.calls.Load(); n != 2 || time.Since(start) > 100*time.Millisecond {
		t.Errorf("%d calls in %v, want one at once", n-1, time.Since(start))
	}
}

// The caller's deadline still wins over the ride-out.
func TestReadKeepsTheCallersDeadline(t *testing.T) {
	kv := &lostNodeKV{}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := RidingKV(kv).Get(ctx, "admin"); err == nil {
		t.Fatal("answered after the caller's deadline")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v past a 300 ms deadline", took)
	}
}
