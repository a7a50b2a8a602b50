package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t0 := time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	type step struct {
		op   string        // "fail", "ok" (success), "wait"
		key  string        // default "u"
		at   time.Duration // since t0
		want time.Duration // for "wait": the expected wait; for "fail": the expected count (as a plain number)
	}
	tests := []struct {
		name      string
		free      int
		base, max time.Duration
		steps     []step
	}{
		{"free attempts cost nothing", 5, time.Second, time.Minute, []step{
			{op: "fail", want: 1}, {op: "wait", want: 0},
			{op: "fail", want: 2}, {op: "fail", want: 3}, {op: "fail", want: 4},
			{op: "wait", want: 0},
		}},
		{"the fifth failure makes the sixth attempt wait", 5, time.Second, time.Minute, []step{
			{op: "fail"}, {op: "fail"}, {op: "fail"}, {op: "fail"},
			{op: "fail", at: 100 * time.Millisecond, want: 5},
			{op: "wait", at: 100 * time.Millisecond, want: time.Second},
			{op: "wait", at: 600 * time.Millisecond, want: 500 * time.Millisecond},
			{op: "wait", at: 1100 * time.Millisecond, want: 0},
		}},
		{"each further failure doubles the wait up to the ceiling", 2, time.Second, 5 * time.Second, []step{
			{op: "fail"}, {op: "fail"}, {op: "wait", want: time.Second},
			{op: "fail", at: time.Second, want: 3}, {op: "wait", at: time.Second, want: 2 * time.Second},
			{op: "fail", at: 3 * time.Second}, {op: "wait", at: 3 * time.Second, want: 4 * time.Second},
			{op: "fail", at: 7 * time.Second}, {op: "wait", at: 7 * time.Second, want: 5 * time.Second},
			{op: "fail", at: 12 * time.Second}, {op: "wait", at: 12 * time.Second, want: 5 * time.Second},
		}},
		{"a success forgets", 1, time.Second, time.Minute, []step{
			{op: "fail", want: 1}, {op: "wait", want: time.Second},
			{op: "ok"}, {op: "wait", want: 0},
			{op: "fail", want: 1}, {op: "wait", want: time.Second},
		}},
		{"keys are independent", 1, time.Second, time.Minute, []step{
			{op: "fail", key: "user:a"}, {op: "wait", key: "user:a", want: time.Second},
			{op: "wait", key: "user:b", want: 0}, {op: "wait", key: "addr:10.0.0.1", want: 0},
			{op: "ok", key: "user:b"}, {op: "wait", key: "user:a", want: time.Second},
		}},
		{"an hour of quiet forgets", 3, time.Second, time.Minute, []step{
			{op: "fail"}, {op: "fail"}, {op: "fail", want: 3},
			{op: "fail", at: 2 * time.Hour, want: 1}, {op: "wait", at: 2 * time.Hour, want: 0},
		}},
		{"no free attempts", 0, time.Second, time.Minute, []step{
			{op: "fail", want: 1}, {op: "wait", want: time.Second},
		}},
		{"a huge base is capped, not overflowed", 1, 1 << 62, time.Hour, []step{
			{op: "fail"}, {op: "fail"}, {op: "fail"}, {op: "wait", want: time.Hour},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := NewThrottle(tc.free, tc.base, tc.max)
			for i, s := range tc.steps {
				key := s.key
				if key == "" {
					key = "u"
				}
				switch s.op {
				case "fail":
					n := th.Fail(key, at(s.at))
					if s.want != 0 && n != int(s.want) {
						t.Errorf("step %d: Fail returned %d, want %d", i, n, s.want)
					}
				case "ok":
					th.Succeed(key)
				case "wait":
					if got := th.Wait(key, at(s.at)); got != s.want {
						t.Errorf("step %d: Wait(%s) at +%v = %v, want %v", i, key, s.at, got, s.want)
					}
				}
			}
		})
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(5, time.Second, time.Minute)
	now := time.Now()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				key := fmt.Sprintf("user:%d", j%3)
				th.Fail(key, now)
				th.Wait(key, now)
				if i == 0 && j%10 == 0 {
					th.Succeed(key)
				}
			}
		}()
	}
	wg.Wait()
}

// The map of failures stays bounded: idle entries are dropped once it is large.
func TestThrottleForgetsIdleKeys(t *testing.T) {
	th := NewThrottle(5, time.Second, time.Minute)
	t0 := time.Now()
	for i := range 10001 {
		th.Fail(fmt.Sprint("addr:", i), t0)
	}
	th.Fail("addr:new", t0.Add(2*time.Hour))
	th.mu.Lock()
	n := len(th.failures)
	th.mu.Unlock()
	if n != 1 {
		t.Errorf("%d entries kept, want only the new one", n)
	}
}
