package dossier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// ProjectorDurable is the durable consumer every dossier worker replica shares.
const ProjectorDurable = "dossier-projector"

// MaxStateSize bounds one round's stored projection below the server's 8 MiB payload limit.
const MaxStateSize = 7 << 20

// Store reads and writes the dossier projection (tn_dossiers, one value per round), replays the
// DOSSIER stream, publishes board decisions and reads raised alerts (tn_alerts).
type Store struct {
	js jetstream.JetStream

	mu      sync.Mutex
	buckets map[string]jetstream.KeyValue
}

// NewStore returns a store on a JetStream context. Buckets are looked up on first use, so that
// building it never fails; streams and buckets are provisioned by internal/bus.
func NewStore(js jetstream.JetStream) *Store {
	return &Store{js: js, buckets: map[string]jetstream.KeyValue{}}
}

func (s *Store) bucket(ctx context.Context, name string) (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kv, ok := s.buckets[name]; ok {
		return kv, nil
	}
	kv, err := s.js.KeyValue(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("dossier: bucket %s: %w", name, err)
	}
	s.buckets[name] = kv
	return kv, nil
}

// watchAll follows every key of a bucket, the values present first, until ctx ends; the
// deadline watcher and the deliverer each keep a live copy of a bucket this way.
func (s *Store) watchAll(ctx context.Context, bucket string) (jetstream.KeyWatcher, error) {
	kv, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("dossier: watch %s: %w", bucket, err)
	}
	return w, nil
}

// watchEnded is what a loop over a watch returns when its updates channel closes. The watch
// closes when its context ends, and select may see that before ctx.Done: that is a normal stop,
// not an error.
func watchEnded(ctx context.Context, bucket string) error {
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("dossier: watch %s closed", bucket)
}

// State returns a round's stored projection and its KV revision; an empty state and revision 0
// when nothing was projected yet.
func (s *Store) State(ctx context.Context, round string) (*State, uint64, error) {
	kv, err := s.bucket(ctx, bus.BucketDossiers)
	if err != nil {
		return nil, 0, err
	}
	if !roundIDPattern.MatchString(round) {
		return nil, 0, fmt.Errorf("round %q: %w", round, ErrNotFound)
	}
	e, err := kv.Get(ctx, round)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return NewState(round), 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("dossier: get state %s: %w", round, err)
	}
	st, err := DecodeState(e.Value())
	if err != nil {
		return nil, 0, fmt.Errorf("dossier: state %s: %w", round, err)
	}
	return st, e.Revision(), nil
}

// errConflict means another writer stored the state first: read again and re-apply.
var errConflict = errors.New("dossier: concurrent update of the projection")

// save stores st over revision rev (0 = create), failing with errConflict if someone was first.
func (s *Store) save(ctx context.Context, st *State, rev uint64) (uint64, error) {
	kv, err := s.bucket(ctx, bus.BucketDossiers)
	if err != nil {
		return 0, err
	}
	data, err := EncodeState(st)
	if err != nil {
		return 0, err
	}
	if len(data) > MaxStateSize {
		return 0, fmt.Errorf("dossier: state of round %s is %d bytes, over the %d limit", st.Round, len(data), MaxStateSize)
	}
	nrev, err := bus.CompareAndSet(ctx, kv, st.Round, data, rev)
	if bus.IsConflict(err) {
		return 0, errConflict
	}
	if err != nil {
		return 0, fmt.Errorf("dossier: store state %s: %w", st.Round, err)
	}
	return nrev, nil
}

// subjects are the DOSSIER subjects of a round that the projection is built from.
func subjects(round string) []string {
	return []string{DocumentSubject(round), DecisionSubject(round)}
}

