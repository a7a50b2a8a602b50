package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/api"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/packetbox"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
	"tinnhiem/minutes"
)

// TestMain lets the test binary stand in for `tinnhiem extract`, the sandboxed child process
// the ingest workers run (they exec Sandbox.Exe = this binary).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "extract" {
		if err := sandbox.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if len(os.Args) > 1 && os.Args[1] == packetbox.Subcommand {
		if err := packetbox.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Rounds of the test system (testdata/).
const (
	roundBinhSon = "binh-son-btv-2028" // party track, Tỉnh ủy Bình Sơn
	roundTanLap  = "tan-lap-hdnd-2028" // state track, another organization
	orgBinhSon   = "Tỉnh ủy Bình Sơn"
	orgTanLap    = "Hội đồng nhân dân huyện Tân Lập"
	testPassword = "mat-khau-thu-nghiem"
)

// testSystem is the API and the pages over a real in-process nats-server with JetStream.
type testSystem struct {
	t        testing.TB
	ctx      context.Context
	js       jetstream.JetStream
	st       testStores
	ui       *Server
	dossiers *store.Dossiers
	srv      *httptest.Server
}

// testStores are the stores the tests read and write beside the pages.
type testStores struct {
	*store.Stores
	Docs    *store.Documents
	Tallies testTallies
	Log     *slog.Logger
}

// testTallies enters and seals tallies at the time of the call.
type testTallies struct{ *store.Tallies }

func (t testTallies) Import(ctx context.Context, rd dossier.Round, e minutes.Entry) (minutes.Result, error) {
	return t.Enter(ctx, rd, e, time.Now())
}

func (t testTallies) Seal(ctx context.Context, rd dossier.Round, by string) (minutes.Sealed, error) {
	return t.Tallies.Seal(ctx, rd, by, time.Now())
}

type systemOptions struct {
	workers bool // run the ingest workers (sandboxed extraction) and the dossier projector
	minutes bool // run the minutes worker, which renders the PDFs of a sealed tally
	tls     bool
}

func newTestSystem(t testing.TB, opt systemOptions) *testSystem {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ns, err := server.NewServer(&server.Options{JetStream: true, StoreDir: t.TempDir(), Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(20 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Provision(ctx, js, 1); err != nil {
		t.Fatalf("provision: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	st, err := store.Open(ctx, js, store.Options{MaxUpload: 5 << 20, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	core := app.New(app.Config{Stores: st, Log: log, TokenTTL: time.Hour, Throttle: auth.NewThrottle(5, time.Second, 5*time.Minute),
		Packer: packetbox.New(os.Args[0], nil, 512<<20, time.Minute, 2*time.Minute, 64<<20, 1)})
	a := &api.Server{App: core, Log: log, Ready: func(ctx context.Context) error { return bus.Ready(ctx, js) }}
	ts := &testSystem{t: t, ctx: ctx, js: js, st: testStores{Stores: st, Docs: st.Documents, Tallies: testTallies{st.Tallies}, Log: log}, dossiers: st.Dossiers}
	ts.ui, err = New(core, log, 0)
	if err != nil {
		t.Fatalf("ui.New: %v", err)
	}
	// The same routing as `tinnhiem serve`.
	apiHandler := a.Handler()
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	mux.Handle("/readyz", apiHandler)
	mux.Handle("/", ts.ui.Handler())
	if opt.tls {
		ts.srv = httptest.NewTLSServer(mux)
	} else {
		ts.srv = httptest.NewServer(mux)
	}
	t.Cleanup(ts.srv.Close)

	now := time.Now()
	for _, u := range []auth.NewUser{
		{Username: "admin", Password: testPassword, Roles: []string{auth.RoleAdmin}},
		{Username: "tochuc", Password: testPassword, Roles: []string{auth.RoleOrganizer}, Organizations: []string{orgBinhSon}},
		{Username: "kiemphieu", Password: testPassword, Roles: []string{auth.RoleCounter}, Organizations: []string{orgBinhSon}},
		{Username: "xem", Password: testPassword, Roles: []string{auth.RoleViewer}, Organizations: []string{orgBinhSon}},
		{Username: "tanlap", Password: testPassword, Roles: []string{auth.RoleOrganizer}, Organizations: []string{orgTanLap}},
	} {
		if _, err := st.Auth.AddUser(ctx, u, now); err != nil {
			t.Fatalf("add user %s: %v", u.Username, err)
		}
	}
	for _, f := range []string{"testdata/round-binh-son.yaml", "testdata/round-tan-lap.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := dossier.ParseRound(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, _, err := st.Rounds.Save(ctx, rd, "admin", now); err != nil {
			t.Fatalf("save %s: %v", f, err)
		}
	}
	if opt.workers {
		ts.startWorkers(log)
	}
	if opt.minutes {
		ts.startMinutes(log)
	}
	return ts
}

// startMinutes runs the minutes worker as `tinnhiem worker minutes` does.
func (ts *testSystem) startMinutes(log *slog.Logger) {
	t := ts.t
	w := &worker.Minutes{JS: ts.js, Tallies: ts.st.Tallies.Tallies, Rounds: ts.st.Rounds, Artifacts: ts.st.Artifacts,
		Audit: ts.st.Audit, Dossiers: ts.st.Dossiers, Log: log, Concurrency: 1}
	stop, err := w.Start(ts.ctx)
	if err != nil {
		t.Fatalf("minutes worker: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stop(ctx)
	})
}

// extractor is the sandbox the ingest worker reads with: children of this test binary.
func (ts *testSystem) extractor() *sandbox.Extractor {
	ex := sandbox.New(sandbox.Config{Exe: os.Args[0], TempDir: ts.t.TempDir(),
		Text: sandbox.Profile{Timeout: 60 * time.Second, CPU: 30 * time.Second}})
	ts.t.Cleanup(func() { ex.Close() })
	return ex
}

func (ts *testSystem) startWorkers(log *slog.Logger) {
	t := ts.t
	w := &worker.Ingest{
		JS: ts.js, Originals: store.NewObjectReader(ts.js, bus.ObjectUploads), Renderings: ts.st.Uploads.Renderings, Docs: ts.st.Docs, Rounds: ts.st.Rounds, Audit: ts.st.Audit,
		Sandbox: ts.extractor(),
		Log:     log, Concurrency: 2,
	}
	stopIngest, err := w.Start(ts.ctx)
	if err != nil {
		t.Fatalf("ingest worker: %v", err)
	}
	stopProjector, err := worker.NewProjector(ts.js, ts.dossiers, worker.ProjectorConfig{Log: log, Audit: ts.st.Audit}).Start(ts.ctx)
	if err != nil {
		t.Fatalf("dossier projector: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopIngest(ctx)
		stopProjector(ctx)
	})
}

// browser is an HTTP client with a cookie jar that does not follow redirects, so tests see
// them, and that sends the Origin a browser sends with its POSTs.
type browser struct {
	ts     *testSystem
	client *http.Client
	origin string
}

func (ts *testSystem) browser() *browser {
	jar, _ := cookiejar.New(nil)
	// A copy: the test server's client is shared, and each browser has its own cookies.
	c := *ts.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{ts: ts, client: &c, origin: ts.srv.URL}
}

// login logs in through the form and fails the test unless it worked.
func (ts *testSystem) login(username string) *browser {
	ts.t.Helper()
	b := ts.browser()
	res := b.postForm("/login", url.Values{"username": {username}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		ts.t.Fatalf("login %s: status %d: %s", username, res.StatusCode, res.Body)
	}
	return b
}

type response struct {
	StatusCode int
	Header     http.Header
	Body       string
	Cookies    []*http.Cookie
}

func (b *browser) do(req *http.Request) response {
	b.ts.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.ts.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.ts.t.Fatalf("%s %s: read: %v", req.Method, req.URL, err)
	}
	return response{StatusCode: res.StatusCode, Header: res.Header, Body: string(body), Cookies: res.Cookies()}
}

func (b *browser) get(path string) response {
	b.ts.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.ts.srv.URL+path, nil)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path, contentType string, body io.Reader, header http.Header) response {
	b.ts.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.ts.srv.URL+path, body)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return b.do(req)
}

func (b *browser) postForm(path string, form url.Values) response {
	b.ts.t.Helper()
	return b.post(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
}

// mustContain fails the test for every piece missing from the body.
func mustContain(t *testing.T, what, body string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(body, p) {
			t.Errorf("%s: missing %q", what, p)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if strings.Contains(body, p) {
			t.Errorf("%s: must not contain %q", what, p)
		}
	}
}

// putDocument stores a document record with a verdict and publishes its event, as the ingest
// workers do, so that pages can be tested without extracting real files.
func (ts *testSystem) putDocument(d dossier.Document) dossier.Document {
	ts.t.Helper()
	if d.ID == "" {
		d.ID = ingest.NewID(d.ReceivedAt)
	}
	if d.Revision == 0 {
		d.Revision = 1
	}
	if d.Warnings == nil {
		d.Warnings = []string{}
	}
	if err := ts.st.Docs.Create(ts.ctx, d); err != nil {
		ts.t.Fatalf("create document: %v", err)
	}
	if d.Final() {
		if err := store.PublishVerdict(ts.ctx, ts.js, d, dossier.EventVerdict); err != nil {
			ts.t.Fatalf("publish document: %v", err)
		}
	}
	return d
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
