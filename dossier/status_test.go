package dossier_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

func TestStatusKinds(t *testing.T) {
	const sa, ad = dossier.KindSelfAssessment, dossier.KindAssetDeclaration
	type want struct {
		docs     map[dossier.Kind]string
		missing  []dossier.Kind
		complete bool
	}
	tests := []struct {
		name       string
		acceptLate bool
		build      func(b *dossiertest.Builder)
		want       want
	}{
		{"nothing received", false, func(b *dossiertest.Builder) {},
			want{map[dossier.Kind]string{sa: dossier.StatusMissing, ad: dossier.StatusMissing}, []dossier.Kind{sa, ad}, false}},
		{"both accepted", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusAccepted).Doc("d2", "n01", ad, dossier.StatusAccepted)
		},
			want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusAccepted}, []dossier.Kind{}, true}},
		{"late does not count by default", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusLate).Doc("d2", "n01", ad, dossier.StatusAccepted)
		},
			want{map[dossier.Kind]string{sa: dossier.StatusLate, ad: dossier.StatusAccepted}, []dossier.Kind{sa}, false}},
		{"late counts with accept_late", true, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusLate).Doc("d2", "n01", ad, dossier.StatusAccepted)
		},
			want{map[dossier.Kind]string{sa: dossier.StatusLate, ad: dossier.StatusAccepted}, []dossier.Kind{}, true}},
		{"needs_review does not count", true, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusNeedsReview).Doc("d2", "n01", ad, dossier.StatusAccepted)
		},
			want{map[dossier.Kind]string{sa: dossier.StatusNeedsReview, ad: dossier.StatusAccepted}, []dossier.Kind{sa}, false}},
		{"rejected is the last attempt", false, func(b *dossiertest.Builder) { b.Doc("d1", "n01", sa, dossier.StatusRejected) },
			want{map[dossier.Kind]string{sa: dossier.StatusRejected, ad: dossier.StatusMissing}, []dossier.Kind{sa, ad}, false}},
		{"accepted after a rejection", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusRejected).Doc("d2", "n01", sa, dossier.StatusAccepted)
		},
			want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusMissing}, []dossier.Kind{ad}, false}},
		{"a later rejected duplicate does not hide the accepted one", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusAccepted).Doc("d2", "n01", sa, dossier.StatusRejected).Doc("d3", "n01", ad, dossier.StatusAccepted)
		}, want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusAccepted}, []dossier.Kind{}, true}},
		{"accepted beats late", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusAccepted).Doc("d2", "n01", sa, dossier.StatusLate).Doc("d3", "n01", ad, dossier.StatusAccepted)
		}, want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusAccepted}, []dossier.Kind{}, true}},
		{"review accepts a scan", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusNeedsReview).Doc("d2", "n01", ad, dossier.StatusAccepted)
			b.Event(dossier.Document{ID: "d1", Nominee: "n01", Kind: sa, Status: dossier.StatusAccepted, ReceivedAt: b.At.Add(-2 * time.Minute), Revision: 2})
		}, want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusAccepted}, []dossier.Kind{}, true}},
		{"review moves a document to another person", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusAccepted).Doc("d2", "n01", ad, dossier.StatusAccepted)
			b.Event(dossier.Document{ID: "d1", Nominee: "n02", Kind: sa, Status: dossier.StatusAccepted, ReceivedAt: b.At, Revision: 2})
		}, want{map[dossier.Kind]string{sa: dossier.StatusMissing, ad: dossier.StatusAccepted}, []dossier.Kind{sa}, false}},
		{"other documents show but are not required", false, func(b *dossiertest.Builder) {
			b.Doc("d1", "n01", sa, dossier.StatusAccepted).Doc("d2", "n01", ad, dossier.StatusAccepted).Doc("d3", "n01", dossier.KindOther, dossier.StatusAccepted)
		}, want{map[dossier.Kind]string{sa: dossier.StatusAccepted, ad: dossier.StatusAccepted, dossier.KindOther: dossier.StatusAccepted}, []dossier.Kind{}, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dossiertest.Round(t)
			r.Rules.AcceptLate = tt.acceptLate
			b := dossiertest.NewBuilder(t, r.ID)
			tt.build(b)
			got := dossiertest.PersonOf(t, dossier.Status(r, b.State, b.At), "n01")
			if !reflect.DeepEqual(got.Documents, tt.want.docs) {
				t.Errorf("documents = %v, want %v", got.Documents, tt.want.docs)
			}
			if !slices.Equal(got.Missing, tt.want.missing) {
				t.Errorf("missing = %v, want %v", got.Missing, tt.want.missing)
			}
			if got.Complete != tt.want.complete {
				t.Errorf("complete = %v, want %v", got.Complete, tt.want.complete)
			}
			if got.Missing == nil {
				t.Error("missing must be an empty list, not null")
			}
		})
	}
}

