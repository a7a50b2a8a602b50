package auth

import (
	"sync"
	"time"
)

// Throttle slows down repeated failed logins per username and per client address: after a few
// free attempts each further failure doubles the wait, up to a ceiling.
type Throttle struct {
	mu       sync.Mutex
	failures map[string]*failure
	free     int
	base     time.Duration
	max      time.Duration
}

type failure struct {
	count int
	until time.Time
	last  time.Time
}

// forgiveAfter is how long a key must stay quiet before its failures are forgotten.
const forgiveAfter = time.Hour

// NewThrottle allows free failed attempts without delay; from the free-th failure on, the next
// attempt must wait base, then 2·base, … up to max. Failures are forgotten after a success or
// an hour without any.
func NewThrottle(free int, base, max time.Duration) *Throttle {
	return &Throttle{failures: map[string]*failure{}, free: free, base: base, max: max}
}

// Wait tells how long the caller must wait before trying key again (0 = may try now).
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.failures[key]
	if f == nil || !now.Before(f.until) {
		return 0
	}
	return f.until.Sub(now)
}

// Fail records a failed attempt and returns the number of consecutive failures.
func (t *Throttle) Fail(key string, now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gc(now)
	f := t.failures[key]
	if f == nil || now.Sub(f.last) > forgiveAfter {
		f = &failure{}
		t.failures[key] = f
	}
	f.count++
	f.last = now
	// The free-th failure already costs a wait, so that "5 free attempts" means a sixth
	// attempt right away is refused.
	threshold := max(t.free, 1)
	if f.count >= threshold {
		d := t.base << min(f.count-threshold, 20)
		if d > t.max || d <= 0 {
			d = t.max
		}
		f.until = now.Add(d)
	}
	return f.count
}

// Succeed forgets the failures of key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	delete(t.failures, key)
	t.mu.Unlock()
}

// gc drops entries idle for an hour so the map cannot grow without bound.
func (t *Throttle) gc(now time.Time) {
	if len(t.failures) < 10000 {
		return
	}
	for k, f := range t.failures {
		if now.Sub(f.last) > forgiveAfter {
			delete(t.failures, k)
		}
	}
}
