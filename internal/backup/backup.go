// Package backup writes the whole JetStream state of tinnhiem — every stream, KV bucket and
// object store, with their consumers — into one encrypted, checksummed file, and restores it.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Manifest describes a backup; it is the last frame of the file.
type Manifest struct {
	Format   int          `json:"format"`
	Created  time.Time    `json:"created"`
	Finished time.Time    `json:"finished"`
	Streams  []StreamPart `json:"streams"`
}

// StreamPart is one stream of a backup.
type StreamPart struct {
	Name          string `json:"name"`
	Messages      uint64 `json:"messages"`
	FirstSeq      uint64 `json:"first_seq"`
	LastSeq       uint64 `json:"last_seq"`
	Consumers     int    `json:"consumers"`
	SnapshotBytes int64  `json:"snapshot_bytes"`
	SHA256        string `json:"sha256"` // of the snapshot bytes
}

// Bytes is the size of every snapshot in the backup.
func (m Manifest) Bytes() int64 {
	var n int64
	for _, s := range m.Streams {
		n += s.SnapshotBytes
	}
	return n
}

// Messages is the number of messages in every stream of the backup.
func (m Manifest) Messages() uint64 {
	var n uint64
	for _, s := range m.Streams {
		n += s.Messages
	}
	return n
}

// Progress reports how far a backup or restore is.
type Progress struct {
	Stream  string // the stream being copied
	Done    int    // streams finished
	Streams int    // streams in all
	Bytes   int64  // snapshot bytes copied so far, all streams
}

type header struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Streams []string  `json:"streams"`
}

type streamStart struct {
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
	State  json.RawMessage `json:"state"`
}

type streamEnd struct {
	Name          string `json:"name"`
	SnapshotBytes int64  `json:"snapshot_bytes"`
	SHA256        string `json:"sha256"`
}

