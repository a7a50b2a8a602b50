package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/requestid"
)

// ProjectorDurable is the durable consumer every dossier worker replica shares.
const ProjectorDurable = "dossier-projector"

// ErrStateTooLarge means a round's projection no longer fits in one stored value: no retry
// can store it.
var ErrStateTooLarge = errors.New("dossier: projection too large")

// Dossiers reads and writes the dossier projection (tn_dossiers, one value per round), replays the
// DOSSIER stream, publishes board decisions and reads raised alerts (tn_alerts).
type Dossiers struct {
	js jetstream.JetStream

	mu      sync.Mutex
	buckets map[string]jetstream.KeyValue

	// states keeps the decoded projections last read or written, by round, with their KV
	// revision: a state read again at the same revision is not decoded again (a 5,000-person
	// round is 2 MB of JSON, 20 ms to decode).
	states *stateCache
}

// NewDossiers returns a store on a JetStream context. Buckets are looked up on first use, so that
// building it never fails; streams and buckets are provisioned by internal/bus.
func NewDossiers(js jetstream.JetStream) *Dossiers {
	return &Dossiers{js: js, buckets: map[string]jetstream.KeyValue{}, states: newStateCache(maxCachedDocs)}
}

func (s *Dossiers) bucket(ctx context.Context, name string) (jetstream.KeyValue, error) {
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

// WatchAll follows every key of a bucket, the values present first, until ctx ends; the
// deadline watcher and the deliverer each keep a live copy of a bucket this way.
func (s *Dossiers) WatchAll(ctx context.Context, bucket string) (jetstream.KeyWatcher, error) {
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

// WatchEnded is what a loop over a watch returns when its updates channel closes. The watch
// closes when its context ends, and select may see that before ctx.Done: that is a normal stop,
// not an error.
func WatchEnded(ctx context.Context, bucket string) error {
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("dossier: watch %s closed", bucket)
}

// State returns a round's stored projection and its KV revision; an empty state and revision 0
// when nothing was projected yet. The state is the caller's to change (the projector applies
// events to it).
func (s *Dossiers) State(ctx context.Context, round string) (*dossier.State, uint64, error) {
	st, rev, err := s.Snapshot(ctx, round)
	if err != nil {
		return nil, 0, err
	}
	return st.Clone(), rev, nil
}

// Snapshot is State for readers: the state may be shared with other readers and must not be
// changed. A state read again at the same revision is not decoded again.
func (s *Dossiers) Snapshot(ctx context.Context, round string) (*dossier.State, uint64, error) {
	kv, err := s.bucket(ctx, bus.BucketDossiers)
	if err != nil {
		return nil, 0, err
	}
	if !dossier.ValidRoundID(round) {
		return nil, 0, fmt.Errorf("round %q: %w", round, dossier.ErrNotFound)
	}
	e, err := kv.Get(ctx, round)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return dossier.NewState(round), 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("dossier: get state %s: %w", round, err)
	}
	if st, ok := s.states.get(round, e.Revision()); ok {
		return st, e.Revision(), nil
	}
	st, err := dossier.DecodeState(e.Value())
	if err != nil {
		return nil, 0, fmt.Errorf("dossier: state %s: %w", round, err)
	}
	s.states.put(round, e.Revision(), st)
	return st, e.Revision(), nil
}

// IsConflict reports whether a write failed because the record changed since it was read.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) || bus.IsConflict(err) }

// ErrConflict means another writer stored the record first: read again and apply again.
var ErrConflict = errors.New("store: concurrent update")

// Cached is State without asking the store: a copy of the state this process last read or
// wrote for round, and its revision, for a writer that will Save it compare-and-set. It may be
// stale (another process wrote since): Save then fails with ErrConflict, and the writer reads
// with State. ok is false when none is kept. The projector applies each batch of events to it,
// so that a round's whole state is not fetched from the store and decoded again for each batch
// (in a round with 1,000 versions of a paper that was most of the projection's cost).
func (s *Dossiers) Cached(round string) (st *dossier.State, rev uint64, ok bool) {
	kept, rev, ok := s.states.latest(round)
	if !ok {
		return nil, 0, false
	}
	return kept.Clone(), rev, true
}

// Save stores st over revision rev (0 = create), failing with ErrConflict if someone was first.
// A saved st is kept as the round's latest state (see Cached), not copied: the caller must not
// change it afterwards.
func (s *Dossiers) Save(ctx context.Context, st *dossier.State, rev uint64) (uint64, error) {
	kv, err := s.bucket(ctx, bus.BucketDossiers)
	if err != nil {
		return 0, err
	}
	data, err := dossier.EncodeState(st)
	if err != nil {
		return 0, err
	}
	if len(data) > dossier.MaxStateSize {
		return 0, fmt.Errorf("%w: round %s is %d bytes, over the %d limit", ErrStateTooLarge, st.Round, len(data), dossier.MaxStateSize)
	}
	nrev, err := bus.CompareAndSet(ctx, kv, st.Round, data, rev)
	if bus.IsConflict(err) {
		return 0, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("dossier: store state %s: %w", st.Round, err)
	}
	s.states.keep(st.Round, nrev, st)
	return nrev, nil
}

// Replay builds a round's projection afresh from the DOSSIER stream. Messages that cannot be
// applied are skipped, as the live projector terminates them.
func (s *Dossiers) Replay(ctx context.Context, round string) (*dossier.State, error) {
	if !dossier.ValidRoundID(round) {
		return nil, fmt.Errorf("round %q: %w", round, dossier.ErrNotFound)
	}
	st := dossier.NewState(round)
	cons, err := s.js.OrderedConsumer(ctx, bus.StreamDossier, jetstream.OrderedConsumerConfig{FilterSubjects: dossier.ProjectionSubjects(round)})
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
func (s *Dossiers) Rebuild(ctx context.Context, round string, replace bool, catchUp time.Duration) (RebuildResult, error) {
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
		if _, err := s.Save(ctx, rebuilt, rev); errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		} else if err != nil {
			return RebuildResult{}, err
		}
		res.Replaced = true
		return res, nil
	}
}