// Replay builds a round's projection afresh from the DOSSIER stream. Messages that cannot be
// applied are skipped, as the live projector terminates them.
func (s *Store) Replay(ctx context.Context, round string) (*State, error) {
	if !roundIDPattern.MatchString(round) {
		return nil, fmt.Errorf("round %q: %w", round, ErrNotFound)
	}
	st := NewState(round)
	cons, err := s.js.OrderedConsumer(ctx, bus.StreamDossier, jetstream.OrderedConsumerConfig{FilterSubjects: subjects(round)})
	if err != nil {
		return nil, fmt.Errorf("dossier: replay %s: %w", round, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("dossier: replay %s: %w", round, err)
	}
	pending := info.NumPending
	for read := uint64(0); read < pending; {
		batch, err := cons.Fetch(int(min(pending-read, 1000)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, fmt.Errorf("dossier: replay %s: %w", round, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return nil, fmt.Errorf("dossier: replay %s: %w", round, err)
			}
			_, _ = st.Apply(m.Subject(), m.Data(), md.Sequence.Stream)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("dossier: replay %s: %w", round, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("dossier: replay %s: stream ended after %d of %d messages", round, read, pending)
		}
		read += uint64(n)
	}
	return st, nil
}

// RebuildResult says how a replay compared with the live projection.
type RebuildResult struct {
	Round       string   `json:"round"`
	Equal       bool     `json:"equal"`
	Replaced    bool     `json:"replaced"`
	LiveSeq     uint64   `json:"live_seq"`
	RebuiltSeq  uint64   `json:"rebuilt_seq"`
	Documents   int      `json:"documents"`
	Decisions   int      `json:"decisions"`
	Differences []string `json:"differences"`
}

// Rebuild replays the stream into a fresh state and compares it with the live one. The live
// state may lag a little (events in flight, or held by another replica), so it is given catchUp
// to come level before a difference counts. When they differ and replace is set, the rebuilt
// state takes the live one's place by CAS on the revision: a projector writing meanwhile is not
// overwritten, the rebuild starts again instead. Anything applied after the replay read the
// stream is applied again on top by the projector (idempotent).
func (s *Store) Rebuild(ctx context.Context, round string, replace bool, catchUp time.Duration) (RebuildResult, error) {
	for attempt := 0; ; attempt++ {
		rebuilt, err := s.Replay(ctx, round)
		if err != nil {
			return RebuildResult{}, err
		}
		live, rev, err := s.State(ctx, round)
		if err != nil {
			return RebuildResult{}, err
		}
		deadline := time.Now().Add(catchUp)
		for live.Seq <= rebuilt.Seq && !rebuilt.Equal(live) && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return RebuildResult{}, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			if live, rev, err = s.State(ctx, round); err != nil {
				return RebuildResult{}, err
			}
		}
		if live.Seq > rebuilt.Seq && attempt < 3 {
			continue // events arrived after the replay read the stream: replay again
		}
		res := RebuildResult{Round: round, LiveSeq: live.Seq, RebuiltSeq: rebuilt.Seq, Documents: len(rebuilt.Docs),
			Decisions: len(rebuilt.Decisions), Differences: rebuilt.Diff(live, 20)}
		res.Equal = len(res.Differences) == 0
		if res.Equal || !replace {
			return res, nil
		}
		if _, err := s.save(ctx, rebuilt, rev); errors.Is(err, errConflict) && attempt < 3 {
			continue
		} else if err != nil {
			return RebuildResult{}, err
		}
		res.Replaced = true
		return res, nil
	}
}

// Decide publishes a board decision on a late request and returns its stream sequence.
func (s *Store) Decide(ctx context.Context, d RequestDecision) (uint64, error) {
	if err := d.Validate(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return 0, fmt.Errorf("dossier: encode decision: %w", err)
	}
	msg := &nats.Msg{Subject: DecisionSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "decision-"+d.Request+"-"+strconv.FormatInt(d.At.UnixNano(), 10))
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, fmt.Errorf("dossier: publish decision on %s: %w", d.Request, err)
	}
	return ack.Sequence, nil
}

// WaitFor polls a round's projection until done(state) holds or ctx ends. With several
// projector replicas the highest applied sequence says nothing about the messages before it,
// so callers wait for the effect they expect, not for a sequence.
func (s *Store) WaitFor(ctx context.Context, round string, done func(*State) bool) error {
	for {
		st, _, err := s.State(ctx, round)
		if err != nil {
			return err
		}
		if done(st) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(40 * time.Millisecond):
		}
	}
}

// DecisionApplied is the WaitFor condition of a decision published at seq.
func DecisionApplied(request string, seq uint64) func(*State) bool {
	return func(st *State) bool { return st.Decisions[request].Seq >= seq }
}

// Alerts returns the alerts raised for a round, oldest deadline and lead first.
func (s *Store) Alerts(ctx context.Context, round string) ([]Alert, error) {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return nil, err
	}
	if !roundIDPattern.MatchString(round) {
		return nil, fmt.Errorf("round %q: %w", round, ErrNotFound)
	}
	w, err := kv.Watch(ctx, round+".>", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("dossier: alerts of %s: %w", round, err)
	}
	defer func() { _ = w.Stop() }()
	out := []Alert{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("dossier: alerts of %s: watcher closed", round)
			}
			if e == nil {
				sortAlerts(out)
				return out, nil
			}
			var a Alert
			if err := json.Unmarshal(e.Value(), &a); err != nil {
				return nil, fmt.Errorf("dossier: decode alert %s: %w", e.Key(), err)
			}
			out = append(out, a)
		}
	}
}

