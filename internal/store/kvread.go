package store

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// readRideOut is how long a read of a record goes on trying. A read needs no stream leader (any
// replica answers a direct get), so what it must ride out is a request sent to a node that
// died with it in hand: one attempt of attemptTimeout lost, then another replica answers.
const readRideOut = 10 * time.Second

// ridingKV is a bucket whose Get rides out a lost node like the writes do: each attempt bounded
// to attemptTimeout and tried again while the failure is transient. Before, a read sent to a
// node that was killed waited out the client's whole 5 s timeout and the request failed with
// 500 — an upload among them, refused while its writes would have gone through. Whatever
// is not transient (a key not found) is answered at once, as it was.
type ridingKV struct{ jetstream.KeyValue }

// RidingKV wraps a bucket so that its reads ride out a lost node (see ridingKV).
func RidingKV(kv jetstream.KeyValue) jetstream.KeyValue {
	if kv == nil {
		return nil
	}
	return ridingKV{kv}
}

func (k ridingKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	var e jetstream.KeyValueEntry
	err := rideOut(ctx, readRideOut, func(actx context.Context) error {
		var err error
		e, err = k.KeyValue.Get(actx, key)
		return err
	})
	return e, err
}
