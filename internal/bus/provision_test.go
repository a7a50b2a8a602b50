package bus

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// provisionTestJS runs the package's own embedded server with its store in a temp dir and
// nothing provisioned yet. (bustest.Start cannot serve here: it imports this package.)
func provisionTestJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	e, err := StartEmbedded(EmbeddedConfig{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	nc, err := e.Connect("test")
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

var wantStreams = map[string]string{
	StreamIngest:  "tn.ingest.>",
	StreamDossier: "tn.dossier.>",
	StreamTally:   "tn.tally.>",
	StreamPublish: "tn.publish.>",
	StreamAlerts:  "tn.alert.>",
	StreamAudit:   "tn.audit.>",
}

var wantBuckets = []string{BucketRounds, BucketUsers, BucketTokens, BucketDocuments, BucketDossiers, BucketTallies, BucketAlerts, BucketArtifacts}

func TestProvisionIdempotent(t *testing.T) {
	ctx := context.Background()
	js := provisionTestJS(t)
	if err := Ready(ctx, js); err == nil {
		t.Fatal("Ready before Provision")
	}
	if err := Provision(ctx, js, 0); err != nil { // 0 replicas means 1
		t.Fatalf("first Provision: %v", err)
	}
	if err := Ready(ctx, js); err != nil {
		t.Fatalf("Ready after Provision: %v", err)
	}

	// Data written between two starts survives the second provisioning.
	kv, err := js.KeyValue(ctx, BucketRounds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "r1", []byte(`{"id":"r1"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "tn.dossier.r1.document", []byte("d1")); err != nil {
		t.Fatal(err)
	}
	obj, err := js.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.PutBytes(ctx, "f1", []byte("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	before := streamNames(t, js)

	if err := Provision(ctx, js, 1); err != nil {
		t.Fatalf("second Provision: %v", err)
	}
	if after := streamNames(t, js); !slices.Equal(before, after) {
		t.Errorf("second Provision changed the streams: %q → %q", before, after)
	}
	if e, err := kv.Get(ctx, "r1"); err != nil || string(e.Value()) != `{"id":"r1"}` {
		t.Errorf("round lost by the second Provision: %v", err)
	}
	if data, err := obj.GetBytes(ctx, "f1"); err != nil || string(data) != "%PDF-1.7" {
		t.Errorf("upload lost by the second Provision: %v", err)
	}

	for name, subject := range wantStreams {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Errorf("stream %s: %v", name, err)
			continue
		}
		cfg := s.CachedInfo().Config
		if !slices.Equal(cfg.Subjects, []string{subject}) || cfg.Storage != jetstream.FileStorage || cfg.Replicas != 1 || cfg.Duplicates != 24*time.Hour {
			t.Errorf("stream %s: subjects %q storage %v replicas %d duplicates %v", name, cfg.Subjects, cfg.Storage, cfg.Replicas, cfg.Duplicates)
		}
		audit := name == StreamAudit
		if cfg.DenyDelete != audit || cfg.DenyPurge != audit {
			t.Errorf("stream %s: deny delete %v, deny purge %v", name, cfg.DenyDelete, cfg.DenyPurge)
		}
		if name == StreamDossier && s.CachedInfo().State.Msgs != 1 {
			t.Errorf("DOSSIER holds %d messages after re-provisioning, want 1", s.CachedInfo().State.Msgs)
		}
	}
	for _, b := range wantBuckets {
		kv, err := js.KeyValue(ctx, b)
		if err != nil {
			t.Errorf("bucket %s: %v", b, err)
			continue
		}
		st, err := kv.Status(ctx)
		if err != nil || st.BackingStore() != "JetStream" {
			t.Errorf("bucket %s status: %v", b, err)
		}
	}
	for _, o := range []string{ObjectUploads, ObjectArtifacts, ObjectRenderings} {
		if _, err := js.ObjectStore(ctx, o); err != nil {
			t.Errorf("object store %s: %v", o, err)
		}
	}
}

// Provisioning from several processes at once (serve plus workers starting together) must
// not fail any of them.
func TestProvisionConcurrent(t *testing.T) {
	ctx := context.Background()
	js := provisionTestJS(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- Provision(ctx, js, 1) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Provision: %v", err)
		}
	}
	if err := Ready(ctx, js); err != nil {
		t.Error(err)
	}
}

// The audit trail cannot be erased through the stream API, and the protection cannot be lifted.
func TestAuditStreamRefusesDeleteAndPurge(t *testing.T) {
	ctx := context.Background()
	js := provisionTestJS(t)
	if err := Provision(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(ctx, "tn.audit._global.user.add", []byte(`{"action":"user.add"}`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("AUDIT purged")
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject("tn.audit._global.>")); err == nil {
		t.Error("AUDIT purged by subject")
	}
	if err := s.DeleteMsg(ctx, ack.Sequence); err == nil {
		t.Error("AUDIT message deleted")
	}
	if err := s.SecureDeleteMsg(ctx, ack.Sequence); err == nil {
		t.Error("AUDIT message securely deleted")
	}
	cfg := s.CachedInfo().Config
	cfg.DenyDelete, cfg.DenyPurge = false, false
	if _, err := js.UpdateStream(ctx, cfg); err == nil {
		t.Error("the deny flags of AUDIT were lifted")
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("AUDIT holds %d messages, want 1", info.State.Msgs)
	}
	if _, err := s.GetMsg(ctx, ack.Sequence); err != nil {
		t.Errorf("audit event gone: %v", err)
	}
}

func streamNames(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	var names []string
	l := js.StreamNames(context.Background())
	for n := range l.Name() {
		names = append(names, n)
	}
	if err := l.Err(); err != nil && !errors.Is(err, jetstream.ErrEndOfData) {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}
