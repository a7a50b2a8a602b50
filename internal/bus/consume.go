package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Permanent marks an error that no retry can cure: the message is ended, not redelivered.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// IsPermanent reports whether err (or a panic turned into err) must not be retried.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Consumer describes a durable pull consumer and how its messages are handled.
type Consumer struct {
	Stream      string
	Durable     string
	Filter      string
	AckWait     time.Duration // default 60s
	MaxDeliver  int           // default 5
	Concurrency int           // messages handled at once, default 1
	Log         *slog.Logger
	// Handle does the work of one message. nil → ack; a Permanent error or a panic, or any
	// error on the last delivery → GiveUp then Term; another error → NakWithDelay(backoff).
	Handle func(ctx context.Context, msg jetstream.Msg) error
	// GiveUp records the failure of a message that will not be delivered again. If it fails,
	// the message is retried instead, so no failure goes unrecorded.
	GiveUp func(ctx context.Context, msg jetstream.Msg, cause error) error
	// KeepAlive tells the server every AckWait/3 that each message this process holds is in
	// progress — while it waits for a free slot as well as while it is handled — so that AckWait
	// can be short: the messages of a process that died are redelivered after AckWait, those
	// merely slow are not. Messages are then pulled one at a time, so that none waits unheard
	// in the client's buffer. Handle must end by itself (its own time limits); heartbeats stop
	// after MaxInProgress all the same, so that even a hung handler lets its message go.
	KeepAlive     bool
	MaxInProgress time.Duration // default 15 min
}

// Backoff is the delay before redelivering after the n-th failed delivery.
func Backoff(delivered int) time.Duration {
	return min(time.Second<<min(max(delivered-1, 0), 6), time.Minute)
}

// Start provisions the consumer idempotently and consumes until the returned stop function is
// called; stop waits for the messages in hand (or its context) before returning.
func (c Consumer) Start(ctx context.Context, js jetstream.JetStream) (func(context.Context), error) {
	if c.AckWait <= 0 {
		c.AckWait = time.Minute
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.MaxInProgress <= 0 {
		c.MaxInProgress = 15 * time.Minute
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, jetstream.ConsumerConfig{
		Durable:       c.Durable,
		FilterSubject: c.Filter,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver,
		MaxAckPending: c.Concurrency * 4,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s: %w", c.Durable, err)
	}
	sem := make(chan struct{}, c.Concurrency)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		closed bool
	)
	stopping := make(chan struct{})
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	batch := c.Concurrency
	if c.KeepAlive {
		batch = 1
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		mu.Lock()
		if closed {
			mu.Unlock()
			_ = msg.Nak() // another replica takes it now, not after AckWait
			return
		}
		wg.Add(1)
		mu.Unlock()
		beat := func() {}
		if c.KeepAlive {
			beat = c.keepAlive(workCtx, msg)
		}
		select {
		case sem <- struct{}{}:
		case <-stopping:
			beat()
			_ = msg.Nak()
			wg.Done()
			return
		}
		go func() {
			defer func() { beat(); <-sem; wg.Done() }()
			c.dispatch(workCtx, msg)
		}()
	}, jetstream.PullMaxMessages(batch), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) {
			c.Log.Warn("consume", "consumer", c.Durable, "err", err)
		}
	}))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("bus: consume %s: %w", c.Durable, err)
	}
	return func(stopCtx context.Context) {
		mu.Lock()
		first := !closed
		closed = true
		mu.Unlock()
		if first { // stopping twice is harmless
			cc.Stop()
			close(stopping)
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-stopCtx.Done():
			c.Log.Warn("messages still in hand at shutdown; they will be redelivered", "consumer", c.Durable)
		}
		cancel()
	}, nil
}

// keepAlive sends InProgress for msg every AckWait/3 until the returned function is called, the
// consumer stops, or MaxInProgress has passed.
func (c Consumer) keepAlive(ctx context.Context, msg jetstream.Msg) func() {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(c.AckWait / 3)
		defer tick.Stop()
		limit := time.NewTimer(c.MaxInProgress)
		defer limit.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-limit.C:
				c.Log.Warn("message in hand too long; the server will redeliver it", "consumer", c.Durable, "subject", msg.Subject(), "after", c.MaxInProgress)
				return
			case <-tick.C:
				if err := msg.InProgress(); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
					c.Log.Warn("in progress", "consumer", c.Durable, "subject", msg.Subject(), "err", err)
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

func (c Consumer) dispatch(ctx context.Context, msg jetstream.Msg) {
	delivered := 1
	if md, err := msg.Metadata(); err == nil {
		delivered = int(md.NumDelivered)
	}
	err := c.safeHandle(ctx, msg)
	switch {
	case err == nil:
		if err := msg.DoubleAck(ctx); err != nil {
			c.Log.Warn("ack", "consumer", c.Durable, "subject", msg.Subject(), "err", err)
		}
	case IsPermanent(err) || delivered >= c.MaxDeliver:
		c.Log.Error("giving up on message", "consumer", c.Durable, "subject", msg.Subject(), "deliveries", delivered, "err", err)
		if c.GiveUp != nil {
			if gerr := c.GiveUp(ctx, msg, err); gerr != nil {
				c.Log.Error("record failure", "consumer", c.Durable, "err", gerr)
				_ = msg.NakWithDelay(Backoff(delivered))
				return
			}
		}
		_ = msg.TermWithReason("permanent failure")
	default:
		c.Log.Warn("will retry", "consumer", c.Durable, "subject", msg.Subject(), "deliveries", delivered, "err", err)
		_ = msg.NakWithDelay(Backoff(delivered))
	}
}

func (c Consumer) safeHandle(ctx context.Context, msg jetstream.Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	return c.Handle(ctx, msg)
}
