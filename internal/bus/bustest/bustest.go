// Package bustest starts a real in-process nats-server with JetStream for tests, provisioned
// exactly as tinnhiem provisions a production server.
package bustest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
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
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, js := Connect(t, srv.ClientURL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.Provision(ctx, js, 1); err != nil {
		t.Fatalf("provision: %v", err)
	}
	return &Server{Srv: srv, NC: nc, JS: js}
}

// Connect opens a client connection to url (comma-separated for a cluster) and a JetStream
// context on it, for a server the test did not start through Start — one that tinnhiem's own
// code embeds, or a cluster. The connection is closed when the test ends, before the servers
// that earlier cleanups stop.
func Connect(t testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// ConnectAuth is Connect for a server that requires credentials (an embedded server started
// with a listener: --nats-listen).
func ConnectAuth(t testing.TB, url string, auth bus.ClientAuth) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := bus.DialAuth(url, "test", slog.New(slog.DiscardHandler), auth)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	if err := nc.FlushTimeout(10 * time.Second); err != nil {
		t.Fatalf("connect %s with %s: %v", url, auth.CredsFile, err)
	}
	// Tests publish thousands of events at once; an encrypted store under the race detector
	// acks them slower than the client's default window of 4,000 allows without stalling.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1<<15))
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// Cluster is a running JetStream cluster of in-process servers.
type Cluster struct {
	Servers []*server.Server
	URL     string // every node's client URL, comma-separated as nats.Connect and --nats-url take them
}

// StartCluster runs a JetStream cluster of the given number of nodes in this process, each on
// random ports with its own temporary store, and returns once the cluster has a meta leader that
// sees every node online, so streams with as many replicas as nodes can be created at once.
// Nothing is provisioned: the code under test does that with the replicas it chooses. The nodes
// stop when the test ends.
//
// Every node must be given every route port before any node starts, so the ports are picked
// free and released first; another process (a test package running in parallel) can take one in
// between, and the node that cannot listen never becomes ready. Such an attempt is shut down and
// the cluster started again on fresh ports.
func StartCluster(t testing.TB, nodes int) *Cluster {
	t.Helper()
	const attempts = 5
	for attempt := 1; ; attempt++ {
		c, err := startCluster(t, nodes)
		if err == nil {
			t.Cleanup(c.shutdown)
			c.waitFormed(t)
			return c
		}
		if attempt == attempts {
			t.Fatalf("cluster of %d nodes, %d attempts: %v", nodes, attempts, err)
		}
		t.Logf("cluster attempt %d: %v; starting again on fresh ports", attempt, err)
	}
}

// startCluster starts the nodes and waits until each accepts connections; when one does not,
// every node of this attempt is stopped again.
func startCluster(t testing.TB, nodes int) (*Cluster, error) {
	routePorts := make([]int, nodes)
	var routes []*url.URL
	for i := range routePorts {
		routePorts[i] = freePort(t)
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", routePorts[i])})
	}
	c := &Cluster{}
	for i, p := range routePorts {
		s, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true, MaxPayload: 8 << 20,
			Cluster: server.ClusterOpts{Name: "tinnhiem-test", Host: "127.0.0.1", Port: p},
			Routes:  routes,
		})
		if err != nil {
			c.shutdown()
			return nil, fmt.Errorf("nats-server n%d: %w", i+1, err)
		}
		go s.Start()
		c.Servers = append(c.Servers, s)
	}
	var urls []string
	for _, s := range c.Servers {
		if !s.ReadyForConnections(15 * time.Second) {
			c.shutdown()
			return nil, fmt.Errorf("node %s not ready after 15s (route ports %v)", s.Name(), routePorts)
		}
		urls = append(urls, s.ClientURL())
	}
	c.URL = strings.Join(urls, ",")
	return c, nil
}

// AddNode starts one more node that joins the running cluster through the routes of the nodes
// still up, and waits until it accepts connections. It is stopped with the cluster.
func (c *Cluster) AddNode(t testing.TB) *server.Server {
	t.Helper()
	var routes []*url.URL
	for _, s := range c.Servers {
		if s.Running() {
			routes = append(routes, &url.URL{Scheme: "nats-route", Host: s.ClusterAddr().String()})
		}
	}
	s, err := server.NewServer(&server.Options{
		ServerName: fmt.Sprintf("n%d", len(c.Servers)+1), Host: "127.0.0.1", Port: -1,
		JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true, MaxPayload: 8 << 20,
		Cluster: server.ClusterOpts{Name: "tinnhiem-test", Host: "127.0.0.1", Port: -1},
		Routes:  routes,
	})
	if err != nil {
		t.Fatalf("nats-server n%d: %v", len(c.Servers)+1, err)
	}
	go s.Start()
	c.Servers = append(c.Servers, s)
	if !s.ReadyForConnections(15 * time.Second) {
		t.Fatalf("node %s not ready after 15s", s.Name())
	}
	return s
}

func (c *Cluster) shutdown() {
	for _, s := range c.Servers {
		s.Shutdown()
	}
	for _, s := range c.Servers {
		s.WaitForShutdown()
	}
}

func (c *Cluster) waitFormed(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for ; !c.formed(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no JetStream meta leader seeing all %d nodes after 90s", len(c.Servers))
		}
	}
	// A leader seen is not yet a leader answering: a loaded machine may still be electing. Wait
	// until the JetStream API answers a client, as the code under test will ask it to.
	nc, err := nats.Connect(c.URL)
	if err != nil {
		t.Fatalf("connect to the cluster: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster's JetStream API does not answer after 90s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// formed reports whether a meta leader sees every node online; before that, placing a stream
// with a replica on each node fails with "no suitable peers".
func (c *Cluster) formed() bool {
	for _, s := range c.Servers {
		if s.JetStreamIsLeader() {
			return len(s.JetStreamClusterPeers()) == len(c.Servers)
		}
	}
	return false
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
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
