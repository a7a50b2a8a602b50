package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"tinnhiem/internal/metrics"
	"tinnhiem/internal/requestid"
	"tinnhiem/internal/web"
)

// What every request pays for its id, its log line (JSON, as in production) and its metrics:
// go test -run XXX -bench Trace -benchmem ./internal/web/
func BenchmarkTrace(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/documents/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	bare := http.Handler(mux)
	log := slog.New(requestid.LogHandler(slog.NewJSONHandler(io.Discard, nil)))
	traced := web.Trace(log, metrics.New().HTTPRequest, mux)
	for name, h := range map[string]http.Handler{"bare": bare, "traced": traced} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/documents/d01a250730dfe71f48e1d1e17e369", nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