// Write snapshots every stream of the account (KV buckets and object stores are streams too)
// into w, encrypted with key. Streams are snapshotted one after another while the system
// runs; each snapshot is consistent in itself. progress, if not nil, is called after every
// chunk.
func Write(ctx context.Context, js jetstream.JetStream, w io.Writer, key []byte, progress func(Progress)) (Manifest, error) {
	var names []string
	lister := js.StreamNames(ctx)
	for n := range lister.Name() {
		names = append(names, n)
	}
	if err := lister.Err(); err != nil {
		return Manifest{}, fmt.Errorf("backup: list streams: %w", err)
	}
	slices.Sort(names)
	fw, err := newFrameWriter(w, key)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	m := Manifest{Format: formatVersion, Created: time.Now().UTC()}
	if err := writeJSON(fw, kindHeader, header{Format: formatVersion, Created: m.Created, Streams: names}); err != nil {
		return Manifest{}, err
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	nc := js.Conn()
	var total int64
	for i, name := range names {
		var (
			sum   = sha256.New()
			size  int64
			state streamState
		)
		err := snapshotStream(ctx, nc, name, func(cfg, raw json.RawMessage) error {
			if err := json.Unmarshal(raw, &state); err != nil {
				return fmt.Errorf("%s: state: %w", name, err)
			}
			return writeJSON(fw, kindStream, streamStart{Name: name, Config: cfg, State: raw})
		}, func(chunk []byte) error {
			sum.Write(chunk)
			size += int64(len(chunk))
			total += int64(len(chunk))
			progress(Progress{Stream: name, Done: i, Streams: len(names), Bytes: total})
			return fw.write(kindData, chunk)
		})
		if err != nil {
			return Manifest{}, fmt.Errorf("backup: %w", err)
		}
		end := streamEnd{Name: name, SnapshotBytes: size, SHA256: hex.EncodeToString(sum.Sum(nil))}
		if err := writeJSON(fw, kindEnd, end); err != nil {
			return Manifest{}, err
		}
		m.Streams = append(m.Streams, StreamPart{
			Name: name, Messages: state.Messages, FirstSeq: state.FirstSeq, LastSeq: state.LastSeq, Consumers: state.Consumers,
			SnapshotBytes: size, SHA256: end.SHA256,
		})
		progress(Progress{Stream: name, Done: i + 1, Streams: len(names), Bytes: total})
	}
	m.Finished = time.Now().UTC()
	if err := writeJSON(fw, kindManifest, m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func writeJSON(fw *frameWriter, kind byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("backup: encode: %w", err)
	}
	if err := fw.write(kind, data); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	return nil
}

// visitor receives a backup's parts in order as read reads them.
type visitor struct {
	start func(s streamStart) error
	data  func(chunk []byte) error
	end   func(s streamEnd) error
}

// read checks the whole file: every frame authenticates, frames come in order, every stream's
// snapshot has the size and sha256 its end frame records, and the manifest, last, lists exactly
// those streams. v, if not nil, sees every part as it is checked — an error from it stops the
// read. The manifest is returned only once the whole file is checked.
func read(r io.Reader, key []byte, v *visitor) (Manifest, error) {
	fr, err := newFrameReader(r, key)
	if err != nil {
		return Manifest{}, err
	}
	damaged := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
	}
	kind, payload, err := fr.next()
	if err != nil {
		return Manifest{}, eofIsDamage(err)
	}
	var h header
	if kind != kindHeader || json.Unmarshal(payload, &h) != nil {
		return Manifest{}, damaged("no header")
	}
	var (
		parts   []StreamPart
		current *streamStart
		sum     hash.Hash
		size    int64
	)
	for {
		kind, payload, err := fr.next()
		if err != nil {
			return Manifest{}, eofIsDamage(err)
		}
		switch kind {
		case kindStream:
			if current != nil {
				return Manifest{}, damaged("stream %s has no end", current.Name)
			}
			var s streamStart
			if err := json.Unmarshal(payload, &s); err != nil || s.Name == "" {
				return Manifest{}, damaged("bad stream start")
			}
			current, sum, size = &s, sha256.New(), 0
			if v != nil {
				if err := v.start(s); err != nil {
					return Manifest{}, err
				}
			}
		case kindData:
			if current == nil {
				return Manifest{}, damaged("data outside a stream")
			}
			sum.Write(payload)
			size += int64(len(payload))
			if v != nil {
				if err := v.data(payload); err != nil {
					return Manifest{}, err
				}
			}
		case kindEnd:
			var e streamEnd
			if current == nil || json.Unmarshal(payload, &e) != nil || e.Name != current.Name {
				return Manifest{}, damaged("bad stream end")
			}
			if got := hex.EncodeToString(sum.Sum(nil)); got != e.SHA256 || size != e.SnapshotBytes {
				return Manifest{}, damaged("stream %s: %d bytes sha256 %s, recorded %d bytes sha256 %s", e.Name, size, got, e.SnapshotBytes, e.SHA256)
			}
			var st streamState
			if err := json.Unmarshal(current.State, &st); err != nil {
				return Manifest{}, damaged("stream %s: bad state", e.Name)
			}
			parts = append(parts, StreamPart{Name: e.Name, Messages: st.Messages, FirstSeq: st.FirstSeq, LastSeq: st.LastSeq, Consumers: st.Consumers, SnapshotBytes: size, SHA256: e.SHA256})
			if v != nil {
				if err := v.end(e); err != nil {
					return Manifest{}, err
				}
			}
			current = nil
		case kindManifest:
			var m Manifest
			if current != nil || json.Unmarshal(payload, &m) != nil {
				return Manifest{}, damaged("bad manifest")
			}
			if !slices.Equal(m.Streams, parts) {
				return Manifest{}, damaged("the manifest does not list the streams the file holds")
			}
			if !slices.Equal(h.Streams, names(parts)) {
				return Manifest{}, damaged("the file holds other streams than its header announced")
			}
			if _, _, err := fr.next(); !errors.Is(err, io.EOF) {
				return Manifest{}, damaged("data after the manifest")
			}
			return m, nil
		default:
			return Manifest{}, damaged("unknown frame kind %q", kind)
		}
	}
}

func names(parts []StreamPart) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.Name
	}
	return out
}

