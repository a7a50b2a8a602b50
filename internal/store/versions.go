package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/bus"
)

// The versions of a person's papers of one kind, in tn_documents. Each version is a key of its
// own, vers.<round>.<nominee>.<kind>.<document id>, so that recording one costs the same after a
// thousand versions as after none (a list rewritten whole grew with every upload and, written
// compare-and-set by every worker at once, made uploads of one person wait on each other). The
// head, verh.<round>.<nominee>.<kind>, keeps the newest few with the count: the first page of a
// document view is one read. Older pages read that person's versions of that kind. Lists stored
// whole by earlier releases (ver.<round>.<nominee>.<kind>) are read as they are and never grow.

// VersionHeadSize is how many of the newest versions the head keeps: the first page.
const VersionHeadSize = 20

// versionHead is the head record of one person's versions of one kind.
type versionHead struct {
	Count  int              `json:"count"`
	Newest []ingest.Version `json:"newest"` // newest first, at most VersionHeadSize
}

// VersionPage is one page of a person's versions of one kind, newest first.
type VersionPage struct {
	Versions []ingest.Version
	Page     int // 1-based
	Pages    int // at least 1
	Total    int
}

func versionBase(round, nominee string, kind dossier.Kind) string {
	return round + "." + nominee + "." + string(kind)
}

func versionKey(round, nominee string, kind dossier.Kind, id string) string {
	return "vers." + versionBase(round, nominee, kind) + "." + id
}

func versionHeadKey(round, nominee string, kind dossier.Kind) string {
	return "verh." + versionBase(round, nominee, kind)
}

func legacyVersionsKey(round, nominee string, kind dossier.Kind) string {
	return "ver." + versionBase(round, nominee, kind)
}

// newerFirst orders versions newest first: received later, then the larger id.
func newerFirst(a, b ingest.Version) int {
	switch {
	case ingest.Earlier(b.ReceivedAt, b.ID, a.ReceivedAt, a.ID):
		return -1
	case ingest.Earlier(a.ReceivedAt, a.ID, b.ReceivedAt, b.ID):
		return 1
	}
	return 0
}

func versionOf(d dossier.Document) ingest.Version {
	return ingest.Version{ID: d.ID, SHA256: d.SHA256, Status: d.Status, ReceivedAt: d.ReceivedAt, File: d.File}
}

// LegacyVersions is the list an earlier release stored whole for a person and kind, oldest
// first, and its revision; empty when there is none. It never grows any more.
func (s *Documents) LegacyVersions(ctx context.Context, round, nominee string, kind dossier.Kind) ([]ingest.Version, uint64, error) {
	vs, rev, err := bus.GetJSON[[]ingest.Version](ctx, s.kv, legacyVersionsKey(round, nominee, kind))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: versions: %w", err)
	}
	return vs, rev, nil
}

func (s *Documents) head(ctx context.Context, round, nominee string, kind dossier.Kind) (versionHead, uint64, error) {
	h, rev, err := bus.GetJSON[versionHead](ctx, s.kv, versionHeadKey(round, nominee, kind))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return versionHead{}, 0, nil
	}
	if err != nil {
		return versionHead{}, 0, fmt.Errorf("ingest: versions head: %w", err)
	}
	return h, rev, nil
}

// scanVersions reads every version key of a person and kind.
func (s *Documents) scanVersions(ctx context.Context, round, nominee string, kind dossier.Kind) ([]ingest.Version, error) {
	w, err := s.kv.Watch(ctx, "vers."+versionBase(round, nominee, kind)+".*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("ingest: versions: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var out []ingest.Version
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("ingest: versions: watch closed")
			}
			if e == nil {
				return out, nil
			}
			var v ingest.Version
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				return nil, fmt.Errorf("ingest: decode version %s: %w", e.Key(), err)
			}
			out = append(out, v)
		}
	}
}

