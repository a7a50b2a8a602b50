package bus

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// keyFileSizes lists the sizes of the streams' key files in the store under dir.
func keyFileSizes(t *testing.T, dir string) map[int64][]string {
	t.Helper()
	stored, err := inspectStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]string{}
	for _, st := range stored {
		if !st.encrypted {
			t.Errorf("stream %s is not encrypted", st.name)
		}
		out[st.keySize] = append(out[st.keySize], st.name)
	}
	if len(stored) < 5 {
		t.Fatalf("only %d streams on disk", len(stored))
	}
	return out
}

// A new store is encrypted with AES-GCM: every stream's key file is of AES's size.
func TestNewStoreUsesAES(t *testing.T) {
	dir := t.TempDir()
	pdf, runs := pdfRuns(t)
	e, js := startStore(t, dir, testKey(t, "aes"))
	writePersonal(t, js, pdf)
	e.Shutdown()
	if sizes := keyFileSizes(t, dir); len(sizes) != 1 || len(sizes[aesKeyFileSize]) == 0 {
		t.Errorf("key file sizes %v, want all %d (AES)", sizes, aesKeyFileSize)
	}
	if found := findClear(t, dir, needles(runs)); len(found) > 0 {
		t.Errorf("readable in the AES store:\n%s", strings.Join(found, "\n"))
	}
	// It opens again, with its data.
	_, js = startStore(t, dir, testKey(t, "aes"))
	obj, err := js.ObjectStore(context.Background(), ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := obj.GetBytes(context.Background(), "d1"); err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("object after a restart: %d bytes, %v", len(got), err)
	}
}

// A store an earlier release encrypted with ChaCha20 — its empty streams too, which nats-server
// would lose converting it — keeps ChaCha20: every stream opens with its data and its key file
// is untouched.
func TestChaChaStoreKeepsItsCipher(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := testKey(t, "chacha")
	pdf, runs := pdfRuns(t)

	// The store as an earlier release left it.
	srv, err := newServer(&server.Options{ServerName: "earlier", JetStream: true, StoreDir: dir,
		DontListen: true, NoSigs: true, NoLog: true, JetStreamKey: key.Secret(), JetStreamCipher: server.ChaCha})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	writePersonal(t, js, pdf)
	nc.Close()
	srv.Shutdown()
	srv.WaitForShutdown()
	before := keyFileSizes(t, dir)
	if len(before) != 1 || len(before[chachaKeyFileSize]) == 0 {
		t.Fatalf("the earlier store's key file sizes are %v, want all %d (ChaCha20)", before, chachaKeyFileSize)
	}

	// Opened now: the start checks every stream on disk was recovered.
	e, js := startStore(t, dir, key)
	obj, err := js.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := obj.GetBytes(ctx, "d1"); err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("object: %d bytes, %v", len(got), err)
	}
	kv, err := js.KeyValue(ctx, BucketDocuments)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "d2", []byte("written after the upgrade")); err != nil {
		t.Fatal(err)
	}
	e.Shutdown()
	after := keyFileSizes(t, dir)
	if len(after) != 1 || len(after[chachaKeyFileSize]) != len(before[chachaKeyFileSize]) {
		t.Errorf("key file sizes after the start %v, before %v", after, before)
	}
	if found := findClear(t, dir, needles(runs)); len(found) > 0 {
		t.Errorf("readable:\n%s", strings.Join(found, "\n"))
	}
	// And a third start still opens everything.
	startStore(t, dir, key)
}

func TestStoreCipher(t *testing.T) {
	enc := func(name string, size int64) storedStream {
		return storedStream{account: "$G", name: name, encrypted: true, keySize: size}
	}
	plain := storedStream{account: "$G", name: "P"}
	for _, tc := range []struct {
		name   string
		stored []storedStream
		want   server.StoreCipher
		err    string
	}{
		{"new store", nil, server.AES, ""},
		{"unencrypted store", []storedStream{plain}, server.AES, ""},
		{"ChaCha20 store", []storedStream{enc("A", chachaKeyFileSize), plain}, server.ChaCha, ""},
		{"AES store", []storedStream{enc("A", aesKeyFileSize), enc("B", aesKeyFileSize)}, server.AES, ""},
		{"mixed", []storedStream{enc("A", chachaKeyFileSize), enc("B", aesKeyFileSize)}, 0, "mixes"},
		{"unknown key file", []storedStream{enc("A", 40)}, 0, "40 bytes"},
	} {
		got, err := storeCipher(tc.stored)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
