// Package bus holds the NATS plumbing shared by every part of tinnhiem: the embedded server, the
// connection, and the idempotent provisioning of streams, key-value buckets and object stores.
package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Stream, bucket and object store names (DESIGN §3).
const (
	StreamIngest  = "INGEST"
	StreamDossier = "DOSSIER"
	StreamTally   = "TALLY"
	StreamPublish = "PUBLISH"
	StreamAlerts  = "ALERTS"
	StreamAudit   = "AUDIT"

	BucketRounds    = "tn_rounds"
	BucketUsers     = "tn_users"
	BucketTokens    = "tn_tokens"
	BucketDocuments = "tn_documents"
	BucketDossiers  = "tn_dossiers"
	BucketTallies   = "tn_tallies"
	BucketAlerts    = "tn_alerts"
	BucketArtifacts = "tn_artifact_index"

	ObjectUploads   = "tn_uploads"
	ObjectArtifacts = "tn_artifacts"
)

// EmbeddedConfig configures the in-process nats-server.
type EmbeddedConfig struct {
	StoreDir string // JetStream data directory
	Listen   string // "host:port" to accept outside clients (e.g. separate workers); "" = in-process only
	Logger   *slog.Logger
}

// Embedded is a running in-process nats-server with JetStream.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts nats-server in this process with JetStream stored under cfg.StoreDir.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	opts := &server.Options{
		ServerName:         "tinnhiem",
		JetStream:          true,
		StoreDir:           cfg.StoreDir,
		NoSigs:             true,
		NoLog:              true,
		MaxPayload:         8 << 20,
		JetStreamMaxMemory: 256 << 20,
	}
	if cfg.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := splitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("bus: nats listen address %q: %w", cfg.Listen, err)
		}
		opts.Host, opts.Port = host, port
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded nats-server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("bus: embedded nats-server did not become ready within 30s")
	}
	return &Embedded{srv: srv}, nil
}

// Connect opens a client connection to the embedded server, in-process when it does not listen.
func (e *Embedded) Connect(name string) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(name), nats.InProcessServer(e.srv), nats.MaxReconnects(-1)}
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connect in-process: %w", err)
	}
	return nc, nil
}

// ClientURL is the URL outside clients use; "" when the server does not listen.
func (e *Embedded) ClientURL() string {
	if e.srv.Addr() == nil {
		return ""
	}
	return e.srv.ClientURL()
}

// Shutdown stops the server and waits for it to finish writing.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// Dial connects to an external NATS server or cluster (comma-separated URLs).
func Dial(urls, name string, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect(urls,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "url", c.ConnectedUrl()) }),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: connect %s: %w", urls, err)
	}
	return nc, nil
}

// splitHostPort reads the --nats-listen address. Port 0 means "any free port", as it does for
// net.Listen; nats-server itself would read 0 as its default port 4222.
func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}
