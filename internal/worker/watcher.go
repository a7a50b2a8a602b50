package worker

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
)

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
	store *store.Dossiers
	cfg   WatcherConfig

	mu     sync.Mutex
	known  map[string]bool // alert keys known to exist
	rounds map[string]dossier.Round
	// packetSent: the packet records known, by round.
	packetSent map[string]*dossier.PacketSent
}

// NewWatcher returns a watcher reading rounds and projections through store.
func NewWatcher(st *store.Dossiers, cfg WatcherConfig) *Watcher {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{store: st, cfg: cfg, known: map[string]bool{}, rounds: map[string]dossier.Round{}, packetSent: map[string]*dossier.PacketSent{}}
}

// Run keeps a live copy of every round (a KV watch, so a moved deadline or a new person counts at
// the next check) and checks the deadlines at start and then every Interval, until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	watch, err := w.store.WatchAll(ctx, bus.BucketRounds)
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
				return store.WatchEnded(ctx, bus.BucketRounds)
			}
			if e == nil {
				ready = true
				w.check(ctx)
				continue
			}
			w.mu.Lock()
			var r dossier.Round
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
	rounds := make([]dossier.Round, 0, len(w.rounds))
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
func (w *Watcher) Raise(ctx context.Context, rounds []dossier.Round, now time.Time) ([]dossier.Alert, error) {
	var raised []dossier.Alert
	var errs []error
	for _, r := range rounds {
		var st *dossier.State
		// The packet step raises nothing once its sending is recorded. The record is in the
		// projection, read only when a packet alert not yet raised is due and no record is
		// known yet.
		sent := w.packetSentOf(r.ID)
		if sent == nil && w.packetPending(dossier.DueAlerts(r, now), r.ID) {
			var err error
			if st, _, err = w.store.State(ctx, r.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			if sent = st.PacketSent(); sent != nil {
				w.setPacketSent(r.ID, sent)
			}
		}
		for _, due := range dossier.DueAlertsFor(r, sent, now) {
			key := due.Key(r.ID)
			if w.isKnown(key) {
				continue
			}
			exists, err := w.store.AlertExists(ctx, key)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if exists {
				w.setKnown(key)
				continue
			}
			if st == nil {
				if st, _, err = w.store.State(ctx, r.ID); err != nil {
					errs = append(errs, err)
					break
				}
			}
			a := dossier.NewAlert(r, st, due, now, w.cfg.Owner)
			created, err := w.store.CreateAlert(ctx, key, a)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			w.setKnown(key)
			if !created {
				continue
			}
			w.cfg.Log.Info("deadline alert raised", "round", r.ID, "deadline", due.Deadline, "lead", due.Lead,
				"persons", len(a.Persons), "late_by", now.Sub(due.DueAt).Round(time.Second).String())
			raised = append(raised, a)
		}
	}
	return raised, errors.Join(errs...)
}

// packetPending reports whether due holds a packet alert of round not known to exist.
func (w *Watcher) packetPending(due []dossier.AlertDue, round string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range due {
		if d.Deadline == dossier.DeadlinePacket && !w.known[d.Key(round)] {
			return true
		}
	}
	return false
}

// packetSentOf is the packet record of a round known to this watcher, nil when none is known.
func (w *Watcher) packetSentOf(round string) *dossier.PacketSent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.packetSent[round]
}

// setPacketSent remembers a round's packet record: a record is never withdrawn (a later one
// only corrects it), so the state need not be read for it again.
func (w *Watcher) setPacketSent(round string, sent *dossier.PacketSent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.packetSent[round] = sent
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
