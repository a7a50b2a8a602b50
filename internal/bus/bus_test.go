package bus

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		bad  bool
	}{
		{in: "127.0.0.1:4222", host: "127.0.0.1", port: 4222},
		{in: ":4222", host: "", port: 4222},
		{in: "[::1]:4222", host: "::1", port: 4222},
		{in: "localhost:0", host: "localhost", port: -1}, // any free port, not nats' default 4222
		{in: "127.0.0.1", bad: true},
		{in: "127.0.0.1:nats", bad: true},
		{in: "127.0.0.1:70000", bad: true},
		{in: "127.0.0.1:-5", bad: true},
		{in: "", bad: true},
	}
	for _, tc := range tests {
		host, port, err := splitHostPort(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("splitHostPort(%q) = %q %d, want an error", tc.in, host, port)
			}
			continue
		}
		if err != nil || host != tc.host || port != tc.port {
			t.Errorf("splitHostPort(%q) = %q %d %v, want %q %d", tc.in, host, port, err, tc.host, tc.port)
		}
	}
}

// The embedded server keeps its data across a restart on the same store directory.
func TestEmbeddedRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := func() (*Embedded, jetstream.JetStream) {
		t.Helper()
		e, err := StartEmbedded(EmbeddedConfig{StoreDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if e.ClientURL() != "" {
			t.Errorf("in-process server listens at %s", e.ClientURL())
		}
		nc, err := e.Connect("test")
		if err != nil {
			e.Shutdown()
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		if err := Provision(ctx, js, 1); err != nil {
			t.Fatal(err)
		}
		return e, js
	}
	e, js := start()
	kv, err := js.KeyValue(ctx, BucketUsers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "admin", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "tn.audit._global.user.add", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	e.Shutdown()

	e, js = start()
	defer e.Shutdown()
	kv, err = js.KeyValue(ctx, BucketUsers)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := kv.Get(ctx, "admin"); err != nil || string(v.Value()) != "x" {
		t.Errorf("user lost across restart: %v", err)
	}
	s, err := js.Stream(ctx, StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 1 {
		t.Errorf("AUDIT holds %d messages after restart, want 1", n)
	}
}

// With a listen address, separate workers can reach the embedded server over TCP, with the
// credentials it wrote.
func TestEmbeddedListensForWorkers(t *testing.T) {
	creds := t.TempDir()
	e, err := StartEmbedded(EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", CredsDir: creds})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	url := e.ClientURL()
	if url == "" || url == "nats://127.0.0.1:4222" {
		t.Fatalf("client URL %q, want a free port", url)
	}
	nc, err := DialAuth(url, "worker", slog.New(slog.NewTextHandler(io.Discard, nil)), ClientAuth{CredsFile: CredsFile(creds, RoleOps)})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !nc.IsConnected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !nc.IsConnected() {
		t.Fatalf("worker not connected: %s", nc.Status())
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(context.Background(), js, 1); err != nil {
		t.Fatal(err)
	}
}

func TestStartEmbeddedBadListen(t *testing.T) {
	if e, err := StartEmbedded(EmbeddedConfig{StoreDir: t.TempDir(), Listen: "nowhere"}); err == nil {
		e.Shutdown()
		t.Fatal("started with listen address \"nowhere\"")
	}
}