// mergeVersions joins versions stored both ways, the per-key entry winning, newest first.
func mergeVersions(keyed, legacy []ingest.Version) []ingest.Version {
	out := slices.Clone(keyed)
	for _, v := range legacy {
		if !slices.ContainsFunc(keyed, func(k ingest.Version) bool { return k.ID == v.ID }) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, newerFirst)
	return out
}

// Versions lists every version received for a person and kind, oldest first (revision 0: there
// is no single record to write back).
func (s *Documents) Versions(ctx context.Context, round, nominee string, kind dossier.Kind) ([]ingest.Version, uint64, error) {
	all, err := s.allVersions(ctx, round, nominee, kind)
	slices.Reverse(all)
	return all, 0, err
}

func (s *Documents) allVersions(ctx context.Context, round, nominee string, kind dossier.Kind) ([]ingest.Version, error) {
	keyed, err := s.scanVersions(ctx, round, nominee, kind)
	if err != nil {
		return nil, err
	}
	legacy, _, err := s.LegacyVersions(ctx, round, nominee, kind)
	if err != nil {
		return nil, err
	}
	return mergeVersions(keyed, legacy), nil
}

// Page returns page (1-based) of a person's versions of a kind, size to a page, newest first.
// The first page of at most VersionHeadSize is read from the head; later pages read them all.
func (s *Documents) Page(ctx context.Context, round, nominee string, kind dossier.Kind, page, size int) (VersionPage, error) {
	size = max(1, size)
	page = max(1, page)
	legacy, _, err := s.LegacyVersions(ctx, round, nominee, kind)
	if err != nil {
		return VersionPage{}, err
	}
	var all []ingest.Version
	total := 0
	if page == 1 && size <= VersionHeadSize {
		h, _, err := s.head(ctx, round, nominee, kind)
		if err != nil {
			return VersionPage{}, err
		}
		all = mergeVersions(h.Newest, legacy)
		total = h.Count + len(all) - len(h.Newest)
	} else {
		keyed, err := s.scanVersions(ctx, round, nominee, kind)
		if err != nil {
			return VersionPage{}, err
		}
		all = mergeVersions(keyed, legacy)
		total = len(all)
	}
	pg := VersionPage{Page: page, Total: total, Pages: max(1, (total+size-1)/size), Versions: []ingest.Version{}}
	if from := (page - 1) * size; from < len(all) {
		pg.Versions = all[from:min(len(all), from+size)]
	}
	return pg, nil
}

// RecordVersion puts d among the versions of its person and kind (or brings its entry up to
// date). Its own key is one write; the head is written compare-and-set, small and bounded.
func (s *Documents) RecordVersion(ctx context.Context, d dossier.Document) error {
	if d.Nominee == "" || d.Kind == "" {
		return nil
	}
	v := versionOf(d)
	data, _ := json.Marshal(v)
	key := versionKey(d.Round, d.Nominee, d.Kind, d.ID)
	_, err := s.kv.Create(ctx, key, data)
	created := err == nil
	if err != nil {
		if !bus.IsConflict(err) {
			return fmt.Errorf("ingest: store version %s: %w", d.ID, err)
		}
		if _, err := s.kv.Put(ctx, key, data); err != nil {
			return fmt.Errorf("ingest: store version %s: %w", d.ID, err)
		}
	}
	return s.updateHead(ctx, d.Round, d.Nominee, d.Kind, func(h versionHead) (versionHead, bool) {
		return h.with(v, created)
	})
}

