package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef-backup")

// Personal data of an asset declaration; none may be readable in a backup file.
var personal = []string{"Ngày sinh: 12/03/1961", "Số CCCD: 079061001234", "số 12 đường Lý Thường Kiệt", "Vợ: Nguyễn Thị Ánh Tuyết"}

// fill gives a provisioned server what a running tinnhiem holds: events with message ids and
// headers in every stream, KV values with history and deletions, an uploaded PDF and a larger
// generated file in the object stores, a durable consumer part-way through its stream, and
// audit events.
func fill(t *testing.T, js jetstream.JetStream) (pdf, big []byte) {
	t.Helper()
	ctx := context.Background()
	var err error
	pdf, err = os.ReadFile("../../ingest/pdftext/testdata/lo-ke-khai-tai-san.pdf")
	if err != nil {
		t.Fatal(err)
	}
	big = make([]byte, 3<<20) // several snapshot chunks
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	for i, subj := range []string{"tn.ingest.r1.uploaded", "tn.dossier.r1.document", "tn.tally.r1.sealed", "tn.publish.r1.ready", "tn.alert.r1.dossier.24h", "tn.audit.r1.document.upload"} {
		for j := 0; j < 5; j++ {
			msg := &nats.Msg{Subject: subj, Data: fmt.Appendf(nil, `{"n":%d,"text":%q}`, j, personal[j%len(personal)]), Header: nats.Header{}}
			msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("id-%d-%d", i, j))
			msg.Header.Set("X-Tinnhiem-Test", "kept")
			if _, err := js.PublishMsg(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	users, _ := js.KeyValue(ctx, bus.BucketUsers)
	if _, err := users.Put(ctx, "admin", []byte(`{"username":"admin","hash":"$2a$10$abcdefghijklmnopqrstuv"}`)); err != nil {
		t.Fatal(err)
	}
	tallies, _ := js.KeyValue(ctx, bus.BucketTallies)
	for v := 1; v <= 4; v++ {
		if _, err := tallies.Put(ctx, "r1", fmt.Appendf(nil, `{"version":%d}`, v)); err != nil {
			t.Fatal(err)
		}
	}
	docs, _ := js.KeyValue(ctx, bus.BucketDocuments)
	for _, k := range []string{"d1", "d2"} {
		if _, err := docs.Put(ctx, k, []byte(strings.Join(personal, "\n"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := docs.Delete(ctx, "d2"); err != nil {
		t.Fatal(err)
	}
	uploads, _ := js.ObjectStore(ctx, bus.ObjectUploads)
	if _, err := uploads.PutBytes(ctx, "d1", pdf); err != nil {
		t.Fatal(err)
	}
	artifacts, _ := js.ObjectStore(ctx, bus.ObjectArtifacts)
	if _, err := artifacts.PutBytes(ctx, "r1/v1/bien-ban.pdf", big); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, bus.StreamIngest, jetstream.ConsumerConfig{Durable: bus.DurableIngest, AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		m, err := cons.Next()
		if err != nil {
			t.Fatal(err)
		}
		if err := m.DoubleAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return pdf, big
}

// streamDump is every message of every stream, as GetMsg returns it.
func streamDump(t *testing.T, js jetstream.JetStream) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for name := range js.StreamNames(ctx).Name() {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		st := s.CachedInfo().State
		var msgs []string
		for seq := st.FirstSeq; seq <= st.LastSeq && st.Msgs > 0; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				msgs = append(msgs, fmt.Sprintf("%d deleted", seq))
				continue
			}
			if err != nil {
				t.Fatalf("%s seq %d: %v", name, seq, err)
			}
			sum := sha256.Sum256(m.Data)
			msgs = append(msgs, fmt.Sprintf("%d %s %x %v %s", seq, m.Subject, sum, m.Header, m.Time.UTC().Format(time.RFC3339Nano)))
		}
		// An empty stream reports first sequence 0 or 1 alike: the next message is last+1.
		out[name] = append(msgs, fmt.Sprintf("state %d messages, last %d", st.Msgs, st.LastSeq))
	}
	return out
}

func startEmpty(t testing.TB) jetstream.JetStream {
	t.Helper()
	k, err := bus.NewKey(strings.Repeat("r", 40), "test")
	if err != nil {
		t.Fatal(err)
	}
	e, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: t.TempDir(), Key: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	nc, err := e.Connect("restore")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// A backup restored into an empty server gives back the same system: every message of every
// stream with its sequence, subject, headers and time; KV history and deletions; objects
// byte for byte; consumer positions; AUDIT still denying delete and purge.
func TestBackupRestoresTheSameSystem(t *testing.T) {
	ctx := context.Background()
	src := bustest.Start(t)
	pdf, big := fill(t, src.JS)
	before := streamDump(t, src.JS)

	var file bytes.Buffer
	var seen []Progress
	m, err := Write(ctx, src.JS, &file, testKey, func(p Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Streams) != len(before) {
		t.Errorf("backup of %d streams, the server has %d", len(m.Streams), len(before))
	}
	if len(seen) == 0 || seen[len(seen)-1].Done != len(m.Streams) || seen[len(seen)-1].Bytes != m.Bytes() {
		t.Errorf("progress ended at %+v, want every stream and %d bytes", seen[len(seen)-1], m.Bytes())
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Bytes < seen[i-1].Bytes {
			t.Fatal("progress went backwards")
		}
	}
	for _, p := range personal {
		if bytes.Contains(file.Bytes(), []byte(p)) {
			t.Errorf("%q readable in the backup file", p)
		}
	}
	for _, run := range [][]byte{pdf[:32], pdf[len(pdf)/2 : len(pdf)/2+32], big[1<<20 : 1<<20+32]} {
		if bytes.Contains(file.Bytes(), run) {
			t.Errorf("a byte run of a stored file is readable in the backup")
		}
	}

	dst := startEmpty(t)
	got, err := Restore(ctx, dst, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Streams, m.Streams) {
		t.Error("restore reports another manifest")
	}
	after := streamDump(t, dst)
	for name, msgs := range before {
		if !slices.Equal(after[name], msgs) {
			t.Errorf("stream %s differs after restore:\nbefore %v\nafter  %v", name, msgs, after[name])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d streams after restore, %d before", len(after), len(before))
	}

	tallies, err := dst.KeyValue(ctx, bus.BucketTallies)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := tallies.History(ctx, "r1"); err != nil || len(h) != 4 {
		t.Errorf("tally history after restore: %d versions, %v", len(h), err)
	}
	docs, _ := dst.KeyValue(ctx, bus.BucketDocuments)
	if _, err := docs.Get(ctx, "d2"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("a deleted key came back: %v", err)
	}
	for _, o := range []struct {
		store, name string
		want        []byte
	}{{bus.ObjectUploads, "d1", pdf}, {bus.ObjectArtifacts, "r1/v1/bien-ban.pdf", big}} {
		store, name, want := o.store, o.name, o.want
		obj, err := dst.ObjectStore(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		data, err := obj.GetBytes(ctx, name)
		if err != nil || sha256.Sum256(data) != sha256.Sum256(want) {
			t.Errorf("object %s/%s after restore: %d bytes, %v", store, name, len(data), err)
		}
	}
	cons, err := dst.Consumer(ctx, bus.StreamIngest, bus.DurableIngest)
	if err != nil {
		t.Fatal(err)
	}
	if ci := cons.CachedInfo(); ci.AckFloor.Stream != 2 || ci.NumPending != 3 {
		t.Errorf("consumer after restore: ack floor %d pending %d, want 2 and 3", ci.AckFloor.Stream, ci.NumPending)
	}
	audit, err := dst.Stream(ctx, bus.StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if c := audit.CachedInfo().Config; !c.DenyDelete || !c.DenyPurge {
		t.Errorf("AUDIT after restore: deny delete %v, deny purge %v", c.DenyDelete, c.DenyPurge)
	}
	if err := audit.Purge(ctx); err == nil {
		t.Error("the restored AUDIT stream accepted a purge")
	}
	// The restored system takes new writes where the old one stopped.
	if _, err := tallies.Put(ctx, "r1", []byte(`{"version":5}`)); err != nil {
		t.Errorf("write after restore: %v", err)
	}

	// Restoring over existing streams is refused before anything is written.
	if _, err := Restore(ctx, src.JS, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{}); !errors.Is(err, ErrExists) {
		t.Errorf("restore over existing streams: %v", err)
	}
}

// Every way a file can be wrong is refused by Verify and by Restore, and a refused restore
// leaves the server as empty as it was.
func TestDamagedBackupsAreRefused(t *testing.T) {
	ctx := context.Background()
	src := bustest.Start(t)
	fill(t, src.JS)
	var buf bytes.Buffer
	if _, err := Write(ctx, src.JS, &buf, testKey, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := Verify(bytes.NewReader(good), testKey); err != nil {
		t.Fatalf("a good file: %v", err)
	}
	flip := func(at int) []byte {
		b := slices.Clone(good)
		b[at] ^= 0x40
		return b
	}
	cases := []struct {
		name string
		data []byte
		key  []byte
		want error
	}{
		{"wrong key", good, []byte("another key, long enough to be a key"), ErrWrongKey},
		{"not a backup", []byte("%PDF-1.7\n"), testKey, ErrNotBackup},
		{"empty", nil, testKey, ErrNotBackup},
		{"magic altered", flip(3), testKey, ErrNotBackup},
		{"salt altered", flip(len(magic) + 5), testKey, ErrWrongKey},
		{"first frame altered", flip(preambleLen + 10), testKey, ErrDamaged},
		{"a middle frame altered", flip(len(good) / 2), testKey, ErrDamaged},
		{"last byte altered", flip(len(good) - 1), testKey, ErrDamaged},
		{"cut after the preamble", good[:preambleLen], testKey, ErrDamaged},
		{"cut in the middle", good[:len(good)/2], testKey, ErrDamaged},
		{"manifest missing", good[:len(good)-200], testKey, ErrDamaged},
		{"data after the end", append(slices.Clone(good), good[preambleLen:preambleLen+40]...), testKey, ErrDamaged},
		{"huge frame length", append(slices.Clone(good[:preambleLen]), 0x7f, 0xff, 0xff, 0xff), testKey, ErrDamaged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Verify(bytes.NewReader(tc.data), tc.key); !errors.Is(err, tc.want) {
				t.Errorf("Verify: %v, want %v", err, tc.want)
			}
			dst := startEmpty(t)
			if _, err := Restore(ctx, dst, bytes.NewReader(tc.data), tc.key, RestoreOptions{}); !errors.Is(err, tc.want) {
				t.Errorf("Restore: %v, want %v", err, tc.want)
			}
			n := 0
			for range dst.StreamNames(ctx).Name() {
				n++
			}
			if n != 0 {
				t.Errorf("a refused restore created %d streams", n)
			}
		})
	}
}

// Reordering or dropping whole frames is caught too: the frame index is the nonce.
func TestFramesCannotBeMovedOrDropped(t *testing.T) {
	var buf bytes.Buffer
	fw, err := newFrameWriter(&buf, testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a", "b", "c"} {
		if err := fw.write(kindData, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	file := buf.Bytes()
	frame := 4 + len("a") + 1 + 16 // length, kind + payload, GCM tag
	pre := file[:preambleLen]
	f1, f2, f3 := file[preambleLen:preambleLen+frame], file[preambleLen+frame:preambleLen+2*frame], file[preambleLen+2*frame:]
	for name, data := range map[string][]byte{
		"swapped": slices.Concat(pre, f2, f1, f3),
		"dropped": slices.Concat(pre, f1, f3),
	} {
		fr, err := newFrameReader(bytes.NewReader(data), testKey)
		if err != nil {
			t.Fatal(err)
		}
		var err2 error
		for i := 0; i < 3 && err2 == nil; i++ {
			_, _, err2 = fr.next()
		}
		if !errors.Is(err2, ErrDamaged) {
			t.Errorf("%s frames: %v", name, err2)
		}
	}
}

// A restore's replica count replaces the configuration's and keeps every other field as the
// server wrote it, those this version does not know included.
func TestRestoreReplicas(t *testing.T) {
	cfg := []byte(`{"name":"X","subjects":["x.>"],"num_replicas":1,"deny_delete":true,"unknown_future_field":{"a":1}}`)
	out, err := withReplicas(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"num_replicas":3`, `"deny_delete":true`, `"unknown_future_field":{"a":1}`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("withReplicas lost %s: %s", want, out)
		}
	}
}

func FuzzVerify(f *testing.F) {
	var buf bytes.Buffer
	fw, err := newFrameWriter(&buf, testKey)
	if err != nil {
		f.Fatal(err)
	}
	_ = writeJSON(fw, kindHeader, header{Format: 1, Streams: []string{"S"}})
	_ = writeJSON(fw, kindStream, streamStart{Name: "S", Config: []byte(`{}`), State: []byte(`{"messages":1}`)})
	_ = fw.write(kindData, []byte("chunk"))
	sum := sha256.Sum256([]byte("chunk"))
	_ = writeJSON(fw, kindEnd, streamEnd{Name: "S", SnapshotBytes: 5, SHA256: fmt.Sprintf("%x", sum)})
	_ = writeJSON(fw, kindManifest, Manifest{Format: 1, Streams: []StreamPart{{Name: "S", Messages: 1, SnapshotBytes: 5, SHA256: fmt.Sprintf("%x", sum)}}})
	if _, err := Verify(bytes.NewReader(buf.Bytes()), testKey); err != nil {
		f.Fatalf("seed does not verify: %v", err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(magic))
	f.Add(append([]byte(magic), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		m, err := Verify(bytes.NewReader(data), testKey)
		// Only an authentic file verifies, and the only one the fuzzer can start from holds
		// stream S with its one chunk (each fuzz worker writes it anew, with another salt).
		if err == nil && (len(m.Streams) != 1 || m.Streams[0].SHA256 != fmt.Sprintf("%x", sum)) {
			t.Errorf("an altered file verified: %d bytes, manifest %+v", len(data), m)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Verify took %v on %d bytes", d, len(data))
		}
	})
}

// A backup of the single embedded server goes into a three-node cluster with three replicas
// (JetStream's clustered restore path), every stream with the same messages.
func TestRestoreIntoCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	ctx := context.Background()
	src, file := filledBackup(t)
	before := streamDump(t, src.JS)
	c := bustest.StartCluster(t, 3)
	_, js := bustest.Connect(t, c.URL)
	if _, err := Restore(ctx, js, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	after := streamDump(t, js)
	for name, msgs := range before {
		if !slices.Equal(after[name], msgs) {
			t.Errorf("stream %s differs in the cluster", name)
		}
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if r := s.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("stream %s restored with %d replicas, want 3", name, r)
		}
	}
	// And the cluster's own backup (snapshots from each stream's leader) holds the same.
	var again bytes.Buffer
	m, err := Write(ctx, js, &again, testKey, nil)
	if err != nil {
		t.Fatalf("backup of the cluster: %v", err)
	}
	first, err := Verify(bytes.NewReader(file.Bytes()), testKey)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Streams {
		if q := first.Streams[i]; p.Name != q.Name || p.Messages != q.Messages || p.LastSeq != q.LastSeq {
			t.Errorf("cluster backup of %s: %d messages up to %d, the original %d up to %d", p.Name, p.Messages, p.LastSeq, q.Messages, q.LastSeq)
		}
	}
}

// A restore that asks for more replicas than the cluster has peers to place them on waits for
// them: it fails with the server's "no suitable peers" when none comes within its wait, and
// goes through once a fourth node has joined.
func TestRestoreWaitsForPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	ctx := context.Background()
	_, file := filledBackup(t)
	c := bustest.StartCluster(t, 3)
	_, js := bustest.Connect(t, c.URL)

	_, err := Restore(ctx, js, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{Replicas: 4, PlacementWait: time.Second})
	var api *apiError
	if !errors.As(err, &api) || api.ErrCode != errNoPeers {
		t.Fatalf("restore with 4 replicas on 3 nodes: %v, want no suitable peers (%d)", err, errNoPeers)
	}
	if names, _ := streamNames(ctx, js); len(names) > 0 {
		t.Errorf("a refused restore left streams %v", names)
	}

	done := make(chan error, 1)
	go func() {
		_, err := Restore(ctx, js, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{Replicas: 4, PlacementWait: 90 * time.Second})
		done <- err
	}()
	time.Sleep(time.Second) // the restore is waiting now
	c.AddNode(t)
	if err := <-done; err != nil {
		t.Fatalf("restore once a fourth node has joined: %v", err)
	}
	s, err := js.Stream(ctx, "INGEST")
	if err != nil {
		t.Fatal(err)
	}
	if ci := s.CachedInfo().Cluster; ci == nil || len(ci.Replicas)+1 != 4 {
		t.Errorf("INGEST not placed on 4 peers: %+v", ci)
	}
}

// filledBackup is a backup of a filled single server, and that server.
func filledBackup(t *testing.T) (*bustest.Server, *bytes.Buffer) {
	t.Helper()
	src := bustest.Start(t)
	fill(t, src.JS)
	var file bytes.Buffer
	if _, err := Write(context.Background(), src.JS, &file, testKey, nil); err != nil {
		t.Fatal(err)
	}
	return src, &file
}

func streamNames(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var names []string
	l := js.StreamNames(ctx)
	for n := range l.Name() {
		names = append(names, n)
	}
	return names, l.Err()
}
