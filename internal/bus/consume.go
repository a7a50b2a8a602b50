package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/requestid"
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

// Action is what becomes of a message once its handler has answered.
type Action int

// The actions of Decide.
const (
	Ack    Action = iota // done: acknowledged
	Retry                // redelivered after a delay (NakWithDelay)
	GiveUp               // the failure is recorded, then the message is ended (TermWithReason)
)

func (a Action) String() string {
	switch a {
	case Ack:
		return "ack"
	case Retry:
		return "retry"
	case GiveUp:
		return "give_up"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Decide is the one rule of what a handler's answer does to a message: nil is acked; a
// Permanent error (a panic is one), or any error on the last allowed delivery, gives up; any
// other error is retried after Backoff(delivered).
func Decide(err error, delivered, maxDeliver int) (Action, time.Duration) {
	switch {
	case err == nil:
		return Ack, 0
	case IsPermanent(err) || (maxDeliver > 0 && delivered >= maxDeliver):
		return GiveUp, 0
	}
	return Retry, Backoff(delivered)
}

// Backoff is the delay before redelivering after the n-th failed delivery.
func Backoff(delivered int) time.Duration {
	return min(time.Second<<min(max(delivered-1, 0), 6), time.Minute)
}

// Failure is a message the consumer gives up on, handed to GiveUp to be recorded: from a
// handler's answer, or from the server's max-deliveries advisory when the process that held
// the last delivery died before it could answer.
type Failure struct {
	Subject   string
	Data      []byte
	Header    nats.Header
	StreamSeq uint64
	Delivered int
	Cause     error
}

// Consumer describes a durable pull consumer and how its messages are handled. Every consumer
// of tinnhiem goes through it: one place turns answers into Ack, NakWithDelay or Term.
type Consumer struct {
	Stream      string
	Durable     string
	Filter      string   // one filter subject, or
	Filters     []string // several
	Description string
	AckWait     time.Duration // default 60s
	MaxDeliver  int           // default 5
	Concurrency int           // messages handled at once, default 1 (Handle only)
	Log         *slog.Logger
	// Handle does the work of one message; its answer goes through Decide.
	Handle func(ctx context.Context, msg jetstream.Msg) error
	// HandleBatch, used instead of Handle, takes what has arrived (up to Batch messages) at
	// once and answers one error per message, in order; each answer goes through Decide. The
	// dossier projector uses it to store a round's state once per burst, not once per event.
	HandleBatch func(ctx context.Context, msgs []jetstream.Msg) []error
	Batch       int // default 500
	// Linger is how long a batch that is not full waits, from its first message, for more
	// (HandleBatch only; 0: it takes what has arrived). Under a burst the work done once per
	// batch is then done once per Linger, not once per message or two.
	Linger time.Duration
	// GiveUp records a failure that will not be retried. If it fails, the message is Nak'd
	// instead of ended: redelivered while deliveries remain, else reported by the server's
	// max-deliveries advisory, which calls GiveUp again — so no failure goes unrecorded.
	GiveUp func(ctx context.Context, f Failure) error
	// KeepAlive tells the server every AckWait/3 that each message this process holds is in
	// progress, so that AckWait can be short: the messages of a process that died are
	// redelivered after AckWait, those merely slow are not. (A message is only pulled by a free
	// slot — see consumeEach — so none waits unheard in the client.) Handle must end by itself
	// (its own time limits); heartbeats stop after MaxInProgress all the same, so that even a
	// hung handler lets its message go.
	KeepAlive     bool
	MaxInProgress time.Duration // default 15 min
	// Observer, when set, hears of every delivery, every answer and every failure recorded
	// (metrics). Its methods must be quick.
	Observer Observer
}

// Observer hears what becomes of a consumer's messages.
type Observer interface {
	// Delivered: a message reached this process on its delivered-th delivery (> 1: a redelivery).
	Delivered(consumer string, delivered int)
	// Settled: Decide answered action for a message.
	Settled(consumer string, action Action)
	// GaveUp: a failure was recorded through GiveUp (from an answer or the max-deliveries advisory).
	GaveUp(consumer string)
}

// MessageContext is ctx carrying the request id of msg's header (see internal/requestid): the
// context a handler of msg works and logs with. Handle gets it already; a HandleBatch calls it
// for each message of its batch.
func MessageContext(ctx context.Context, msg jetstream.Msg) context.Context {
	return requestid.FromHeader(ctx, msg.Headers())
}

func (c *Consumer) defaults() error {
	if c.AckWait <= 0 {
		c.AckWait = time.Minute
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if c.Concurrency <= 0 || c.HandleBatch != nil {
		c.Concurrency = 1
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.MaxInProgress <= 0 {
		c.MaxInProgress = 15 * time.Minute
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if (c.Handle == nil) == (c.HandleBatch == nil) {
		return fmt.Errorf("bus: consumer %s: exactly one of Handle and HandleBatch", c.Durable)
	}
	if c.GiveUp == nil {
		return fmt.Errorf("bus: consumer %s: GiveUp must record what is given up", c.Durable)
	}
	return nil
}

// MaxDeliveriesSubject is the server's advisory for a message of stream/durable that ran out of
// deliveries.
func MaxDeliveriesSubject(stream, durable string) string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + durable
}

// Start provisions the consumer idempotently and consumes until the returned stop function is
// called; stop waits for the messages in hand (or its context) before returning.
func (c Consumer) Start(ctx context.Context, js jetstream.JetStream) (func(context.Context), error) {
	if err := c.defaults(); err != nil {
		return nil, err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:        c.Durable,
		Description:    c.Description,
		FilterSubject:  c.Filter,
		FilterSubjects: c.Filters,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        c.AckWait,
		MaxDeliver:     c.MaxDeliver,
		MaxAckPending:  c.Concurrency * 4,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if c.HandleBatch != nil {
		cfg.MaxAckPending = 4 * c.Batch
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s: %w", c.Durable, err)
	}
	adv, err := c.watchMaxDeliveries(js)
	if err != nil {
		return nil, err
	}
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var stop func(context.Context)
	if c.HandleBatch != nil {
		stop, err = c.consumeBatches(workCtx, cons)
	} else {
		stop, err = c.consumeEach(workCtx, cons)
	}
	if err != nil {
		cancel()
		_ = adv.Unsubscribe()
		return nil, err
	}
	var once sync.Once
	return func(stopCtx context.Context) {
		once.Do(func() {
			stop(stopCtx)
			cancel()
			_ = adv.Unsubscribe()
		})
	}, nil
}

func (c Consumer) errHandler() jetstream.PullConsumeOpt {
	return jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) {
			c.Log.Warn("consume", "consumer", c.Durable, "err", err)
		}
	})
}

// pullExpiry is how long one pull request waits on the server before an idle consumer asks
// again. It was the library's 30 s, and a stalled consumer (see consumeEach) waited that long:
// issue 13's unexplained 30 s p99, "no heartbeat received" in the log.
const pullExpiry = 5 * time.Second

// pullHeartbeat is how often the server tells a waiting pull request that it is alive; the
// client takes two missed as a lost request and asks again, after one second rather than the
// library's default of the whole expiry. A heartbeat that arrives late (a starved process)
// costs one pull request more.
const pullHeartbeat = 500 * time.Millisecond

// consumeEach hands every message to Handle, Concurrency at a time: as many slots, each
// pulling one message when it is free, handling it, then pulling the next. No message waits in
// the client for a slot, unheard (its AckWait running), and a keep-alive starts the moment a
// message arrives.
//
// The slots pull with Fetch, not Consume. Consume with one message a pull (what a keep-alive
// consumer needs) stalls under load: when a message answers the pull request before the library's
// sending goroutine has marked that request sent, the library skips asking for the next one
// and waits for heartbeats that will never come (nats.go v1.55–1.56, pullSubscription's
// fetchInProgress against checkPending). The ingest consumer stalled so once or twice in every
// run of the load tool: consumer info showed no waiting pull and eight messages pending, and
// each file in hand waited for the missed-heartbeat timeout (5 s, 1 s with pullHeartbeat). A
// Fetch is one request and its own answer, with nothing to get out of step.
func (c Consumer) consumeEach(ctx context.Context, cons jetstream.Consumer) (func(context.Context), error) {
	stopping := make(chan struct{})
	var slots sync.WaitGroup
	for range c.Concurrency {
		slots.Add(1)
		go func() {
			defer slots.Done()
			c.slot(ctx, cons, stopping)
		}()
	}
	return func(stopCtx context.Context) {
		close(stopping)
		done := make(chan struct{})
		go func() { slots.Wait(); close(done) }()
		select {
		case <-done:
		case <-stopCtx.Done():
			c.Log.Warn("messages still in hand at shutdown; they will be redelivered", "consumer", c.Durable)
		}
	}, nil
}

// slot pulls and handles one message at a time until stopping closes.
func (c Consumer) slot(ctx context.Context, cons jetstream.Consumer, stopping <-chan struct{}) {
	for {
		select {
		case <-stopping:
			return
		default:
		}
		// pause waits before the next pull after a failure (the consumer or the connection is
		// gone for now), so that a slot never spins; false: stop.
		pause := func(err error) bool {
			c.Log.Warn("consume", "consumer", c.Durable, "err", err)
			select {
			case <-stopping:
				return false
			case <-time.After(time.Second):
				return true
			}
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(pullExpiry), jetstream.FetchHeartbeat(pullHeartbeat))
		if err != nil {
			if !pause(err) {
				return
			}
			continue
		}
		var msg jetstream.Msg
		select {
		case m, ok := <-batch.Messages():
			if !ok {
				// No message within pullExpiry (or a lost request: no heartbeat) is no failure.
				if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoHeartbeat) && !pause(err) {
					return
				}
				continue
			}
			msg = m
		case <-stopping:
			// A message the pull still brings is handed back: another replica takes it now,
			// not after AckWait.
			go func() {
				for m := range batch.Messages() {
					_ = m.Nak()
				}
			}()
			return
		}
		mctx := MessageContext(ctx, msg)
		beat := func() {}
		if c.KeepAlive {
			beat = c.keepAlive(mctx, msg)
		}
		c.settle(mctx, msg, c.safeHandle(mctx, msg), true)
		beat()
	}
}

// consumeBatches gathers what has arrived, up to Batch messages, and hands it to HandleBatch.
// On stop it drains the consumer and handles what was already received.
func (c Consumer) consumeBatches(ctx context.Context, cons jetstream.Consumer) (func(context.Context), error) {
	msgs := make(chan jetstream.Msg, c.Batch)
	// quit releases a callback blocked on a full channel at shutdown: the message it holds is
	// not acked and comes back later. msgs is never closed, so no send can panic.
	quit := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-quit:
		}
	}, jetstream.PullMaxMessages(c.Batch), jetstream.PullExpiry(pullExpiry), jetstream.PullHeartbeat(pullHeartbeat), c.errHandler())
	if err != nil {
		return nil, fmt.Errorf("bus: consume %s: %w", c.Durable, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var first jetstream.Msg
			select {
			case first = <-msgs:
			case <-quit:
				for {
					b := take(msgs, nil, c.Batch)
					if len(b) == 0 {
						return
					}
					c.handleBatch(ctx, b)
				}
			}
			batch := take(msgs, []jetstream.Msg{first}, c.Batch)
			if c.Linger > 0 && len(batch) < c.Batch {
				batch = gather(msgs, batch, c.Batch, c.Linger, quit)
			}
			c.handleBatch(ctx, batch)
		}
	}()
	return func(stopCtx context.Context) {
		cc.Drain()
		select {
		case <-cc.Closed():
		case <-stopCtx.Done():
			cc.Stop()
		}
		close(quit)
		select {
		case <-done:
		case <-stopCtx.Done():
			c.Log.Warn("messages still in hand at shutdown; they will be redelivered", "consumer", c.Durable)
		}
	}, nil
}

