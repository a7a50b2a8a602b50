package bus

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Personal data of the kind an asset declaration carries; none may be readable on disk.
var personal = []string{
	"Ngày sinh: 12/03/1961",
	"Số CCCD: 079061001234",
	"số 12 đường Lý Thường Kiệt, phường Hưng Bình",
	"Vợ: Nguyễn Thị Ánh Tuyết",
}

func testKey(t testing.TB, seed string) Key {
	t.Helper()
	k, err := NewKey(strings.Repeat(seed, 64/len(seed)+1)[:64], "test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// startStore starts an embedded server on dir (in-process), provisions it and returns a
// JetStream context; the server stops at the end of the test unless stopped before.
func startStore(t *testing.T, dir string, key Key) (*Embedded, jetstream.JetStream) {
	t.Helper()
	e, err := StartEmbedded(EmbeddedConfig{StoreDir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown) // a second Shutdown after the test's own is harmless
	nc, err := e.Connect("test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(context.Background(), js, 1); err != nil {
		t.Fatal(err)
	}
	return e, js
}

// pdfRuns are byte runs of a real PDF, from its header, its content streams and its end.
func pdfRuns(t *testing.T) (pdf []byte, runs [][]byte) {
	t.Helper()
	pdf, err := os.ReadFile("../../ingest/pdftext/testdata/lo-ke-khai-tai-san.pdf")
	if err != nil {
		t.Fatal(err)
	}
	const n = 24
	for _, at := range []int{0, len(pdf) / 7, len(pdf) / 3, len(pdf) / 2, 2 * len(pdf) / 3, len(pdf) - n} {
		runs = append(runs, pdf[at:at+n])
	}
	return pdf, runs
}

// writePersonal sends personal data through every kind of store tinnhiem uses: an event
// stream, a KV bucket (with history) and an object store (a real PDF).
func writePersonal(t *testing.T, js jetstream.JetStream, pdf []byte) {
	t.Helper()
	ctx := context.Background()
	doc := fmt.Sprintf(`{"document_id":"d1","nominee":"n01","text":%q}`, strings.Join(personal, "\n"))
	for i, p := range personal {
		msg := &nats.Msg{Subject: "tn.dossier.r1.document", Data: []byte(doc), Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprint("m", i))
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, "tn.audit.r1.document.upload", []byte(`{"target":"`+p+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	kv, err := js.KeyValue(ctx, BucketDocuments)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := kv.Put(ctx, "d1", []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	obj, err := js.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.PutBytes(ctx, "d1", pdf); err != nil {
		t.Fatal(err)
	}
}

// findClear lists, per file under dir, which of needles occur in it.
func findClear(t *testing.T, dir string, needles [][]byte) []string {
	t.Helper()
	var found []string
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				found = append(found, fmt.Sprintf("%s: %q", p, n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("only %d files under %s: the store was not written where expected", files, dir)
	}
	return found
}

func needles(runs [][]byte) [][]byte {
	out := append([][]byte(nil), runs...)
	for _, p := range personal {
		out = append(out, []byte(p))
	}
	return out
}

// The acceptance check of issue 9: after personal data went through streams, KV and the
// object store, no byte run of it occurs in any file under the data directory. The same
// writes without a key leave them in clear, so the search does find what is there.
func TestStoreEncryptedAtRest(t *testing.T) {
	pdf, runs := pdfRuns(t)
	for _, tc := range []struct {
		name      string
		key       Key
		wantClear bool
	}{
		{"without a key the search finds the data", Key{}, true},
		{"with a key nothing is readable", testKey(t, "k1"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			e, js := startStore(t, dir, tc.key)
			writePersonal(t, js, pdf)
			e.Shutdown()
			found := findClear(t, dir, needles(runs))
			if tc.wantClear && len(found) < len(personal) {
				t.Fatalf("unencrypted store: only %d needles found, the search cannot be trusted: %v", len(found), found)
			}
			if !tc.wantClear && len(found) > 0 {
				t.Errorf("readable in the encrypted store:\n%s", strings.Join(found, "\n"))
			}
		})
	}
}

// A store written without encryption is converted when a key is given: every message, key
// revision and object is still there, nothing is readable on disk, and no safety copy is left.
func TestPlaintextStoreIsConverted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pdf, runs := pdfRuns(t)
	e, js := startStore(t, dir, Key{})
	writePersonal(t, js, pdf)
	// A durable consumer's position survives too.
	cons, err := js.CreateOrUpdateConsumer(ctx, StreamDossier, jetstream.ConsumerConfig{Durable: "p", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
	e.Shutdown()
	if len(findClear(t, dir, needles(runs))) == 0 {
		t.Fatal("the unencrypted store shows nothing in clear; the test proves nothing")
	}

	key := testKey(t, "convert")
	e, js = startStore(t, dir, key)
	kv, err := js.KeyValue(ctx, BucketDocuments)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := kv.History(ctx, "d1")
	if err != nil || len(hist) != 3 {
		t.Errorf("KV history after conversion: %d revisions, %v; want 3", len(hist), err)
	}
	obj, err := js.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	got, err := obj.GetBytes(ctx, "d1")
	if err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("object after conversion: %d bytes, %v; want the %d bytes of the PDF", len(got), err, len(pdf))
	}
	st, err := js.Stream(ctx, StreamDossier)
	if err != nil {
		t.Fatal(err)
	}
	if n := st.CachedInfo().State.Msgs; n != uint64(len(personal)) {
		t.Errorf("DOSSIER holds %d messages after conversion, want %d", n, len(personal))
	}
	ci, err := js.Consumer(ctx, StreamDossier, "p")
	if err != nil {
		t.Fatal(err)
	}
	if info := ci.CachedInfo(); info.AckFloor.Stream != 1 || info.NumPending != uint64(len(personal)-1) {
		t.Errorf("consumer after conversion: ack floor %d, pending %d; want 1 and %d", info.AckFloor.Stream, info.NumPending, len(personal)-1)
	}
	e.Shutdown()
	if found := findClear(t, dir, needles(runs)); len(found) > 0 {
		t.Errorf("readable after conversion:\n%s", strings.Join(found, "\n"))
	}
	if _, err := os.Stat(dir + plainCopySuffix); err == nil {
		t.Error("the unencrypted safety copy was left behind")
	}
}

// A wrong key opens nothing and changes nothing: the start is refused with a message naming
// the streams, and the right key still opens every one.
func TestWrongKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pdf, _ := pdfRuns(t)
	right := testKey(t, "right")
	e, js := startStore(t, dir, right)
	writePersonal(t, js, pdf)
	e.Shutdown()

	_, err := StartEmbedded(EmbeddedConfig{StoreDir: dir, Key: testKey(t, "wrong")})
	if err == nil || !strings.Contains(err.Error(), "khóa mã hóa không mở được") || !strings.Contains(err.Error(), "KV_tn_documents") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := StartEmbedded(EmbeddedConfig{StoreDir: dir}); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("no key on an encrypted store: %v", err)
	}
	_, js = startStore(t, dir, right)
	kv, err := js.KeyValue(ctx, BucketDocuments)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(ctx, "d1"); err != nil {
		t.Errorf("the right key after a refused wrong one: %v", err)
	}
}

// A conversion that stopped half-way (a complete safety copy beside a store that was being
// rewritten) is undone and done again on the next start: the copy is the store as it was.
func TestInterruptedConversionIsRedone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pdf, _ := pdfRuns(t)
	e, js := startStore(t, dir, Key{})
	writePersonal(t, js, pdf)
	e.Shutdown()
	if err := copyTree(dir, dir+plainCopySuffix); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir + plainCopySuffix) })
	// The crash damaged the store being converted: a stream's messages are gone.
	blocks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "OBJ_tn_uploads", "msgs", "*.blk"))
	if len(blocks) == 0 {
		t.Fatal("no message blocks found to damage")
	}
	for _, b := range blocks {
		if err := os.WriteFile(b, []byte("half-written"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, js = startStore(t, dir, testKey(t, "again"))
	obj, err := js.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := obj.GetBytes(ctx, "d1"); err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("object after redoing the conversion: %d bytes, %v", len(got), err)
	}
	if _, err := os.Stat(dir + plainCopySuffix); err == nil {
		t.Error("the safety copy is still there after a successful conversion")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	path, err := DefaultKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(root, KeyFileName) {
		t.Errorf("default key file %s, want beside the data directory", path)
	}
	k, created, err := LoadOrCreateKey(path, data)
	if err != nil || !created || len(k.Secret()) != 64 {
		t.Fatalf("create: %v created=%v len=%d", err, created, len(k.Secret()))
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreateKey(path, data)
	if err != nil || created || again.Secret() != k.Secret() {
		t.Errorf("second load: created=%v err=%v same=%v", created, err, again.Secret() == k.Secret())
	}
	if strings.Contains(fmt.Sprint(k), k.Secret()) || strings.Contains(fmt.Sprintf("%+v", k), k.Secret()) {
		t.Error("the key prints its secret")
	}

	for _, inside := range []string{filepath.Join(data, "k"), filepath.Join(data, "sub", "k"), data} {
		if _, _, err := LoadOrCreateKey(inside, data); err == nil || !strings.Contains(err.Error(), "nằm trong thư mục dữ liệu") {
			t.Errorf("key %s inside the data directory: %v", inside, err)
		}
	}
	// "data2" beside "data" is not inside it.
	if _, _, err := LoadOrCreateKey(filepath.Join(root, "data2", "k"), data); err != nil {
		t.Errorf("key in a sibling directory: %v", err)
	}
	short := filepath.Join(root, "short.key")
	if err := os.WriteFile(short, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKey(short, data); err == nil || !strings.Contains(err.Error(), "quá ngắn") {
		t.Errorf("short key: %v", err)
	}
	if _, err := LoadKey(filepath.Join(root, "missing.key")); err == nil {
		t.Error("LoadKey of a missing file succeeded")
	}
}
