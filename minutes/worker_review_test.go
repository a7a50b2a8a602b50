package minutes_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

// A sealed version's documents never change once stored: a redelivered sealed event renders
// again after the dossier moved on (here an explanation arrived), and the stored PDFs, their
// checksums and their verified flag must stay what people may already have downloaded.
func TestRenderAgainKeepsStoredDocuments(t *testing.T) {
	ctx := context.Background()
	ns, rd, tallies := setup(t)
	rounds := dossier.NewRounds(ns.KV(t, bus.BucketRounds))
	if _, _, err := rounds.Save(ctx, rd, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	store := &publish.Store{Objects: ns.Objects(t, bus.ObjectArtifacts), Index: ns.KV(t, bus.BucketArtifacts)}
	var explained []minutes.Explained
	mw := &minutes.Worker{JS: ns.JS, Tallies: tallies, Rounds: rounds, Artifacts: store, Audit: audit.New(ns.JS),
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Explained: func(context.Context, dossier.Round) []minutes.Explained { return explained }}
	if _, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	s, err := tallies.Seal(ctx, rd, "counter1")
	if err != nil {
		t.Fatal(err)
	}
	first, err := mw.Render(ctx, rd.ID, s.Version)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range first {
		if err := store.MarkVerified(ctx, rd.ID, a.Version, a.Kind); err != nil {
			t.Fatal(err)
		}
	}
	explained = []minutes.Explained{{Name: rd.Nominees[0].Name, Position: rd.Nominees[0].Position}}
	again, err := mw.Render(ctx, rd.ID, s.Version)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(first) {
		t.Fatalf("%d documents, then %d", len(first), len(again))
	}
	for i := range first {
		if again[i].SHA256 != first[i].SHA256 {
			t.Errorf("%s: sha256 changed on a second render of version %d", first[i].Kind, s.Version)
		}
		got, err := store.Find(ctx, rd.ID, first[i].Kind, s.Version)
		if err != nil || got.SHA256 != first[i].SHA256 || !got.Verified {
			t.Errorf("%s after the second render: %+v %v", first[i].Kind, got, err)
		}
	}
}
