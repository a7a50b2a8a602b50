package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// ErrTooSlow is what reading a request body answers once the client has sent it more slowly
// than the least rate allowed.
var ErrTooSlow = errors.New("máy khách gửi dữ liệu quá chậm; kết nối bị ngắt")

// MinRate holds a client to a least average data rate, after a grace period, on the body it
// sends and on the answer it reads, so that a slow client cannot hold a connection — and what
// the server keeps for it — indefinitely, while a large upload over a slow line still gets the
// time its size needs. For a body, the clock runs only while the server waits on the client:
// the time a handler spends on its own work between two reads (a store slowing an upload down)
// is not counted against it. An answer must be taken at the rate, each write within Grace and
// the time its size needs.
//
// The server's own ReadTimeout and WriteTimeout must stay zero: a flat limit would cut off a
// large upload however fast it goes.
func MinRate(next http.Handler, c RateConfig) http.Handler {
	c = c.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &rateReader{body: r.Body, rc: rc, cfg: c}
		}
		_ = rc.SetWriteDeadline(time.Now().Add(c.Grace))
		next.ServeHTTP(&rateWriter{ResponseWriter: w, rc: rc, cfg: c}, r)
		// What the handler left buffered goes out after it returns: within the grace too.
		_ = rc.SetWriteDeadline(time.Now().Add(c.Grace))
	})
}

// forBytes is the time n bytes may take at the least rate.
func (c RateConfig) forBytes(n int64) time.Duration {
	return time.Duration(float64(n) / float64(c.BytesPerSecond) * float64(time.Second))
}

type rateReader struct {
	body   io.ReadCloser
	rc     *http.ResponseController
	cfg    RateConfig
	n      int64         // bytes read
	waited time.Duration // time spent waiting on the client in Read
	done   bool
}

func (b *rateReader) Read(p []byte) (int, error) {
	if b.done {
		return b.body.Read(p)
	}
	allowed := b.cfg.Grace + b.cfg.forBytes(b.n) - b.waited
	if allowed <= 0 {
		return 0, ErrTooSlow
	}
	start := time.Now()
	_ = b.rc.SetReadDeadline(start.Add(allowed))
	n, err := b.body.Read(p)
	b.waited += time.Since(start)
	b.n += int64(n)
	if errors.Is(err, io.EOF) {
		// Read whole: no deadline may stay, or the server's watch for the client going away
		// would take its expiry for that and cancel the request while the handler works.
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, ErrTooSlow
	}
	return n, err
}

func (b *rateReader) Close() error { return b.body.Close() }

type rateWriter struct {
	http.ResponseWriter
	rc  *http.ResponseController
	cfg RateConfig
}

func (w *rateWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.cfg.Grace + w.cfg.forBytes(int64(len(p)))))
	return w.ResponseWriter.Write(p)
}

// FlushError sends what is buffered, within the grace.
func (w *rateWriter) FlushError() error {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.cfg.Grace))
	return w.rc.Flush()
}

// Flush is FlushError for the handlers (and wrappers) that look for an http.Flusher.
func (w *rateWriter) Flush() { _ = w.FlushError() }

// Unwrap lets http.ResponseController reach the server's writer (deadlines, hijacking).
func (w *rateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
