package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rateServer runs h behind MinRate on a real listener.
func rateServer(t *testing.T, c RateConfig, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(MinRate(h, c))
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// A client that sends its body more slowly than the rate is cut off soon after the grace.
func TestMinRateCutsOffASlowBody(t *testing.T) {
	got := make(chan error, 1)
	srv := rateServer(t, RateConfig{BytesPerSecond: 1000, Grace: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		got <- err
	})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	start := time.Now()
	go func() {
		for range 200 {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond) // 10 bytes/s
		}
	}()
	select {
	case err := <-got:
		if !errors.Is(err, ErrTooSlow) {
			t.Errorf("slow body: %v, want ErrTooSlow", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("cut off after %v", took)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("a body sent at 10 bytes/s was still being read after 15 s")
	}
}

// A client at a good rate is never cut off, however long its body takes, and the handler's
// own slowness between reads (a store that applies backpressure) does not count against it.
func TestMinRateSparesAGoodClient(t *testing.T) {
	const size = 256 << 10
	got := make(chan error, 1)
	srv := rateServer(t, RateConfig{BytesPerSecond: 64 << 10, Grace: 200 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 32<<10)
		n := 0
		for {
			k, err := r.Body.Read(buf)
			n += k
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				got <- err
				return
			}
			time.Sleep(150 * time.Millisecond) // the server is the slow one
		}
		if n != size {
			got <- fmt.Errorf("read %d bytes", n)
			return
		}
		// Whole body read: the handler may take its time, the request stays alive.
		time.Sleep(500 * time.Millisecond)
		if err := r.Context().Err(); err != nil {
			got <- fmt.Errorf("request cancelled after the body was read: %w", err)
			return
		}
		got <- nil
		fmt.Fprint(w, "ok")
	})
	// The client sends at about 128 KiB/s, twice the least rate, in 16 KiB steps.
	pr, pw := io.Pipe()
	go func() {
		chunk := bytes.Repeat([]byte("a"), 16<<10)
		for range size / len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
			time.Sleep(125 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, pr)
	req.ContentLength = size
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// A client that does not read the answer cannot hold the handler: its writes fail.
func TestMinRateCutsOffASlowReader(t *testing.T) {
	got := make(chan error, 1)
	srv := rateServer(t, RateConfig{BytesPerSecond: 1 << 20, Grace: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("b"), 1<<20)
		for range 1024 { // 1 GiB: far more than any socket buffer
			if _, err := w.Write(chunk); err != nil {
				got <- err
				return
			}
		}
		got <- nil
	})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-got:
		if err == nil {
			t.Error("1 GiB written to a client that reads nothing")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the handler was still writing to a client that reads nothing after 30 s")
	}
}

// A long wait before the first byte of an answer (a long poll) is not a slow client; nor is a
// kept-alive connection idle longer than the grace.
func TestMinRateLongPollAndKeepAlive(t *testing.T) {
	srv := rateServer(t, RateConfig{BytesPerSecond: 1000, Grace: 200 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("wait") != "" {
			time.Sleep(600 * time.Millisecond)
		}
		fmt.Fprint(w, strings.Repeat("c", 100))
	})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i, path := range []string{"/?wait=1", "/", "/?wait=1"} {
		if i > 0 {
			time.Sleep(500 * time.Millisecond) // idle on a kept-alive connection
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || len(body) != 100 {
			t.Fatalf("request %d: %d, %d bytes, %v", i+1, res.StatusCode, len(body), err)
		}
	}
}

// A streamed answer is flushed through the wrapper, by an http.Flusher or a ResponseController:
// the client reads its first part while the handler still works.
func TestMinRateFlushes(t *testing.T) {
	release := make(chan struct{})
	srv := rateServer(t, RateConfig{}, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "first")
		if r.URL.Query().Get("via") == "controller" {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
		} else {
			w.(http.Flusher).Flush()
		}
		<-release
		fmt.Fprint(w, "second")
	})
	for _, via := range []string{"flusher", "controller"} {
		res, err := srv.Client().Get(srv.URL + "/?via=" + via)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(res.Body, buf); err != nil || string(buf) != "first" {
			t.Errorf("%s: first part %q, %v", via, buf, err)
		}
		release <- struct{}{}
		rest, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(rest) != "second" {
			t.Errorf("%s: rest %q", via, rest)
		}
	}
}
