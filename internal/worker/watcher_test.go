package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

func TestWatcherRaisesOnceAcrossReplicasAndRestarts(t *testing.T) {
	env := newDZEnv(t)
	ctx := context.Background()
	r := env.saveRound(t, dossiertest.Round(t))
	at := r.Deadlines.Dossier.At
	// n01 complete, n02 missing the asset declaration, n03 exempt.
	st := dossier.NewState(r.ID)
	for i, d := range []dossier.Document{
		{ID: "a", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted},
		{ID: "b", Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusAccepted},
		{ID: "c", Nominee: "n02", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted},
	} {
		d.Revision, d.ReceivedAt = 1, at.Add(-100*time.Hour)
		_, _ = st.ApplyDocument(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: d}, uint64(i+1))
	}
	if _, err := env.store.Save(ctx, st, 0); err != nil {
		t.Fatal(err)
	}

	// Three replicas check at the same instant, 30h before the deadline: one 72h alert in all.
	now := at.Add(-30 * time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var raised []dossier.Alert
	for i := range 3 {
		w := NewWatcher(env.store, WatcherConfig{Owner: fmt.Sprintf("replica-%d", i)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			as, err := w.Raise(ctx, []dossier.Round{r}, now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			raised = append(raised, as...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(raised) != 1 || raised[0].Lead != "72h" || raised[0].Deadline != dossier.DeadlineDossier {
		t.Fatalf("three replicas raised %d alerts: %+v", len(raised), raised)
	}
	a := raised[0]
	if len(a.Persons) != 1 || a.Persons[0].Nominee != "n02" || !slices.Equal(a.Persons[0].Missing, []dossier.Kind{dossier.KindAssetDeclaration}) {
		t.Errorf("alert persons = %+v; want only n02 missing the asset declaration", a.Persons)
	}

	// A restarted watcher (fresh memory) raises nothing new at the same time.
	restarted := NewWatcher(env.store, WatcherConfig{Owner: "restarted"})
	if as, err := restarted.Raise(ctx, []dossier.Round{r}, now.Add(time.Minute)); err != nil || len(as) != 0 {
		t.Fatalf("restart raised %+v %v", as, err)
	}
	// Down from 30h to 1h before the deadline: the 24h and 2h moments both passed while down;
	// each is raised once on start.
	if as, _ := restarted.Raise(ctx, []dossier.Round{r}, at.Add(-time.Hour)); len(as) != 2 || as[0].Lead != "24h" || as[1].Lead != "2h" {
		t.Fatalf("after downtime: %+v", as)
	}
	if as, _ := restarted.Raise(ctx, []dossier.Round{r}, at.Add(-time.Hour+time.Minute)); len(as) != 0 {
		t.Fatalf("2h raised twice: %+v", as)
	}
	// Down across the deadline: overdue raised once on start, however late.
	later := NewWatcher(env.store, WatcherConfig{})
	if as, _ := later.Raise(ctx, []dossier.Round{r}, at.Add(5*time.Hour)); len(as) != 1 || as[0].Lead != dossier.LeadOverdue {
		t.Fatalf("overdue after downtime: %+v", as)
	}
	if as, _ := NewWatcher(env.store, WatcherConfig{}).Raise(ctx, []dossier.Round{r}, at.Add(6*time.Hour)); len(as) != 0 {
		t.Fatalf("overdue raised twice: %+v", as)
	}

	// The board moves the deadline three days later: alerts follow the new deadline.
	moved := r
	moved.Deadlines.Dossier.At = at.Add(72 * time.Hour)
	as, _ := later.Raise(ctx, []dossier.Round{moved}, at.Add(6*time.Hour))
	if len(as) != 1 || as[0].Lead != "72h" || !as[0].DeadlineAt.Equal(moved.Deadlines.Dossier.At) {
		t.Fatalf("after moving the deadline: %+v", as)
	}

	all, err := env.store.Alerts(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var leads []string
	for _, a := range all {
		leads = append(leads, a.Lead)
	}
	if !slices.Equal(leads, []string{"72h", "24h", "2h", "overdue", "72h"}) {
		t.Errorf("stored alerts %v", leads)
	}
	if other, err := env.store.Alerts(ctx, "dz-other"); err != nil || len(other) != 0 {
		t.Errorf("another round's alerts: %+v %v", other, err)
	}
}

func TestWatcherRunFollowsRounds(t *testing.T) {
	env := newDZEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A clock that stands 90 minutes before the round's dossier deadline.
	r := dossiertest.Round(t)
	var mu sync.Mutex
	now := r.Deadlines.Dossier.At.Add(-90 * time.Minute)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	w := NewWatcher(env.store, WatcherConfig{Interval: 20 * time.Millisecond, Now: clock, Owner: "run"})
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	r = env.saveRound(t, r) // imported while the watcher runs: raised without waiting
	waitAlerts := func(n int) []dossier.Alert {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			as, err := env.store.Alerts(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) >= n || time.Now().After(deadline) {
				return as
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Imported 90 minutes before the deadline: the 72h, 24h and 2h moments have all come.
	if as := waitAlerts(3); len(as) != 3 || leadsOf(as) != "72h,24h,2h" || len(as[2].Persons) != 2 {
		t.Fatalf("alerts after import: %+v", as)
	}
	// The clock passes the deadline.
	mu.Lock()
	now = r.Deadlines.Dossier.At.Add(time.Second)
	mu.Unlock()
	if as := waitAlerts(4); len(as) != 4 || as[3].Lead != dossier.LeadOverdue {
		t.Fatalf("alerts after the deadline: %+v", as)
	}
	// Moving the deadline a day later brings the new deadline's alert at once.
	r2 := r
	r2.Deadlines.Dossier = dossier.Deadline{At: r.Deadlines.Dossier.At.Add(24 * time.Hour), Source: "file"}
	env.saveRound(t, r2)
	as := waitAlerts(6)
	var moved []dossier.Alert
	for _, a := range as {
		if a.DeadlineAt.Equal(r2.Deadlines.Dossier.At) {
			moved = append(moved, a)
		}
	}
	if len(as) != 6 || len(moved) != 2 || !strings.Contains(leadsOf(moved), "72h") || !strings.Contains(leadsOf(moved), "24h") {
		t.Fatalf("alerts after moving the deadline: %+v", as)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(moved[0])
	if !strings.Contains(string(data), `"deliveries"`) {
		t.Errorf("alert without its outbox: %s", data)
	}
}

// Cancelling the context is a clean stop for both bucket followers, although their watch closes
// with the same context and select may see the closed channel first. (A cancel that lands while
// the watch is still being opened interrupts that request; such a stop is told apart and not
// counted.)
func TestRunStopsCleanlyOnCancel(t *testing.T) {
	env := newDZEnv(t)
	env.saveRound(t, dossiertest.Round(t))
	runs := map[string]func(context.Context) error{
		"watcher":   NewWatcher(env.store, WatcherConfig{Interval: time.Millisecond}).Run,
		"deliverer": NewDeliverer(env.store, env.rounds, DelivererConfig{Interval: time.Millisecond}).Run,
	}
	for name, run := range runs {
		clean := 0
		for i := 0; i < 40; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- run(ctx) }()
			time.Sleep(20 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				switch {
				case err == nil:
					clean++
				case !errors.Is(err, context.Canceled):
					t.Fatalf("%s stop %d: Run returned %v, want nil", name, i, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s stop %d: Run did not return", name, i)
			}
		}
		if clean < 20 {
			t.Errorf("%s: only %d of 40 runs got their watch open before the cancel", name, clean)
		}
	}
}

func leadsOf(as []dossier.Alert) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Lead)
	}
	return strings.Join(out, ",")
}