func TestStatusVersionsNewestFirst(t *testing.T) {
	r := dossiertest.Round(t)
	b := dossiertest.NewBuilder(t, r.ID).
		Doc("v1", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).
		Doc("v2", "n01", dossier.KindSelfAssessment, dossier.StatusRejected).
		Doc("v3", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted)
	ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, b.At), "n01")
	vs := ns.Versions[dossier.KindSelfAssessment]
	var ids []string
	var current []string
	for _, v := range vs {
		ids = append(ids, v.DocumentID)
		if v.Current {
			current = append(current, v.DocumentID)
		}
	}
	if !slices.Equal(ids, []string{"v3", "v2", "v1"}) || !slices.Equal(current, []string{"v3"}) {
		t.Errorf("versions %v current %v; want v3,v2,v1 with v3 current", ids, current)
	}
}

func TestStatusExemptAndRoster(t *testing.T) {
	r := dossiertest.Round(t)
	b := dossiertest.NewBuilder(t, r.ID).
		Doc("x1", "n03", dossier.KindSelfAssessment, dossier.StatusAccepted).  // exempt person sent one anyway
		Doc("u1", "", dossier.KindSelfAssessment, dossier.StatusNeedsReview).  // a scan naming nobody
		Doc("u2", "n09", dossier.KindAssetDeclaration, dossier.StatusAccepted) // a person not (yet) on the roster
	rep := dossier.Status(r, b.State, b.At)
	ex := dossiertest.PersonOf(t, rep, "n03")
	if ex.Exempt == "" || !ex.Complete || len(ex.Missing) != 0 || ex.Overdue {
		t.Errorf("exempt person: %+v; want a reason, complete, nothing missing", ex)
	}
	if ex.Documents[dossier.KindSelfAssessment] != dossier.StatusAccepted {
		t.Errorf("exempt person's document not shown: %v", ex.Documents)
	}
	if _, listed := ex.Documents[dossier.KindAssetDeclaration]; listed {
		t.Errorf("exempt person must not be listed as missing anything: %v", ex.Documents)
	}
	if len(rep.Unassigned) != 2 {
		t.Fatalf("unassigned = %+v; want u1 and u2", rep.Unassigned)
	}
	if rep.Summary.OnBallot != 2 || rep.Summary.Exempt != 1 || rep.Summary.Incomplete != 2 || rep.Summary.Documents != 3 || rep.Summary.NeedsReview != 1 {
		t.Errorf("summary = %+v", rep.Summary)
	}

	// The board adds n09 after their document arrived: it counts at once.
	r.Nominees = append(r.Nominees, dossier.Nominee{ID: "n09", Name: "Bùi Thị Mai"})
	rep = dossier.Status(r, b.State, b.At)
	if got := dossiertest.PersonOf(t, rep, "n09").Documents[dossier.KindAssetDeclaration]; got != dossier.StatusAccepted {
		t.Errorf("added person's earlier document: %q", got)
	}
	if len(rep.Unassigned) != 1 {
		t.Errorf("unassigned after adding n09: %+v", rep.Unassigned)
	}

	// n01 sends both documents and is then taken off the roster: the documents stay visible.
	b.Doc("a1", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).Doc("a2", "n01", dossier.KindAssetDeclaration, dossier.StatusAccepted)
	removed := r.Nominees[0]
	r.Nominees = r.Nominees[1:]
	r.Removed = []dossier.Nominee{removed}
	rep = dossier.Status(r, b.State, b.At)
	if len(rep.Nominees) != 3 || len(rep.Removed) != 1 || rep.Removed[0].Nominee != "n01" || !rep.Removed[0].Removed {
		t.Fatalf("after removal: nominees %d removed %+v", len(rep.Nominees), rep.Removed)
	}
	if got := rep.Removed[0].Documents; got[dossier.KindSelfAssessment] != dossier.StatusAccepted || got[dossier.KindAssetDeclaration] != dossier.StatusAccepted {
		t.Errorf("removed person's documents: %v", got)
	}
	if rep.Summary.Documents != 5 {
		t.Errorf("documents counted %d, want 5 (none lost)", rep.Summary.Documents)
	}
}