// take appends what is waiting in msgs, without blocking, up to n messages.
func take(msgs <-chan jetstream.Msg, batch []jetstream.Msg, n int) []jetstream.Msg {
	for len(batch) < n {
		select {
		case m := <-msgs:
			batch = append(batch, m)
		default:
			return batch
		}
	}
	return batch
}

// gather appends what arrives in msgs within linger, up to n messages; quit ends it early.
func gather(msgs <-chan jetstream.Msg, batch []jetstream.Msg, n int, linger time.Duration, quit <-chan struct{}) []jetstream.Msg {
	t := time.NewTimer(linger)
	defer t.Stop()
	for len(batch) < n {
		select {
		case m := <-msgs:
			batch = append(batch, m)
		case <-t.C:
			return batch
		case <-quit:
			return batch
		}
	}
	return batch
}

func (c Consumer) handleBatch(ctx context.Context, msgs []jetstream.Msg) {
	errs := c.safeHandleBatch(ctx, msgs)
	for i, m := range msgs {
		c.settle(MessageContext(ctx, m), m, errs[i], false)
	}
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
				c.Log.WarnContext(ctx, "message in hand too long; the server will redeliver it", "consumer", c.Durable, "subject", msg.Subject(), "after", c.MaxInProgress)
				return
			case <-tick.C:
				if err := msg.InProgress(); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
					c.Log.WarnContext(ctx, "in progress", "consumer", c.Durable, "subject", msg.Subject(), "err", err)
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// settle carries out Decide's answer for one message. sync acks with a confirmation from the
// server (a handler's effect is then known to be final); a batch acks without waiting.
func (c Consumer) settle(ctx context.Context, msg jetstream.Msg, err error, sync bool) {
	delivered := 1
	var seq uint64
	if md, merr := msg.Metadata(); merr == nil {
		delivered, seq = int(md.NumDelivered), md.Sequence.Stream
	}
	action, delay := Decide(err, delivered, c.MaxDeliver)
	if c.Observer != nil {
		c.Observer.Delivered(c.Durable, delivered)
		c.Observer.Settled(c.Durable, action)
	}
	switch action {
	case Ack:
		ack := msg.Ack
		if sync {
			ack = func() error { return msg.DoubleAck(ctx) }
		}
		if err := ack(); err != nil {
			c.Log.WarnContext(ctx, "ack", "consumer", c.Durable, "subject", msg.Subject(), "err", err)
		}
	case Retry:
		c.Log.WarnContext(ctx, "will retry", "consumer", c.Durable, "subject", msg.Subject(), "deliveries", delivered, "retry_in", delay, "err", err)
		_ = msg.NakWithDelay(delay)
	case GiveUp:
		c.Log.ErrorContext(ctx, "giving up on message", "consumer", c.Durable, "subject", msg.Subject(), "deliveries", delivered, "err", err)
		f := Failure{Subject: msg.Subject(), Data: msg.Data(), Header: msg.Headers(), StreamSeq: seq, Delivered: delivered, Cause: err}
		if gerr := c.recordGiveUp(ctx, f); gerr != nil {
			c.Log.ErrorContext(ctx, "failure not recorded; the message stays", "consumer", c.Durable, "subject", msg.Subject(), "err", gerr)
			_ = msg.NakWithDelay(Backoff(delivered))
			return
		}
		_ = msg.TermWithReason(truncate(err.Error(), 200))
	}
}

// recordGiveUp calls GiveUp, a panic in it being a failure to record.
func (c Consumer) recordGiveUp(ctx context.Context, f Failure) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in GiveUp: %v", r)
		}
		if err == nil && c.Observer != nil {
			c.Observer.GaveUp(c.Durable)
		}
	}()
	return c.GiveUp(ctx, f)
}

