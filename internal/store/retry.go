package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrUnavailable means the store could not take a write now — a stream without a leader for
// longer than the write path waits, or a store that is full — and nothing of the write was kept:
// the request may be sent again later (an HTTP face answers 503 with Retry-After).
var ErrUnavailable = errors.New("store: temporarily unavailable")

// DefaultRideOut is how long the write path of an upload goes on trying while a stream has no
// leader: a three-node cluster elects a new one in a few seconds (about 6 s measured when the
// node leading INGEST was killed), so this is several times that — and a request's own deadline,
// when shorter, wins.
const DefaultRideOut = 30 * time.Second

// attemptTimeout bounds one attempt, so that a request sent to a leader that just died is sent
// again to the next one instead of using up the whole ride-out.
const attemptTimeout = 2 * time.Second

// JetStream API error codes that pass once the cluster has a leader again.
var transientCodes = map[jetstream.ErrorCode]bool{
	10008: true, // JetStream system temporarily unavailable
	10009: true, // cluster can not handle request (not the leader)
	10118: true, // stream is offline
	10158: true, // duplicate message id is in process (an earlier attempt not yet committed)
	10163: true, // expected last sequence per subject temporarily unavailable
	10194: true, // stream is offline: …
}

// Codes of a store that is full: no retry helps soon.
var fullCodes = map[jetstream.ErrorCode]bool{
	10023: true, // insufficient resources
	10028: true, // insufficient memory resources available
	10047: true, // insufficient storage resources available
}

// Transient reports whether a JetStream request failed for a reason that passes by itself:
// no stream leader yet, nobody answering, a timeout, the connection on its way back.
func Transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return transientCodes[apiErr.ErrorCode]
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected) ||
		errors.Is(err, jetstream.ErrNoHeartbeat)
}

// full reports whether err says the store has no room.
func full(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && fullCodes[apiErr.ErrorCode]
}

// rideOut runs op until it succeeds, fails for good, or budget (bounded by ctx) is used up. Each
// attempt has its own short deadline; between attempts it waits a little longer each time.
// A failure that outlasts the budget, or a full store, is ErrUnavailable (wrapping the cause).
// op must be safe to repeat: a publish with a message id, a put of the same value.
func rideOut(ctx context.Context, budget time.Duration, op func(ctx context.Context) error) error {
	if budget <= 0 {
		budget = DefaultRideOut
	}
	deadline := time.Now().Add(budget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	pause := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, min(attemptTimeout, max(time.Until(deadline), time.Millisecond)))
		err := op(actx)
		cancel()
		switch {
		case err == nil:
			return nil
		case full(err):
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		case ctx.Err() != nil:
			return ctx.Err()
		case !Transient(err):
			return err
		case time.Now().Add(pause).After(deadline):
			return fmt.Errorf("%w after %d attempts: %w", ErrUnavailable, attempt, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause + rand.N(pause/2)):
		}
		pause = min(2*pause, time.Second)
	}
}
