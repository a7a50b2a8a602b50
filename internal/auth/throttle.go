package auth

import (
	"net/netip"
	"sync"
	"time"
)

// Throttle guards the password check against guessing. Every attempt is reserved before its
// password is checked, under one lock, so that parallel attempts cannot all pass a limit
// that each of them alone would meet; a failure then makes the wait run from the moment it
// is known, and a success gives back what it reserved.
//
// Three counters judge an attempt:
//   - the username from this address (Pair): a guesser at one account from one place is
//     refused while it waits;
//   - the address, whatever the username (Addr): one place trying many accounts is refused;
//   - the username, from anywhere (User): only slows the check down, by at most User.Max, and
//     never refuses — so nobody can lock the owner of an account out by failing at it from
//     elsewhere: the right password from another address is checked within a few seconds.
type Throttle struct {
	mu               sync.Mutex
	pair, addr, user *limiter
}

// Limit is one counter's rule: Free failures cost nothing; the Free-th and each later one
// make the next attempt wait Base, 2·Base, 4·Base … up to Max. Failures are forgotten after
// Forget without one (and, for the pair and the username, after a success).
type Limit struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// ThrottleConfig is the rule of each counter.
type ThrottleConfig struct {
	Pair Limit // one username from one address: refused while waiting
	Addr Limit // one address, any username: refused while waiting
	User Limit // one username, any address: delayed by the wait (at most Max), never refused
}

// DefaultThrottleConfig is what `tinnhiem serve` uses: 5 free failures per username and
// address, 10 per address, then waits doubling from 1 s up to 5 min (pair) and 2 min
// (address); beyond 10 failures of a username from anywhere, each check of it waits from
// 250 ms up to 3 s.
func DefaultThrottleConfig() ThrottleConfig {
	return ThrottleConfig{
		Pair: Limit{Free: 5, Base: time.Second, Max: 5 * time.Minute, Forget: time.Hour},
		Addr: Limit{Free: 10, Base: time.Second, Max: 2 * time.Minute, Forget: 15 * time.Minute},
		User: Limit{Free: 10, Base: 250 * time.Millisecond, Max: 3 * time.Second, Forget: 15 * time.Minute},
	}
}

// NewThrottle is a throttle with free failures per username and address before waits of
// base doubling up to max; an address gets twice as many, and a username's slow-down starts
// after twice as many and stays under min(max, 3 s). Tests use it to set a lenient or a
// strict throttle in one line.
func NewThrottle(free int, base, max time.Duration) *Throttle {
	return NewThrottleConfig(ThrottleConfig{
		Pair: Limit{Free: free, Base: base, Max: max, Forget: time.Hour},
		Addr: Limit{Free: 2 * free, Base: base, Max: max, Forget: time.Hour},
		User: Limit{Free: 2 * free, Base: base / 4, Max: min(max, 3*time.Second), Forget: time.Hour},
	})
}

// NewThrottleConfig is a throttle with the rules of c.
func NewThrottleConfig(c ThrottleConfig) *Throttle {
	return &Throttle{pair: newLimiter(c.Pair), addr: newLimiter(c.Addr), user: newLimiter(c.User)}
}

// Reservation is one login attempt reserved before its password is checked. When Wait > 0 it
// was refused: nothing is to be checked, and the caller may try again after Wait. Otherwise
// the password may be checked after Delay, and exactly one of Fail, Succeed or Cancel must
// follow.
type Reservation struct {
	Wait  time.Duration
	Delay time.Duration

	t                *Throttle
	pair, addr, user string
}

// Allowed reports whether the password may be checked (after Delay).
func (r Reservation) Allowed() bool { return r.Wait <= 0 }

// Reserve counts an attempt at username from addr before its password is checked. A refused
// attempt counts nothing.
func (t *Throttle) Reserve(username, addr string, now time.Time) Reservation {
	if len(username) > maxKeyName {
		// No account has such a name, so its check fails whatever the key; a bounded key keeps
		// a flood of long names from filling memory.
		username = username[:maxKeyName] + "…"
	}
	r := Reservation{t: t, pair: username + "\x00" + addrKey(addr), addr: addrKey(addr), user: username}
	t.mu.Lock()
	defer t.mu.Unlock()
	if w := max(t.pair.wait(r.pair, now), t.addr.wait(r.addr, now)); w > 0 {
		return Reservation{Wait: w}
	}
	// The username's slow-down is what its failures so far (from anywhere) ask for, capped: it
	// delays this check but never refuses it.
	r.Delay = min(t.user.wait(r.user, now), t.user.lim.Max)
	t.pair.reserve(r.pair, now)
	t.addr.reserve(r.addr, now)
	t.user.reserve(r.user, now)
	return r
}

