package auth

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// One counter's rule, step by step: reserve (an attempt counted before its check), fail (the
// check said no), ok (the check said yes), cancel (never checked), wait (how long before the
// next attempt).
func TestLimiter(t *testing.T) {
	t0 := time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	type step struct {
		op   string        // "try" (reserve then fail), "reserve", "fail", "ok", "cancel", "wait"
		at   time.Duration // since t0
		want time.Duration // for "wait": the expected wait; for "try"/"fail": the failures (as a number)
	}
	tests := []struct {
		name  string
		lim   Limit
		steps []step
	}{
		{"free attempts cost nothing", Limit{Free: 5, Base: time.Second, Max: time.Minute}, []step{
			{op: "try", want: 1}, {op: "wait", want: 0},
			{op: "try", want: 2}, {op: "try", want: 3}, {op: "try", want: 4},
			{op: "wait", want: 0},
		}},
		{"the fifth failure makes the sixth attempt wait", Limit{Free: 5, Base: time.Second, Max: time.Minute}, []step{
			{op: "try"}, {op: "try"}, {op: "try"}, {op: "try"},
			{op: "try", at: 100 * time.Millisecond, want: 5},
			{op: "wait", at: 100 * time.Millisecond, want: time.Second},
			{op: "wait", at: 600 * time.Millisecond, want: 500 * time.Millisecond},
			{op: "wait", at: 1100 * time.Millisecond, want: 0},
		}},
		{"the reservation itself makes the next attempt wait, before any check", Limit{Free: 2, Base: time.Second, Max: time.Minute}, []step{
			{op: "reserve"}, {op: "wait", want: 0}, {op: "reserve"}, {op: "wait", want: time.Second},
		}},
		{"the wait runs from the failure, not from the reservation", Limit{Free: 1, Base: time.Second, Max: time.Minute}, []step{
			{op: "reserve"}, {op: "fail", at: 3 * time.Second, want: 1},
			{op: "wait", at: 3 * time.Second, want: time.Second},
		}},
		{"each further failure doubles the wait up to the ceiling", Limit{Free: 2, Base: time.Second, Max: 5 * time.Second}, []step{
			{op: "try"}, {op: "try"}, {op: "wait", want: time.Second},
			{op: "try", at: time.Second, want: 3}, {op: "wait", at: time.Second, want: 2 * time.Second},
			{op: "try", at: 3 * time.Second}, {op: "wait", at: 3 * time.Second, want: 4 * time.Second},
			{op: "try", at: 7 * time.Second}, {op: "wait", at: 7 * time.Second, want: 5 * time.Second},
			{op: "try", at: 12 * time.Second}, {op: "wait", at: 12 * time.Second, want: 5 * time.Second},
		}},
		{"a success forgets", Limit{Free: 1, Base: time.Second, Max: time.Minute}, []step{
			{op: "try", want: 1}, {op: "wait", want: time.Second},
			{op: "reserve", at: time.Second}, {op: "ok", at: time.Second}, {op: "wait", at: time.Second, want: 0},
			{op: "try", at: time.Second, want: 1}, {op: "wait", at: time.Second, want: time.Second},
		}},
		{"a cancelled attempt gives back its reservation", Limit{Free: 2, Base: time.Second, Max: time.Minute}, []step{
			{op: "try"}, {op: "reserve"}, {op: "wait", want: time.Second},
			{op: "cancel"}, {op: "wait", want: 0}, {op: "try", want: 2},
		}},
		{"an hour of quiet forgets", Limit{Free: 3, Base: time.Second, Max: time.Minute, Forget: time.Hour}, []step{
			{op: "try"}, {op: "try"}, {op: "try", want: 3},
			{op: "try", at: 2 * time.Hour, want: 1}, {op: "wait", at: 2 * time.Hour, want: 0},
		}},
		{"no free attempts", Limit{Free: 0, Base: time.Second, Max: time.Minute}, []step{
			{op: "try", want: 1}, {op: "wait", want: time.Second},
		}},
		{"a huge base is capped, not overflowed", Limit{Free: 1, Base: 1 << 62, Max: time.Hour}, []step{
			{op: "try"}, {op: "try"}, {op: "try"}, {op: "wait", want: time.Hour},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiter(tc.lim)
			const key = "k"
			for i, s := range tc.steps {
				now := at(s.at)
				switch s.op {
				case "try":
					l.reserve(key, now)
					if n := l.failed(key, now); s.want != 0 && n != int(s.want) {
						t.Errorf("step %d: %d failures, want %d", i, n, s.want)
					}
				case "reserve":
					l.reserve(key, now)
				case "fail":
					if n := l.failed(key, now); s.want != 0 && n != int(s.want) {
						t.Errorf("step %d: %d failures, want %d", i, n, s.want)
					}
				case "ok":
					l.forget(key)
				case "cancel":
					l.refund(key)
				case "wait":
					if got := l.wait(key, now); got != s.want {
						t.Errorf("step %d: wait at +%v = %v, want %v", i, s.at, got, s.want)
					}
				}
			}
		})
	}
}

