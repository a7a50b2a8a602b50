package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/ingest/ingesttest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// ObjectReader reads back, byte for byte, what putObject and the object store's own Put wrote,
// whatever the size against the chunk size, among other objects' chunks; it tells a missing or
// deleted object, and refuses bytes that do not match their description.
func TestObjectReaderReadsBack(t *testing.T) {
	srv := bustest.Start(t)
	obj := srv.Objects(t, bus.ObjectUploads)
	ctx := context.Background()
	rd := NewObjectReader(srv.JS, bus.ObjectUploads)
	flow := NewFlow(4)
	want := map[string][]byte{}
	for _, size := range chunkEdgeSizes {
		for _, via := range []string{"put", "store"} {
			data := make([]byte, size)
			_, _ = rand.Read(data)
			name := fmt.Sprintf("%s-%d", via, size)
			want[name] = data
			var err error
			if via == "put" {
				_, _, err = putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data), flow, time.Second, nil)
			} else {
				_, err = obj.Put(ctx, jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: 1000}}, bytes.NewReader(data))
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	for name, data := range want {
		var buf bytes.Buffer
		info, err := rd.Copy(ctx, name, &buf)
		if err != nil || !bytes.Equal(buf.Bytes(), data) || info.Size != uint64(len(data)) {
			t.Errorf("%s: %d bytes read, want %d: %v", name, buf.Len(), len(data), err)
		}
	}

	// Written again: the newest bytes are read.
	again := []byte("phiên bản mới")
	if _, err := obj.PutBytes(ctx, "put-1", again); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := rd.Copy(ctx, "put-1", &buf); err != nil || !bytes.Equal(buf.Bytes(), again) {
		t.Errorf("rewritten object: %q, %v", buf.Bytes(), err)
	}

	if _, err := rd.Copy(ctx, "no-such", &bytes.Buffer{}); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Errorf("missing object: %v", err)
	}
	if err := obj.Delete(ctx, "put-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Copy(ctx, "put-1", &bytes.Buffer{}); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Errorf("deleted object: %v", err)
	}

	// A description whose digest is not that of the bytes, and one that counts a chunk more than
	// the store holds.
	info, err := obj.GetInfo(ctx, fmt.Sprintf("put-%d", ChunkSize+1))
	if err != nil {
		t.Fatal(err)
	}
	bad := *info
	bad.Digest = jetstream.GetObjectDigestValue(bytesHash("khác"))
	writeMeta(t, srv.JS, &bad)
	if _, err := rd.Copy(ctx, bad.Name, &bytes.Buffer{}); !errors.Is(err, ErrObjectIncomplete) {
		t.Errorf("wrong digest: %v", err)
	}
	short := *info
	short.Chunks++
	writeMeta(t, srv.JS, &short)
	if _, err := rd.Copy(ctx, short.Name, &bytes.Buffer{}); !errors.Is(err, ErrObjectIncomplete) {
		t.Errorf("missing chunk: %v", err)
	}
}

func bytesHash(s string) hash.Hash {
	h := sha256.New()
	h.Write([]byte(s))
	return h
}

// writeMeta replaces an object's description as the object store writes it: a roll-up message on
// its meta subject.
func writeMeta(t *testing.T, js jetstream.JetStream, info *jetstream.ObjectInfo) {
	t.Helper()
	data, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("$O." + info.Bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(info.Name)))
	msg.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	msg.Data = data
	if _, err := js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkObjectReadBack measures what reading a 60 KB upload back from the store costs (its
// description, its chunk, its digest): what the ingest worker pays for a file the handoff does
// not hold.
// go test -run XXX -bench ObjectReadBack -benchtime 2000x ./internal/store/
func BenchmarkObjectReadBack(b *testing.B) {
	srv := bustest.Start(b)
	ctx := context.Background()
	data := make([]byte, 60<<10)
	_, _ = rand.Read(data)
	if _, _, err := putObject(ctx, srv.JS, bus.ObjectUploads, jetstream.ObjectMeta{Name: "doc"}, bytes.NewReader(data), NewFlow(1), time.Second, nil); err != nil {
		b.Fatal(err)
	}
	rd := NewObjectReader(srv.JS, bus.ObjectUploads)
	var buf bytes.Buffer
	report := ingesttest.CPUPerOp(b)
	for b.Loop() {
		buf.Reset()
		if _, err := rd.Copy(ctx, "doc", &buf); err != nil {
			b.Fatal(err)
		}
	}
	report()
}