// Fail records that the password was wrong: the waits run from now (a slow check must not
// use them up). It returns the failures counted for the username from this address.
func (r Reservation) Fail(now time.Time) int {
	if r.t == nil {
		return 0
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.t.addr.failed(r.addr, now)
	r.t.user.failed(r.user, now)
	return r.t.pair.failed(r.pair, now)
}

// Succeed records the right password: the username's failures (from this address and from
// anywhere) are forgotten; the address only gets back this attempt, so that one account known
// to a guesser does not wipe what it tried at others.
func (r Reservation) Succeed() {
	if r.t == nil {
		return
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.t.pair.forget(r.pair)
	r.t.user.forget(r.user)
	r.t.addr.refund(r.addr)
}

// Cancel gives back an attempt whose password was never checked (the client went away, the
// store failed).
func (r Reservation) Cancel() {
	if r.t == nil {
		return
	}
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.t.pair.refund(r.pair)
	r.t.addr.refund(r.addr)
	r.t.user.refund(r.user)
}

// addrKey is the key of a client address: an IPv6 client is counted by its /64, which one
// subscriber usually holds whole, so that walking through its addresses gains nothing.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// limiter is one counter per key under one Limit. Its methods run under the Throttle's lock.
type limiter struct {
	lim     Limit
	entries map[string]*failures
	nextGC  int // the size at which gc looks again: it runs in time amortised over the inserts
}

type failures struct {
	n     int       // failures, counting attempts reserved and not yet decided
	until time.Time // no attempt before this
	last  time.Time
}

// maxKeyName bounds the username part of a key (usernames are at most 64 bytes).
const maxKeyName = 64

// maxEntries bounds each limiter's map; idle entries go first, then any (a flood from that
// many addresses is met by the per-username slow-down and the others' limits).
const maxEntries = 100_000

func newLimiter(l Limit) *limiter {
	if l.Free < 1 {
		l.Free = 1 // the first failure already costs a wait
	}
	if l.Forget <= 0 {
		l.Forget = time.Hour
	}
	return &limiter{lim: l, entries: map[string]*failures{}, nextGC: gcFrom}
}

// get returns the key's entry, forgetting failures older than Forget; nil when there is none.
func (l *limiter) get(key string, now time.Time) *failures {
	f := l.entries[key]
	if f != nil && now.Sub(f.last) > l.lim.Forget && f.until.Before(now) {
		delete(l.entries, key)
		return nil
	}
	return f
}

func (l *limiter) wait(key string, now time.Time) time.Duration {
	f := l.get(key, now)
	if f == nil || !now.Before(f.until) {
		return 0
	}
	return f.until.Sub(now)
}

// backoff is the wait after the n-th failure.
func (l *limiter) backoff(n int) time.Duration {
	d := l.lim.Base << min(n-l.lim.Free, 30)
	if d > l.lim.Max || d <= 0 {
		d = l.lim.Max
	}
	return d
}

// reserve counts one more attempt; from the Free-th on, the next must wait already, so that
// attempts made at once do not all pass.
func (l *limiter) reserve(key string, now time.Time) {
	f := l.get(key, now)
	if f == nil {
		l.gc(now)
		f = &failures{}
		l.entries[key] = f
	}
	f.n++
	f.last = now
	if f.n >= l.lim.Free {
		if u := now.Add(l.backoff(f.n)); u.After(f.until) {
			f.until = u
		}
	}
}

// failed makes the wait of a reserved attempt that failed run from now.
func (l *limiter) failed(key string, now time.Time) int {
	f := l.entries[key]
	if f == nil {
		return 0
	}
	f.last = now
	if f.n >= l.lim.Free {
		if u := now.Add(l.backoff(f.n)); u.After(f.until) {
			f.until = u
		}
	}
	return f.n
}

// refund gives back one reserved attempt; below Free, no wait is left.
func (l *limiter) refund(key string) {
	f := l.entries[key]
	if f == nil {
		return
	}
	f.n = max(f.n-1, 0)
	if f.n < l.lim.Free {
		f.until = time.Time{}
	}
	if f.n == 0 {
		delete(l.entries, key)
	}
}

func (l *limiter) forget(key string) { delete(l.entries, key) }

// gcFrom is the size from which the map is cleaned of idle entries.
const gcFrom = 10_000

// gc drops idle entries once the map has grown to nextGC, and beyond maxEntries any entries
// down to nine tenths of it; it then waits for the map to grow by half again, so that its
// cost is spread over the inserts.
func (l *limiter) gc(now time.Time) {
	if len(l.entries) < l.nextGC {
		return
	}
	for k, f := range l.entries {
		if now.Sub(f.last) > l.lim.Forget && !now.Before(f.until) {
			delete(l.entries, k)
		}
	}
	if len(l.entries) >= maxEntries {
		for k := range l.entries {
			if len(l.entries) < maxEntries*9/10 {
				break
			}
			delete(l.entries, k)
		}
	}
	l.nextGC = min(max(gcFrom, len(l.entries)+len(l.entries)/2), maxEntries)
}
