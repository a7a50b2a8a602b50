package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
)

// checkAdminPassword refuses a TINNHIEM_ADMIN_PASSWORD that the rule of every password refuses,
// before anything starts: the admin account is the one that can do everything.
func checkAdminPassword(pw string) error {
	if pw == "" {
		return nil
	}
	if msgs := auth.ValidatePassword(pw); len(msgs) > 0 {
		return usageError{fmt.Sprintf("TINNHIEM_ADMIN_PASSWORD không dùng được: %s. Hãy đặt mật khẩu dài hơn "+
			"(hoặc bỏ biến này để hệ thống tự tạo và in mật khẩu một lần; biến chỉ được dùng ở lần chạy đầu tiên)",
			strings.Join(msgs, "; "))}
	}
	return nil
}

// tokenSweepEvery is how often ended token records are removed (expired ones go by their own
// TTL; this catches those ended early and those of a bucket without TTLs).
const tokenSweepEvery = time.Hour

// startTokenSweep removes ended token records now and every tokenSweepEvery until ctx ends;
// the function it returns waits for it to stop.
func startTokenSweep(ctx context.Context, core *app.App, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(tokenSweepEvery)
		defer t.Stop()
		for {
			n, err := core.SweepTokens(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("token sweep", "err", err)
			case n > 0:
				log.Info("token sweep", "removed", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil && d > 0 {
		return d
	}
	return def
}
