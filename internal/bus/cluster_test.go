package bus_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// On a replicated bucket, writers racing for one key lose with either "wrong last sequence"
// code; every loss must read as a conflict so that read–modify–write loops retry rather than
// fail. Eight writers each add to one counter: no write may be lost and no loss may surface.
func TestIsConflictOnReplicatedBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	ctx := context.Background()
	c := bustest.StartCluster(t, 3)
	_, js := bustest.Connect(t, c.URL)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cas", Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}

	const writers, adds = 8, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, conflicts := 0, 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Everyone tries to create the key; one wins.
			if _, err := kv.Create(ctx, "n", binary.AppendUvarint(nil, 0)); err == nil {
				mu.Lock()
				created++
				mu.Unlock()
			} else if !bus.IsConflict(err) {
				t.Errorf("losing Create: %v, not a conflict", err)
				return
			}
			for i := 0; i < adds; i++ {
				for try := 0; ; try++ {
					if try == 1000 {
						t.Error("a write kept losing for 1000 tries")
						return
					}
					e, err := kv.Get(ctx, "n")
					if errors.Is(err, jetstream.ErrKeyNotFound) {
						continue // a follower that has not applied the create yet answered
					}
					if err != nil {
						t.Error(err)
						return
					}
					n, _ := binary.Uvarint(e.Value())
					_, err = kv.Update(ctx, "n", binary.AppendUvarint(nil, n+1), e.Revision())
					if err == nil {
						break
					}
					if !bus.IsConflict(err) {
						t.Errorf("losing Update: %v, not a conflict", err)
						return
					}
					mu.Lock()
					conflicts++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if created != 1 {
		t.Errorf("%d writers created the key, want 1", created)
	}
	e, err := kv.Get(ctx, "n")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := binary.Uvarint(e.Value()); n != writers*adds {
		t.Errorf("counter is %d after %d conflicts, want %d", n, conflicts, writers*adds)
	}
	if conflicts == 0 {
		t.Log("no write lost a race this time; the conflict path went untested")
	}
	if _, err := kv.Update(ctx, "n", nil, 1); !errors.Is(err, jetstream.ErrKeyRevisionMismatch) || !bus.IsConflict(err) {
		t.Errorf("Update at a stale revision: %v, want a conflict", err)
	}
}
