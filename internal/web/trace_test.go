package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/internal/requestid"
	"tinnhiem/internal/web"
)

type observation struct {
	route  string
	status int
}

// Trace takes a well-formed id from the client and makes one otherwise, returns it, hands it to
// the handler's context and to the log line; the route it reports is the pattern of the
// innermost ServeMux that matched — never the raw path —, across nested muxes as serve mounts
// them.
func TestTrace(t *testing.T) {
	inner := http.NewServeMux()
	var seen sync.Map // path → request id the handler saw
	inner.HandleFunc("POST /api/v1/rounds/{round}/documents", func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.Path, requestid.From(r.Context()))
		w.WriteHeader(http.StatusAccepted)
	})
	inner.HandleFunc("GET /api/v1/backup", func(w http.ResponseWriter, r *http.Request) {
		// The streamed backup flushes through a ResponseController: it must reach the connection.
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush through Trace: %v", err)
		}
		_, _ = io.WriteString(w, "part")
	})
	inner.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	outer := http.NewServeMux()
	outer.Handle("/api/", inner)
	outer.Handle("/healthz", inner)
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/login", http.StatusSeeOther) })

	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(requestid.LogHandler(slog.NewJSONHandler(lockedWriter{&logs, &logMu}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	var mu sync.Mutex
	var obs []observation
	srv := httptest.NewServer(web.Trace(log, func(route string, status int, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		obs = append(obs, observation{route, status})
	}, outer))
	defer srv.Close()

	do := func(method, path, id string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	res := do("POST", "/api/v1/rounds/r-1/documents", "client-id-1")
	if res.StatusCode != 202 || res.Header.Get("X-Request-Id") != "client-id-1" {
		t.Errorf("well-formed id: %d, answered id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
	}
	if v, _ := seen.Load("/api/v1/rounds/r-1/documents"); v != "client-id-1" {
		t.Errorf("handler context carried %v", v)
	}
	res = do("POST", "/api/v1/rounds/r-2/documents", "forged id <x>")
	made := res.Header.Get("X-Request-Id")
	if !requestid.Valid(made) || made == "forged id <x>" {
		t.Errorf("malformed id answered as %q", made)
	}
	if v, _ := seen.Load("/api/v1/rounds/r-2/documents"); v != made {
		t.Errorf("handler saw %v, answer says %q", v, made)
	}
	if res := do("GET", "/api/v1/backup", ""); !requestid.Valid(res.Header.Get("X-Request-Id")) {
		t.Errorf("no id made for a request without one: %q", res.Header.Get("X-Request-Id"))
	}
	do("GET", "/healthz", "")
	do("GET", "/rounds/some/raw/path", "")
	do("DELETE", "/api/v1/rounds/r-3/documents", "") // method not allowed: no pattern

	mu.Lock()
	want := []observation{
		{"POST /api/v1/rounds/{round}/documents", 202},
		{"POST /api/v1/rounds/{round}/documents", 202},
		{"GET /api/v1/backup", 200},
		{"GET /healthz", 200},
		{"/", 303},
		{web.RouteUnmatched, 405},
	}
	if len(obs) != len(want) {
		t.Fatalf("observed %v, want %v", obs, want)
	}
	for i := range want {
		if obs[i] != want[i] {
			t.Errorf("request %d observed as %v, want %v", i, obs[i], want[i])
		}
	}
	mu.Unlock()

	// One line per request at info level (the health check at debug), each with its id.
	logMu.Lock()
	defer logMu.Unlock()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d log lines, want 5 (the health check is quiet):\n%s", len(lines), logs.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["request_id"] != "client-id-1" || first["route"] != "POST /api/v1/rounds/{round}/documents" ||
		first["path"] != "/api/v1/rounds/r-1/documents" || first["status"] != float64(202) || first["msg"] != "http request" {
		t.Errorf("log line: %s", lines[0])
	}
	if strings.Contains(logs.String(), "forged") {
		t.Error("a malformed client id reached the log")
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
