package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tinnhiem/internal/requestid"
)

// RouteUnmatched is the route of a request no pattern matched (a redirect the mux made itself,
// a method not allowed): one label, whatever the path.
const RouteUnmatched = "unmatched"

// Trace is the outermost handler of the public listener. It gives every request an id — the
// client's X-Request-Id when well-formed, else a new one —, returns it in the answer, puts it in
// the request's context (whence it reaches the NATS messages the request publishes and every
// log line written with that context), logs one line per request when it ends, and hands the
// route, status and duration to observe (metrics; may be nil).
//
// The route is the ServeMux pattern that matched ("POST /api/v1/rounds/{round}/documents"),
// never the raw path, so that its number of values is bounded.
func Trace(log *slog.Logger, observe func(route string, status int, took time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestid.Header)
		if !requestid.Valid(id) {
			id = requestid.New()
		}
		w.Header().Set(requestid.Header, id)
		ctx := requestid.With(r.Context(), id)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		// Every ServeMux on the way writes the pattern it matched into this same request, so
		// after the call it holds the innermost one.
		route := r.Pattern
		if route == "" {
			route = RouteUnmatched
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		took := time.Since(start)
		if observe != nil {
			observe(route, status, took)
		}
		level := slog.LevelInfo
		if quietRoute(route) && status < 400 {
			level = slog.LevelDebug
		}
		log.LogAttrs(ctx, level, "http request", slog.String("method", r.Method), slog.String("route", route),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Int64("bytes", rec.bytes),
			slog.Duration("took", took.Round(time.Microsecond)), slog.String("remote", ClientAddr(r)))
	})
}

// quietRoute: health checks and static files are asked for all day long; they are logged at
// debug level unless they fail.
func quietRoute(route string) bool {
	return route == "GET /healthz" || route == "GET /readyz" || strings.HasPrefix(route, "GET /static/")
}

// statusRecorder notes the status and size of an answer. Unwrap lets http.ResponseController
// reach the connection's Flush and deadlines (the streamed backup needs them).
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
