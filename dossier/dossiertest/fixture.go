// Package dossiertest holds the fixtures shared by the tests of the dossier domain and of the
// workers that project and watch it: a small round, a plausible event stream, a builder of
// projections and a large round for benchmarks.
package dossiertest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"tinnhiem/dossier"
)

// RoundYAML is a small round: three persons, one exempt (retiring), deadlines in Hanoi time.
const RoundYAML = `
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

func Round(t testing.TB) dossier.Round {
	t.Helper()
	r, err := dossier.ParseRound([]byte(RoundYAML))
	if err != nil {
		t.Fatalf("test round: %v", err)
	}
	return r
}

// Builder applies document events at increasing stream sequences.
type Builder struct {
	t     testing.TB
	State *dossier.State
	seq   uint64
	At    time.Time // when the last document was received
}

// LateAt is after every deadline of Round and before its vote.
var LateAt = time.Date(2028, 12, 13, 0, 0, 0, 0, time.UTC)

// NewBuilder starts an empty projection of round.
func NewBuilder(t testing.TB, round string) *Builder {
	return &Builder{t: t, State: dossier.NewState(round), At: time.Date(2028, 11, 20, 2, 0, 0, 0, time.UTC)}
}

// received is one minute after the previous document; a late one is after every deadline.
func (b *Builder) received(status string) time.Time {
	b.At = b.At.Add(time.Minute)
	if status == dossier.StatusLate {
		return LateAt.Add(b.At.Sub(time.Date(2028, 11, 20, 2, 0, 0, 0, time.UTC)))
	}
	return b.At
}

// Doc applies a verdict (revision 1) of a document.
func (b *Builder) Doc(id, nominee string, kind dossier.Kind, status string) *Builder {
	return b.Event(dossier.Document{ID: id, Round: b.State.Round, Nominee: nominee, Kind: kind, Status: status, ReceivedAt: b.received(status), Revision: 1, File: id + ".pdf"})
}

// Event applies a document event (a review when its revision is above 1).
func (b *Builder) Event(d dossier.Document) *Builder {
	b.t.Helper()
	b.seq++
	typ := dossier.EventVerdict
	if d.Revision > 1 {
		typ = dossier.EventReview
	}
	if _, err := b.State.ApplyDocument(dossier.DocumentEvent{Type: typ, Document: d}, b.seq); err != nil {
		b.t.Fatal(err)
	}
	return b
}

// Decide applies a board decision on a request.
func (b *Builder) Decide(request, decision string) *Builder {
	b.t.Helper()
	b.seq++
	if _, err := b.State.ApplyDecision(dossier.RequestDecision{Request: request, Decision: decision, By: "bantochuc", At: b.At}, b.seq); err != nil {
		b.t.Fatal(err)
	}
	return b
}

// PersonOf is the status of person id in rep.
func PersonOf(t testing.TB, rep dossier.Report, id string) dossier.NomineeStatus {
	t.Helper()
	for _, ns := range rep.Nominees {
		if ns.Nominee == id {
			return ns
		}
	}
	t.Fatalf("no status for %s", id)
	return dossier.NomineeStatus{}
}

// BigRound makes a round of n persons where every person sent two documents, except every
// tenth person who is missing the asset declaration.
func BigRound(t testing.TB, n int) (dossier.Round, *dossier.State) {
	r := Round(t)
	r.ID = "dz-big"
	r.Nominees = make([]dossier.Nominee, n)
	st := dossier.NewState(r.ID)
	at := time.Date(2028, 11, 1, 0, 0, 0, 0, time.UTC)
	seq := uint64(0)
	for i := range n {
		id := "p" + pad5(i)
		r.Nominees[i] = dossier.Nominee{ID: id, Name: "Nguyễn Văn Người Thứ " + pad5(i), Position: "Ủy viên Ban Thường vụ"}
		for _, k := range []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration} {
			if k == dossier.KindAssetDeclaration && i%10 == 0 {
				continue
			}
			seq++
			did := "01JDOC" + pad5(i) + string(k[:2])
			_, _ = st.ApplyDocument(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: dossier.Document{ID: did, Round: r.ID, Nominee: id, Kind: k,
				Status: dossier.StatusAccepted, ReceivedAt: at.Add(time.Duration(seq) * time.Second), Revision: 1, File: "ho-so-" + id + ".pdf"}}, seq)
		}
	}
	return r, st
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }

// Msg is one DOSSIER message at a stream sequence.
type Msg struct {
	Subject string
	Data    []byte
	Seq     uint64
}

// Stream is a plausible stream of a round: verdicts, reviews, a duplicate publication,
// a request, a late request and board decisions.
func Stream(t testing.TB, round string) []Msg {
	t.Helper()
	at := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	var out []Msg
	add := func(subject string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Msg{subject, data, uint64(len(out) + 1)})
	}
	doc := func(typ string, d dossier.Document) {
		d.Round = round
		add(dossier.DocumentSubject(round), dossier.DocumentEvent{Type: typ, Document: d})
	}
	for i, n := range []string{"n01", "n02"} {
		doc(dossier.EventVerdict, dossier.Document{ID: "sa-" + n, Nominee: n, Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: at.Add(time.Duration(i) * time.Minute), Revision: 1})
	}
	doc(dossier.EventVerdict, dossier.Document{ID: "scan", Kind: "", Status: dossier.StatusNeedsReview, ReceivedAt: at.Add(time.Hour), Revision: 1})
	doc(dossier.EventReview, dossier.Document{ID: "scan", Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusAccepted, ReceivedAt: at.Add(time.Hour), Revision: 2})
	// The same verdict published twice (a retried ingest step with a new message id).
	doc(dossier.EventVerdict, dossier.Document{ID: "sa-n02", Nominee: "n02", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: at.Add(time.Minute), Revision: 1})
	doc(dossier.EventVerdict, dossier.Document{ID: "rq1", Nominee: "n02", Kind: dossier.KindExplanationRequest, Status: dossier.StatusAccepted, ReceivedAt: at.Add(2 * time.Hour), Revision: 1, Requester: "Ông A"})
	doc(dossier.EventVerdict, dossier.Document{ID: "rq2", Nominee: "n01", Kind: dossier.KindExplanationRequest, Status: dossier.StatusLate, ReceivedAt: at.Add(3 * time.Hour), Revision: 1})
	add(dossier.DecisionSubject(round), dossier.RequestDecision{Round: round, Request: "rq2", Decision: dossier.DecisionAccept, By: "admin", At: at.Add(4 * time.Hour)})
	add(dossier.DecisionSubject(round), dossier.RequestDecision{Round: round, Request: "rq2", Decision: dossier.DecisionSetAside, Note: "trùng nội dung", By: "admin", At: at.Add(5 * time.Hour)})
	doc(dossier.EventVerdict, dossier.Document{ID: "ex1", Nominee: "n02", Kind: dossier.KindExplanation, Status: dossier.StatusAccepted, ReceivedAt: at.Add(6 * time.Hour), Revision: 1})
	return out
}

// Req applies a request for explanation naming nominee, with a reference and a requester.
func (b *Builder) Req(id, nominee, status, ref string) *Builder {
	return b.Event(dossier.Document{ID: id, Round: b.State.Round, Nominee: nominee, Kind: dossier.KindExplanationRequest, Status: status,
		ReceivedAt: b.received(status), Revision: 1, RequestRef: ref, Requester: "Đại biểu Trần Văn B"})
}

// Expl applies an explanation; answers names the request by id, ref by its reference.
func (b *Builder) Expl(id, nominee, status, answers, ref string) *Builder {
	return b.Event(dossier.Document{ID: id, Round: b.State.Round, Nominee: nominee, Kind: dossier.KindExplanation, Status: status,
		ReceivedAt: b.received(status), Revision: 1, AnswersRequest: answers, RequestRef: ref})
}