func sortAlerts(as []Alert) {
	slices.SortFunc(as, func(a, b Alert) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		if c := a.RaisedAt.Compare(b.RaisedAt); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ProjectorConfig tunes the projector.
type ProjectorConfig struct {
	Log      *slog.Logger
	Batch    int           // most messages applied per store; default 500
	AckWait  time.Duration // redelivery after a crash; default 60s
	Consumer string        // durable name; default ProjectorDurable
}

// Projector is the durable pull consumer that keeps tn_dossiers up to date. Several replicas
// may run: they share the durable consumer and resolve concurrent writes by CAS.
type Projector struct {
	store *Store
	cfg   ProjectorConfig
}

// NewProjector returns a projector writing through store.
func NewProjector(store *Store, cfg ProjectorConfig) *Projector {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 60 * time.Second
	}
	if cfg.Consumer == "" {
		cfg.Consumer = ProjectorDurable
	}
	return &Projector{store: store, cfg: cfg}
}

// Start creates (or updates) the durable consumer and starts applying messages. The returned
// stop drains the consumer, applies what was already received and returns within ctx.
func (p *Projector) Start(ctx context.Context) (func(context.Context), error) {
	cons, err := p.store.js.CreateOrUpdateConsumer(ctx, bus.StreamDossier, jetstream.ConsumerConfig{
		Durable:        p.cfg.Consumer,
		Description:    "dossier projection: document verdicts and board decisions into tn_dossiers",
		FilterSubjects: []string{"tn.dossier.*." + subjectDocument, "tn.dossier.*." + subjectDecision},
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        p.cfg.AckWait,
		MaxAckPending:  4 * p.cfg.Batch,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("dossier: projector consumer: %w", err)
	}
	msgs := make(chan jetstream.Msg, p.cfg.Batch)
	// quit releases a callback blocked on a full channel at shutdown: the message it holds is
	// not acked and comes back later. msgs is never closed, so no send can panic.
	quit := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-quit:
		}
	},
		jetstream.PullMaxMessages(p.cfg.Batch),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if !errors.Is(err, jetstream.ErrNoHeartbeat) {
				p.cfg.Log.Warn("dossier projector consume", "err", err)
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("dossier: projector consume: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.loop(runCtx, msgs, quit)
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
			cancel()
			<-done
		}
		cancel()
	}, nil
}

// loop takes what has arrived, up to a batch, and applies it with one store per round: under a
// burst of uploads the projection is written once per batch, not once per document. On quit it
// applies what was already received, then returns.
func (p *Projector) loop(ctx context.Context, msgs <-chan jetstream.Msg, quit <-chan struct{}) {
	for {
		var first jetstream.Msg
		select {
		case first = <-msgs:
		case <-quit:
			for {
				batch := take(msgs, nil, p.cfg.Batch)
				if len(batch) == 0 {
					return
				}
				p.handle(ctx, batch)
			}
		}
		p.handle(ctx, take(msgs, []jetstream.Msg{first}, p.cfg.Batch))
	}
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

// handle applies a batch: per round, load, apply, store (CAS, retried on conflict), then ack.
func (p *Projector) handle(ctx context.Context, batch []jetstream.Msg) {
	byRound := map[string][]jetstream.Msg{}
	var order []string
	for _, m := range batch {
		round, _, err := ParseSubject(m.Subject())
		if err != nil {
			p.poison(m, err)
			continue
		}
		if _, ok := byRound[round]; !ok {
			order = append(order, round)
		}
		byRound[round] = append(byRound[round], m)
	}
	for _, round := range order {
		ms := byRound[round]
		if err := p.project(ctx, round, ms); err != nil {
			p.cfg.Log.Error("dossier projection failed; will retry", "round", round, "messages", len(ms), "err", err)
			for _, m := range ms {
				_ = m.NakWithDelay(retryDelay(m))
			}
		}
	}
}

func (p *Projector) project(ctx context.Context, round string, ms []jetstream.Msg) error {
	for attempt := 0; attempt < 20; attempt++ {
		st, rev, err := p.store.State(ctx, round)
		if err != nil {
			return err
		}
		changed := false
		var good, bad []jetstream.Msg
		var errs []error
		for _, m := range ms {
			md, err := m.Metadata()
			if err != nil {
				bad, errs = append(bad, m), append(errs, err)
				continue
			}
			c, err := st.Apply(m.Subject(), m.Data(), md.Sequence.Stream)
			if err != nil {
				bad, errs = append(bad, m), append(errs, err)
				continue
			}
			changed = changed || c
			good = append(good, m)
		}
		if changed {
			if _, err := p.store.save(ctx, st, rev); errors.Is(err, errConflict) {
				continue
			} else if err != nil {
				return err
			}
		}
		for i, m := range bad {
			p.poison(m, errs[i])
		}
		for _, m := range good {
			_ = m.Ack()
		}
		return nil
	}
	return fmt.Errorf("dossier: round %s: %w (too many attempts)", round, errConflict)
}

func (p *Projector) poison(m jetstream.Msg, err error) {
	p.cfg.Log.Error("dossier event cannot be applied; terminated", "subject", m.Subject(), "err", err)
	_ = m.TermWithReason(err.Error())
}

// retryDelay backs off by delivery count: 1s, 2s, 4s … up to a minute.
func retryDelay(m jetstream.Msg) time.Duration {
	n := uint64(1)
	if md, err := m.Metadata(); err == nil {
		n = md.NumDelivered
	}
	d := time.Second << min(n-1, 6)
	return min(d, time.Minute)
}
