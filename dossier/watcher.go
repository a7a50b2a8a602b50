package dossier

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// DueAlerts lists the alerts due for round r at now; the caller raises those not raised yet.
//
// For each deadline:
//   - a lead L is due while now is in [At−L, At] (At is the last on-time instant). Every lead
//     whose moment has come is due, so a lead time missed while the system was down (or before
//     the round was imported) is raised once on start as long as its deadline is still ahead:
//     each (round, deadline, lead) is an alert of its own, exactly once.
//   - the overdue alert is due once now is after At, however long after, so a system that was
//     down at the deadline still raises it on start.
//
// Nothing is due after the vote day: chasing dossiers after the vote helps nobody.
func DueAlerts(r Round, now time.Time) []AlertDue {
	if voteDay, err := time.ParseInLocation(time.DateOnly, r.VoteDate, r.Location()); err == nil && !now.Before(voteDay.AddDate(0, 0, 1)) {
		return nil
	}
	leads := slices.Clone(r.Alerts)
	slices.SortFunc(leads, func(a, b Lead) int { return cmp.Compare(a.D, b.D) })
	var out []AlertDue
	for _, name := range DeadlineNames {
		d, _ := r.Deadline(name)
		if d.At.IsZero() {
			continue
		}
		if now.After(d.At) {
			out = append(out, AlertDue{Deadline: name, At: d.At, Lead: LeadOverdue, DueAt: d.At})
			continue
		}
		// Longest lead first: alerts of one deadline are raised in the order they fell due.
		for _, l := range slices.Backward(leads) {
			if l.D > 0 && !now.Before(d.At.Add(-l.D)) {
				out = append(out, AlertDue{Deadline: name, At: d.At, Lead: l.Text, LeadD: l.D, DueAt: d.At.Add(-l.D)})
			}
		}
	}
	return out
}

// WatcherConfig tunes the deadline watcher.
type WatcherConfig struct {
	Interval time.Duration    // how often deadlines are checked; default 5s
	Now      func() time.Time // the clock; default time.Now
	Owner    string           // this replica's name, recorded in the alerts it raises
	Log      *slog.Logger
}

// Watcher raises deadline alerts. Each alert is created in tn_alerts with create-if-absent on
// its key, so it is raised exactly once across restarts and replicas; its deliveries travel in
// the same record (see Deliverer).
type Watcher struct {
	store *Store
	cfg   WatcherConfig

	mu     sync.Mutex
	known  map[string]bool // alert keys known to exist
	rounds map[string]Round
}

// NewWatcher returns a watcher reading rounds and projections through store.
func NewWatcher(store *Store, cfg WatcherConfig) *Watcher {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{store: store, cfg: cfg, known: map[string]bool{}, rounds: map[string]Round{}}
}

// Run keeps a live copy of every round (a KV watch, so a moved deadline or a new person counts at
// the next check) and checks the deadlines at start and then every Interval, until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	watch, err := w.store.watchAll(ctx, bus.BucketRounds)
	if err != nil {
		return err
	}
	defer func() { _ = watch.Stop() }()
	tick := time.NewTicker(w.cfg.Interval)
	defer tick.Stop()
	ready := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-watch.Updates():
			if !ok {
				return watchEnded(ctx, bus.BucketRounds)
			}
			if e == nil {
				ready = true
				w.check(ctx)
				continue
			}
			w.mu.Lock()
			var r Round
			if e.Operation() != jetstream.KeyValuePut {
				delete(w.rounds, e.Key())
			} else if err := json.Unmarshal(e.Value(), &r); err != nil {
				w.cfg.Log.Error("round cannot be read by the deadline watcher", "round", e.Key(), "err", err)
			} else {
				w.rounds[r.ID] = r
			}
			w.mu.Unlock()
			if ready {
				w.check(ctx)
			}
		case <-tick.C:
			if ready {
				w.check(ctx)
			}
		}
	}
}

func (w *Watcher) check(ctx context.Context) {
	w.mu.Lock()
	rounds := make([]Round, 0, len(w.rounds))
	for _, r := range w.rounds {
		rounds = append(rounds, r)
	}
	w.mu.Unlock()
	if _, err := w.Raise(ctx, rounds, w.cfg.Now()); err != nil && ctx.Err() == nil {
		w.cfg.Log.Error("deadline check failed; will retry", "err", err)
	}
}

// Raise creates every alert due at now for the given rounds that does not exist yet, and
// returns those this call created. A replica that loses the create race simply moves on.
func (w *Watcher) Raise(ctx context.Context, rounds []Round, now time.Time) ([]Alert, error) {
	kv, err := w.store.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return nil, err
	}
	var raised []Alert
	var errs []error
	for _, r := range rounds {
		var st *State
		for _, due := range DueAlerts(r, now) {
			key := due.Key(r.ID)
			if w.isKnown(key) {
				continue
			}
			if _, err := kv.Get(ctx, key); err == nil {
				w.setKnown(key)
				continue
			} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
				errs = append(errs, fmt.Errorf("dossier: alert %s: %w", key, err))
				continue
			}
			if st == nil {
				if st, _, err = w.store.State(ctx, r.ID); err != nil {
					errs = append(errs, err)
					break
				}
			}
			a := NewAlert(r, st, due, now, w.cfg.Owner)
			data, err := json.Marshal(a)
			if err != nil {
				errs = append(errs, fmt.Errorf("dossier: encode alert %s: %w", key, err))
				continue
			}
			if _, err := kv.Create(ctx, key, data); bus.IsConflict(err) {
				w.setKnown(key)
				continue
			} else if err != nil {
				errs = append(errs, fmt.Errorf("dossier: raise alert %s: %w", key, err))
				continue
			}
			w.setKnown(key)
			w.cfg.Log.Info("deadline alert raised", "round", r.ID, "deadline", due.Deadline, "lead", due.Lead,
				"persons", len(a.Persons), "late_by", now.Sub(due.DueAt).Round(time.Second).String())
			raised = append(raised, a)
		}
	}
	return raised, errors.Join(errs...)
}

func (w *Watcher) isKnown(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.known[key]
}

func (w *Watcher) setKnown(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.known[key] = true
}
