package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A 503 with Retry-After (the server kept nothing: it is failing over, or full) is sent again
// after the time it asks, within RetryFor; any other failure, and a streamed body, are not.
func TestRetryAfter(t *testing.T) {
	var calls atomic.Int32
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(body))
		switch r.URL.Path {
		case "/busy-once":
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"bận"}}`))
				return
			}
			_, _ = w.Write([]byte(`{"ok":true}`))
		case "/busy":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"bận"}}`))
		default:
			w.WriteHeader(http.StatusServiceUnavailable) // no Retry-After: not to be sent again
			_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"hỏng"}}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c := New(srv.URL, "tok")

	var out struct{ OK bool }
	start := time.Now()
	if err := c.Do(ctx, http.MethodPost, "/busy-once", map[string]string{"a": "b"}, &out); err != nil || !out.OK {
		t.Fatalf("sent again: %v %+v", err, out)
	}
	if calls.Load() != 2 || bodies[0] != bodies[1] || bodies[1] == "" || time.Since(start) < time.Second {
		t.Errorf("%d calls, bodies %q, after %s", calls.Load(), bodies, time.Since(start))
	}

	calls.Store(0)
	c.RetryFor = 1500 * time.Millisecond
	err := c.Do(ctx, http.MethodGet, "/busy", nil, nil)
	if wait, ok := Retryable(err); !ok || wait != time.Second || calls.Load() != 2 {
		t.Errorf("always busy: %v after %d calls", err, calls.Load())
	}

	calls.Store(0)
	if err := c.Do(ctx, http.MethodGet, "/broken", nil, nil); err == nil || calls.Load() != 1 {
		t.Errorf("503 without Retry-After: %v after %d calls", err, calls.Load())
	}
	calls.Store(0)
	if err := c.Do(ctx, http.MethodPost, "/busy", strings.NewReader("streamed"), nil); err == nil || calls.Load() != 1 {
		t.Errorf("a streamed body was sent %d times: %v", calls.Load(), err)
	}
}
