package requestid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"tinnhiem/internal/requestid"
)

func TestValid(t *testing.T) {
	for id, want := range map[string]bool{
		"":                                      false,
		"a":                                     true,
		"0b9c2d7e-5f1a-4c3b-9e8d-7a6b5c4d3e2f":  true,
		"abc.DEF_123:x-y":                       true,
		strings.Repeat("a", requestid.MaxLen):   true,
		strings.Repeat("a", requestid.MaxLen+1): false,
		"with space":                            false,
		"line\nbreak":                           false,
		"quote\"":                               false,
		"tiếng-việt":                            false,
		"a=b":                                   false,
	} {
		if got := requestid.Valid(id); got != want {
			t.Errorf("Valid(%q) = %v, want %v", id, got, want)
		}
	}
	a, b := requestid.New(), requestid.New()
	if !requestid.Valid(a) || a == b || len(a) != 32 {
		t.Errorf("New made %q and %q", a, b)
	}
}

// An id goes from a context into a NATS header (and an HTTP header), and from a received header
// into a context; a malformed one is carried nowhere.
func TestContextAndHeaders(t *testing.T) {
	ctx := context.Background()
	if requestid.From(ctx) != "" {
		t.Fatal("an empty context carries an id")
	}
	if requestid.From(requestid.With(ctx, "bad id\n")) != "" {
		t.Fatal("a malformed id was carried")
	}
	ctx = requestid.With(ctx, "req-1")
	nh := nats.Header{}
	requestid.Stamp(ctx, nh)
	if nh.Get(requestid.Header) != "req-1" {
		t.Fatalf("NATS header %v", nh)
	}
	hh := http.Header{}
	requestid.Stamp(ctx, hh)
	if hh.Get("x-request-id") != "req-1" {
		t.Fatalf("HTTP header %v", hh)
	}
	empty := nats.Header{}
	requestid.Stamp(context.Background(), empty)
	if len(empty) != 0 {
		t.Fatalf("a context without id stamped %v", empty)
	}
	back := requestid.FromHeader(context.Background(), nh)
	if requestid.From(back) != "req-1" {
		t.Fatalf("from header: %q", requestid.From(back))
	}
	forged := nats.Header{requestid.Header: []string{"x\ny"}}
	if requestid.From(requestid.FromHeader(context.Background(), forged)) != "" {
		t.Fatal("a malformed header id was taken")
	}
	if requestid.From(requestid.FromHeader(context.Background(), nil)) != "" {
		t.Fatal("no header, yet an id")
	}
}

// Lines logged with a context that carries an id get request_id; others do not; attributes
// and groups of derived loggers keep working.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(requestid.LogHandler(slog.NewJSONHandler(&buf, nil))).With("worker", "ingest")
	ctx := requestid.With(context.Background(), "req-7")
	log.InfoContext(ctx, "with")
	log.Info("without")
	log.WithGroup("g").InfoContext(ctx, "grouped", "k", "v")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first["request_id"] != "req-7" || first["worker"] != "ingest" {
		t.Errorf("line with context: %s", lines[0])
	}
	if _, ok := second["request_id"]; ok {
		t.Errorf("line without context: %s", lines[1])
	}
	if !strings.Contains(lines[2], `"req-7"`) || !strings.Contains(lines[2], `"k":"v"`) {
		t.Errorf("grouped line: %s", lines[2])
	}
	h := requestid.LogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(ctx, slog.LevelInfo) || !h.Enabled(ctx, slog.LevelWarn) {
		t.Error("the level of the wrapped handler is not kept")
	}
}
