package dossier

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// dzRoundYAML is a small round: three persons, one exempt (retiring), deadlines in Hanoi time.
const dzRoundYAML = `
id: dz-test
organization: Tỉnh ủy Bình Sơn
title: Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy
timezone: Asia/Ho_Chi_Minh
vote_date: 2028-12-15
deadlines:
  dossier: 2028-11-25
  explanation_request: 2028-12-05
  explanation: 2028-12-12T17:00
summoned: 45
alerts: [72h, 24h, 2h]
nominees:
  - {id: n01, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực Tỉnh ủy}
  - {id: n02, name: Lê Văn Đức, position: "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"}
  - {id: n03, name: Đặng Quang Vinh, position: Bí thư Thành ủy, retiring: true}
`

func dzRound(t testing.TB) Round {
	t.Helper()
	r, err := ParseRound([]byte(dzRoundYAML))
	if err != nil {
		t.Fatalf("test round: %v", err)
	}
	return r
}

// dzBuilder applies document events at increasing stream sequences.
type dzBuilder struct {
	t   testing.TB
	st  *State
	seq uint64
	at  time.Time
}

// dzLateAt is after every deadline of dzRound and before its vote.
var dzLateAt = time.Date(2028, 12, 13, 0, 0, 0, 0, time.UTC)

func newDZ(t testing.TB, round string) *dzBuilder {
	return &dzBuilder{t: t, st: NewState(round), at: time.Date(2028, 11, 20, 2, 0, 0, 0, time.UTC)}
}

// received is one minute after the previous document; a late one is after every deadline.
func (b *dzBuilder) received(status string) time.Time {
	b.at = b.at.Add(time.Minute)
	if status == StatusLate {
		return dzLateAt.Add(b.at.Sub(time.Date(2028, 11, 20, 2, 0, 0, 0, time.UTC)))
	}
	return b.at
}

// doc applies a verdict (revision 1) of a document.
func (b *dzBuilder) doc(id, nominee string, kind Kind, status string) *dzBuilder {
	return b.event(Document{ID: id, Round: b.st.Round, Nominee: nominee, Kind: kind, Status: status, ReceivedAt: b.received(status), Revision: 1, File: id + ".pdf"})
}

func (b *dzBuilder) event(d Document) *dzBuilder {
	b.t.Helper()
	b.seq++
	typ := EventVerdict
	if d.Revision > 1 {
		typ = EventReview
	}
	if _, err := b.st.ApplyDocument(DocumentEvent{Type: typ, Document: d}, b.seq); err != nil {
		b.t.Fatal(err)
	}
	return b
}

func (b *dzBuilder) decide(request, decision string) *dzBuilder {
	b.t.Helper()
	b.seq++
	if _, err := b.st.ApplyDecision(RequestDecision{Request: request, Decision: decision, By: "bantochuc", At: b.at}, b.seq); err != nil {
		b.t.Fatal(err)
	}
	return b
}

func personOf(t testing.TB, rep Report, id string) NomineeStatus {
	t.Helper()
	for _, ns := range rep.Nominees {
		if ns.Nominee == id {
			return ns
		}
	}
	t.Fatalf("no status for %s", id)
	return NomineeStatus{}
}

