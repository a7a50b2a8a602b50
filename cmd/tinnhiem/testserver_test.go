package main

// Helpers that start the whole tinnhiem server in the test process, through run() — the same
// entry point as the binary — and talk to it through the CLI and the HTTP API. Any test of
// this package can use them:
//
//	ts := startServer(t, t.TempDir())          // embedded NATS + HTTP + workers, admin bootstrapped
//	out, err := ts.cli(t, "round", "import", f) // a client command as admin
//	tok := ts.token(t, "lan", "mật khẩu …")      // a bearer token
//	res := ts.api(t, "GET", "/api/v1/rounds", tok, nil)
//	ts.Stop()                                    // cancel and wait; run must return nil
//
// A server is stopped automatically when its test ends.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testAdminPassword is what startServer puts in TINNHIEM_ADMIN_PASSWORD.
const testAdminPassword = "Quản trị thử nghiệm 2028"

// testServer is a running `tinnhiem serve`.
type testServer struct {
	t             testing.TB
	URL           string            // base URL of the HTTP server, e.g. http://127.0.0.1:41234
	DataDir       string            // --data
	AdminPassword string            // "" when the server generated one (see Log)
	Env           map[string]string // the server's environment

	home   string // HOME and XDG_CONFIG_HOME of client commands, where `login` saves tokens
	log    *lockedBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	http   *http.Client

	mu     sync.Mutex
	tokens map[string]string // user + "\x00" + password → token, so each account logs in once
}

// lockedBuffer collects output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs `tinnhiem serve --data dataDir --http 127.0.0.1:<free port> extraArgs…` with
// TINNHIEM_ADMIN_PASSWORD set to testAdminPassword, and returns once /readyz answers 200.
// Later flags in extraArgs override earlier ones (e.g. "--workers", "none").
func startServer(t testing.TB, dataDir string, extraArgs ...string) *testServer {
	t.Helper()
	return startServerEnv(t, dataDir, map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword}, extraArgs...)
}

// startServerEnv is startServer with the server's whole environment given (nothing is read
// from the real one). Without TINNHIEM_ADMIN_PASSWORD a first start prints a generated one.
func startServerEnv(t testing.TB, dataDir string, env map[string]string, extraArgs ...string) *testServer {
	t.Helper()
	return startServerClient(t, dataDir, env, "http", &http.Client{Timeout: 60 * time.Second}, extraArgs...)
}

// startServerClient is startServerEnv with the URL scheme ("https" with --tls-cert) and the
// HTTP client the helpers use to talk to it.
func startServerClient(t testing.TB, dataDir string, env map[string]string, scheme string, client *http.Client, extraArgs ...string) *testServer {
	t.Helper()
	ts := &testServer{
		t: t, DataDir: dataDir, AdminPassword: env["TINNHIEM_ADMIN_PASSWORD"], Env: env,
		home: t.TempDir(), http: client, tokens: map[string]string{},
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "TINNHIEM_BCRYPT_COST" {
			return "4" // bcrypt's minimum: logins are the slowest part of these tests otherwise
		}
		return ""
	}
	// The free port may be taken between our probe and the server's listen: try again then.
	for attempt := 0; ; attempt++ {
		addr := freeAddr(t)
		ts.URL = scheme + "://" + addr
		ts.log = &lockedBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		ts.cancel, ts.done = cancel, make(chan error, 1)
		// The test process holds many servers: no soft memory limit of one server over all of them.
		args := append([]string{"serve", "--data", dataDir, "--http", addr, "--grace", "10s", "--memory-limit", "0"}, extraArgs...)
		go func(done chan<- error) {
			done <- run(ctx, args, getenv, strings.NewReader(""), io.Discard, ts.log)
		}(ts.done)
		err := ts.waitReady(3 * time.Minute) // a loaded CI machine provisioning replicated streams can be slow
		if err == nil {
			break
		}
		cancel()
		if strings.Contains(err.Error(), "address already in use") && attempt < 3 {
			continue
		}
		t.Fatalf("tinnhiem serve did not become ready: %v\n--- server log ---\n%s", err, ts.log.String())
	}
	t.Cleanup(func() {
		ts.Stop()
		if t.Failed() {
			t.Logf("--- server log (%s) ---\n%s", ts.URL, ts.log.String())
		}
	})
	return ts
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz; it fails early when run returns.
func (ts *testServer) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-ts.done:
			ts.done <- err // keep it for Stop
			return fmt.Errorf("run returned before ready: %v", err)
		default:
		}
		resp, err := ts.http.Get(ts.URL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from /readyz within %v", timeout)
}

