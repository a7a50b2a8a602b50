package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

func TestWatchEnded(t *testing.T) {
	live, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := WatchEnded(live, bus.BucketAlerts); err == nil || !strings.Contains(err.Error(), bus.BucketAlerts) {
		t.Errorf("watch closed under a live context: %v, want an error naming the bucket", err)
	}
	ended, stop := context.WithCancel(context.Background())
	stop()
	if err := WatchEnded(ended, bus.BucketAlerts); err != nil {
		t.Errorf("watch closed with its context: %v, want nil", err)
	}
}

// Cached hands a writer a copy of the state this process saved last, with its revision; once
// another process saved since, saving that copy is a conflict, and State reads the newer one.
func TestCachedStateIsComparedOnSave(t *testing.T) {
	ctx := context.Background()
	srv := bustest.Start(t)
	here, there := NewDossiers(srv.JS), NewDossiers(srv.JS)
	if _, _, ok := here.Cached("r1"); ok {
		t.Fatal("a state cached before any was read or saved")
	}
	st := dossier.NewState("r1")
	st.Seq = 1
	rev, err := here.Save(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, grev, ok := here.Cached("r1")
	if !ok || grev != rev || got.Seq != 1 {
		t.Fatalf("cached after saving: %v, revision %d (saved %d), seq %d", ok, grev, rev, got.Seq)
	}
	got.Seq = 99 // the copy is the writer's own
	if again, _, _ := here.Cached("r1"); again.Seq != 1 {
		t.Errorf("changing a cached copy changed the cache: seq %d", again.Seq)
	}

	other, orev, err := there.State(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	other.Seq = 2
	if _, err := there.Save(ctx, other, orev); err != nil {
		t.Fatal(err)
	}
	stale, srev, _ := here.Cached("r1")
	stale.Seq = 3
	if _, err := here.Save(ctx, stale, srev); !errors.Is(err, ErrConflict) {
		t.Fatalf("saving over another process's write: %v, want ErrConflict", err)
	}
	fresh, _, err := here.State(ctx, "r1")
	if err != nil || fresh.Seq != 2 {
		t.Errorf("read after the conflict: seq %d, %v; want 2", fresh.Seq, err)
	}
}
