package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ChunkSize is the size of an object's chunks: the object store's own default.
const ChunkSize = 128 << 10

// Flow bounds what uploads cost the server on their way into the object store. A file of one
// chunk (most dossier papers: 128 KB and less) is sent from memory within one of Slots chunks in
// flight in the whole process. A larger file is first spooled to a temporary file in SpoolDir at
// the client's pace, then copied into the store one chunk at a time, one large file at a time
// (the lane): its chunks lie together in the store's blocks instead of interleaved with eleven
// others, so that reading it back later loads its own blocks only, and a slow client never holds
// the store. An upload that waits longer than Wait for a slot, or LaneWait for the lane, finds the
// store saturated: it stops, keeps nothing, and is told to come back (ErrUnavailable).
type Flow struct {
	slots    chan struct{}
	lane     chan struct{}
	Wait     time.Duration
	LaneWait time.Duration
	SpoolDir string // "" is the system's temporary directory

	// buffers keeps the chunk buffers of finished uploads for the next: a fresh 128 KB buffer,
	// zeroed, for each 60 KB dossier PDF was a fifth of the garbage the server made for it.
	buffers sync.Pool // *[]byte of ChunkSize
}

func (f *Flow) buffer() *[]byte {
	if b, ok := f.buffers.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, ChunkSize)
	return &b
}

// recycle gives a buffer back once nothing refers to its bytes: a publish has copied them into
// the connection's buffer by the time it returns.
func (f *Flow) recycle(b *[]byte) { f.buffers.Put(b) }

// DefaultFlowSlots is how many chunks all uploads of a process may have in flight: 16 MB.
const DefaultFlowSlots = 128

// NewFlow returns a flow with n slots (DefaultFlowSlots when n ≤ 0), a 10 s wait for a slot and
// two minutes for the lane.
func NewFlow(n int) *Flow {
	if n <= 0 {
		n = DefaultFlowSlots
	}
	return &Flow{slots: make(chan struct{}, n), lane: make(chan struct{}, 1), Wait: 10 * time.Second, LaneWait: 2 * time.Minute}
}

func (f *Flow) acquire(ctx context.Context) error {
	return take(ctx, f.slots, f.Wait, "every upload slot busy")
}

func (f *Flow) release() { <-f.slots }

func (f *Flow) acquireLane(ctx context.Context) error {
	return take(ctx, f.lane, f.LaneWait, "large uploads queued")
}

func (f *Flow) releaseLane() { <-f.lane }

// take puts a token into ch, waiting at most wait (a nil channel never has room).
func take(ctx context.Context, ch chan struct{}, wait time.Duration, what string) error {
	select {
	case ch <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w: %s for %s", ErrUnavailable, what, wait)
	}
}

// errBody marks a failure to read the request body (the client went away, a malformed form):
// not the store's fault.
type errBody struct{ err error }

func (e errBody) Error() string { return "read upload: " + e.err.Error() }
func (e errBody) Unwrap() error { return e.err }

// IsBodyError reports whether an upload failed because its body could not be read.
func IsBodyError(err error) bool {
	var b errBody
	return errors.As(err, &b)
}

// putObject stores r as object name of the bucket in the object store's format — chunks on
// $O.<bucket>.C.<nuid>, then the description on $O.<bucket>.M.<name> rolling up any earlier
// one — so that jetstream.ObjectStore reads it back (Get, GetInfo, Delete). Unlike
// ObjectStore.Put, which sends every chunk at once as it reads them, it sends one chunk at a time
// within flow (see Flow), each with a message id so that sending it again after a lost answer (a
// stream-leader election) is harmless, and it rides out such an election for up to rideOutFor.
// On failure the chunks sent are purged. It answers the object's description and the sha256 of
// its bytes. When the object is one chunk, kept from memory, and keep is not nil, keep is given
// its bytes once they are stored (to copy: the buffer is reused).
func putObject(ctx context.Context, js jetstream.JetStream, bucket string, meta jetstream.ObjectMeta, r io.Reader, flow *Flow, rideOutFor time.Duration, keep func([]byte)) (*jetstream.ObjectInfo, []byte, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	p := &objectPut{js: js, bucket: bucket, nuid: hex.EncodeToString(id[:]), flow: flow, rideOut: rideOutFor, digest: sha256.New()}
	p.chunkSubj = "$O." + bucket + ".C." + p.nuid
	info, err := p.put(ctx, meta, r, keep)
	if err != nil {
		p.purge(ctx)
		return nil, nil, err
	}
	return info, p.digest.Sum(nil), nil
}