func TestStatusFollowsRequirements(t *testing.T) {
	r := dossiertest.Round(t)
	b := dossiertest.NewBuilder(t, r.ID).Doc("d1", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted)
	if ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, b.At), "n01"); ns.Complete {
		t.Fatal("complete with one of two required documents")
	}
	r.Required = []dossier.Kind{dossier.KindSelfAssessment}
	if ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, b.At), "n01"); !ns.Complete {
		t.Errorf("requirement dropped, still incomplete: %+v", ns)
	}
}

func TestStatusFollowsMovedDeadline(t *testing.T) {
	r := dossiertest.Round(t)
	at := r.Deadlines.Dossier.At
	b := dossiertest.NewBuilder(t, r.ID)
	// Judged by ingest against the deadline of the moment: one on time, one an hour late.
	b.Event(dossier.Document{ID: "sa", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: at.Add(-time.Hour), Revision: 1})
	b.Event(dossier.Document{ID: "ad", Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusLate, ReceivedAt: at.Add(time.Hour), Revision: 1})
	if ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, at), "n01"); ns.Complete || ns.Documents[dossier.KindAssetDeclaration] != dossier.StatusLate {
		t.Fatalf("before the move: %+v", ns.Documents)
	}
	// The board gives one more day: the late declaration is now on time.
	r.Deadlines.Dossier.At = at.Add(24 * time.Hour)
	if ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, at), "n01"); !ns.Complete || ns.Documents[dossier.KindAssetDeclaration] != dossier.StatusAccepted {
		t.Errorf("deadline moved later: %+v", ns.Documents)
	}
	// Or brings it forward by two hours: the self-assessment is now late too.
	r.Deadlines.Dossier.At = at.Add(-2 * time.Hour)
	if ns := dossiertest.PersonOf(t, dossier.Status(r, b.State, at), "n01"); ns.Complete || ns.Documents[dossier.KindSelfAssessment] != dossier.StatusLate {
		t.Errorf("deadline moved earlier: %+v", ns.Documents)
	}
	// Other verdicts stand whatever the deadline.
	for _, st := range []string{dossier.StatusRejected, dossier.StatusNeedsReview, dossier.StatusPending} {
		if got := dossier.EffectiveStatus(r, dossier.DocEntry{Status: st, Kind: dossier.KindSelfAssessment, ReceivedAt: at}); got != st {
			t.Errorf("EffectiveStatus(%s) = %s", st, got)
		}
	}
	if got := dossier.EffectiveStatus(r, dossier.DocEntry{Status: dossier.StatusLate, Kind: dossier.KindOther, ReceivedAt: at}); got != dossier.StatusLate {
		t.Errorf("a kind without deadline was re-judged: %s", got)
	}
}

func TestStatusOverdueBoundary(t *testing.T) {
	r := dossiertest.Round(t)
	at := r.Deadlines.Dossier.At // 23:59:59.999999999 on 25/11 in Hanoi
	if want := time.Date(2028, 11, 25, 16, 59, 59, 999999999, time.UTC); !at.Equal(want) {
		t.Fatalf("dossier deadline %v, want %v", at, want)
	}
	st := dossier.NewState(r.ID)
	tests := []struct {
		now  time.Time
		want bool
	}{
		{at.Add(-time.Minute), false},
		{at, false},
		{at.Add(time.Nanosecond), true},
		{time.Date(2028, 11, 26, 0, 0, 0, 0, r.Location()), true},
	}
	for _, tt := range tests {
		if got := dossiertest.PersonOf(t, dossier.Status(r, st, tt.now), "n01").Overdue; got != tt.want {
			t.Errorf("overdue at %v = %v, want %v", tt.now.In(r.Location()), got, tt.want)
		}
	}
}

func TestStatusNilState(t *testing.T) {
	r := dossiertest.Round(t)
	rep := dossier.Status(r, nil, time.Now())
	if len(rep.Nominees) != 3 || rep.Summary.Incomplete != 2 {
		t.Errorf("nil state: %+v", rep.Summary)
	}
}

// BenchmarkStatus5000 is the status of a 5,000-person round with ~10,000 documents.
func BenchmarkStatus5000(b *testing.B) {
	r, st := dossiertest.BigRound(b, 5000)
	b.ResetTimer()
	for b.Loop() {
		rep := dossier.Status(r, st, time.Now())
		if len(rep.Nominees) != 5000 {
			b.Fatal(len(rep.Nominees))
		}
	}
}

