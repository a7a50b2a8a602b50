package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"tinnhiem/internal/web"
)

// httpOptions are serve's flags of the HTTP server: TLS, the proxies it trusts, and how slow a
// client may be.
type httpOptions struct {
	tlsCert, tlsKey string
	trustedProxies  string
	minRate         int64
	idleTimeout     time.Duration
}

func (e *cmdEnv) httpFlags(fs *flag.FlagSet) *httpOptions {
	o := &httpOptions{}
	fs.StringVar(&o.tlsCert, "tls-cert", e.getenv("TINNHIEM_TLS_CERT"), "PEM certificate (chain) of the server: HTTPS on --http (env TINNHIEM_TLS_CERT)")
	fs.StringVar(&o.tlsKey, "tls-key", e.getenv("TINNHIEM_TLS_KEY"), "PEM private key of --tls-cert (env TINNHIEM_TLS_KEY)")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", e.getenv("TINNHIEM_TRUSTED_PROXIES"), "reverse proxies whose X-Forwarded-For/-Proto are believed: addresses and CIDR ranges, comma-separated (env TINNHIEM_TRUSTED_PROXIES)")
	fs.Int64Var(&o.minRate, "min-rate", envInt64(e.getenv, "TINNHIEM_MIN_RATE", 16<<10), "least average rate, bytes/s after a 30 s grace, at which a client must send a request body or read an answer (env TINNHIEM_MIN_RATE)")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Minute, "how long a kept-alive connection may wait for its next request")
	return o
}

// httpServer is the configured HTTP(S) server of serve.
type httpServer struct {
	*http.Server
	tls bool
}

// validate checks the flags before anything starts: a mistake in them must not cost a start of
// the whole system.
func (o *httpOptions) validate() error {
	if _, err := web.ParseProxies(o.trustedProxies); err != nil {
		return usageError{"--trusted-proxies: " + err.Error()}
	}
	if o.minRate <= 0 {
		return usageError{"--min-rate phải lớn hơn 0"}
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return usageError{"--tls-cert và --tls-key phải đi cùng nhau"}
	}
	if o.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey); err != nil {
			return fmt.Errorf("serve: chứng chỉ TLS %s, %s: %w", o.tlsCert, o.tlsKey, err)
		}
	}
	return nil
}

// newHTTPServer wraps handler in the front every route sits behind (client address, HSTS,
// least data rate) and sets the server's timeouts; with a certificate, it speaks only HTTPS,
// TLS 1.2 or later.
func (o *httpOptions) newHTTPServer(handler http.Handler, log *slog.Logger) (*httpServer, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	proxies, _ := web.ParseProxies(o.trustedProxies)
	useTLS := o.tlsCert != ""
	front := web.Front(handler, web.FrontConfig{Proxies: proxies, HSTS: true, Rate: web.RateConfig{BytesPerSecond: o.minRate}})
	srv := &http.Server{
		Handler: front,
		// A request's headers must come at once; its body and its answer are held to the least
		// rate by the front instead of a flat ReadTimeout/WriteTimeout, which would cut off a
		// large upload however fast it goes.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       o.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if useTLS {
		cf, err := loadCertFile(o.tlsCert, o.tlsKey, log)
		if err != nil {
			return nil, err
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cf.get}
	}
	if len(proxies) > 0 {
		log.Info("trusting forwarded client addresses", "proxies", proxies.String())
	}
	return &httpServer{Server: srv, tls: useTLS}, nil
}

// serve answers on ln until Shutdown.
func (s *httpServer) serve(ln net.Listener) error {
	if s.tls {
		return s.ServeTLS(ln, "", "")
	}
	return s.Serve(ln)
}

func (s *httpServer) scheme() string {
	if s.tls {
		return "https"
	}
	return "http"
}

// certFile is the server's certificate, read again when its files change (a renewal needs no
// restart); a file that does not read keeps the certificate in use, and says so in the log.
type certFile struct {
	certPath, keyPath string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	modTime time.Time
	checked time.Time
}

// certCheckEvery is how often the files are looked at for a renewal.
const certCheckEvery = time.Minute

func loadCertFile(certPath, keyPath string, log *slog.Logger) (*certFile, error) {
	cf := &certFile{certPath: certPath, keyPath: keyPath, log: log}
	if err := cf.load(time.Now()); err != nil {
		return nil, fmt.Errorf("serve: chứng chỉ TLS: %w", err)
	}
	return cf, nil
}

func (cf *certFile) load(now time.Time) error {
	mod, err := cf.lastChange()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(cf.certPath, cf.keyPath)
	if err != nil {
		return fmt.Errorf("%s, %s: %w", cf.certPath, cf.keyPath, err)
	}
	cf.cert, cf.modTime, cf.checked = &cert, mod, now
	return nil
}

func (cf *certFile) lastChange() (time.Time, error) {
	var last time.Time
	for _, p := range []string{cf.certPath, cf.keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			return time.Time{}, err
		}
		if fi.ModTime().After(last) {
			last = fi.ModTime()
		}
	}
	return last, nil
}

func (cf *certFile) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	now := time.Now()
	if now.Sub(cf.checked) >= certCheckEvery {
		cf.checked = now
		if mod, err := cf.lastChange(); err == nil && !mod.Equal(cf.modTime) {
			if err := cf.load(now); err != nil {
				cf.log.Error("TLS certificate not reloaded; the previous one stays in use", "err", err)
			} else {
				cf.log.Info("TLS certificate reloaded", "cert", cf.certPath)
			}
		}
	}
	if cf.cert == nil {
		return nil, errors.New("no certificate")
	}
	return cf.cert, nil
}
