package bus

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

func TestWhilePlacing(t *testing.T) {
	noPeers := &jetstream.APIError{Code: 400, ErrorCode: errNoSuitablePeers, Description: "no suitable peers for placement, peer offline"}
	other := &jetstream.APIError{Code: 400, ErrorCode: 10058, Description: "stream name already in use with a different configuration"}
	calls := 0
	err := whilePlacing(context.Background(), func() error {
		calls++
		if calls < 3 {
			return noPeers
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("placement retried: err %v after %d calls, want nil after 3", err, calls)
	}
	calls = 0
	if err := whilePlacing(context.Background(), func() error { calls++; return other }); !errors.Is(err, other) || calls != 1 {
		t.Errorf("another error: %v after %d calls, want it at once", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	if err := whilePlacing(ctx, func() error { calls++; return noPeers }); !errors.Is(err, noPeers) || calls != 1 {
		t.Errorf("cancelled: %v after %d calls", err, calls)
	}
}