type objectPut struct {
	js        jetstream.JetStream
	bucket    string
	nuid      string
	chunkSubj string
	flow      *Flow
	rideOut   time.Duration
	digest    hash.Hash
	size      uint64
	chunks    uint32
}

func (p *objectPut) put(ctx context.Context, meta jetstream.ObjectMeta, r io.Reader, keep func([]byte)) (*jetstream.ObjectInfo, error) {
	pooled := p.flow.buffer()
	defer p.flow.recycle(pooled)
	buf := *pooled
	n, err := io.ReadFull(r, buf)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		// One chunk at most: sent from memory.
		if n > 0 {
			if err := p.flow.acquire(ctx); err != nil {
				return nil, err
			}
			err := p.chunk(ctx, buf[:n])
			p.flow.release()
			if err != nil {
				return nil, err
			}
			if keep != nil {
				keep(buf[:n])
			}
		}
	case err != nil:
		return nil, bodyErr(err)
	default:
		if err := p.spooled(ctx, buf, r); err != nil {
			return nil, err
		}
	}
	if meta.Opts == nil {
		meta.Opts = &jetstream.ObjectMetaOptions{ChunkSize: ChunkSize}
	}
	info := &jetstream.ObjectInfo{ObjectMeta: meta, Bucket: p.bucket, NUID: p.nuid, Size: p.size, Chunks: p.chunks,
		ModTime: time.Now().UTC(), Digest: jetstream.GetObjectDigestValue(p.digest)}
	data, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	mm := &nats.Msg{Subject: "$O." + p.bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(meta.Name)), Data: data, Header: nats.Header{}}
	mm.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	mm.Header.Set(jetstream.MsgIDHeader, p.nuid+".meta")
	if err := rideOut(ctx, p.rideOut, func(actx context.Context) error {
		_, err := p.js.PublishMsg(actx, mm)
		return err
	}); err != nil {
		return nil, fmt.Errorf("store: put %s: %w", meta.Name, err)
	}
	return info, nil
}

// spooled copies a file larger than one chunk (its first chunk in first, the rest in r) to a
// temporary file, then into the store within the lane.
func (p *objectPut) spooled(ctx context.Context, first []byte, r io.Reader) error {
	f, err := os.CreateTemp(p.flow.SpoolDir, "tinnhiem-upload-*")
	if err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	if _, err := f.Write(first); err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	// The body's failures and the disk's are told apart: only the first is the client's.
	buf := make([]byte, 32<<10)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return fmt.Errorf("store: spool: %w", err)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return bodyErr(rerr)
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store: spool: %w", err)
	}
	if err := p.flow.acquireLane(ctx); err != nil {
		return err
	}
	defer p.flow.releaseLane()
	for {
		n, err := io.ReadFull(f, first)
		if n > 0 {
			if err := p.chunk(ctx, first[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: spool: %w", err)
		}
	}
}

// chunk sends one chunk and waits for the store to keep it.
func (p *objectPut) chunk(ctx context.Context, data []byte) error {
	p.digest.Write(data)
	msg := &nats.Msg{Subject: p.chunkSubj, Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, p.nuid+"."+strconv.FormatUint(uint64(p.chunks), 10))
	if err := rideOut(ctx, p.rideOut, func(actx context.Context) error {
		_, err := p.js.PublishMsg(actx, msg)
		return err
	}); err != nil {
		return fmt.Errorf("store: put chunk %d: %w", p.chunks, err)
	}
	p.size += uint64(len(data))
	p.chunks++
	return nil
}

// purge removes the chunks sent of an object that will not be kept.
func (p *objectPut) purge(ctx context.Context) {
	if p.chunks == 0 {
		return
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if st, err := p.js.Stream(pctx, "OBJ_"+p.bucket); err == nil {
		_ = st.Purge(pctx, jetstream.WithPurgeSubject(p.chunkSubj))
	}
}

// bodyErr marks a failure reading the body; the store's own refusals pass as they are.
func bodyErr(err error) error {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) {
		return err
	}
	return errBody{err}
}
