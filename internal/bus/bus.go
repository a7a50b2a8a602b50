// Package bus holds the NATS plumbing shared by every part of tinnhiem: the embedded server, the
// connection, and the idempotent provisioning of streams, key-value buckets and object stores.
package bus

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
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
	// ObjectRenderings keeps the PDF renderings of originals that are not PDFs (Word files),
	// apart from the uploads: the ingest workers may add to it without any right on the originals.
	ObjectRenderings = "tn_renderings"
)

// StoreDir is where the embedded server of a data directory keeps its JetStream store.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "jetstream") }

// EmbeddedConfig configures the in-process nats-server.
type EmbeddedConfig struct {
	StoreDir string // JetStream data directory
	Listen   string // "host:port" to accept outside clients (e.g. separate workers); "" = in-process only
	// Key encrypts the JetStream store at rest. tinnhiem always sets it; a zero Key (tests)
	// keeps the store in clear and refuses a store that was encrypted.
	Key Key
	// CredsDir holds the credentials of every NATS role, generated when missing; required with
	// Listen: a listening server admits no anonymous client.
	CredsDir string
	// TLSCert and TLSKey, when both set, make the listener speak TLS only.
	TLSCert, TLSKey string
	Logger          *slog.Logger
}

// Embedded is a running in-process nats-server with JetStream.
type Embedded struct {
	srv *server.Server
	log *slog.Logger
	// The in-process connections' user when the server requires credentials: a random
	// password, usable by in-process connections only, never written anywhere.
	user, password string
}

// inProcessUser names the user of the serving process's own in-process connections.
const inProcessUser = "tinnhiem-in-process"

// StartEmbedded starts nats-server in this process with JetStream stored under cfg.StoreDir,
// encrypted with cfg.Key. A store written without encryption is converted first (see
// encrypt.go); a store the key does not open is refused, nothing changed.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	logf := func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) }
	if !cfg.Key.IsZero() {
		if err := recoverInterruptedConversion(cfg.StoreDir, logf); err != nil {
			return nil, err
		}
	}
	stored, err := inspectStore(cfg.StoreDir)
	if err != nil {
		return nil, err
	}
	var plain []storedStream
	for _, st := range stored {
		if !st.encrypted {
			plain = append(plain, st)
		} else if cfg.Key.IsZero() {
			return nil, fmt.Errorf("bus: the store %s is encrypted and no key was given", cfg.StoreDir)
		}
	}
	cipher, err := storeCipher(stored)
	if err != nil {
		return nil, err
	}
	if !cfg.Key.IsZero() && len(plain) > 0 {
		if err := convertStore(cfg, plain, cipher, logf); err != nil {
			return nil, err
		}
	}

	opts := &server.Options{
		ServerName:         "tinnhiem",
		JetStream:          true,
		StoreDir:           cfg.StoreDir,
		NoSigs:             true,
		NoLog:              true,
		MaxPayload:         8 << 20,
		JetStreamMaxMemory: 256 << 20,
		JetStreamKey:       cfg.Key.Secret(),
		JetStreamCipher:    cipher,
	}
	e := &Embedded{log: log}
	if cfg.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := splitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("bus: nats listen address %q: %w", cfg.Listen, err)
		}
		opts.Host, opts.Port = host, port
		if err := e.requireCredentials(opts, cfg); err != nil {
			return nil, err
		}
	}
	srv, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	if err := checkRecovered(srv, stored); err != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, err
	}
	e.srv = srv
	return e, nil
}

