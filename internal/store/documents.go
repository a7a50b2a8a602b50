package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/bus"
)

// Documents keeps document records (one JSON value per id) and, per round, person and kind,
// the list of versions received, in the tn_documents bucket.
type Documents struct {
	kv    jetstream.KeyValue
	watch *docWatch
	// settle is how long Lookup looks again for a record not found: 0 on one node; on a
	// replicated bucket a read may be answered by a replica a few milliseconds behind the write
	// (direct gets), so a document whose 202 the client just got must not be "not found".
	settle time.Duration
}

// DefaultSettle is how long, on a replicated bucket, a record not found is looked for again
// before Lookup believes it.
const DefaultSettle = 2 * time.Second

// Replicated sets how long Lookup looks again for a record not found (see Documents.settle).
func (s *Documents) Replicated(settle time.Duration) { s.settle = settle }

// Lookup is Get for a record the caller has reason to believe exists (a client asking for a
// document it uploaded): on a replicated bucket "not found" is believed only after it held for
// the settle period, so that a replica behind the write is not taken at its word.
func (s *Documents) Lookup(ctx context.Context, id string) (dossier.Document, uint64, error) {
	d, rev, err := s.Get(ctx, id)
	if s.settle <= 0 || !errors.Is(err, ingest.ErrNotFound) || !ingest.ValidID(id) {
		return d, rev, err
	}
	deadline := time.Now().Add(s.settle)
	for pause := 50 * time.Millisecond; errors.Is(err, ingest.ErrNotFound) && time.Now().Add(pause).Before(deadline); pause = min(2*pause, 500*time.Millisecond) {
		select {
		case <-ctx.Done():
			return d, rev, err
		case <-time.After(pause):
		}
		d, rev, err = s.Get(ctx, id)
	}
	return d, rev, err
}

// NewDocuments wraps the bucket.
func NewDocuments(kv jetstream.KeyValue) *Documents {
	return &Documents{kv: kv, watch: newDocWatch(kv)}
}

func docKey(id string) string { return "doc." + id }

// Get returns a document record and its revision, or ErrNotFound.
func (s *Documents) Get(ctx context.Context, id string) (dossier.Document, uint64, error) {
	if !ingest.ValidID(id) {
		return dossier.Document{}, 0, ingest.ErrNotFound
	}
	d, rev, err := bus.GetJSON[dossier.Document](ctx, s.kv, docKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return dossier.Document{}, 0, ingest.ErrNotFound
	}
	if err != nil {
		return dossier.Document{}, 0, fmt.Errorf("ingest: get document %s: %w", id, err)
	}
	return d, rev, nil
}

// Create stores a new record; it fails if the id exists.
func (s *Documents) Create(ctx context.Context, d dossier.Document) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if _, err := s.kv.Create(ctx, docKey(d.ID), data); err != nil {
		return fmt.Errorf("ingest: create document %s: %w", d.ID, err)
	}
	return nil
}

// createRiding is Create riding out a stream-leader election: an attempt whose answer was lost
// may have stored the record, which the next attempt then finds — the same bytes are success.
func (s *Documents) createRiding(ctx context.Context, d dossier.Document, budget time.Duration) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	tried := false
	err = rideOut(ctx, budget, func(actx context.Context) error {
		_, err := s.kv.Create(actx, docKey(d.ID), data)
		if err != nil && tried && bus.IsConflict(err) {
			if e, gerr := s.kv.Get(actx, docKey(d.ID)); gerr == nil && bytes.Equal(e.Value(), data) {
				return nil
			}
		}
		tried = true
		return err
	})
	if err != nil {
		return fmt.Errorf("ingest: create document %s: %w", d.ID, err)
	}
	return nil
}

// Update replaces a record if it is still at revision rev.
func (s *Documents) Update(ctx context.Context, d dossier.Document, rev uint64) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if _, err := s.kv.Update(ctx, docKey(d.ID), data, rev); err != nil {
		return fmt.Errorf("ingest: update document %s: %w", d.ID, err)
	}
	return nil
}

// Delete removes a record that never got to the pipeline (a failed upload).
func (s *Documents) Delete(ctx context.Context, id string) error {
	return s.kv.Delete(ctx, docKey(id))
}

func copiesKey(round, sha string) string { return "sha." + round + "." + sha }

// Copies lists the documents of a round holding the bytes with the given sha256.
func (s *Documents) Copies(ctx context.Context, round, sha string) ([]ingest.Copy, uint64, error) {
	cs, rev, err := bus.GetJSON[[]ingest.Copy](ctx, s.kv, copiesKey(round, sha))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: copies of %s: %w", sha, err)
	}
	return cs, rev, nil
}

// SetCopies stores the list if it is still at rev, or returns ErrConflict.
func (s *Documents) SetCopies(ctx context.Context, round, sha string, cs []ingest.Copy, rev uint64) error {
	data, _ := json.Marshal(cs)
	_, err := bus.CompareAndSet(ctx, s.kv, copiesKey(round, sha), data, rev)
	if bus.IsConflict(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("ingest: store copies of %s: %w", sha, err)
	}
	return nil
}

// RecordCopy puts d's current state in the copies of its bytes — or takes it out when its
// verdict no longer counts — retrying when another writer was first.
func (s *Documents) RecordCopy(ctx context.Context, d dossier.Document) error {
	if d.SHA256 == "" {
		return nil
	}
	for attempt := 0; attempt < 10; attempt++ {
		cs, rev, err := s.Copies(ctx, d.Round, d.SHA256)
		if err != nil {
			return err
		}
		out, changed := ingest.WithCopy(cs, d)
		if !changed {
			return nil
		}
		err = s.SetCopies(ctx, d.Round, d.SHA256, out, rev)
		if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return errors.New("ingest: copies list kept changing")
}

func pendingKey(id string) string { return "pending." + id }

// MarkPending records that a document was handed to the pipeline and has no published verdict yet.
func (s *Documents) MarkPending(ctx context.Context, id string, at time.Time) error {
	if _, err := s.kv.Put(ctx, pendingKey(id), []byte(at.UTC().Format(time.RFC3339Nano))); err != nil {
		return fmt.Errorf("ingest: mark %s pending: %w", id, err)
	}
	return nil
}

// ClearPending removes the marker once the verdict is published.
func (s *Documents) ClearPending(ctx context.Context, id string) error {
	if err := s.kv.Delete(ctx, pendingKey(id)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("ingest: clear %s pending: %w", id, err)
	}
	return nil
}

// Pending lists the documents whose verdict is not yet published.
func (s *Documents) Pending(ctx context.Context) ([]string, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, "pending.*")
	if err != nil {
		return nil, fmt.Errorf("ingest: list pending: %w", err)
	}
	var ids []string
	for k := range lister.Keys() {
		ids = append(ids, k[len("pending."):])
	}
	return ids, nil
}
