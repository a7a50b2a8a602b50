package dossier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// ErrNotFound is returned when a round (or another record) does not exist.
var ErrNotFound = errors.New("not found")

// Rounds stores rounds in a JetStream key-value bucket, one JSON value per round id.
type Rounds struct {
	kv jetstream.KeyValue
}

// NewRounds wraps the rounds bucket.
func NewRounds(kv jetstream.KeyValue) *Rounds { return &Rounds{kv: kv} }

// Get returns the round with that id, or ErrNotFound.
func (s *Rounds) Get(ctx context.Context, id string) (Round, error) {
	r, _, err := s.get(ctx, id)
	return r, err
}

func (s *Rounds) get(ctx context.Context, id string) (Round, uint64, error) {
	if !roundIDPattern.MatchString(id) {
		return Round{}, 0, fmt.Errorf("round %q: %w", id, ErrNotFound)
	}
	r, rev, err := bus.GetJSON[Round](ctx, s.kv, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Round{}, 0, fmt.Errorf("round %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Round{}, 0, fmt.Errorf("dossier: get round %s: %w", id, err)
	}
	return r, rev, nil
}

// List returns every round, sorted by vote date then id.
func (s *Rounds) List(ctx context.Context) ([]Round, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("dossier: list rounds: %w", err)
	}
	var out []Round
	for key := range lister.Keys() {
		r, err := s.Get(ctx, key)
		if errors.Is(err, ErrNotFound) {
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
func (s *Rounds) Save(ctx context.Context, r Round, by string, now time.Time) (Round, bool, error) {
	// Optimistic concurrency: read, merge, write at that revision; on a conflict read again.
	// Every attempt that fails does so because another import landed, so progress is certain;
	// the bound only guards against a livelock, and a short random pause spreads the retries.
	for attempt := 0; attempt < maxSaveAttempts; attempt++ {
		if attempt > 0 {
			pause := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(time.Millisecond) + 1))
			select {
			case <-ctx.Done():
				return Round{}, false, fmt.Errorf("dossier: store round %s: %w", r.ID, ctx.Err())
			case <-time.After(pause):
			}
		}
		old, rev, err := s.get(ctx, r.ID)
		created := errors.Is(err, ErrNotFound)
		if err != nil && !created {
			return Round{}, false, err
		}
		next := r
		next.UpdatedAt, next.UpdatedBy = now.UTC(), by
		if created {
			next.CreatedAt, next.Version = now.UTC(), 1
		} else {
			next.CreatedAt, next.Version = old.CreatedAt, old.Version+1
			next.Removed = removedNominees(old, next)
		}
		data, err := json.Marshal(next)
		if err != nil {
			return Round{}, false, fmt.Errorf("dossier: encode round: %w", err)
		}
		_, err = bus.CompareAndSet(ctx, s.kv, r.ID, data, rev) // rev is 0 when created
		if bus.IsConflict(err) {
			continue // a concurrent import won; read again and merge on top of it
		}
		if err != nil {
			return Round{}, false, fmt.Errorf("dossier: store round %s: %w", r.ID, err)
		}
		return next, created, nil
	}
	return Round{}, false, fmt.Errorf("dossier: store round %s: too many concurrent updates", r.ID)
}

// maxSaveAttempts bounds the retries of Save when imports of the same round race.
const maxSaveAttempts = 100

// removedNominees lists persons of old (and those removed earlier) absent from next.
func removedNominees(old, next Round) []Nominee {
	present := map[string]bool{}
	for _, n := range next.Nominees {
		present[n.ID] = true
	}
	var out []Nominee
	seen := map[string]bool{}
	for _, n := range append(append([]Nominee{}, old.Nominees...), old.Removed...) {
		if present[n.ID] || seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		out = append(out, n)
	}
	return out
}
