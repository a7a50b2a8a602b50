package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
)

// Rounds stores rounds in a JetStream key-value bucket, one JSON value per round id.
type Rounds struct {
	kv     jetstream.KeyValue
	parsed *roundCache // decoded rounds by revision (see roundcache.go)
}

// NewRounds wraps the rounds bucket.
func NewRounds(kv jetstream.KeyValue) *Rounds { return &Rounds{kv: kv, parsed: newRoundCache()} }

// Get returns the round with that id, or ErrNotFound.
func (s *Rounds) Get(ctx context.Context, id string) (dossier.Round, error) {
	r, _, err := s.get(ctx, id)
	return r, err
}

func (s *Rounds) get(ctx context.Context, id string) (dossier.Round, uint64, error) {
	if !dossier.ValidRoundID(id) {
		return dossier.Round{}, 0, fmt.Errorf("round %q: %w", id, dossier.ErrNotFound)
	}
	e, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return dossier.Round{}, 0, fmt.Errorf("round %q: %w", id, dossier.ErrNotFound)
	}
	if err != nil {
		return dossier.Round{}, 0, fmt.Errorf("dossier: get round %s: %w", id, err)
	}
	r, err := s.parsed.decode(id, e.Revision(), e.Value())
	if err != nil {
		return dossier.Round{}, 0, fmt.Errorf("dossier: get round %s: decode: %w", id, err)
	}
	return r, e.Revision(), nil
}

// List returns every round, sorted by vote date then id.
func (s *Rounds) List(ctx context.Context) ([]dossier.Round, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("dossier: list rounds: %w", err)
	}
	var out []dossier.Round
	for key := range lister.Keys() {
		r, err := s.Get(ctx, key)
		if errors.Is(err, dossier.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].VoteDate != out[j].VoteDate {
			return out[i].VoteDate > out[j].VoteDate
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Save stores a freshly parsed round: a new one, or an update of the round with the same id.
// An update keeps the creation time, bumps the version and remembers who was taken off the
// roster, so nothing received for them is orphaned. It reports whether the round was created.
func (s *Rounds) Save(ctx context.Context, r dossier.Round, by string, now time.Time) (dossier.Round, bool, error) {
	// Optimistic concurrency: read, merge, write at that revision; on a conflict read again.
	// Every attempt that fails does so because another import landed, so progress is certain;
	// the bound only guards against a livelock, and a short random pause spreads the retries.
	for attempt := 0; attempt < maxSaveAttempts; attempt++ {
		if attempt > 0 {
			pause := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(time.Millisecond) + 1))
			select {
			case <-ctx.Done():
				return dossier.Round{}, false, fmt.Errorf("dossier: store round %s: %w", r.ID, ctx.Err())
			case <-time.After(pause):
			}
		}
		old, rev, err := s.get(ctx, r.ID)
		created := errors.Is(err, dossier.ErrNotFound)
		if err != nil && !created {
			return dossier.Round{}, false, err
		}
		var prev *dossier.Round
		if !created {
			prev = &old
		}
		next := dossier.NextVersion(prev, r, by, now)
		data, err := json.Marshal(next)
		if err != nil {
			return dossier.Round{}, false, fmt.Errorf("dossier: encode round: %w", err)
		}
		_, err = bus.CompareAndSet(ctx, s.kv, r.ID, data, rev) // rev is 0 when created
		if bus.IsConflict(err) {
			continue // a concurrent import won; read again and merge on top of it
		}
		if err != nil {
			return dossier.Round{}, false, fmt.Errorf("dossier: store round %s: %w", r.ID, err)
		}
		return next, created, nil
	}
	return dossier.Round{}, false, fmt.Errorf("dossier: store round %s: too many concurrent updates", r.ID)
}

// maxSaveAttempts bounds the retries of Save when imports of the same round race.
const maxSaveAttempts = 100