func (c Consumer) safeHandle(ctx context.Context, msg jetstream.Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	return c.Handle(ctx, msg)
}

// safeHandleBatch calls HandleBatch; a panic, or an answer of the wrong length, fails every
// message of the batch permanently.
func (c Consumer) safeHandleBatch(ctx context.Context, msgs []jetstream.Msg) (errs []error) {
	defer func() {
		if r := recover(); r != nil {
			errs = repeat(Permanent(fmt.Errorf("panic: %v\n%s", r, debug.Stack())), len(msgs))
		}
	}()
	errs = c.HandleBatch(ctx, msgs)
	if len(errs) != len(msgs) {
		return repeat(Permanent(fmt.Errorf("bus: batch handler answered %d times for %d messages", len(errs), len(msgs))), len(msgs))
	}
	return errs
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// watchMaxDeliveries records, through GiveUp, a message whose deliveries ran out without an
// answer (every process that took it died). One replica (a queue group) handles each advisory.
func (c Consumer) watchMaxDeliveries(js jetstream.JetStream) (*nats.Subscription, error) {
	subject := MaxDeliveriesSubject(c.Stream, c.Durable)
	sub, err := js.Conn().QueueSubscribe(subject, "tinnhiem-"+c.Durable+"-advisory", func(m *nats.Msg) {
		var adv struct {
			StreamSeq  uint64 `json:"stream_seq"`
			Deliveries int    `json:"deliveries"`
		}
		if json.Unmarshal(m.Data, &adv) != nil || adv.StreamSeq == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := js.Stream(ctx, c.Stream)
		if err != nil {
			c.Log.Error("max-deliveries advisory: stream", "consumer", c.Durable, "seq", adv.StreamSeq, "err", err)
			return
		}
		raw, err := st.GetMsg(ctx, adv.StreamSeq)
		if err != nil {
			c.Log.Error("max-deliveries advisory: message", "consumer", c.Durable, "seq", adv.StreamSeq, "err", err)
			return
		}
		f := Failure{Subject: raw.Subject, Data: raw.Data, Header: raw.Header, StreamSeq: adv.StreamSeq,
			Delivered: adv.Deliveries, Cause: errors.New("max deliveries")}
		ctx = requestid.FromHeader(ctx, raw.Header)
		c.Log.ErrorContext(ctx, "message ran out of deliveries", "consumer", c.Durable, "subject", raw.Subject, "seq", adv.StreamSeq)
		if err := c.recordGiveUp(ctx, f); err != nil {
			c.Log.ErrorContext(ctx, "failure after max deliveries not recorded", "consumer", c.Durable, "subject", raw.Subject, "err", err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("bus: advisory subscription of %s: %w", c.Durable, err)
	}
	return sub, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
