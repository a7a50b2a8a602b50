package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/requestid"
	"tinnhiem/minutes"
)

// Tallies stores tally records in the tn_tallies bucket (one per round) and announces seals on
// the TALLY stream. The rules of entering and sealing are minutes.Record's; this only reads,
// writes compare-and-set, and retries when another writer was first.
type Tallies struct {
	kv jetstream.KeyValue
	js jetstream.JetStream
}

// NewTallies wraps the tallies bucket.
func NewTallies(kv jetstream.KeyValue, js jetstream.JetStream) *Tallies {
	return &Tallies{kv: kv, js: js}
}

// Get returns the record of a round (an empty one when nothing was entered yet).
func (t *Tallies) Get(ctx context.Context, round string) (minutes.Record, uint64, error) {
	r, rev, err := bus.GetJSON[minutes.Record](ctx, t.kv, round)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return minutes.Record{Round: round}, 0, nil
	}
	if err != nil {
		return minutes.Record{}, 0, fmt.Errorf("minutes: get tally %s: %w", round, err)
	}
	return r, rev, nil
}

func (t *Tallies) put(ctx context.Context, r minutes.Record, rev uint64) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := bus.CompareAndSet(ctx, t.kv, r.Round, data, rev); bus.IsConflict(err) {
		return ErrConflict
	} else if err != nil {
		return fmt.Errorf("minutes: store tally %s: %w", r.Round, err)
	}
	return nil
}

// Enter stores entry e of a round's tally (minutes.Record.Enter) and returns the computed result.
func (t *Tallies) Enter(ctx context.Context, rd dossier.Round, e minutes.Entry, now time.Time) (minutes.Result, error) {
	for attempt := 0; attempt < 5; attempt++ {
		rec, rev, err := t.Get(ctx, rd.ID)
		if err != nil {
			return minutes.Result{}, err
		}
		next, res, err := rec.Enter(rd, e, now)
		if err != nil {
			return minutes.Result{}, err
		}
		if err := t.put(ctx, next, rev); errors.Is(err, ErrConflict) {
			continue
		} else if err != nil {
			return minutes.Result{}, err
		}
		return res, nil
	}
	return minutes.Result{}, errors.New("minutes: tally kept changing; try again")
}

// Seal freezes the current entry as a new version (minutes.Record.Seal), stores it and announces
// it to the minutes workers. Sealing again what is sealed announces the last version again.
func (t *Tallies) Seal(ctx context.Context, rd dossier.Round, by string, now time.Time) (minutes.Sealed, error) {
	for attempt := 0; attempt < 5; attempt++ {
		rec, rev, err := t.Get(ctx, rd.ID)
		if err != nil {
			return minutes.Sealed{}, err
		}
		next, s, changed, err := rec.Seal(rd, by, now)
		if err != nil {
			return minutes.Sealed{}, err
		}
		if changed {
			if err := t.put(ctx, next, rev); errors.Is(err, ErrConflict) {
				continue
			} else if err != nil {
				return minutes.Sealed{}, err
			}
		}
		return s, t.announce(ctx, rd.ID, s)
	}
	return minutes.Sealed{}, errors.New("minutes: tally kept changing; try again")
}

func (t *Tallies) announce(ctx context.Context, round string, s minutes.Sealed) error {
	data, _ := json.Marshal(minutes.SealedEvent{Round: round, Version: s.Version, SHA256: s.SHA256})
	msg := &nats.Msg{Subject: minutes.SealedSubject(round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("tally-%s-v%d", round, s.Version))
	requestid.Stamp(ctx, msg.Header)
	if _, err := t.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("minutes: announce seal: %w", err)
	}
	return nil
}
