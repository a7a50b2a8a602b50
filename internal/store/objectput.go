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
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ChunkSize is the size of an object's chunks: the object store's own default.
const ChunkSize = 128 << 10

// Flow bounds what uploads hold in memory on their way into the object store: each upload
// sends one full chunk at a time and waits for the store to acknowledge it before reading the
// next from the request (backpressure reaches the client through TCP), and at most Slots chunks
// are in flight in the whole process. An upload that waits longer than Wait for a slot finds
// the store saturated: it stops, keeps nothing, and is told to come back (ErrUnavailable).
type Flow struct {
	slots chan struct{}
	Wait  time.Duration
}

// DefaultFlowSlots is how many chunks all uploads of a process may have in flight: 16 MB.
const DefaultFlowSlots = 128

// NewFlow returns a flow with n slots (DefaultFlowSlots when n ≤ 0) and a 10 s wait.
func NewFlow(n int) *Flow {
	if n <= 0 {
		n = DefaultFlowSlots
	}
	return &Flow{slots: make(chan struct{}, n), Wait: 10 * time.Second}
}

func (f *Flow) acquire(ctx context.Context) error {
	select {
	case f.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(f.Wait)
	defer t.Stop()
	select {
	case f.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w: every upload slot busy for %s", ErrUnavailable, f.Wait)
	}
}

func (f *Flow) release() { <-f.slots }

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
// ObjectStore.Put, which sends every chunk at once, it sends one chunk at a time within flow, each
// with a message id so that sending it again after a lost answer (a stream-leader election) is
// harmless, and it rides out such an election for up to rideOutFor. On failure the chunks sent
// are purged. It answers the object's description and the sha256 of its bytes.
func putObject(ctx context.Context, js jetstream.JetStream, bucket string, meta jetstream.ObjectMeta, r io.Reader, flow *Flow, rideOutFor time.Duration) (*jetstream.ObjectInfo, []byte, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	nuid := hex.EncodeToString(id[:])
	chunkSubj := "$O." + bucket + ".C." + nuid
	purge := func() {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if st, err := js.Stream(pctx, "OBJ_"+bucket); err == nil {
			_ = st.Purge(pctx, jetstream.WithPurgeSubject(chunkSubj))
		}
	}
	digest := sha256.New()
	buf := make([]byte, ChunkSize)
	var size uint64
	var chunks uint32
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			data := buf[:n]
			digest.Write(data)
			if err := flow.acquire(ctx); err != nil {
				purge()
				return nil, nil, err
			}
			msg := &nats.Msg{Subject: chunkSubj, Data: data, Header: nats.Header{}}
			msg.Header.Set(jetstream.MsgIDHeader, nuid+"."+strconv.FormatUint(uint64(chunks), 10))
			err := rideOut(ctx, rideOutFor, func(actx context.Context) error {
				_, err := js.PublishMsg(actx, msg)
				return err
			})
			flow.release()
			if err != nil {
				purge()
				return nil, nil, fmt.Errorf("store: put %s: %w", meta.Name, err)
			}
			size += uint64(n)
			chunks++
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			purge()
			if errors.Is(rerr, ErrUnavailable) || errors.Is(rerr, context.Canceled) {
				return nil, nil, rerr
			}
			return nil, nil, errBody{rerr}
		}
	}
	if meta.Opts == nil {
		meta.Opts = &jetstream.ObjectMetaOptions{ChunkSize: ChunkSize}
	}
	info := &jetstream.ObjectInfo{ObjectMeta: meta, Bucket: bucket, NUID: nuid, Size: size, Chunks: chunks,
		ModTime: time.Now().UTC(), Digest: jetstream.GetObjectDigestValue(digest)}
	data, err := json.Marshal(info)
	if err != nil {
		purge()
		return nil, nil, err
	}
	mm := &nats.Msg{Subject: "$O." + bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(meta.Name)), Data: data, Header: nats.Header{}}
	mm.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	mm.Header.Set(jetstream.MsgIDHeader, nuid+".meta")
	if err := rideOut(ctx, rideOutFor, func(actx context.Context) error {
		_, err := js.PublishMsg(actx, mm)
		return err
	}); err != nil {
		purge()
		return nil, nil, fmt.Errorf("store: put %s: %w", meta.Name, err)
	}
	return info, digest.Sum(nil), nil
}