// The three counters together: the pair and the address refuse; the username only slows
// down, so that the owner, from elsewhere, always gets in.
func TestThrottleKeys(t *testing.T) {
	cfg := ThrottleConfig{
		Pair: Limit{Free: 3, Base: time.Second, Max: time.Minute},
		Addr: Limit{Free: 5, Base: time.Second, Max: time.Minute},
		User: Limit{Free: 4, Base: 500 * time.Millisecond, Max: 2 * time.Second},
	}
	now := time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)
	fail := func(th *Throttle, user, addr string) Reservation {
		t.Helper()
		r := th.Reserve(user, addr, now)
		if !r.Allowed() {
			t.Fatalf("%s from %s refused (wait %v)", user, addr, r.Wait)
		}
		r.Fail(now)
		return r
	}

	t.Run("the pair", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for range 3 {
			fail(th, "lan", "10.0.0.1")
		}
		if r := th.Reserve("lan", "10.0.0.1", now); r.Allowed() || r.Wait != time.Second {
			t.Errorf("the same user from the same address: %+v, want refused for 1s", r)
		}
		if r := th.Reserve("lan", "10.0.0.2", now); !r.Allowed() || r.Delay != 0 {
			t.Errorf("the same user from elsewhere: %+v, want allowed at once", r)
		}
		if r := th.Reserve("binh", "10.0.0.1", now); !r.Allowed() {
			t.Errorf("another user from the same address: %+v, want allowed", r)
		}
	})

	t.Run("the address", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for i := range 5 {
			fail(th, fmt.Sprint("user", i), "10.0.0.1")
		}
		if r := th.Reserve("user9", "10.0.0.1", now); r.Allowed() {
			t.Errorf("a sixth user from the address: %+v, want refused", r)
		}
		if r := th.Reserve("user9", "10.0.0.2", now); !r.Allowed() {
			t.Errorf("from another address: %+v", r)
		}
	})

	t.Run("an IPv6 client is one /64", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for i := range 5 {
			fail(th, fmt.Sprint("user", i), fmt.Sprintf("2001:db8:1:2::%x", i+1))
		}
		if r := th.Reserve("user9", "2001:db8:1:2:ffff::1", now); r.Allowed() {
			t.Errorf("another address of the same /64: %+v, want refused", r)
		}
		if r := th.Reserve("user9", "2001:db8:1:3::1", now); !r.Allowed() {
			t.Errorf("another /64: %+v, want allowed", r)
		}
	})

	t.Run("a long name is one bounded key", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for i := range 3 {
			fail(th, strings.Repeat("x", 4000)+fmt.Sprint(i), "10.0.0.1")
		}
		if r := th.Reserve(strings.Repeat("x", 5000), "10.0.0.1", now); r.Allowed() {
			t.Errorf("long names: %+v, want refused as one", r)
		}
		for k := range th.pair.entries {
			if len(k) > 100 {
				t.Errorf("key of %d bytes kept", len(k))
			}
		}
	})

	t.Run("the username slows down and never refuses", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for i := range 40 {
			fail(th, "admin", fmt.Sprintf("10.0.%d.%d", i/200, i%200+1))
		}
		r := th.Reserve("admin", "192.168.1.1", now)
		if !r.Allowed() || r.Delay <= 0 || r.Delay > 2*time.Second {
			t.Errorf("after 40 failures from 40 addresses: %+v, want allowed after at most 2s", r)
		}
		r.Succeed()
		if r := th.Reserve("admin", "192.168.1.1", now); !r.Allowed() || r.Delay != 0 {
			t.Errorf("after the right password: %+v, want no delay", r)
		}
	})

	t.Run("a success refunds the address but does not wipe it", func(t *testing.T) {
		th := NewThrottleConfig(cfg)
		for i := range 4 {
			fail(th, fmt.Sprint("user", i), "10.0.0.1")
		}
		r := th.Reserve("known", "10.0.0.1", now)
		r.Succeed()
		fail(th, "user8", "10.0.0.1")
		if r := th.Reserve("user9", "10.0.0.1", now); r.Allowed() {
			t.Errorf("the fifth failure from the address after a success elsewhere: %+v, want refused", r)
		}
	})
}

