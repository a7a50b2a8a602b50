package store

import (
	"context"
	"errors"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/minutes"
)

// Publish marks a sealed version of a round's tally as its public results
// (minutes.Record.Publish) and stores it; changed is false when that version was published
// already.
func (t *Tallies) Publish(ctx context.Context, rd dossier.Round, version int, by string, now time.Time) (minutes.Publication, bool, error) {
	for attempt := 0; attempt < 5; attempt++ {
		rec, rev, err := t.Get(ctx, rd.ID)
		if err != nil {
			return minutes.Publication{}, false, err
		}
		next, p, changed, err := rec.Publish(rd, version, by, now)
		if err != nil || !changed {
			return p, false, err
		}
		if err := t.put(ctx, next, rev); errors.Is(err, ErrConflict) {
			continue
		} else if err != nil {
			return minutes.Publication{}, false, err
		}
		return p, true, nil
	}
	return minutes.Publication{}, false, errors.New("minutes: tally kept changing; try again")
}
