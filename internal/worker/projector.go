package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/requestid"
	"tinnhiem/internal/store"
)

// ProjectorDurable is the durable consumer every dossier worker replica shares.
const ProjectorDurable = bus.DurableDossier

// ProjectorConfig tunes the projector.
type ProjectorConfig struct {
	Log   *slog.Logger
	Audit *audit.Log // where events given up on are recorded
	Batch int        // most messages applied per store; default 500
	// Linger is how long a batch waits for more events before it is applied (default 20 ms):
	// a round's whole state is encoded and written once per batch, so under a burst of
	// verdicts it is written every Linger rather than for every verdict or two — what made a
	// person's thousandth version cost more than their first. A dossier shows a verdict that
	// much later; the document's own verdict is not delayed.
	Linger     time.Duration
	AckWait    time.Duration // redelivery after a crash; default 60s
	MaxDeliver int           // deliveries before an event is given up; default 10
	Consumer   string        // durable name; default ProjectorDurable
	Metrics    *metrics.Metrics
}

// DefaultProjectorLinger is ProjectorConfig.Linger's default; a negative Linger applies what has
// arrived at once.
const DefaultProjectorLinger = 20 * time.Millisecond

// Projector is the durable pull consumer that keeps tn_dossiers up to date. Several replicas
// may run: they share the durable consumer and resolve concurrent writes by CAS.
type Projector struct {
	js    jetstream.JetStream
	store *store.Dossiers
	cfg   ProjectorConfig
}

// NewProjector returns a projector writing through st.
func NewProjector(js jetstream.JetStream, st *store.Dossiers, cfg ProjectorConfig) *Projector {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Linger == 0 {
		cfg.Linger = DefaultProjectorLinger
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 60 * time.Second
	}
	if cfg.MaxDeliver <= 0 {
		cfg.MaxDeliver = 10
	}
	if cfg.Consumer == "" {
		cfg.Consumer = ProjectorDurable
	}
	return &Projector{js: js, store: st, cfg: cfg}
}

// Start creates (or updates) the durable consumer and starts applying messages. The returned
// stop drains the consumer, applies what was already received and returns within ctx.
func (p *Projector) Start(ctx context.Context) (func(context.Context), error) {
	return bus.Consumer{
		Stream: bus.StreamDossier, Durable: p.cfg.Consumer,
		Description: "dossier projection: document verdicts, board decisions and the packet's sending into tn_dossiers",
		Filters:     []string{dossier.DocumentSubject("*"), dossier.DecisionSubject("*"), dossier.PacketSubject("*")},
		AckWait:     p.cfg.AckWait, MaxDeliver: p.cfg.MaxDeliver, Batch: p.cfg.Batch, Linger: max(p.cfg.Linger, 0), Log: p.cfg.Log,
		HandleBatch: p.handle,
		GiveUp:      giveUpToAudit(p.cfg.Audit, "dossier", "dossier.event_failed"),
		Observer:    p.cfg.Metrics.Consumers(),
	}.Start(ctx, p.js)
}

// handle applies a batch: per round, load, apply, store (CAS, retried on conflict). Under a burst
// of uploads the projection is written once per batch, not once per document.
func (p *Projector) handle(ctx context.Context, batch []jetstream.Msg) []error {
	errs := make([]error, len(batch))
	byRound := map[string][]int{}
	var order []string
	for i, m := range batch {
		round, _, err := dossier.ParseSubject(m.Subject())
		if err != nil {
			errs[i] = bus.Permanent(err)
			continue
		}
		if _, ok := byRound[round]; !ok {
			order = append(order, round)
		}
		byRound[round] = append(byRound[round], i)
	}
	for _, round := range order {
		idx := byRound[round]
		ms := make([]jetstream.Msg, len(idx))
		for j, i := range idx {
			ms[j] = batch[i]
		}
		for j, err := range p.project(ctx, round, ms) {
			errs[idx[j]] = err
		}
	}
	return errs
}

// project applies the messages of one round and answers for each: nil once stored, a permanent
// error for an event that cannot be applied, the store's error (retried) for all otherwise.
func (p *Projector) project(ctx context.Context, round string, ms []jetstream.Msg) []error {
	errs := make([]error, len(ms))
	for attempt := 0; attempt < 20; attempt++ {
		// The state this process wrote last is tried first, without reading it back: a
		// conflict on saving means another wrote since, and the next attempt reads.
		st, rev, ok := p.store.Cached(round)
		var err error
		if !ok || attempt > 0 {
			if st, rev, err = p.store.State(ctx, round); err != nil {
				return repeatErr(err, len(ms))
			}
		}
		changed := false
		for i, m := range ms {
			errs[i] = nil
			md, err := m.Metadata()
			if err != nil {
				errs[i] = bus.Permanent(err)
				continue
			}
			c, err := st.Apply(m.Subject(), m.Data(), md.Sequence.Stream)
			if err != nil {
				errs[i] = bus.Permanent(fmt.Errorf("dossier event cannot be applied: %w", err))
				continue
			}
			changed = changed || c
		}
		if !changed {
			return errs
		}
		_, err = p.store.Save(ctx, st, rev)
		switch {
		case errors.Is(err, store.ErrConflict):
			continue
		case errors.Is(err, store.ErrStateTooLarge):
			return repeatErr(bus.Permanent(err), len(ms))
		case err != nil:
			p.cfg.Log.Error("dossier projection not stored; will retry", "round", round, "messages", len(ms), "request_ids", requestIDs(ms), "err", err)
			return repeatErr(err, len(ms))
		}
		// One line per event, with the request id its message carries, so that one upload can
		// be followed from the API through the ingest worker to the dossier.
		for i, m := range ms {
			if md, err := m.Metadata(); errs[i] == nil && err == nil {
				p.cfg.Log.InfoContext(bus.MessageContext(ctx, m), "dossier: event applied", "round", round, "subject", m.Subject(), "seq", md.Sequence.Stream)
			}
		}
		return errs
	}
	return repeatErr(fmt.Errorf("dossier: round %s: %w (too many attempts)", round, store.ErrConflict), len(ms))
}

// requestIDs are the distinct request ids of a batch's messages, for a line about all of them.
func requestIDs(ms []jetstream.Msg) []string {
	var out []string
	for _, m := range ms {
		if id := m.Headers().Get(requestid.Header); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func repeatErr(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
