package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/api"
	"tinnhiem/internal/app"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/requestid"
	"tinnhiem/internal/store"
	"tinnhiem/internal/ui"
)

// workerKinds are the workers a process can run.
var workerKinds = []string{"ingest", "dossier", "minutes", "publish"}

// natsFlags are shared by serve and worker.

type serveConfig struct {
	data       string
	httpAddr   string
	natsURL    string
	natsListen string
	workers    string
	logFormat  string
	logLevel   string
	replicas   int
	grace      time.Duration
	tokenTTL   time.Duration
	sessionTTL time.Duration
	maxUpload  int64
	maxRequest int64
	maxFiles   int
	cpuProfile string
	memProfile string
	memLimit   int64
}

func (e *cmdEnv) serve(args []string) error {
	fs := e.flags("serve")
	var c serveConfig
	fs.StringVar(&c.data, "data", envOr(e.getenv, "TINNHIEM_DATA", "./data"), "data directory of the embedded NATS JetStream (env TINNHIEM_DATA)")
	fs.StringVar(&c.httpAddr, "http", envOr(e.getenv, "TINNHIEM_HTTP", "127.0.0.1:8080"), "HTTP listen address (env TINNHIEM_HTTP)")
	fs.StringVar(&c.natsURL, "nats-url", e.getenv("TINNHIEM_NATS_URL"), "external NATS server or cluster (comma-separated); empty = embedded server (env TINNHIEM_NATS_URL)")
	fs.StringVar(&c.natsListen, "nats-listen", e.getenv("TINNHIEM_NATS_LISTEN"), "let separate workers connect to the embedded server at host:port; empty = in-process only")
	fs.StringVar(&c.workers, "workers", envOr(e.getenv, "TINNHIEM_WORKERS", "all"), "workers to run in this process: all, none, or a list of ingest,dossier,minutes,publish")
	fs.StringVar(&c.logFormat, "log-format", envOr(e.getenv, "TINNHIEM_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", envOr(e.getenv, "TINNHIEM_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	fs.IntVar(&c.replicas, "replicas", 1, "JetStream replicas of streams and buckets (3 in a cluster)")
	fs.DurationVar(&c.grace, "grace", 15*time.Second, "graceful shutdown period")
	fs.DurationVar(&c.tokenTTL, "token-ttl", envDuration(e.getenv, "TINNHIEM_TOKEN_TTL", 24*time.Hour), "lifetime of API tokens (env TINNHIEM_TOKEN_TTL)")
	fs.DurationVar(&c.sessionTTL, "session-ttl", envDuration(e.getenv, "TINNHIEM_SESSION_TTL", 12*time.Hour), "lifetime of a browser's login (env TINNHIEM_SESSION_TTL)")
	fs.Int64Var(&c.maxUpload, "max-upload", 50<<20, "largest accepted upload in bytes")
	metricsListen := e.metricsFlag(fs)
	fs.Int64Var(&c.maxRequest, "max-request", envInt64(e.getenv, "TINNHIEM_MAX_REQUEST", app.DefaultMaxRequest), "largest upload request in bytes, all its files together (env TINNHIEM_MAX_REQUEST)")
	fs.IntVar(&c.maxFiles, "max-files", int(envInt64(e.getenv, "TINNHIEM_MAX_FILES", app.DefaultMaxFiles)), "most files in one upload request (env TINNHIEM_MAX_FILES)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of this process to FILE until it stops (go tool pprof)")
	fs.StringVar(&c.memProfile, "memprofile", "", "write this process's allocations since it started to FILE when it stops (go tool pprof -sample_index=alloc_space)")
	fs.Int64Var(&c.memLimit, "memory-limit", envInt64(e.getenv, "TINNHIEM_MEMORY_LIMIT", defaultMemoryLimit), "soft limit of this process's Go memory in bytes, 0 = none; GOMEMLIMIT, when set, takes precedence (env TINNHIEM_MEMORY_LIMIT)")
	nopt := e.natsFlags(fs, true)
	hopt := e.httpFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"serve không nhận đối số: " + strings.Join(pos, " ")}
	}
	if err := checkAdminPassword(e.getenv("TINNHIEM_ADMIN_PASSWORD")); err != nil {
		return err
	}
	if err := hopt.validate(); err != nil {
		return err
	}
	workers, err := parseWorkers(c.workers)
	if err != nil {
		return err
	}
	if c.maxRequest < 1 || c.maxFiles < 1 {
		return usageError{"--max-request và --max-files phải lớn hơn 0"}
	}
	log, err := newLogger(e.stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	if c.memLimit < 0 {
		return usageError{"--memory-limit không được âm"}
	}
	if c.cpuProfile != "" {
		stop, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if c.memProfile != "" {
		defer writeAllocProfile(c.memProfile, log)
	}

	sys, err := openSystem(e.ctx, e.getenv, c.data, c.natsURL, c.natsListen, c.replicas, c.maxUpload, log, nopt)
	if err != nil {
		return err
	}
	defer sys.close()
	applyMemoryLimit(e.getenv, c.memLimit, log)
	m, stopMetrics, err := startMetrics(*metricsListen, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	sys.metrics = m

	generated, created, err := sys.stores.Auth.Bootstrap(e.ctx, e.getenv("TINNHIEM_ADMIN_PASSWORD"), sys.now())
	if err != nil {
		return fmt.Errorf("serve: admin account: %w", err)
	}
	if created {
		if generated != "" {
			fmt.Fprintf(e.stderr, "\nĐã tạo tài khoản quản trị: admin / %s\n(mật khẩu chỉ in một lần; hãy lưu lại — hoặc đặt TINNHIEM_ADMIN_PASSWORD trước lần chạy đầu)\n\n", generated)
		}
		log.Info("admin account created", "username", "admin", "password_generated", generated != "")
		if err := sys.stores.Audit.Append(e.ctx, audit.Event{Actor: "system", Action: "user.bootstrap", Target: "admin"}); err != nil {
			log.Error("audit append failed", "action", "user.bootstrap", "err", err)
		}
	}

	packer, err := packetRunner(e.getenv)
	if err != nil {
		return err
	}
	core := app.New(app.Config{Stores: sys.stores, Log: log, Now: sys.now, TokenTTL: c.tokenTTL, SessionTTL: c.sessionTTL,
		Throttle: auth.NewThrottleConfig(auth.DefaultThrottleConfig()), BackupKey: nopt.backupKey, Metrics: m, Packer: packer,
		MaxRequest: c.maxRequest, MaxFiles: c.maxFiles})
	srv := &api.Server{App: core, Log: log, Ready: sys.ready}
	// Both faces share the core (and its login throttle); /api/ and the health checks go to the
	// API, every other path to the pages.
	web, err := ui.New(core, log, 0)
	if err != nil {
		return err
	}
	apiHandler := srv.Handler()
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	mux.Handle("/readyz", apiHandler)
	mux.Handle("/", web.Handler())
	httpSrv, err := hopt.newHTTPServer(traced(log, m, mux), log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return fmt.Errorf("serve: listen %s: %w", c.httpAddr, err)
	}
	// Workers first, so that /readyz answering means the whole system is up; a stop asked for
	// while they start is a shutdown, not a failure.
	running, err := sys.startWorkers(e.ctx, workers)
	if err != nil {
		_ = ln.Close()
		if e.ctx.Err() != nil {
			return nil
		}
		return err
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- httpSrv.serve(ln) }()
	sweepDone := startTokenSweep(e.ctx, core, log)
	defer sweepDone()
	log.Info("tinnhiem ready", "http", httpSrv.scheme()+"://"+ln.Addr().String(), "nats", sys.describe(), "workers", strings.Join(workers, ","))

	select {
	case <-e.ctx.Done():
	case err := <-httpErr:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server failed", "err", err)
		}
	}
	log.Info("shutting down", "grace", c.grace)
	shutCtx, cancel := context.WithTimeout(context.Background(), c.grace)
	defer cancel()
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	running.stop(shutCtx)
	log.Info("stopped")
	return nil
}

func (e *cmdEnv) worker(args []string) error {
	fs := e.flags("worker")
	natsURL := fs.String("nats-url", e.getenv("TINNHIEM_NATS_URL"), "NATS server or cluster (comma-separated) (env TINNHIEM_NATS_URL)")
	replicas := fs.Int("replicas", 1, "JetStream replicas when this worker provisions streams")
	logFormat := fs.String("log-format", envOr(e.getenv, "TINNHIEM_LOG_FORMAT", "text"), "log format: text or json")
	logLevel := fs.String("log-level", envOr(e.getenv, "TINNHIEM_LOG_LEVEL", "info"), "log level")
	grace := fs.Duration("grace", 15*time.Second, "graceful shutdown period")
	metricsListen := e.metricsFlag(fs)
	nopt := e.natsFlags(fs, false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains(workerKinds, pos[0]) {
		return usageError{"cần đúng một loại worker: " + strings.Join(workerKinds, "|")}
	}
	if *natsURL == "" {
		return usageError{"worker cần --nats-url (hoặc TINNHIEM_NATS_URL)"}
	}
	log, err := newLogger(e.stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	sys, err := openSystem(e.ctx, e.getenv, "", *natsURL, "", *replicas, 0, log, nopt)
	if err != nil {
		return err
	}
	defer sys.close()
	m, stopMetrics, err := startMetrics(*metricsListen, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	sys.metrics = m
	running, err := sys.startWorkers(e.ctx, pos)
	if err != nil {
		if e.ctx.Err() != nil {
			return nil
		}
		return err
	}
	log.Info("worker running", "kind", pos[0], "nats", sys.describe())
	<-e.ctx.Done()
	shutCtx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	running.stop(shutCtx)
	return nil
}

func parseWorkers(s string) ([]string, error) {
	switch s {
	case "all", "":
		return slices.Clone(workerKinds), nil
	case "none":
		return nil, nil
	}
	var out []string
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		if !slices.Contains(workerKinds, w) {
			return nil, usageError{fmt.Sprintf("--workers: không có worker %q (all, none, %s)", w, strings.Join(workerKinds, ","))}
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{"--log-level: " + err.Error()}
	}
	opts := &slog.HandlerOptions{Level: lv}
	// Lines logged with a request's context carry its id (internal/requestid).
	switch format {
	case "text":
		return slog.New(requestid.LogHandler(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(requestid.LogHandler(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, usageError{"--log-format phải là text hoặc json"}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// system is one process's connection to NATS and the stores built on it.
type system struct {
	log      *slog.Logger
	embedded *bus.Embedded
	nc       *nats.Conn
	js       jetstream.JetStream
	stores   *store.Stores
	dataDir  string
	getenv   func(string) string
	now      func() time.Time
	metrics  *metrics.Metrics // nil without --metrics-listen
}

// openSystem starts the embedded server (when natsURL is empty), connects, and provisions.
func openSystem(ctx context.Context, getenv func(string) string, dataDir, natsURL, natsListen string, replicas int, maxUpload int64, log *slog.Logger, nopt *natsOptions) (*system, error) {
	s := &system{log: log, getenv: getenv, now: time.Now}
	var err error
	if natsURL == "" {
		var abs string
		abs, err = filepath.Abs(dataDir)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(abs, 0o750); err != nil {
			return nil, fmt.Errorf("serve: data directory: %w", err)
		}
		s.dataDir = abs
		var cfg bus.EmbeddedConfig
		if cfg, err = nopt.embeddedConfig(abs, natsListen, log); err != nil {
			return nil, err
		}
		if s.embedded, err = bus.StartEmbedded(cfg); err != nil {
			return nil, err
		}
		s.nc, err = s.embedded.Connect("tinnhiem")
	} else {
		s.nc, err = bus.DialAuth(natsURL, "tinnhiem", log, nopt.clientAuth())
	}
	if err != nil {
		s.close()
		return nil, err
	}
	s.js, err = jetstream.New(s.nc)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	role, err := nopt.role()
	if err != nil {
		s.close()
		return nil, err
	}
	if err := bus.ProvisionAs(pctx, s.js, replicas, role); err != nil {
		s.close()
		return nil, err
	}
	// TINNHIEM_BCRYPT_COST lets test suites use a cheaper hash; production keeps the default.
	s.stores, err = store.Open(pctx, s.js, store.Options{MaxUpload: maxUpload, Now: s.now,
		BcryptCost: int(envInt64(getenv, "TINNHIEM_BCRYPT_COST", 0))})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *system) describe() string {
	if s.embedded == nil {
		return s.nc.ConnectedUrlRedacted()
	}
	if u := s.embedded.ClientURL(); u != "" {
		return "embedded " + u + " (" + s.dataDir + ")"
	}
	return "embedded in-process (" + s.dataDir + ")"
}

// close drains the connection, then stops the embedded server: reverse order of start.
func (s *system) close() {
	if s.nc != nil {
		_ = s.nc.Drain()
		for i := 0; i < 50 && !s.nc.IsClosed(); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		s.nc.Close()
	}
	if s.embedded != nil {
		s.embedded.Shutdown()
	}
}

// workerSet is the running workers of this process.
type workerSet struct {
	stops []func(context.Context)
}

func (w *workerSet) stop(ctx context.Context) {
	for i := len(w.stops) - 1; i >= 0; i-- {
		w.stops[i](ctx)
	}
}

// startWorkers starts the named kinds of worker. Each kind's wiring lives in worker_<kind>.go and
// returns the function that stops it (drains its consumer) within the grace period.
func (s *system) startWorkers(ctx context.Context, kinds []string) (*workerSet, error) {
	ws := &workerSet{}
	for _, k := range kinds {
		var stop func(context.Context)
		var err error
		switch k {
		case "ingest":
			stop, err = s.startIngest(ctx)
		case "dossier":
			stop, err = s.startDossier(ctx)
		case "minutes":
			stop, err = s.startMinutes(ctx)
		case "publish":
			stop, err = s.startPublish(ctx)
		default:
			s.log.Warn("worker kind not available in this build", "kind", k)
			continue
		}
		if err != nil {
			ws.stop(ctx)
			return nil, fmt.Errorf("start %s worker: %w", k, err)
		}
		ws.stops = append(ws.stops, stop)
	}
	stopPoll := s.pollConsumers(kinds)
	ws.stops = append(ws.stops, func(context.Context) { stopPoll() })
	return ws, nil
}

func envInt64(getenv func(string) string, key string, def int64) int64 {
	if v, err := strconv.ParseInt(getenv(key), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}
