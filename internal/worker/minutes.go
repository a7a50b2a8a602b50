package worker

import (
	"context"
	"encoding/json"
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
	"tinnhiem/internal/store"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
	"tinnhiem/publish"
)

// Minutes renders the three documents of every sealed tally version and stores them. A
// redelivery renders the same bytes again, so it is harmless.
type Minutes struct {
	JS          jetstream.JetStream
	Tallies     *store.Tallies
	Rounds      *store.Rounds
	Artifacts   *publish.Store
	Audit       *audit.Log
	Log         *slog.Logger
	Concurrency int
	// Dossiers, when set, tells the session minutes whose explanations were distributed.
	Dossiers *store.Dossiers
	Now      func() time.Time
	Metrics  *metrics.Metrics // nil: none
}

// Start consumes tn.tally.*.sealed with the durable consumer "minutes".
func (w *Minutes) Start(ctx context.Context) (func(context.Context), error) {
	return bus.Consumer{
		Stream: bus.StreamTally, Durable: bus.DurableMinutes, Filter: "tn.tally.*.sealed",
		// Kept alive while rendering, so a short AckWait only matters after a crash: a sealed
		// version held by a worker that died is rendered by another within half a minute.
		AckWait: 30 * time.Second, KeepAlive: true, Concurrency: w.Concurrency, Log: w.Log,
		Handle: w.handle, Observer: w.Metrics.Consumers(),
		GiveUp: func(ctx context.Context, f bus.Failure) error {
			var ev minutes.SealedEvent
			if json.Unmarshal(f.Data, &ev) != nil || ev.Round == "" {
				return giveUpToAudit(w.Audit, "minutes", "minutes.message_failed")(ctx, f)
			}
			return w.Audit.Append(ctx, audit.Event{
				ID: fmt.Sprintf("minutes-failed-%s-v%d", ev.Round, ev.Version), Actor: "minutes", Action: "minutes.failed",
				Round: ev.Round, Details: map[string]string{"version": fmt.Sprint(ev.Version), "error": dossier.Truncate(errText(f.Cause), 500)},
			})
		},
	}.Start(ctx, w.JS)
}

func (w *Minutes) handle(ctx context.Context, msg jetstream.Msg) error {
	var ev minutes.SealedEvent
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		return bus.Permanent(fmt.Errorf("minutes: malformed sealed event: %w", err))
	}
	arts, err := w.Render(ctx, ev.Round, ev.Version)
	if err != nil {
		return err
	}
	if err := publish.Announce(ctx, w.JS, publish.Ready{Round: ev.Round, Version: ev.Version, Artifacts: arts}); err != nil {
		return err
	}
	w.Log.InfoContext(ctx, "minutes: rendered", "round", ev.Round, "version", ev.Version, "documents", len(arts))
	return w.Audit.Append(ctx, audit.Event{
		ID: fmt.Sprintf("minutes-%s-v%d", ev.Round, ev.Version), Actor: "minutes", Action: "minutes.render",
		Round: ev.Round, Details: map[string]string{"version": fmt.Sprint(ev.Version), "documents": fmt.Sprint(len(arts))},
	})
}

// Render makes and stores the documents of one sealed version; documents already stored for it
// are kept as they are.
func (w *Minutes) Render(ctx context.Context, round string, version int) ([]publish.Artifact, error) {
	rec, _, err := w.Tallies.Get(ctx, round)
	if err != nil {
		return nil, err
	}
	s, ok := rec.Version(version)
	if !ok {
		return nil, bus.Permanent(fmt.Errorf("minutes: round %s has no sealed version %d", round, version))
	}
	rd, err := w.Rounds.Get(ctx, round)
	if errors.Is(err, dossier.ErrNotFound) {
		return nil, bus.Permanent(err)
	}
	if err != nil {
		return nil, err
	}
	explained := w.explained(ctx, rd)
	model := minutes.BuildRecordModel(rd, rec, s, explained)
	// A sealed version's documents, once stored, are what people may have downloaded and
	// checked: a redelivery must not replace them with a render of a dossier or round that has
	// moved on since (an explanation received, a title corrected).
	stored, err := w.Artifacts.List(ctx, round)
	if err != nil {
		return nil, err
	}
	var out []publish.Artifact
	for _, kind := range document.Kinds() {
		if i := slices.IndexFunc(stored, func(a publish.Artifact) bool {
			return a.Version == version && a.Kind == string(kind) && a.TallySHA == s.SHA256
		}); i >= 0 {
			out = append(out, stored[i])
			continue
		}
		start := time.Now()
		data, err := document.Render(kind, model)
		if err != nil {
			return nil, bus.Permanent(err)
		}
		w.Metrics.MinutesRendered(string(kind), time.Since(start))
		title := document.Title(kind, document.Track(rd.Track))
		a, err := w.Artifacts.Put(ctx, publish.Artifact{
			Round: round, Version: version, Kind: string(kind), Title: title,
			FileName:  fmt.Sprintf("%s - %s - v%d.pdf", title, rd.ID, version),
			CreatedAt: s.SealedAt, TallySHA: s.SHA256,
		}, data)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// explained lists the persons whose written explanations answered a request; a dossier state
// that cannot be read leaves the list out (the minutes then print none), it does not stop them.
func (w *Minutes) explained(ctx context.Context, rd dossier.Round) []minutes.Explained {
	if w.Dossiers == nil {
		return nil
	}
	st, _, err := w.Dossiers.State(ctx, rd.ID)
	if err != nil {
		w.Log.WarnContext(ctx, "minutes: dossier state unavailable; explanations not listed", "round", rd.ID, "err", err)
		return nil
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	return minutes.ExplainedIn(dossier.Status(rd, st, now()))
}