// BenchmarkStatusRead5000 is what a status request costs the server: decode the stored
// projection, compute the status, encode the JSON array.
func BenchmarkStatusRead5000(b *testing.B) {
	r, st := dossiertest.BigRound(b, 5000)
	data, err := dossier.EncodeState(st)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		st, err := dossier.DecodeState(data)
		if err != nil {
			b.Fatal(err)
		}
		out, err := json.Marshal(dossier.Status(r, st, time.Now()).Nominees)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

func TestCurrentVerdict(t *testing.T) {
	r := dossiertest.Round(t)
	at := r.Deadlines.Dossier.At
	late := dossier.Document{ID: "x", Kind: dossier.KindSelfAssessment, Status: dossier.StatusLate, ReceivedAt: at.Add(time.Minute),
		Message: dossier.LateMessage(r, at.Add(time.Minute), at) + " Nội dung không nói đến: vợ/chồng, con."}
	// Unchanged deadline: the verdict stands as stored.
	if got := dossier.CurrentVerdict(r, late); got.Status != dossier.StatusLate || got.Message != late.Message {
		t.Errorf("same deadline: %+v", got)
	}
	// The board moves the deadline an hour later: on time, the late sentence goes, the rest stays.
	moved := r
	moved.Deadlines.Dossier.At = at.Add(time.Hour)
	if got := dossier.CurrentVerdict(moved, late); got.Status != dossier.StatusAccepted || got.Message != "Nội dung không nói đến: vợ/chồng, con." {
		t.Errorf("deadline moved later: %+v", got)
	}
	// And an hour earlier: an on-time document becomes late, saying against which deadline.
	onTime := dossier.Document{ID: "y", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: at.Add(-30 * time.Minute)}
	earlier := r
	earlier.Deadlines.Dossier.At = at.Add(-time.Hour)
	got := dossier.CurrentVerdict(earlier, onTime)
	if got.Status != dossier.StatusLate || !strings.HasPrefix(got.Message, "Nộp sau hạn: nhận lúc 23:29 25/11/2028, hạn là 22:59 25/11/2028.") {
		t.Errorf("deadline moved earlier: %+v", got)
	}
	// Other verdicts are not judged again.
	rejected := dossier.Document{ID: "z", Kind: dossier.KindSelfAssessment, Status: dossier.StatusRejected, Reason: "corrupt", ReceivedAt: at.Add(time.Minute)}
	if got := dossier.CurrentVerdict(moved, rejected); got.Status != dossier.StatusRejected {
		t.Errorf("rejected re-judged: %+v", got)
	}
}

func TestLateMessageSeconds(t *testing.T) {
	r := dossiertest.Round(t)
	dl := time.Date(2028, 11, 25, 14, 59, 0, 0, time.UTC) // 21:59:00 in Hanoi
	if got, want := dossier.LateMessage(r, dl.Add(8*time.Second), dl), "Nộp sau hạn: nhận lúc 21:59:08 25/11/2028, hạn là 21:59:00 25/11/2028."; got != want {
		t.Errorf("same minute: %q, want %q", got, want)
	}
	if got, want := dossier.LateMessage(r, dl.Add(2*time.Minute), dl), "Nộp sau hạn: nhận lúc 22:01 25/11/2028, hạn là 21:59 25/11/2028."; got != want {
		t.Errorf("minutes apart: %q, want %q", got, want)
	}
}

// A paper placed with a person but waiting for confirmation is listed for review and does not
// count; one naming nobody stays among the unassigned.
func TestStatusListsPapersToReview(t *testing.T) {
	r := dossiertest.Round(t)
	b := dossiertest.NewBuilder(t, r.ID).Doc("ok", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).
		Doc("wait", "n01", dossier.KindAssetDeclaration, dossier.StatusNeedsReview).
		Doc("nobody", "", "", dossier.StatusNeedsReview)
	rep := dossier.Status(r, b.State, r.Deadlines.Dossier.At.Add(-time.Hour))
	if len(rep.ToReview) != 1 || rep.ToReview[0].DocumentID != "wait" || rep.ToReview[0].Nominee != "n01" {
		t.Errorf("to review: %+v", rep.ToReview)
	}
	if len(rep.Unassigned) != 1 || rep.Unassigned[0].DocumentID != "nobody" {
		t.Errorf("unassigned: %+v", rep.Unassigned)
	}
	for _, ns := range rep.Nominees {
		if ns.Nominee == "n01" && (ns.Complete || !slices.Contains(ns.Missing, dossier.KindAssetDeclaration)) {
			t.Errorf("a paper waiting for review counted: %+v", ns)
		}
	}
}
