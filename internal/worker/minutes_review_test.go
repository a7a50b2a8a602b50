package worker_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

// A sealed version's documents never change once stored: a redelivered sealed event renders
// again after the dossier moved on (here an explanation arrived), and the stored PDFs, their
// checksums and their verified flag must stay what people may already have downloaded.
func TestRenderAgainKeepsStoredDocuments(t *testing.T) {
	ctx := context.Background()
	ns, rd, tallies := setup(t)
	rounds := store.NewRounds(ns.KV(t, bus.BucketRounds))
	if _, _, err := rounds.Save(ctx, rd, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	artifacts := &publish.Store{Objects: ns.Objects(t, bus.ObjectArtifacts), Index: ns.KV(t, bus.BucketArtifacts)}
	dossiers := store.NewDossiers(ns.JS)
	mw := &worker.Minutes{JS: ns.JS, Tallies: tallies.Tallies, Rounds: rounds, Artifacts: artifacts, Audit: audit.New(ns.JS),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dossiers: dossiers}
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
		if err := artifacts.MarkVerified(ctx, rd.ID, a.Version, a.Kind); err != nil {
			t.Fatal(err)
		}
	}
	// An explanation of the first person arrives, answering a request.
	n := rd.Nominees[0].ID
	st := dossiertest.NewBuilder(t, rd.ID).Req("rq", n, dossier.StatusAccepted, "").Expl("ex", n, dossier.StatusAccepted, "rq", "").State
	if _, err := dossiers.Save(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	if rep := dossier.Status(rd, st, time.Now()); len(minutes.ExplainedIn(rep)) != 1 {
		t.Fatalf("the dossier does not show the explanation: %+v", minutes.ExplainedIn(rep))
	}
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
		got, err := artifacts.Find(ctx, rd.ID, first[i].Kind, s.Version)
		if err != nil || got.SHA256 != first[i].SHA256 || !got.Verified {
			t.Errorf("%s after the second render: %+v %v", first[i].Kind, got, err)
		}
	}
}
