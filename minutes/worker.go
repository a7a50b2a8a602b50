package minutes

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
	"tinnhiem/minutes/document"
	"tinnhiem/publish"
)

// Worker renders the three documents of every sealed tally version and stores them. A
// redelivery renders the same bytes again, so it is harmless.
type Worker struct {
	JS          jetstream.JetStream
	Tallies     *Tallies
	Rounds      *dossier.Rounds
	Artifacts   *publish.Store
	Audit       *audit.Log
	Log         *slog.Logger
	Concurrency int
	// Explained lists, for a round, the persons whose explanations were distributed; optional.
	Explained func(ctx context.Context, rd dossier.Round) []Explained
}

// Start consumes tn.tally.*.sealed with the durable consumer "minutes".
func (w *Worker) Start(ctx context.Context) (func(context.Context), error) {
	return bus.Consumer{
		Stream: bus.StreamTally, Durable: "minutes", Filter: "tn.tally.*.sealed",
		// Kept alive while rendering, so a short AckWait only matters after a crash: a sealed
		// version held by a worker that died is rendered by another within half a minute.
		AckWait: 30 * time.Second, KeepAlive: true, Concurrency: w.Concurrency, Log: w.Log,
		Handle: w.handle,
		GiveUp: func(ctx context.Context, msg jetstream.Msg, cause error) error {
			var ev SealedEvent
			_ = json.Unmarshal(msg.Data(), &ev)
			return w.Audit.Append(ctx, audit.Event{
				ID: fmt.Sprintf("minutes-failed-%s-v%d", ev.Round, ev.Version), Actor: "minutes", Action: "minutes.failed",
				Round: ev.Round, Details: map[string]string{"version": fmt.Sprint(ev.Version), "error": cause.Error()},
			})
		},
	}.Start(ctx, w.JS)
}

func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) error {
	var ev SealedEvent
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
	_ = w.Audit.Append(ctx, audit.Event{
		ID: fmt.Sprintf("minutes-%s-v%d", ev.Round, ev.Version), Actor: "minutes", Action: "minutes.render",
		Round: ev.Round, Details: map[string]string{"version": fmt.Sprint(ev.Version), "documents": fmt.Sprint(len(arts))},
	})
	return nil
}

// Render makes and stores the documents of one sealed version; documents already stored for it
// are kept as they are.
func (w *Worker) Render(ctx context.Context, round string, version int) ([]publish.Artifact, error) {
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
	var explained []Explained
	if w.Explained != nil {
		explained = w.Explained(ctx, rd)
	}
	model := BuildRecordModel(rd, rec, s, explained)
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
		data, err := document.Render(kind, model)
		if err != nil {
			return nil, bus.Permanent(err)
		}
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
