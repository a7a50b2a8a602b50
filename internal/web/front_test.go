package web

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParseProxies(t *testing.T) {
	ps, err := ParseProxies(" 10.0.0.0/8, 127.0.0.1 ,::1, 192.168.1.7/24, ::ffff:172.16.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.String(); got != "10.0.0.0/8,127.0.0.1/32,::1/128,192.168.1.0/24,172.16.0.1/32" {
		t.Errorf("parsed %s", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1/x", "1.2.3"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if ps, err := ParseProxies(""); err != nil || len(ps) != 0 {
		t.Errorf("empty list: %v %v", ps, err)
	}
}

// The client's address: the peer's, unless the peer is a trusted proxy; then the rightmost
// forwarded address that is not a trusted proxy — never what a client wrote further left.
func TestClientOf(t *testing.T) {
	trusted, _ := ParseProxies("10.0.0.0/8,2001:db8::/32")
	cases := []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		proto   string
		tls     bool
		want    string
		wantTLS bool
	}{
		{"no proxy trusted: forwarded headers are ignored", nil, "203.0.113.5:4000", []string{"1.2.3.4"}, "https", false, "203.0.113.5", false},
		{"an untrusted peer forges them", trusted, "203.0.113.5:4000", []string{"10.1.1.1"}, "https", false, "203.0.113.5", false},
		{"a trusted proxy", trusted, "10.0.0.2:5000", []string{"198.51.100.7"}, "https", false, "198.51.100.7", true},
		{"two proxies, the client's own guess on the left", trusted, "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.7", "10.0.0.9"}, "http", false, "198.51.100.7", false},
		{"ports and brackets", trusted, "[2001:db8::1]:443", []string{"[2001:db8:ffff::2]:1234, 198.51.100.7:51000"}, "", false, "198.51.100.7", false},
		{"only proxies: the leftmost", trusted, "10.0.0.2:5000", []string{"10.0.0.3"}, "", false, "10.0.0.3", false},
		{"garbage stops the walk at the proxy that sent it", trusted, "10.0.0.2:5000", []string{"198.51.100.7, unknown"}, "", false, "10.0.0.2", false},
		{"no header", trusted, "10.0.0.2:5000", nil, "", false, "10.0.0.2", false},
		{"TLS to this server", nil, "203.0.113.5:4000", nil, "", true, "203.0.113.5", true},
		{"the proxy's own proto wins", trusted, "10.0.0.2:5000", []string{"198.51.100.7"}, "https, http", false, "198.51.100.7", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			got := c.proxies.ClientOf(r)
			if got.Addr != c.want || got.TLS != c.wantTLS {
				t.Errorf("client %+v, want %s (TLS %v)", got, c.want, c.wantTLS)
			}
		})
	}
}

// Behind the front, ClientAddr and OverTLS answer what it found; HSTS goes with HTTPS only.
func TestFront(t *testing.T) {
	trusted, _ := ParseProxies("127.0.0.1")
	var addr string
	var overTLS bool
	h := Front(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, overTLS = ClientAddr(r), OverTLS(r)
	}), FrontConfig{Proxies: trusted, HSTS: true})

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:9999"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if addr != "198.51.100.7" || !overTLS || rec.Header().Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("through the proxy: %s TLS %v HSTS %q", addr, overTLS, rec.Header().Get("Strict-Transport-Security"))
	}

	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "192.0.2.1:9999"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if addr != "192.0.2.1" || overTLS || rec.Header().Get("Strict-Transport-Security") != "" {
		t.Errorf("a stranger's forwarded headers: %s TLS %v HSTS %q", addr, overTLS, rec.Header().Get("Strict-Transport-Security"))
	}

	// Without the front: the peer.
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "192.0.2.1:9999"
	if ClientAddr(r) != "192.0.2.1" || OverTLS(r) {
		t.Errorf("without a front: %s %v", ClientAddr(r), OverTLS(r))
	}
}
