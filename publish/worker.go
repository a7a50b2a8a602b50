package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
)

// Worker checks every announced artifact by reading it back against its checksum, marks it
// verified and records the publication in the audit trail.
type Worker struct {
	JS     jetstream.JetStream
	Store  *Store
	Audit  *audit.Log
	Log    *slog.Logger
	Notify func(ctx context.Context, r Ready) error // optional: tell people the documents are ready

	Metrics *metrics.Metrics // nil: none
}

// Start consumes tn.publish.*.ready with the durable consumer "publish".
func (w *Worker) Start(ctx context.Context) (func(context.Context), error) {
	return bus.Consumer{
		Stream: bus.StreamPublish, Durable: bus.DurablePublish, Filter: ReadySubject("*"), Log: w.Log,
		Handle: w.handle, GiveUp: w.giveUp, Observer: w.Metrics.Consumers(),
	}.Start(ctx, w.JS)
}

// giveUp records in the audit trail documents that could not be verified: the board then knows
// a download may fail its checksum (the documents can be rendered again by sealing again).
func (w *Worker) giveUp(ctx context.Context, f bus.Failure) error {
	var r Ready
	_ = json.Unmarshal(f.Data, &r)
	cause := ""
	if f.Cause != nil {
		cause = f.Cause.Error()
	}
	return w.Audit.Append(ctx, audit.Event{
		ID: fmt.Sprintf("publish-failed-%d", f.StreamSeq), Actor: "publish", Action: "artifacts.failed", Round: r.Round,
		Details: map[string]string{"version": fmt.Sprint(r.Version), "subject": f.Subject, "error": cause},
	})
}

func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) error {
	var r Ready
	if err := json.Unmarshal(msg.Data(), &r); err != nil {
		return bus.Permanent(fmt.Errorf("publish: malformed ready event: %w", err))
	}
	var sums []string
	for _, a := range r.Artifacts {
		if err := w.Store.Verify(ctx, a); err != nil {
			return fmt.Errorf("publish: verify %s: %w", a.Object, err)
		}
		if err := w.Store.MarkVerified(ctx, a.Round, a.Version, a.Kind); err != nil {
			return err
		}
		sums = append(sums, a.Kind+"="+a.SHA256)
	}
	if w.Notify != nil {
		if err := w.Notify(ctx, r); err != nil {
			return err
		}
	}
	if w.Log != nil {
		w.Log.InfoContext(ctx, "publish: artifacts verified", "round", r.Round, "version", r.Version, "documents", len(r.Artifacts))
	}
	return w.Audit.Append(ctx, audit.Event{
		ID: fmt.Sprintf("published-%s-v%d", r.Round, r.Version), Actor: "publish", Action: "artifacts.ready", Round: r.Round,
		Details: map[string]string{"version": fmt.Sprint(r.Version), "sha256": strings.Join(sums, " ")},
	})
}
