package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// newTestRounds stores rounds in the provisioned bucket of a real in-process nats-server.
func newTestRounds(t *testing.T) *Rounds {
	t.Helper()
	return NewRounds(bustest.Start(t).KV(t, bus.BucketRounds))
}

func TestRoundsSaveAndGet(t *testing.T) {
	ctx := context.Background()
	s := newTestRounds(t)
	for _, id := range []string{"r1", "Not/An/ID", ""} {
		if _, err := s.Get(ctx, id); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("Get(%q) on an empty store: %v, want ErrNotFound", id, err)
		}
	}
	if all, err := s.List(ctx); err != nil || len(all) != 0 {
		t.Fatalf("List on an empty store: %v, %v", all, err)
	}

	t0 := time.Date(2028, 10, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	first, created, err := s.Save(ctx, testRound(), "organizer-a", t0)
	if err != nil || !created {
		t.Fatalf("first Save: created %v, %v", created, err)
	}
	if first.Version != 1 || !first.CreatedAt.Equal(t0) || first.CreatedAt.Location() != time.UTC || first.UpdatedBy != "organizer-a" || first.Removed != nil {
		t.Errorf("first save: version %d created %v by %q removed %v", first.Version, first.CreatedAt, first.UpdatedBy, first.Removed)
	}
	got, err := s.Get(ctx, "r1")
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("Get after Save:\n%+v\n%+v (%v)", got, first, err)
	}

	// Re-import: b is taken off the roster, c renamed, d added.
	next := testRound()
	next.Nominees = []dossier.Nominee{{ID: "a", Name: "An"}, {ID: "c", Name: "Cúc (đã sửa)"}, {ID: "d", Name: "Dũng"}}
	t1 := t0.Add(24 * time.Hour)
	second, created, err := s.Save(ctx, next, "organizer-b", t1)
	if err != nil || created {
		t.Fatalf("second Save: created %v, %v", created, err)
	}
	if second.Version != 2 || !second.CreatedAt.Equal(t0) || !second.UpdatedAt.Equal(t1) || second.UpdatedBy != "organizer-b" {
		t.Errorf("second save: version %d created %v updated %v by %q", second.Version, second.CreatedAt, second.UpdatedAt, second.UpdatedBy)
	}
	if len(second.Removed) != 1 || second.Removed[0].ID != "b" || second.Removed[0].Name != "Bình" {
		t.Errorf("removed %+v, want b", second.Removed)
	}
	if n, _ := second.Nominee("c"); n.Name != "Cúc (đã sửa)" {
		t.Errorf("c not updated: %+v", n)
	}

	// A third import drops a as well and brings b back: b is no longer removed, a is.
	third := testRound()
	third.Nominees = []dossier.Nominee{{ID: "b", Name: "Bình"}, {ID: "c", Name: "Cúc"}}
	saved, _, err := s.Save(ctx, third, "organizer-a", t1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, n := range saved.Removed {
		removed = append(removed, n.ID)
	}
	if saved.Version != 3 || !slices.Equal(removed, []string{"a", "d"}) {
		t.Errorf("third save: version %d removed %q, want 3 and [a d]", saved.Version, removed)
	}
	// And a person removed earlier stays listed while still absent.
	fourth := testRound()
	fourth.Nominees = []dossier.Nominee{{ID: "c", Name: "Cúc"}}
	saved, _, err = s.Save(ctx, fourth, "organizer-a", t1.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	removed = removed[:0]
	for _, n := range saved.Removed {
		removed = append(removed, n.ID)
	}
	if !slices.Equal(removed, []string{"b", "a", "d"}) {
		t.Errorf("fourth save removed %q, want [b a d]", removed)
	}
}

func TestRoundsList(t *testing.T) {
	ctx := context.Background()
	s := newTestRounds(t)
	for _, r := range []struct{ id, vote string }{{"b", "2028-12-15"}, {"a", "2028-12-15"}, {"c", "2029-01-10"}, {"d", "2028-06-01"}} {
		rd := testRound()
		rd.ID, rd.VoteDate = r.id, r.vote
		if _, _, err := s.Save(ctx, rd, "x", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range all {
		ids = append(ids, r.ID)
	}
	// Latest vote first, then by id.
	if want := []string{"c", "a", "b", "d"}; !slices.Equal(ids, want) {
		t.Errorf("List order %q, want %q", ids, want)
	}
}

// Concurrent imports of the same round all land, each with its own version: a burst of
// clicks on "import" must not end in an internal error.
func TestRoundsConcurrentSave(t *testing.T) {
	ctx := context.Background()
	s := newTestRounds(t)
	const n = 12
	var wg sync.WaitGroup
	versions := make(chan int, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := testRound()
			r.Title = fmt.Sprint("import ", i)
			saved, _, err := s.Save(ctx, r, "x", time.Now())
			if err != nil {
				errs <- err
				return
			}
			versions <- saved.Version
		}()
	}
	wg.Wait()
	close(versions)
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Save: %v", err)
	}
	var got []int
	for v := range versions {
		got = append(got, v)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 || len(got) != n {
			t.Fatalf("versions %v, want 1..%d once each", got, n)
		}
	}
	final, err := s.Get(ctx, "r1")
	if err != nil || final.Version != n {
		t.Errorf("final version %d (%v), want %d", final.Version, err, n)
	}
}

func testRound() dossier.Round {
	return dossier.Round{
		ID: "r1", Track: dossier.TrackParty, Organization: "Tỉnh ủy Bình Sơn", Title: "Lấy phiếu", Timezone: "Asia/Tokyo",
		VoteDate: "2028-12-15", Summoned: 5, Required: []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration, dossier.KindOther},
		Deadlines: dossier.Deadlines{
			Dossier:            dossier.Deadline{At: time.Date(2028, 11, 25, 14, 59, 59, 999999999, time.UTC), Source: "default"},
			ExplanationRequest: dossier.Deadline{At: time.Date(2028, 12, 5, 14, 59, 59, 999999999, time.UTC), Source: "default"},
			Explanation:        dossier.Deadline{At: time.Date(2028, 12, 12, 8, 0, 0, 0, time.UTC), Given: "2028-12-12T17:00", Source: "file"},
		},
		Alerts: []dossier.Lead{{D: 24 * time.Hour, Text: "24h"}},
		Nominees: []dossier.Nominee{
			{ID: "a", Name: "An"},
			{ID: "b", Name: "Bình", Retiring: true, ExemptReason: "Đã có thông báo nghỉ hưu / nghỉ chờ hưu"},
			{ID: "c", Name: "Cúc"},
		},
	}
}
