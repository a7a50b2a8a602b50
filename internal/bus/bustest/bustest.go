// Package bustest starts a real in-process nats-server with JetStream for tests, provisioned
// exactly as tinnhiem provisions a production server.
package bustest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// Server is a running test server with a connection.
type Server struct {
	Srv *server.Server
	NC  *nats.Conn
	JS  jetstream.JetStream
}

// Start runs nats-server on a random port with its store in a temporary directory, connects,
// provisions every stream, bucket and object store, and stops everything when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true, MaxPayload: 8 << 20,
	})
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.Provision(ctx, js, 1); err != nil {
		t.Fatalf("provision: %v", err)
	}
	t.Cleanup(func() {
		nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return &Server{Srv: srv, NC: nc, JS: js}
}

// KV opens a provisioned bucket.
func (s *Server) KV(t testing.TB, bucket string) jetstream.KeyValue {
	t.Helper()
	kv, err := s.JS.KeyValue(context.Background(), bucket)
	if err != nil {
		t.Fatalf("bucket %s: %v", bucket, err)
	}
	return kv
}

// Objects opens a provisioned object store.
func (s *Server) Objects(t testing.TB, name string) jetstream.ObjectStore {
	t.Helper()
	os, err := s.JS.ObjectStore(context.Background(), name)
	if err != nil {
		t.Fatalf("object store %s: %v", name, err)
	}
	return os
}