func TestStatusKinds(t *testing.T) {
	const sa, ad = KindSelfAssessment, KindAssetDeclaration
	type want struct {
		docs     map[Kind]string
		missing  []Kind
		complete bool
	}
	tests := []struct {
		name       string
		acceptLate bool
		build      func(b *dzBuilder)
		want       want
	}{
		{"nothing received", false, func(b *dzBuilder) {},
			want{map[Kind]string{sa: StatusMissing, ad: StatusMissing}, []Kind{sa, ad}, false}},
		{"both accepted", false, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusAccepted).doc("d2", "n01", ad, StatusAccepted) },
			want{map[Kind]string{sa: StatusAccepted, ad: StatusAccepted}, []Kind{}, true}},
		{"late does not count by default", false, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusLate).doc("d2", "n01", ad, StatusAccepted) },
			want{map[Kind]string{sa: StatusLate, ad: StatusAccepted}, []Kind{sa}, false}},
		{"late counts with accept_late", true, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusLate).doc("d2", "n01", ad, StatusAccepted) },
			want{map[Kind]string{sa: StatusLate, ad: StatusAccepted}, []Kind{}, true}},
		{"needs_review does not count", true, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusNeedsReview).doc("d2", "n01", ad, StatusAccepted) },
			want{map[Kind]string{sa: StatusNeedsReview, ad: StatusAccepted}, []Kind{sa}, false}},
		{"rejected is the last attempt", false, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusRejected) },
			want{map[Kind]string{sa: StatusRejected, ad: StatusMissing}, []Kind{sa, ad}, false}},
		{"accepted after a rejection", false, func(b *dzBuilder) { b.doc("d1", "n01", sa, StatusRejected).doc("d2", "n01", sa, StatusAccepted) },
			want{map[Kind]string{sa: StatusAccepted, ad: StatusMissing}, []Kind{ad}, false}},
		{"a later rejected duplicate does not hide the accepted one", false, func(b *dzBuilder) {
			b.doc("d1", "n01", sa, StatusAccepted).doc("d2", "n01", sa, StatusRejected).doc("d3", "n01", ad, StatusAccepted)
		}, want{map[Kind]string{sa: StatusAccepted, ad: StatusAccepted}, []Kind{}, true}},
		{"accepted beats late", false, func(b *dzBuilder) {
			b.doc("d1", "n01", sa, StatusAccepted).doc("d2", "n01", sa, StatusLate).doc("d3", "n01", ad, StatusAccepted)
		}, want{map[Kind]string{sa: StatusAccepted, ad: StatusAccepted}, []Kind{}, true}},
		{"review accepts a scan", false, func(b *dzBuilder) {
			b.doc("d1", "n01", sa, StatusNeedsReview).doc("d2", "n01", ad, StatusAccepted)
			b.event(Document{ID: "d1", Nominee: "n01", Kind: sa, Status: StatusAccepted, ReceivedAt: b.at.Add(-2 * time.Minute), Revision: 2})
		}, want{map[Kind]string{sa: StatusAccepted, ad: StatusAccepted}, []Kind{}, true}},
		{"review moves a document to another person", false, func(b *dzBuilder) {
			b.doc("d1", "n01", sa, StatusAccepted).doc("d2", "n01", ad, StatusAccepted)
			b.event(Document{ID: "d1", Nominee: "n02", Kind: sa, Status: StatusAccepted, ReceivedAt: b.at, Revision: 2})
		}, want{map[Kind]string{sa: StatusMissing, ad: StatusAccepted}, []Kind{sa}, false}},
		{"other documents show but are not required", false, func(b *dzBuilder) {
			b.doc("d1", "n01", sa, StatusAccepted).doc("d2", "n01", ad, StatusAccepted).doc("d3", "n01", KindOther, StatusAccepted)
		}, want{map[Kind]string{sa: StatusAccepted, ad: StatusAccepted, KindOther: StatusAccepted}, []Kind{}, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dzRound(t)
			r.Rules.AcceptLate = tt.acceptLate
			b := newDZ(t, r.ID)
			tt.build(b)
			got := personOf(t, Status(r, b.st, b.at), "n01")
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
	r := dzRound(t)
	b := newDZ(t, r.ID).
		doc("v1", "n01", KindSelfAssessment, StatusAccepted).
		doc("v2", "n01", KindSelfAssessment, StatusRejected).
		doc("v3", "n01", KindSelfAssessment, StatusAccepted)
	ns := personOf(t, Status(r, b.st, b.at), "n01")
	vs := ns.Versions[KindSelfAssessment]
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
	r := dzRound(t)
	b := newDZ(t, r.ID).
		doc("x1", "n03", KindSelfAssessment, StatusAccepted).  // exempt person sent one anyway
		doc("u1", "", KindSelfAssessment, StatusNeedsReview).  // a scan naming nobody
		doc("u2", "n09", KindAssetDeclaration, StatusAccepted) // a person not (yet) on the roster
	rep := Status(r, b.st, b.at)
	ex := personOf(t, rep, "n03")
	if ex.Exempt == "" || !ex.Complete || len(ex.Missing) != 0 || ex.Overdue {
		t.Errorf("exempt person: %+v; want a reason, complete, nothing missing", ex)
	}
	if ex.Documents[KindSelfAssessment] != StatusAccepted {
		t.Errorf("exempt person's document not shown: %v", ex.Documents)
	}
	if _, listed := ex.Documents[KindAssetDeclaration]; listed {
		t.Errorf("exempt person must not be listed as missing anything: %v", ex.Documents)
	}
	if len(rep.Unassigned) != 2 {
		t.Fatalf("unassigned = %+v; want u1 and u2", rep.Unassigned)
	}
	if rep.Summary.OnBallot != 2 || rep.Summary.Exempt != 1 || rep.Summary.Incomplete != 2 || rep.Summary.Documents != 3 || rep.Summary.NeedsReview != 1 {
		t.Errorf("summary = %+v", rep.Summary)
	}

	// The board adds n09 after their document arrived: it counts at once.
	r.Nominees = append(r.Nominees, Nominee{ID: "n09", Name: "Bùi Thị Mai"})
	rep = Status(r, b.st, b.at)
	if got := personOf(t, rep, "n09").Documents[KindAssetDeclaration]; got != StatusAccepted {
		t.Errorf("added person's earlier document: %q", got)
	}
	if len(rep.Unassigned) != 1 {
		t.Errorf("unassigned after adding n09: %+v", rep.Unassigned)
	}

	// n01 sends both documents and is then taken off the roster: the documents stay visible.
	b.doc("a1", "n01", KindSelfAssessment, StatusAccepted).doc("a2", "n01", KindAssetDeclaration, StatusAccepted)
	removed := r.Nominees[0]
	r.Nominees = r.Nominees[1:]
	r.Removed = []Nominee{removed}
	rep = Status(r, b.st, b.at)
	if len(rep.Nominees) != 3 || len(rep.Removed) != 1 || rep.Removed[0].Nominee != "n01" || !rep.Removed[0].Removed {
		t.Fatalf("after removal: nominees %d removed %+v", len(rep.Nominees), rep.Removed)
	}
	if got := rep.Removed[0].Documents; got[KindSelfAssessment] != StatusAccepted || got[KindAssetDeclaration] != StatusAccepted {
		t.Errorf("removed person's documents: %v", got)
	}
	if rep.Summary.Documents != 5 {
		t.Errorf("documents counted %d, want 5 (none lost)", rep.Summary.Documents)
	}
}

func TestStatusFollowsRequirements(t *testing.T) {
	r := dzRound(t)
	b := newDZ(t, r.ID).doc("d1", "n01", KindSelfAssessment, StatusAccepted)
	if ns := personOf(t, Status(r, b.st, b.at), "n01"); ns.Complete {
		t.Fatal("complete with one of two required documents")
	}
	r.Required = []Kind{KindSelfAssessment}
	if ns := personOf(t, Status(r, b.st, b.at), "n01"); !ns.Complete {
		t.Errorf("requirement dropped, still incomplete: %+v", ns)
	}
}

func TestStatusFollowsMovedDeadline(t *testing.T) {
	r := dzRound(t)
	at := r.Deadlines.Dossier.At
	b := newDZ(t, r.ID)
	// Judged by ingest against the deadline of the moment: one on time, one an hour late.
	b.event(Document{ID: "sa", Nominee: "n01", Kind: KindSelfAssessment, Status: StatusAccepted, ReceivedAt: at.Add(-time.Hour), Revision: 1})
	b.event(Document{ID: "ad", Nominee: "n01", Kind: KindAssetDeclaration, Status: StatusLate, ReceivedAt: at.Add(time.Hour), Revision: 1})
	if ns := personOf(t, Status(r, b.st, at), "n01"); ns.Complete || ns.Documents[KindAssetDeclaration] != StatusLate {
		t.Fatalf("before the move: %+v", ns.Documents)
	}
	// The board gives one more day: the late declaration is now on time.
	r.Deadlines.Dossier.At = at.Add(24 * time.Hour)
	if ns := personOf(t, Status(r, b.st, at), "n01"); !ns.Complete || ns.Documents[KindAssetDeclaration] != StatusAccepted {
		t.Errorf("deadline moved later: %+v", ns.Documents)
	}
	// Or brings it forward by two hours: the self-assessment is now late too.
	r.Deadlines.Dossier.At = at.Add(-2 * time.Hour)
	if ns := personOf(t, Status(r, b.st, at), "n01"); ns.Complete || ns.Documents[KindSelfAssessment] != StatusLate {
		t.Errorf("deadline moved earlier: %+v", ns.Documents)
	}
	// Other verdicts stand whatever the deadline.
	for _, st := range []string{StatusRejected, StatusNeedsReview, StatusPending} {
		if got := EffectiveStatus(r, DocEntry{Status: st, Kind: KindSelfAssessment, ReceivedAt: at}); got != st {
			t.Errorf("EffectiveStatus(%s) = %s", st, got)
		}
	}
	if got := EffectiveStatus(r, DocEntry{Status: StatusLate, Kind: KindOther, ReceivedAt: at}); got != StatusLate {
		t.Errorf("a kind without deadline was re-judged: %s", got)
	}
}

func TestStatusOverdueBoundary(t *testing.T) {
	r := dzRound(t)
	at := r.Deadlines.Dossier.At // 23:59:59.999999999 on 25/11 in Hanoi
	if want := time.Date(2028, 11, 25, 16, 59, 59, 999999999, time.UTC); !at.Equal(want) {
		t.Fatalf("dossier deadline %v, want %v", at, want)
	}
	st := NewState(r.ID)
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
		if got := personOf(t, Status(r, st, tt.now), "n01").Overdue; got != tt.want {
			t.Errorf("overdue at %v = %v, want %v", tt.now.In(r.Location()), got, tt.want)
		}
	}
}

