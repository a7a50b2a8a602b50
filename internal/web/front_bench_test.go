package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkFront is what the front costs a request with a small body over a real kept-alive
// connection: finding the client through a trusted proxy, HSTS, and the least-rate deadlines
// set on the connection for the body and the answer.
func BenchmarkFront(b *testing.B) {
	proxies, _ := ParseProxies("127.0.0.1")
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", inner}, {"front", Front(inner, FrontConfig{Proxies: proxies, HSTS: true})}} {
		b.Run(c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			client := srv.Client()
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/tokens", strings.NewReader(`{"username":"a","password":"b"}`))
				req.Header.Set("X-Forwarded-For", "198.51.100.7")
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
}