// requireCredentials configures the listening server's users: one nkey user per role (from
// cfg.CredsDir) with that role's permissions, and the in-process user; nobody else.
func (e *Embedded) requireCredentials(opts *server.Options, cfg EmbeddedConfig) error {
	if cfg.CredsDir == "" {
		return errors.New("bus: a listening NATS server needs a credentials directory")
	}
	users, created, err := EnsureCreds(cfg.CredsDir)
	if err != nil {
		return err
	}
	if len(created) > 0 {
		e.log.Info("NATS credentials created", "dir", cfg.CredsDir, "roles", strings.Join(created, ","))
	}
	for _, role := range Roles {
		perms, err := Permissions(role)
		if err != nil {
			return err
		}
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: users[role], Permissions: perms})
	}
	var pw [24]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return err
	}
	e.user, e.password = inProcessUser, hex.EncodeToString(pw[:])
	opts.Users = []*server.User{{
		Username: e.user, Password: e.password,
		AllowedConnectionTypes: map[string]struct{}{jwt.ConnectionTypeInProcess: {}},
	}}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return errors.New("bus: TLS on the NATS listener needs both a certificate and its key")
	}
	if cfg.TLSCert != "" {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: cfg.TLSCert, KeyFile: cfg.TLSKey})
		if err != nil {
			return fmt.Errorf("bus: NATS listener TLS: %w", err)
		}
		opts.TLSConfig, opts.TLS, opts.TLSTimeout = tc, true, 5
	}
	return nil
}

// newServer starts a nats-server with opts and waits until it accepts connections.
func newServer(opts *server.Options) (*server.Server, error) {
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded nats-server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("bus: embedded nats-server did not become ready within 30s")
	}
	return srv, nil
}

// Connect opens a client connection to the embedded server, in-process.
func (e *Embedded) Connect(name string) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(name), nats.InProcessServer(e.srv), nats.MaxReconnects(-1), errorLogger(e.log)}
	if e.user != "" {
		opts = append(opts, nats.UserInfo(e.user, e.password))
	}
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

// ClientAuth is how a process proves itself to an external NATS server or cluster.
type ClientAuth struct {
	CredsFile string // a role's credentials (tinnhiem's nkey seed file, or an operator-mode .creds)
	TLSCA     string // CA that signed the servers' certificates
	TLSCert   string // client certificate, for servers that verify clients
	TLSKey    string
}

// Role is the NATS role the credentials file names; "" without one.
func (a ClientAuth) Role() (string, error) {
	if a.CredsFile == "" {
		return "", nil
	}
	c, err := ReadCreds(a.CredsFile)
	if err != nil {
		return "", err
	}
	return c.Role, nil
}

func (a ClientAuth) options() ([]nats.Option, error) {
	var opts []nats.Option
	if a.CredsFile != "" {
		c, err := ReadCreds(a.CredsFile)
		if err != nil {
			return nil, err
		}
		if c.JWT {
			opts = append(opts, nats.UserCredentials(a.CredsFile))
		} else {
			o, err := nats.NkeyOptionFromSeed(a.CredsFile)
			if err != nil {
				return nil, fmt.Errorf("bus: %s: %w", a.CredsFile, err)
			}
			opts = append(opts, o)
		}
		if c.Role != "" {
			opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(c.Role)))
		}
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		return nil, errors.New("bus: a NATS client certificate needs its key (--nats-tls-cert with --nats-tls-key)")
	}
	if a.TLSCert != "" {
		opts = append(opts, nats.ClientCert(a.TLSCert, a.TLSKey))
	}
	if a.TLSCA != "" {
		opts = append(opts, nats.RootCAs(a.TLSCA))
	}
	return opts, nil
}

// Dial connects to an external NATS server or cluster (comma-separated URLs) without
// credentials.
func Dial(urls, name string, log *slog.Logger) (*nats.Conn, error) {
	return DialAuth(urls, name, log, ClientAuth{})
}

// DialAuth connects to an external NATS server or cluster with credentials and TLS.
func DialAuth(urls, name string, log *slog.Logger, auth ClientAuth) (*nats.Conn, error) {
	authOpts, err := auth.options()
	if err != nil {
		return nil, err
	}
	opts := append([]nats.Option{
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
		// A refused TLS handshake or credential shows here, not as an error of Connect.
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("nats connect failed; retrying", "err", err) }),
		errorLogger(log),
	}, authOpts...)
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connect %s: %w", urls, err)
	}
	return nc, nil
}

// errorLogger logs the server's asynchronous errors — a permissions violation above all, which
// otherwise shows only as a request that times out.
func errorLogger(log *slog.Logger) nats.Option {
	return nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
		if sub != nil {
			log.Error("nats error", "subject", sub.Subject, "err", err)
			return
		}
		log.Error("nats error", "err", err)
	})
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