// Attempts made at once are reserved one after the other: of 50 parallel guesses from one
// address at one account, only as many as the free failures are checked.
func TestThrottleParallelReservations(t *testing.T) {
	th := NewThrottleConfig(DefaultThrottleConfig())
	now := time.Now()
	var checked atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := th.Reserve("admin", "203.0.113.7", now)
			if !r.Allowed() {
				return
			}
			checked.Add(1)
			time.Sleep(5 * time.Millisecond) // the password check
			r.Fail(now)
		}()
	}
	close(start)
	wg.Wait()
	if n := checked.Load(); n != 5 {
		t.Errorf("%d of 50 parallel attempts were checked, want 5", n)
	}
	// Fifty accounts from one address: the address's limit.
	checked.Store(0)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := th.Reserve(fmt.Sprint("user", i), "198.51.100.9", now)
			if r.Allowed() {
				checked.Add(1)
				r.Fail(now)
			}
		}()
	}
	wg.Wait()
	if n := checked.Load(); n != 10 {
		t.Errorf("%d of 50 parallel attempts at 50 accounts were checked, want 10", n)
	}
}

// The maps stay bounded: idle entries are dropped as the map grows, and beyond the cap any
// are; the cleaning is spread over the inserts.
func TestThrottleForgetsIdleKeys(t *testing.T) {
	th := NewThrottle(5, time.Second, time.Minute)
	t0 := time.Now()
	for i := range 10001 {
		th.Reserve("u", fmt.Sprint("old-", i), t0).Fail(t0)
	}
	later := t0.Add(2 * time.Hour)
	for i := range 6000 {
		th.Reserve("u", fmt.Sprint("new-", i), later).Fail(later)
	}
	th.mu.Lock()
	n := len(th.addr.entries)
	old := 0
	for k := range th.addr.entries {
		if len(k) > 4 && k[:4] == "old-" {
			old++
		}
	}
	th.mu.Unlock()
	if old != 0 || n > 6000 {
		t.Errorf("%d entries kept, %d of them idle for 2 h; want only the new ones", n, old)
	}

	l := newLimiter(Limit{Free: 5, Base: time.Second, Max: time.Minute, Forget: time.Hour})
	start := time.Now()
	for i := range 3 * maxEntries {
		l.reserve(fmt.Sprint(i), t0)
		if len(l.entries) > maxEntries {
			t.Fatalf("%d entries, cap %d", len(l.entries), maxEntries)
		}
	}
	t.Logf("%d inserts past the cap in %v", 3*maxEntries, time.Since(start))
}