// Decide publishes a board decision on a late request and returns its stream sequence.
func (s *Dossiers) Decide(ctx context.Context, d dossier.RequestDecision) (uint64, error) {
	if err := d.Validate(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return 0, fmt.Errorf("dossier: encode decision: %w", err)
	}
	msg := &nats.Msg{Subject: dossier.DecisionSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "decision-"+d.Request+"-"+strconv.FormatInt(d.At.UnixNano(), 10))
	requestid.Stamp(ctx, msg.Header)
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, fmt.Errorf("dossier: publish decision on %s: %w", d.Request, err)
	}
	return ack.Sequence, nil
}

// WaitFor polls a round's projection until done(state) holds or ctx ends. With several
// projector replicas the highest applied sequence says nothing about the messages before it,
// so callers wait for the effect they expect, not for a sequence.
func (s *Dossiers) WaitFor(ctx context.Context, round string, done func(*dossier.State) bool) error {
	for {
		st, _, err := s.Snapshot(ctx, round)
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
func DecisionApplied(request string, seq uint64) func(*dossier.State) bool {
	return func(st *dossier.State) bool { return st.Decisions[request].Seq >= seq }
}

// Alerts returns the alerts raised for a round, oldest deadline and lead first.
func (s *Dossiers) Alerts(ctx context.Context, round string) ([]dossier.Alert, error) {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return nil, err
	}
	if !dossier.ValidRoundID(round) {
		return nil, fmt.Errorf("round %q: %w", round, dossier.ErrNotFound)
	}
	w, err := kv.Watch(ctx, round+".>", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("dossier: alerts of %s: %w", round, err)
	}
	defer func() { _ = w.Stop() }()
	out := []dossier.Alert{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("dossier: alerts of %s: watcher closed", round)
			}
			if e == nil {
				dossier.SortAlerts(out)
				return out, nil
			}
			var a dossier.Alert
			if err := json.Unmarshal(e.Value(), &a); err != nil {
				return nil, fmt.Errorf("dossier: decode alert %s: %w", e.Key(), err)
			}
			out = append(out, a)
		}
	}
}

// AlertExists reports whether the alert with that key was raised already.
func (s *Dossiers) AlertExists(ctx context.Context, key string) (bool, error) {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return false, err
	}
	_, err = kv.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return false, nil
	}
	return false, fmt.Errorf("dossier: alert %s: %w", key, err)
}

// CreateAlert raises an alert unless one with its key exists; created is false when another
// replica (or an earlier run) raised it first.
func (s *Dossiers) CreateAlert(ctx context.Context, key string, a dossier.Alert) (bool, error) {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("dossier: encode alert %s: %w", key, err)
	}
	if _, err := kv.Create(ctx, key, data); bus.IsConflict(err) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("dossier: raise alert %s: %w", key, err)
	}
	return true, nil
}

// Alert returns a raised alert and its revision.
func (s *Dossiers) Alert(ctx context.Context, key string) (dossier.Alert, uint64, error) {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return dossier.Alert{}, 0, err
	}
	a, rev, err := bus.GetJSON[dossier.Alert](ctx, kv, key)
	if err != nil {
		return dossier.Alert{}, 0, fmt.Errorf("dossier: get alert %s: %w", key, err)
	}
	return a, rev, nil
}

// UpdateAlert stores a if the record is still at rev, else ErrConflict.
func (s *Dossiers) UpdateAlert(ctx context.Context, key string, a dossier.Alert, rev uint64) error {
	kv, err := s.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return err
	}
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("dossier: encode alert %s: %w", key, err)
	}
	if _, err := kv.Update(ctx, key, data, rev); bus.IsConflict(err) {
		return ErrConflict
	} else if err != nil {
		return fmt.Errorf("dossier: update alert %s: %w", key, err)
	}
	return nil
}

// PublishAlert puts an alert's event on its subject (ALERTS stream), once per alert id.
func (s *Dossiers) PublishAlert(ctx context.Context, subject, id string, body []byte) error {
	msg := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "alert-"+id)
	if _, err := s.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("dossier: publish alert on %s: %w", subject, err)
	}
	return nil
}

// LastSeq is the stream sequence of the newest DOSSIER event of a round (0 when none): a
// stored state at a lower sequence has not applied everything yet.
func (s *Dossiers) LastSeq(ctx context.Context, round string) (uint64, error) {
	stream, err := s.js.Stream(ctx, bus.StreamDossier)
	if err != nil {
		return 0, fmt.Errorf("dossier: stream: %w", err)
	}
	var last uint64
	for _, subj := range dossier.ProjectionSubjects(round) {
		m, err := stream.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("dossier: last event of %s: %w", round, err)
		}
		last = max(last, m.Sequence)
	}
	return last, nil
}