func TestStatusNilState(t *testing.T) {
	r := dzRound(t)
	rep := Status(r, nil, time.Now())
	if len(rep.Nominees) != 3 || rep.Summary.Incomplete != 2 {
		t.Errorf("nil state: %+v", rep.Summary)
	}
}

// BenchmarkStatus5000 is the status of a 5,000-person round with ~10,000 documents.
func BenchmarkStatus5000(b *testing.B) {
	r, st := bigRound(b, 5000)
	b.ResetTimer()
	for b.Loop() {
		rep := Status(r, st, time.Now())
		if len(rep.Nominees) != 5000 {
			b.Fatal(len(rep.Nominees))
		}
	}
}

// BenchmarkStatusRead5000 is what a status request costs the server: decode the stored
// projection, compute the status, encode the JSON array.
func BenchmarkStatusRead5000(b *testing.B) {
	r, st := bigRound(b, 5000)
	data, err := EncodeState(st)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		st, err := DecodeState(data)
		if err != nil {
			b.Fatal(err)
		}
		out, err := json.Marshal(Status(r, st, time.Now()).Nominees)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// bigRound makes a round of n persons where every person sent two documents, except every
// tenth person who is missing the asset declaration.
func bigRound(t testing.TB, n int) (Round, *State) {
	r := dzRound(t)
	r.ID = "dz-big"
	r.Nominees = make([]Nominee, n)
	st := NewState(r.ID)
	at := time.Date(2028, 11, 1, 0, 0, 0, 0, time.UTC)
	seq := uint64(0)
	for i := range n {
		id := "p" + pad5(i)
		r.Nominees[i] = Nominee{ID: id, Name: "Nguyễn Văn Người Thứ " + pad5(i), Position: "Ủy viên Ban Thường vụ"}
		for _, k := range []Kind{KindSelfAssessment, KindAssetDeclaration} {
			if k == KindAssetDeclaration && i%10 == 0 {
				continue
			}
			seq++
			did := "01JDOC" + pad5(i) + string(k[:2])
			_, _ = st.ApplyDocument(DocumentEvent{Type: EventVerdict, Document: Document{ID: did, Round: r.ID, Nominee: id, Kind: k,
				Status: StatusAccepted, ReceivedAt: at.Add(time.Duration(seq) * time.Second), Revision: 1, File: "ho-so-" + id + ".pdf"}}, seq)
		}
	}
	return r, st
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }

func TestCurrentVerdict(t *testing.T) {
	r := dzRound(t)
	at := r.Deadlines.Dossier.At
	late := Document{ID: "x", Kind: KindSelfAssessment, Status: StatusLate, ReceivedAt: at.Add(time.Minute),
		Message: LateMessage(r, at.Add(time.Minute), at) + " Nội dung không nói đến: vợ/chồng, con."}
	// Unchanged deadline: the verdict stands as stored.
	if got := CurrentVerdict(r, late); got.Status != StatusLate || got.Message != late.Message {
		t.Errorf("same deadline: %+v", got)
	}
	// The board moves the deadline an hour later: on time, the late sentence goes, the rest stays.
	moved := r
	moved.Deadlines.Dossier.At = at.Add(time.Hour)
	if got := CurrentVerdict(moved, late); got.Status != StatusAccepted || got.Message != "Nội dung không nói đến: vợ/chồng, con." {
		t.Errorf("deadline moved later: %+v", got)
	}
	// And an hour earlier: an on-time document becomes late, saying against which deadline.
	onTime := Document{ID: "y", Kind: KindSelfAssessment, Status: StatusAccepted, ReceivedAt: at.Add(-30 * time.Minute)}
	earlier := r
	earlier.Deadlines.Dossier.At = at.Add(-time.Hour)
	got := CurrentVerdict(earlier, onTime)
	if got.Status != StatusLate || !strings.HasPrefix(got.Message, "Nộp sau hạn: nhận lúc 23:29 25/11/2028, hạn là 22:59 25/11/2028.") {
		t.Errorf("deadline moved earlier: %+v", got)
	}
	// Other verdicts are not judged again.
	rejected := Document{ID: "z", Kind: KindSelfAssessment, Status: StatusRejected, Reason: "corrupt", ReceivedAt: at.Add(time.Minute)}
	if got := CurrentVerdict(moved, rejected); got.Status != StatusRejected {
		t.Errorf("rejected re-judged: %+v", got)
	}
}

func TestLateMessageSeconds(t *testing.T) {
	r := dzRound(t)
	dl := time.Date(2028, 11, 25, 14, 59, 0, 0, time.UTC) // 21:59:00 in Hanoi
	if got, want := LateMessage(r, dl.Add(8*time.Second), dl), "Nộp sau hạn: nhận lúc 21:59:08 25/11/2028, hạn là 21:59:00 25/11/2028."; got != want {
		t.Errorf("same minute: %q, want %q", got, want)
	}
	if got, want := LateMessage(r, dl.Add(2*time.Minute), dl), "Nộp sau hạn: nhận lúc 22:01 25/11/2028, hạn là 21:59 25/11/2028."; got != want {
		t.Errorf("minutes apart: %q, want %q", got, want)
	}
}

// A paper placed with a person but waiting for confirmation is listed for review and does not
// count; one naming nobody stays among the unassigned.
func TestStatusListsPapersToReview(t *testing.T) {
	r := dzRound(t)
	b := newDZ(t, r.ID).doc("ok", "n01", KindSelfAssessment, StatusAccepted).
		doc("wait", "n01", KindAssetDeclaration, StatusNeedsReview).
		doc("nobody", "", "", StatusNeedsReview)
	rep := Status(r, b.st, r.Deadlines.Dossier.At.Add(-time.Hour))
	if len(rep.ToReview) != 1 || rep.ToReview[0].DocumentID != "wait" || rep.ToReview[0].Nominee != "n01" {
		t.Errorf("to review: %+v", rep.ToReview)
	}
	if len(rep.Unassigned) != 1 || rep.Unassigned[0].DocumentID != "nobody" {
		t.Errorf("unassigned: %+v", rep.Unassigned)
	}
	for _, ns := range rep.Nominees {
		if ns.Nominee == "n01" && (ns.Complete || !slices.Contains(ns.Missing, KindAssetDeclaration)) {
			t.Errorf("a paper waiting for review counted: %+v", ns)
		}
	}
}