// Stop cancels the server's context and waits for run to return, which must be with nil.
// It is safe to call more than once; the test's cleanup calls it too.
func (ts *testServer) Stop() {
	ts.once.Do(func() {
		ts.cancel()
		select {
		case err := <-ts.done:
			if err != nil {
				ts.t.Errorf("tinnhiem serve returned %v", err)
			}
		case <-time.After(60 * time.Second):
			ts.t.Errorf("tinnhiem serve did not stop within 60s of its context being cancelled")
		}
	})
}

// Log is what the server has written to stderr so far (slog lines, the generated password).
func (ts *testServer) Log() string { return ts.log.String() }

// cliOpts say who a client command runs as. The zero value is the admin.
type cliOpts struct {
	User, Password string            // log in with --user / TINNHIEM_PASSWORD
	Token          string            // or use this token (TINNHIEM_TOKEN)
	Anonymous      bool              // or give no credentials at all (a saved login may apply)
	Env            map[string]string // more environment for the command
	Stdin          string
}

// cli runs a client command (e.g. "round", "show", "--json", id) as the admin and returns its
// standard output and error. The admin's token is fetched once per server and reused.
func (ts *testServer) cli(t testing.TB, args ...string) (string, error) {
	t.Helper()
	out, _, err := ts.cliWith(t, cliOpts{}, args...)
	return out, err
}

// cliAs runs a client command logging in as another user (--user with TINNHIEM_PASSWORD).
func (ts *testServer) cliAs(t testing.TB, user, password string, args ...string) (string, error) {
	t.Helper()
	out, _, err := ts.cliWith(t, cliOpts{User: user, Password: password}, args...)
	return out, err
}

// cliWith runs a client command with the given identity and environment against this server.
func (ts *testServer) cliWith(t testing.TB, o cliOpts, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	env := map[string]string{"TINNHIEM_SERVER": ts.URL, "HOME": ts.home, "XDG_CONFIG_HOME": ts.home}
	switch {
	case o.Anonymous:
	case o.Token != "":
		env["TINNHIEM_TOKEN"] = o.Token
	case o.User != "":
		env["TINNHIEM_USER"], env["TINNHIEM_PASSWORD"] = o.User, o.Password
	default:
		env["TINNHIEM_TOKEN"] = ts.token(t, "admin", ts.adminPassword(t))
	}
	for k, v := range o.Env {
		env[k] = v
	}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(o.Stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func (ts *testServer) adminPassword(t testing.TB) string {
	t.Helper()
	if ts.AdminPassword == "" {
		t.Fatal("this server's admin password was generated; set ts.AdminPassword from its log first")
	}
	return ts.AdminPassword
}

// token returns a bearer token for the account, logging in on first use only.
func (ts *testServer) token(t testing.TB, user, password string) string {
	t.Helper()
	key := user + "\x00" + password
	ts.mu.Lock()
	tok, ok := ts.tokens[key]
	ts.mu.Unlock()
	if ok {
		return tok
	}
	tok = ts.newToken(t, user, password)
	ts.mu.Lock()
	ts.tokens[key] = tok
	ts.mu.Unlock()
	return tok
}

// newToken logs in (POST /api/v1/tokens) and returns a fresh token; the test fails otherwise.
func (ts *testServer) newToken(t testing.TB, user, password string) string {
	t.Helper()
	res := ts.api(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"username": user, "password": password})
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: HTTP %d %s", user, res.Status, res.Body)
	}
	var out struct {
		Token string `json:"token"`
	}
	res.decode(t, &out)
	if out.Token == "" {
		t.Fatalf("login %s: no token in %s", user, res.Body)
	}
	return out.Token
}

// apiResponse is an answer of the HTTP API.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode reads the JSON body into v.
func (r apiResponse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("HTTP %d body is not the JSON expected (%v): %s", r.Status, err, r.Body)
	}
}

// apiError is the error body every failing API call answers with.
type apiError struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Problems []struct {
			Path    string `json:"path"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"error"`
}

// api sends a request with an optional bearer token. A body of []byte or string is sent as is
// (a round file); anything else non-nil is sent as JSON.
func (ts *testServer) api(t testing.TB, method, path, token string, body any) apiResponse {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// addUser creates an account through the API as the admin.
func (ts *testServer) addUser(t testing.TB, username, password string, roles []string, orgs ...string) {
	t.Helper()
	res := ts.api(t, http.MethodPost, "/api/v1/users", ts.token(t, "admin", ts.adminPassword(t)),
		map[string]any{"username": username, "password": password, "roles": roles, "organizations": orgs})
	if res.Status != http.StatusCreated {
		t.Fatalf("add user %s: HTTP %d %s", username, res.Status, res.Body)
	}
}
