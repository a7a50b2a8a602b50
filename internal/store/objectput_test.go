package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// chunkEdgeSizes are object sizes around the chunk size: empty, one byte, one chunk and a byte
// either side, several chunks and a part.
var chunkEdgeSizes = []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 17}

// What putObject writes is an object the object store reads back, whole and checked, whatever its
// size against the chunk size.
func TestPutObjectReadsBack(t *testing.T) {
	srv := bustest.Start(t)
	obj := srv.Objects(t, bus.ObjectUploads)
	ctx := context.Background()
	flow := NewFlow(4)
	for _, size := range chunkEdgeSizes {
		data := make([]byte, size)
		_, _ = rand.Read(data)
		name := fmt.Sprintf("o%d", size)
		// A reader that hands out a few bytes at a time, as a multipart part does.
		var kept []byte
		keeps := 0
		keep := func(b []byte) { kept, keeps = bytes.Clone(b), keeps+1 }
		info, sum, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: name, Description: "tệp.pdf",
			Headers: nats.Header{"Round": []string{"r1"}}}, iotestHalf{bytes.NewReader(data)}, flow, time.Second, keep)
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		// keep hears the bytes of an object read whole into one chunk, once; of a larger one
		// (spooled, a full chunk included), nothing.
		if oneChunk := size > 0 && size < ChunkSize; oneChunk && (keeps != 1 || !bytes.Equal(kept, data)) || !oneChunk && keeps != 0 {
			t.Errorf("%d bytes: keep called %d times with %d bytes", size, keeps, len(kept))
		}
		if want := sha256.Sum256(data); !bytes.Equal(sum, want[:]) || info.Size != uint64(size) {
			t.Errorf("%d bytes: size %d, sum %x", size, info.Size, sum)
		}
		got, err := obj.GetBytes(ctx, name)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes read back: %d bytes, %v", size, len(got), err)
		}
		gi, err := obj.GetInfo(ctx, name)
		if err != nil || gi.Description != "tệp.pdf" || gi.Headers.Get("Round") != "r1" || int(gi.Chunks) != (size+ChunkSize-1)/ChunkSize {
			t.Errorf("%d bytes info: %+v %v", size, gi, err)
		}
		if err := obj.Delete(ctx, name); err != nil {
			t.Errorf("%d bytes delete: %v", size, err)
		}
	}
	if len(flow.slots) != 0 {
		t.Errorf("%d flow slots still held", len(flow.slots))
	}
}

// iotestHalf returns at most 1000 bytes a read.
type iotestHalf struct{ r io.Reader }

func (h iotestHalf) Read(p []byte) (int, error) { return h.r.Read(p[:min(len(p), 1000)]) }

// A store whose every upload slot (small files) or whose lane (large ones) stays taken answers
// ErrUnavailable after the flow's wait, and keeps nothing of the file; a spooled file leaves no
// temporary file behind.
func TestPutObjectSaturated(t *testing.T) {
	srv := bustest.Start(t)
	ctx := context.Background()
	flow := NewFlow(1)
	flow.Wait, flow.LaneWait, flow.SpoolDir = 100*time.Millisecond, 100*time.Millisecond, t.TempDir()
	kept := func() uint64 {
		st, err := srv.JS.Stream(ctx, "OBJ_"+bus.ObjectUploads)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := st.Info(ctx)
		return info.State.Msgs
	}
	if err := flow.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: "busy"}, bytes.NewReader([]byte("nhỏ")), flow, time.Second, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("no slot: %v", err)
	}
	flow.release()
	if err := flow.acquireLane(ctx); err != nil {
		t.Fatal(err)
	}
	large := bytes.Repeat([]byte("x"), 3*ChunkSize)
	if _, _, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: "queued"}, bytes.NewReader(large), flow, time.Second, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("lane taken: %v", err)
	}
	flow.releaseLane()
	if n := kept(); n != 0 {
		t.Errorf("%d messages kept of refused uploads", n)
	}
	// A body that fails part way keeps nothing either, and says it was the body.
	for _, size := range []int{100, 3 * ChunkSize} {
		_, _, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: "cut"},
			io.MultiReader(bytes.NewReader(large[:size]), errReader{}), flow, time.Second, nil)
		if !IsBodyError(err) {
			t.Fatalf("cut body after %d bytes: %v", size, err)
		}
	}
	if n := kept(); n != 0 {
		t.Errorf("%d messages kept of cut uploads", n)
	}
	if _, _, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: "ok"}, bytes.NewReader(large), flow, time.Second, nil); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(flow.SpoolDir); len(left) != 0 {
		t.Errorf("spooled files left: %v", left)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{nats.ErrTimeout, true},
		{nats.ErrNoResponders, true},
		{jetstream.ErrNoStreamResponse, true},
		{fmt.Errorf("publish: %w", &jetstream.APIError{Code: 503, ErrorCode: 10008}), true},
		{&jetstream.APIError{Code: 500, ErrorCode: 10163}, true},
		{&jetstream.APIError{Code: 409, ErrorCode: 10158}, true},  // the first attempt still in process
		{&jetstream.APIError{Code: 400, ErrorCode: 10071}, false}, // wrong last sequence: a conflict
		{&jetstream.APIError{Code: 500, ErrorCode: 10047}, false}, // full
		{errors.New("permissions violation"), false},
		{jetstream.ErrKeyExists, false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v", tc.err, got)
		}
	}
	// A full store is unavailable at once, never retried; a transient failure is retried until
	// the budget is used, then unavailable.
	calls := 0
	err := rideOut(context.Background(), time.Second, func(context.Context) error {
		calls++
		return &jetstream.APIError{Code: 500, ErrorCode: 10047}
	})
	if !errors.Is(err, ErrUnavailable) || calls != 1 {
		t.Errorf("full store: %v after %d calls", err, calls)
	}
	calls = 0
	err = rideOut(context.Background(), 300*time.Millisecond, func(context.Context) error {
		calls++
		return nats.ErrNoResponders
	})
	if !errors.Is(err, ErrUnavailable) || calls < 2 {
		t.Errorf("no leader: %v after %d calls", err, calls)
	}
	calls = 0
	err = rideOut(context.Background(), 5*time.Second, func(context.Context) error {
		if calls++; calls < 3 {
			return nats.ErrNoResponders
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("election over: %v after %d calls", err, calls)
	}
}
