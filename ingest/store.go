package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
)

// ErrNotFound is returned for an unknown document id.
var ErrNotFound = errors.New("document not found")

// Documents keeps document records (one JSON value per id) and, per round, person and kind,
// the list of versions received, in the tn_documents bucket.
type Documents struct {
	kv jetstream.KeyValue
}

// NewDocuments wraps the bucket.
func NewDocuments(kv jetstream.KeyValue) *Documents { return &Documents{kv: kv} }

// NewID returns a document id that sorts by creation time: 12 hex digits of Unix milliseconds
// followed by 16 random hex digits.
func NewID(now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("d%012x%s", now.UnixMilli(), hex.EncodeToString(b[:]))
}

// ValidID reports whether s has the shape of a document id (it is used as a key and in subjects).
func ValidID(s string) bool {
	if len(s) != 29 || s[0] != 'd' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func docKey(id string) string { return "doc." + id }

// Get returns a document record and its revision, or ErrNotFound.
func (s *Documents) Get(ctx context.Context, id string) (dossier.Document, uint64, error) {
	if !ValidID(id) {
		return dossier.Document{}, 0, ErrNotFound
	}
	d, rev, err := bus.GetJSON[dossier.Document](ctx, s.kv, docKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return dossier.Document{}, 0, ErrNotFound
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

// Version is one file received for a person and kind.
type Version struct {
	ID         string    `json:"document_id"`
	SHA256     string    `json:"sha256"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
	File       string    `json:"file"`
}

// CurrentVersions is vs, versions of one kind, with each accepted/late status judged against
// the round's deadlines as they are now (dossier.EffectiveStatus), as the dossier shows them.
func CurrentVersions(r dossier.Round, kind dossier.Kind, vs []Version) []Version {
	out := slices.Clone(vs)
	for i, v := range out {
		out[i].Status = dossier.EffectiveStatus(r, dossier.DocEntry{Status: v.Status, Kind: kind, ReceivedAt: v.ReceivedAt})
	}
	return out
}

func versionsKey(round, nominee string, kind dossier.Kind) string {
	return "ver." + round + "." + nominee + "." + string(kind)
}

// Versions lists what was received for a person and kind, oldest first.
func (s *Documents) Versions(ctx context.Context, round, nominee string, kind dossier.Kind) ([]Version, uint64, error) {
	vs, rev, err := bus.GetJSON[[]Version](ctx, s.kv, versionsKey(round, nominee, kind))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: versions: %w", err)
	}
	return vs, rev, nil
}

// errConflict means another writer changed the versions list first; the caller reads again.
var errConflict = errors.New("concurrent update")

// AddVersion appends v (or replaces the entry with the same id) if the list is still at rev.
func (s *Documents) AddVersion(ctx context.Context, round, nominee string, kind dossier.Kind, vs []Version, v Version, rev uint64) error {
	out := make([]Version, 0, len(vs)+1)
	for _, x := range vs {
		if x.ID != v.ID {
			out = append(out, x)
		}
	}
	out = append(out, v)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	data, _ := json.Marshal(out)
	_, err := bus.CompareAndSet(ctx, s.kv, versionsKey(round, nominee, kind), data, rev)
	if bus.IsConflict(err) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("ingest: store versions: %w", err)
	}
	return nil
}

// Copy is one document of a round holding given bytes and still counting (accepted, late) or
// waiting for review. The same bytes received again are a duplicate of such a copy — whether
// or not a person has been told or confirmed whose it is.
type Copy struct {
	ID         string       `json:"document_id"`
	Status     string       `json:"status"`
	Nominee    string       `json:"nominee,omitempty"`
	Kind       dossier.Kind `json:"kind,omitempty"`
	File       string       `json:"file"`
	ReceivedAt time.Time    `json:"received_at"`
}

func copiesKey(round, sha string) string { return "sha." + round + "." + sha }

// Copies lists the documents of a round holding the bytes with the given sha256.
func (s *Documents) Copies(ctx context.Context, round, sha string) ([]Copy, uint64, error) {
	cs, rev, err := bus.GetJSON[[]Copy](ctx, s.kv, copiesKey(round, sha))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: copies of %s: %w", sha, err)
	}
	return cs, rev, nil
}

// setCopies stores the list if it is still at rev, or returns errConflict.
func (s *Documents) setCopies(ctx context.Context, round, sha string, cs []Copy, rev uint64) error {
	data, _ := json.Marshal(cs)
	_, err := bus.CompareAndSet(ctx, s.kv, copiesKey(round, sha), data, rev)
	if bus.IsConflict(err) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("ingest: store copies of %s: %w", sha, err)
	}
	return nil
}

func (c Copy) same(o Copy) bool {
	return c.ID == o.ID && c.Status == o.Status && c.Nominee == o.Nominee && c.Kind == o.Kind &&
		c.File == o.File && c.ReceivedAt.Equal(o.ReceivedAt)
}

// copyOf is the entry of d in the copies of its bytes.
func copyOf(d dossier.Document) Copy {
	return Copy{ID: d.ID, Status: d.Status, Nominee: d.Nominee, Kind: d.Kind, File: d.File, ReceivedAt: d.ReceivedAt}
}

// counts reports whether a verdict keeps its bytes in the round: one that counts or waits for
// a person. A refused file does not stand in the way of the same bytes sent again.
func counts(d dossier.Document) bool {
	return d.Status == dossier.StatusAccepted || d.Status == dossier.StatusLate || d.Status == dossier.StatusNeedsReview
}

// recordCopy puts d's current state in the copies of its bytes — or takes it out when its
// verdict no longer counts — retrying when another writer was first.
func (s *Documents) recordCopy(ctx context.Context, d dossier.Document) error {
	if d.SHA256 == "" {
		return nil
	}
	for attempt := 0; attempt < 10; attempt++ {
		cs, rev, err := s.Copies(ctx, d.Round, d.SHA256)
		if err != nil {
			return err
		}
		out, changed := withCopy(cs, d)
		if !changed {
			return nil
		}
		err = s.setCopies(ctx, d.Round, d.SHA256, out, rev)
		if !errors.Is(err, errConflict) {
			return err
		}
	}
	return errors.New("ingest: copies list kept changing")
}

// withCopy returns cs with d's entry replaced by its current state (dropped when it does not
// count), and whether that changed anything.
func withCopy(cs []Copy, d dossier.Document) ([]Copy, bool) {
	out := make([]Copy, 0, len(cs)+1)
	changed := false
	for _, c := range cs {
		if c.ID == d.ID {
			changed = changed || !counts(d) || !c.same(copyOf(d))
			continue
		}
		out = append(out, c)
	}
	if counts(d) {
		if len(out) == len(cs) {
			changed = true
		}
		out = append(out, copyOf(d))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out, changed
}

// recordVersion puts d among the versions of its person and kind, retrying when another writer
// was first.
func (s *Documents) recordVersion(ctx context.Context, d dossier.Document) error {
	if d.Nominee == "" || d.Kind == "" {
		return nil
	}
	for attempt := 0; attempt < 10; attempt++ {
		vs, rev, err := s.Versions(ctx, d.Round, d.Nominee, d.Kind)
		if err != nil {
			return err
		}
		err = s.AddVersion(ctx, d.Round, d.Nominee, d.Kind, vs,
			Version{ID: d.ID, SHA256: d.SHA256, Status: d.Status, ReceivedAt: d.ReceivedAt, File: d.File}, rev)
		if !errors.Is(err, errConflict) {
			return err
		}
	}
	return errors.New("ingest: versions list kept changing")
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
