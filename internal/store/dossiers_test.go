package store

import (
	"context"
	"strings"
	"testing"
	"tinnhiem/internal/bus"
)

func TestWatchEnded(t *testing.T) {
	live, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := WatchEnded(live, bus.BucketAlerts); err == nil || !strings.Contains(err.Error(), bus.BucketAlerts) {
		t.Errorf("watch closed under a live context: %v, want an error naming the bucket", err)
	}
	ended, stop := context.WithCancel(context.Background())
	stop()
	if err := WatchEnded(ended, bus.BucketAlerts); err != nil {
		t.Errorf("watch closed with its context: %v, want nil", err)
	}
}
