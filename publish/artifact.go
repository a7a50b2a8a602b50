// Package publish stores every generated document with its checksum and version, lists them,
// serves them to authorised staff and announces them when they are ready.
package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/requestid"
)

// ErrNotFound is returned for an artifact that does not exist.
var ErrNotFound = errors.New("artifact not found")

// Artifact is one generated file.
type Artifact struct {
	Round     string    `json:"round"`
	Version   int       `json:"version"` // the sealed tally version it was made from
	Kind      string    `json:"kind"`    // e.g. bien-ban-kiem-phieu
	Title     string    `json:"title"`   // e.g. Biên bản kiểm phiếu
	FileName  string    `json:"file_name"`
	Object    string    `json:"object"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	TallySHA  string    `json:"tally_sha256,omitempty"`
	Verified  bool      `json:"verified"`
}

// Store keeps the files in the tn_artifacts object store and an index per round in a bucket.
type Store struct {
	Objects jetstream.ObjectStore
	Index   jetstream.KeyValue
}

// ObjectName is where an artifact's bytes live.
func ObjectName(round string, version int, kind string) string {
	return fmt.Sprintf("%s/v%d/%s.pdf", round, version, kind)
}

// Put stores the bytes and adds the artifact to the round's index, replacing an entry of the
// same version and kind (re-rendering a sealed version gives the same bytes, so this is
// idempotent).
func (s *Store) Put(ctx context.Context, a Artifact, data []byte) (Artifact, error) {
	sum := sha256.Sum256(data)
	a.SHA256 = hex.EncodeToString(sum[:])
	a.Size = int64(len(data))
	a.Object = ObjectName(a.Round, a.Version, a.Kind)
	meta := jetstream.ObjectMeta{Name: a.Object, Description: a.Title, Headers: nats.Header{"Sha256": []string{a.SHA256}}}
	if _, err := s.Objects.Put(ctx, meta, bytes.NewReader(data)); err != nil {
		return Artifact{}, fmt.Errorf("publish: store %s: %w", a.Object, err)
	}
	for attempt := 0; attempt < 10; attempt++ {
		list, rev, err := s.list(ctx, a.Round)
		if err != nil {
			return Artifact{}, err
		}
		out := list[:0:0]
		stored := a
		for _, x := range list {
			if !(x.Version == a.Version && x.Kind == a.Kind) {
				out = append(out, x)
			} else if x.SHA256 == a.SHA256 && x.Verified {
				// The same bytes again: they were checked already, and the ready announcement
				// that would check them again is de-duplicated.
				stored.Verified = true
			}
		}
		out = append(out, stored)
		sort.Slice(out, func(i, j int) bool {
			if out[i].Version != out[j].Version {
				return out[i].Version < out[j].Version
			}
			return out[i].Kind < out[j].Kind
		})
		data, _ := json.Marshal(out)
		_, err = bus.CompareAndSet(ctx, s.Index, a.Round, data, rev)
		if bus.IsConflict(err) {
			continue
		}
		if err != nil {
			return Artifact{}, fmt.Errorf("publish: index %s: %w", a.Round, err)
		}
		return stored, nil
	}
	return Artifact{}, errors.New("publish: index kept changing")
}

// MarkVerified records that the stored bytes were read back and match their checksum.
func (s *Store) MarkVerified(ctx context.Context, round string, version int, kind string) error {
	for attempt := 0; attempt < 10; attempt++ {
		list, rev, err := s.list(ctx, round)
		if err != nil {
			return err
		}
		for i := range list {
			if list[i].Version == version && list[i].Kind == kind {
				list[i].Verified = true
			}
		}
		data, _ := json.Marshal(list)
		_, err = s.Index.Update(ctx, round, data, rev)
		if bus.IsConflict(err) {
			continue
		}
		return err
	}
	return errors.New("publish: index kept changing")
}

// List returns a round's artifacts, oldest version first.
func (s *Store) List(ctx context.Context, round string) ([]Artifact, error) {
	l, _, err := s.list(ctx, round)
	return l, err
}

func (s *Store) list(ctx context.Context, round string) ([]Artifact, uint64, error) {
	out, rev, err := bus.GetJSON[[]Artifact](ctx, s.Index, round)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return []Artifact{}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("publish: list %s: %w", round, err)
	}
	return out, rev, nil
}

// Find returns the artifact of a kind, at a version (0 = the latest).
func (s *Store) Find(ctx context.Context, round, kind string, version int) (Artifact, error) {
	list, err := s.List(ctx, round)
	if err != nil {
		return Artifact{}, err
	}
	var found *Artifact
	for i := range list {
		a := &list[i]
		if a.Kind == kind && (version == 0 || a.Version == version) {
			if found == nil || a.Version > found.Version {
				found = a
			}
		}
	}
	if found == nil {
		return Artifact{}, ErrNotFound
	}
	return *found, nil
}

// Open streams an artifact's bytes, checking them against the recorded sha256 as they are read:
// a mismatch surfaces as an error at the end of the stream.
func (s *Store) Open(ctx context.Context, a Artifact) (io.ReadCloser, error) {
	obj, err := s.Objects.Get(ctx, a.Object)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("publish: open %s: %w", a.Object, err)
	}
	return &checkedReader{r: obj, h: sha256.New(), want: a.SHA256}, nil
}

type checkedReader struct {
	r jetstream.ObjectResult
	h interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	want string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if errors.Is(err, io.EOF) && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, fmt.Errorf("publish: checksum mismatch (want %s)", c.want)
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.r.Close() }

// Verify reads an artifact back whole and compares its checksum.
func (s *Store) Verify(ctx context.Context, a Artifact) error {
	rc, err := s.Open(ctx, a)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// ReadySubject announces a round's new artifacts.
func ReadySubject(round string) string { return "tn.publish." + round + ".ready" }

// Ready is the body of tn.publish.<round>.ready.
type Ready struct {
	Round     string     `json:"round"`
	Version   int        `json:"version"`
	Artifacts []Artifact `json:"artifacts"`
}

// Announce publishes that a version's artifacts are stored (idempotent per round and version).
func Announce(ctx context.Context, js jetstream.JetStream, r Ready) error {
	data, _ := json.Marshal(r)
	msg := &nats.Msg{Subject: ReadySubject(r.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("ready-%s-v%d", r.Round, r.Version))
	requestid.Stamp(ctx, msg.Header)
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("publish: announce %s v%d: %w", r.Round, r.Version, err)
	}
	return nil
}
