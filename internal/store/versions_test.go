package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/store"
)

func docAt(i int, at time.Time) dossier.Document {
	return dossier.Document{ID: ingest.NewID(at), Round: "r1", Nominee: "n01", Kind: dossier.KindSelfAssessment,
		Status: dossier.StatusAccepted, ReceivedAt: at, File: fmt.Sprintf("v%03d.pdf", i), SHA256: fmt.Sprintf("%064x", i)}
}

func ids(vs []ingest.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// Versions are pages newest first; the first page comes from the head, later ones from every
// version; recording one again (a redelivery) neither repeats nor recounts it.
func TestVersionPages(t *testing.T) {
	srv := bustest.Start(t)
	docs := store.NewDocuments(srv.KV(t, bus.BucketDocuments))
	ctx := context.Background()
	base := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	var all []dossier.Document
	for i := 0; i < 45; i++ {
		d := docAt(i, base.Add(time.Duration(i)*time.Minute))
		all = append(all, d)
		if err := docs.RecordVersion(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	// Redelivered: the same entry again, and one brought up to date (a review).
	if err := docs.RecordVersion(ctx, all[44]); err != nil {
		t.Fatal(err)
	}
	reviewed := all[40]
	reviewed.Status = dossier.StatusNeedsReview
	if err := docs.RecordVersion(ctx, reviewed); err != nil {
		t.Fatal(err)
	}
	newest := slices.Clone(all)
	slices.Reverse(newest)
	for page := 1; page <= 4; page++ {
		pg, err := docs.Page(ctx, "r1", "n01", dossier.KindSelfAssessment, page, 20)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 45 || pg.Pages != 3 || pg.Page != page {
			t.Errorf("page %d: total %d, pages %d, page %d", page, pg.Total, pg.Pages, pg.Page)
		}
		from, to := min(45, (page-1)*20), min(45, page*20)
		want := make([]string, 0)
		for _, d := range newest[from:to] {
			want = append(want, d.ID)
		}
		if got := ids(pg.Versions); !slices.Equal(got, want) {
			t.Errorf("page %d: %v, want %v", page, got, want)
		}
		if page == 1 && pg.Versions[4].Status != dossier.StatusNeedsReview {
			t.Errorf("the reviewed version is not up to date: %+v", pg.Versions[4])
		}
	}
	vs, _, err := docs.Versions(ctx, "r1", "n01", dossier.KindSelfAssessment)
	if err != nil || len(vs) != 45 || vs[0].ID != all[0].ID {
		t.Fatalf("all versions oldest first: %d %v", len(vs), err)
	}
	// Removing one of the newest fills the head again from the rest.
	if err := docs.RemoveVersion(ctx, "r1", "n01", dossier.KindSelfAssessment, all[44].ID); err != nil {
		t.Fatal(err)
	}
	if err := docs.RemoveVersion(ctx, "r1", "n01", dossier.KindSelfAssessment, all[3].ID); err != nil {
		t.Fatal(err)
	}
	pg, err := docs.Page(ctx, "r1", "n01", dossier.KindSelfAssessment, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total != 43 || len(pg.Versions) != 20 || pg.Versions[0].ID != all[43].ID || pg.Versions[19].ID != all[24].ID {
		t.Errorf("after removals: total %d, %d on the page, first %s", pg.Total, len(pg.Versions), pg.Versions[0].ID)
	}
	if pg, _ := docs.Page(ctx, "r1", "n01", dossier.KindSelfAssessment, 3, 20); pg.Total != 43 || len(pg.Versions) != 3 {
		t.Errorf("last page after removals: total %d, %d versions", pg.Total, len(pg.Versions))
	}
	// A person with no version: one empty page.
	if pg, err := docs.Page(ctx, "r1", "n02", dossier.KindSelfAssessment, 1, 20); err != nil || pg.Total != 0 || pg.Pages != 1 || len(pg.Versions) != 0 {
		t.Errorf("nobody's versions: %+v %v", pg, err)
	}
}

// Uploads of one person handled at once by many workers all end up among the versions, counted
// once each: no writer gives up because the others were first.
func TestVersionsConcurrentWriters(t *testing.T) {
	srv := bustest.Start(t)
	docs := store.NewDocuments(srv.KV(t, bus.BucketDocuments))
	ctx := context.Background()
	base := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- docs.RecordVersion(ctx, docAt(i, base.Add(time.Duration(i)*time.Second)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	pg, err := docs.Page(ctx, "r1", "n01", dossier.KindSelfAssessment, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total != 60 || len(pg.Versions) != 20 || pg.Versions[0].File != "v059.pdf" || pg.Versions[19].File != "v040.pdf" {
		t.Errorf("total %d, first %s, last %s", pg.Total, pg.Versions[0].File, pg.Versions[len(pg.Versions)-1].File)
	}
}

// A list stored whole by an earlier release is still shown, merged with the versions recorded
// since, and a paper moved away is taken off it.
func TestLegacyVersionsList(t *testing.T) {
	srv := bustest.Start(t)
	kv := srv.KV(t, bus.BucketDocuments)
	docs := store.NewDocuments(kv)
	ctx := context.Background()
	base := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	old := []ingest.Version{
		{ID: ingest.NewID(base), Status: dossier.StatusAccepted, ReceivedAt: base, File: "cu-1.pdf"},
		{ID: ingest.NewID(base.Add(time.Hour)), Status: dossier.StatusAccepted, ReceivedAt: base.Add(time.Hour), File: "cu-2.pdf"},
	}
	data, _ := json.Marshal(old)
	if _, err := kv.Put(ctx, "ver.r1.n01.self_assessment", data); err != nil {
		t.Fatal(err)
	}
	d := docAt(1, base.Add(2*time.Hour))
	if err := docs.RecordVersion(ctx, d); err != nil {
		t.Fatal(err)
	}
	pg, err := docs.Page(ctx, "r1", "n01", dossier.KindSelfAssessment, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(pg.Versions), []string{d.ID, old[1].ID, old[0].ID}; !slices.Equal(got, want) || pg.Total != 3 {
		t.Errorf("merged: %v (total %d), want %v", got, pg.Total, want)
	}
	if err := docs.RemoveVersion(ctx, "r1", "n01", dossier.KindSelfAssessment, old[0].ID); err != nil {
		t.Fatal(err)
	}
	if legacy, _, _ := docs.LegacyVersions(ctx, "r1", "n01", dossier.KindSelfAssessment); len(legacy) != 1 || legacy[0].ID != old[1].ID {
		t.Errorf("legacy list after the move: %+v", legacy)
	}
}
