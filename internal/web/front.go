package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Proxies are the reverse proxies in front of the server whose X-Forwarded-For and
// X-Forwarded-Proto are believed. From anyone else those headers are ignored: a client could
// write any address there and walk past the login throttle.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR ranges
// ("10.0.0.0/8, 127.0.0.1, ::1").
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q không phải dải địa chỉ CIDR (ví dụ 10.0.0.0/8)", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q không phải địa chỉ IP hay dải CIDR", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Contains reports whether a is one of the proxies.
func (ps Proxies) Contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// String writes the list back.
func (ps Proxies) String() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// Client is who sent a request, as the front found it.
type Client struct {
	Addr string // the client's address, without port
	TLS  bool   // the client spoke HTTPS: to this server, or to a trusted proxy that says so
}

type clientKey struct{}

// ClientOf finds the client of a request: the peer, or — when the peer is a trusted proxy —
// the rightmost address in X-Forwarded-For that is not itself a trusted proxy (the leftmost
// entries are whatever the client chose to write).
func (ps Proxies) ClientOf(r *http.Request) Client {
	c := Client{Addr: peer(r), TLS: r.TLS != nil}
	a, err := netip.ParseAddr(c.Addr)
	if err != nil || len(ps) == 0 || !ps.Contains(a) {
		return c
	}
	if strings.EqualFold(strings.TrimSpace(lastValue(r.Header.Values("X-Forwarded-Proto"))), "https") {
		c.TLS = true
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, ok := parseHop(hops[i])
		if !ok {
			break // garbage from a proxy we trust: believe no further
		}
		c.Addr = h.String()
		if !ps.Contains(h) {
			break
		}
	}
	return c
}

// lastValue is the last of a header's comma-separated values: the one the nearest proxy set.
func lastValue(vs []string) string {
	all := strings.Split(strings.Join(vs, ","), ",")
	return all[len(all)-1]
}

// parseHop reads one X-Forwarded-For entry: an address, maybe with a port or in brackets.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientAddr is the address of the client of a request, without its port: the one the front
// found (through trusted proxies) or, without a front, the peer's.
func ClientAddr(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(Client); ok {
		return c.Addr
	}
	return peer(r)
}

// OverTLS reports whether the client spoke HTTPS, as the front found it; without a front,
// whether this connection is TLS.
func OverTLS(r *http.Request) bool {
	if c, ok := r.Context().Value(clientKey{}).(Client); ok {
		return c.TLS
	}
	return r.TLS != nil
}

// FrontConfig is what the front of every route does.
type FrontConfig struct {
	Proxies Proxies
	// HSTS: tell browsers that reach the server over HTTPS to use nothing else for a year.
	HSTS bool
	// Rate: the least a client must keep up when it sends a body or reads an answer (see
	// MinRate); zero values take the defaults.
	Rate RateConfig
}

// hstsValue keeps browsers on HTTPS for a year. Subdomains are left alone: the server does
// not know what else runs under its domain.
const hstsValue = "max-age=31536000"

// Front wraps every route of the server: the client's address and scheme (trusting forwarded
// headers only from cfg.Proxies), HSTS on answers given over HTTPS, and the minimum data rate
// of bodies and answers.
func Front(next http.Handler, cfg FrontConfig) http.Handler {
	rated := MinRate(next, cfg.Rate)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := cfg.Proxies.ClientOf(r)
		if cfg.HSTS && c.TLS {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		rated.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

// RateConfig bounds how slowly a client may send a request body or read an answer.
type RateConfig struct {
	// BytesPerSecond is the least average rate, after Grace (default 16 KiB/s: a 50 MB file
	// may take 53 minutes, a stalled client is cut off).
	BytesPerSecond int64
	// Grace is the time a client has before the rate counts (default 30 s).
	Grace time.Duration
}

func (c RateConfig) withDefaults() RateConfig {
	if c.BytesPerSecond <= 0 {
		c.BytesPerSecond = 16 << 10
	}
	if c.Grace <= 0 {
		c.Grace = 30 * time.Second
	}
	return c
}