// RemoveVersion takes a document off the versions of a person and kind. It is rare (a person
// moves a paper to someone else): the head is rebuilt from that person's versions.
func (s *Documents) RemoveVersion(ctx context.Context, round, nominee string, kind dossier.Kind, id string) error {
	key := versionKey(round, nominee, kind, id)
	if _, err := s.kv.Get(ctx, key); err == nil {
		if err := s.kv.Delete(ctx, key); err != nil {
			return fmt.Errorf("ingest: remove version %s: %w", id, err)
		}
		rest, err := s.scanVersions(ctx, round, nominee, kind)
		if err != nil {
			return err
		}
		if err := s.updateHead(ctx, round, nominee, kind, func(h versionHead) (versionHead, bool) {
			// Versions recorded since the scan are in the head already: keep them.
			all := slices.Clone(rest)
			for _, v := range h.Newest {
				if v.ID != id && !slices.ContainsFunc(all, func(x ingest.Version) bool { return x.ID == v.ID }) {
					all = append(all, v)
				}
			}
			slices.SortFunc(all, newerFirst)
			return versionHead{Count: len(all), Newest: all[:min(len(all), VersionHeadSize)]}, true
		}); err != nil {
			return err
		}
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("ingest: remove version %s: %w", id, err)
	}
	return s.removeLegacyVersion(ctx, round, nominee, kind, id)
}

func (s *Documents) removeLegacyVersion(ctx context.Context, round, nominee string, kind dossier.Kind, id string) error {
	for attempt := 0; attempt < 10; attempt++ {
		vs, rev, err := s.LegacyVersions(ctx, round, nominee, kind)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(vs, func(v ingest.Version) bool { return v.ID == id })
		if i < 0 {
			return nil
		}
		data, _ := json.Marshal(slices.Delete(vs, i, i+1))
		_, err = bus.CompareAndSet(ctx, s.kv, legacyVersionsKey(round, nominee, kind), data, rev)
		if bus.IsConflict(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("ingest: remove version %s: %w", id, err)
		}
		return nil
	}
	return errors.New("ingest: versions list kept changing")
}

// maxHeadAttempts bounds the compare-and-set loop on a head. Every failed attempt is another
// writer's success on a small record, so progress is certain; the bound guards a livelock only.
const maxHeadAttempts = 100

// updateHead applies change to a person's head record, compare-and-set, reading again when
// another writer was first (after a short random pause once it happens repeatedly).
func (s *Documents) updateHead(ctx context.Context, round, nominee string, kind dossier.Kind, change func(versionHead) (versionHead, bool)) error {
	key := versionHeadKey(round, nominee, kind)
	for attempt := 0; attempt < maxHeadAttempts; attempt++ {
		if attempt >= 3 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(rand.IntN(1+attempt)) * time.Millisecond):
			}
		}
		h, rev, err := s.head(ctx, round, nominee, kind)
		if err != nil {
			return err
		}
		nh, ok := change(h)
		if !ok {
			return nil
		}
		data, _ := json.Marshal(nh)
		_, err = bus.CompareAndSet(ctx, s.kv, key, data, rev)
		if bus.IsConflict(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("ingest: store versions head: %w", err)
		}
		return nil
	}
	return errors.New("ingest: versions head kept changing")
}

func sameVersion(a, b ingest.Version) bool {
	return a.ID == b.ID && a.SHA256 == b.SHA256 && a.Status == b.Status && a.ReceivedAt.Equal(b.ReceivedAt) && a.File == b.File
}

// with is the head once v is recorded: v's entry put in place (or brought up to date) among the
// newest, and counted if it is new. A version recorded again after a crash between its key and
// the head (created false) is counted when it belongs among the newest and is missing there: a
// version pushed out by newer ones is never missing from where it belongs.
func (h versionHead) with(v ingest.Version, created bool) (versionHead, bool) {
	i := slices.IndexFunc(h.Newest, func(x ingest.Version) bool { return x.ID == v.ID })
	if i >= 0 {
		if sameVersion(h.Newest[i], v) {
			return h, false
		}
		h.Newest = slices.Clone(h.Newest)
		h.Newest[i] = v
		return h, true
	}
	belongs := len(h.Newest) < VersionHeadSize || newerFirst(v, h.Newest[len(h.Newest)-1]) < 0
	if !created && !belongs {
		return h, false
	}
	h.Count++
	if belongs {
		h.Newest = append(slices.Clone(h.Newest), v)
		slices.SortFunc(h.Newest, newerFirst)
		h.Newest = h.Newest[:min(len(h.Newest), VersionHeadSize)]
	}
	return h, true
}