func eofIsDamage(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the file ends before its manifest (incomplete backup)", ErrDamaged)
	}
	return err
}

// Verify reads a whole backup and checks it (see read) without writing anything.
func Verify(r io.Reader, key []byte) (Manifest, error) {
	return read(r, key, nil)
}

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// Replicas, when above 0, replaces every stream's replica count (a single embedded server
	// needs 1; a three-node cluster usually 3).
	Replicas int
	// PlacementWait bounds how long a stream's restore waits for the cluster to have enough
	// peers online to place its replicas (a node just started, or one that missed a few
	// heartbeats on a busy machine, is offline to the meta leader for a moment). Zero means
	// 30 seconds; the restore then fails with the server's "no suitable peers".
	PlacementWait time.Duration
	Progress      func(Progress)
}

func (o RestoreOptions) placementWait() time.Duration {
	if o.PlacementWait > 0 {
		return o.PlacementWait
	}
	return 30 * time.Second
}

// ErrExists means a stream of the backup already exists where it would be restored.
var ErrExists = errors.New("backup: stream already exists")

// Restore verifies the whole backup in f first, then checks that none of its streams exists on
// the server, and only then restores each stream through JetStream's restore API, checking
// each restored stream's counts against the backup. AUDIT and any stream that denies delete
// and purge are restored like the others: a restore creates a stream, it deletes nothing.
func Restore(ctx context.Context, js jetstream.JetStream, f io.ReadSeeker, key []byte, opts RestoreOptions) (Manifest, error) {
	m, err := Verify(f, key)
	if err != nil {
		return Manifest{}, err
	}
	var exist []string
	for _, p := range m.Streams {
		_, err := js.Stream(ctx, p.Name)
		if err == nil {
			exist = append(exist, p.Name)
			continue
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return Manifest{}, fmt.Errorf("backup: check %s: %w", p.Name, err)
		}
	}
	if len(exist) > 0 {
		return Manifest{}, fmt.Errorf("%w: %v; khôi phục chỉ vào nơi chưa có dữ liệu / restore only into an empty server", ErrExists, exist)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Manifest{}, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(Progress) {}
	}
	nc := js.Conn()
	var (
		cur   *restorer
		total int64
		done  int
	)
	_, err = read(f, key, &visitor{
		start: func(s streamStart) error {
			cfg := s.Config
			if opts.Replicas > 0 {
				var err error
				if cfg, err = withReplicas(cfg, opts.Replicas); err != nil {
					return fmt.Errorf("backup: %s: %w", s.Name, err)
				}
			}
			var err error
			cur, err = startRestore(ctx, nc, s.Name, cfg, s.State, opts.placementWait())
			return err
		},
		data: func(chunk []byte) error {
			total += int64(len(chunk))
			progress(Progress{Stream: cur.stream, Done: done, Streams: len(m.Streams), Bytes: total})
			return cur.chunk(ctx, chunk)
		},
		end: func(e streamEnd) error {
			got, err := cur.finish(ctx)
			if err != nil {
				return err
			}
			want := m.Streams[done]
			if got.Messages != want.Messages || got.LastSeq != want.LastSeq || (want.Messages > 0 && got.FirstSeq != want.FirstSeq) {
				return fmt.Errorf("backup: restored %s holds %d messages %d..%d, the backup %d messages %d..%d",
					e.Name, got.Messages, got.FirstSeq, got.LastSeq, want.Messages, want.FirstSeq, want.LastSeq)
			}
			done++
			progress(Progress{Stream: e.Name, Done: done, Streams: len(m.Streams), Bytes: total})
			return nil
		},
	})
	if err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// withReplicas sets num_replicas in a stream configuration, keeping every other field as the
// server wrote it.
func withReplicas(cfg json.RawMessage, n int) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(cfg, &fields); err != nil {
		return nil, err
	}
	fields["num_replicas"] = json.RawMessage(fmt.Sprint(n))
	return json.Marshal(fields)
}
