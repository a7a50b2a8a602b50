package dossier

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

type dzMsg struct {
	subject string
	data    []byte
	seq     uint64
}

// dzStream is a plausible stream of a round: verdicts, reviews, a duplicate publication,
// a request, a late request and board decisions.
func dzStream(t testing.TB, round string) []dzMsg {
	t.Helper()
	at := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	var out []dzMsg
	add := func(subject string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, dzMsg{subject, data, uint64(len(out) + 1)})
	}
	doc := func(typ string, d Document) {
		d.Round = round
		add(DocumentSubject(round), DocumentEvent{Type: typ, Document: d})
	}
	for i, n := range []string{"n01", "n02"} {
		doc(EventVerdict, Document{ID: "sa-" + n, Nominee: n, Kind: KindSelfAssessment, Status: StatusAccepted, ReceivedAt: at.Add(time.Duration(i) * time.Minute), Revision: 1})
	}
	doc(EventVerdict, Document{ID: "scan", Kind: "", Status: StatusNeedsReview, ReceivedAt: at.Add(time.Hour), Revision: 1})
	doc(EventReview, Document{ID: "scan", Nominee: "n01", Kind: KindAssetDeclaration, Status: StatusAccepted, ReceivedAt: at.Add(time.Hour), Revision: 2})
	// The same verdict published twice (a retried ingest step with a new message id).
	doc(EventVerdict, Document{ID: "sa-n02", Nominee: "n02", Kind: KindSelfAssessment, Status: StatusAccepted, ReceivedAt: at.Add(time.Minute), Revision: 1})
	doc(EventVerdict, Document{ID: "rq1", Nominee: "n02", Kind: KindExplanationRequest, Status: StatusAccepted, ReceivedAt: at.Add(2 * time.Hour), Revision: 1, Requester: "Ông A"})
	doc(EventVerdict, Document{ID: "rq2", Nominee: "n01", Kind: KindExplanationRequest, Status: StatusLate, ReceivedAt: at.Add(3 * time.Hour), Revision: 1})
	add(DecisionSubject(round), RequestDecision{Round: round, Request: "rq2", Decision: DecisionAccept, By: "admin", At: at.Add(4 * time.Hour)})
	add(DecisionSubject(round), RequestDecision{Round: round, Request: "rq2", Decision: DecisionSetAside, Note: "trùng nội dung", By: "admin", At: at.Add(5 * time.Hour)})
	doc(EventVerdict, Document{ID: "ex1", Nominee: "n02", Kind: KindExplanation, Status: StatusAccepted, ReceivedAt: at.Add(6 * time.Hour), Revision: 1})
	return out
}

func TestApplyOrderIndependent(t *testing.T) {
	msgs := dzStream(t, "dz-test")
	inOrder := NewState("dz-test")
	for _, m := range msgs {
		if _, err := inOrder.Apply(m.subject, m.data, m.seq); err != nil {
			t.Fatal(err)
		}
	}
	if inOrder.Seq != uint64(len(msgs)) || len(inOrder.Docs) != 6 {
		t.Fatalf("in order: seq %d docs %d", inOrder.Seq, len(inOrder.Docs))
	}
	if d := inOrder.Docs["scan"]; d.Revision != 2 || d.Status != StatusAccepted || d.Nominee != "n01" {
		t.Errorf("review not applied: %+v", d)
	}
	if d := inOrder.Decisions["rq2"]; d.Decision != DecisionSetAside {
		t.Errorf("latest decision: %+v", d)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		shuffled := append([]dzMsg(nil), msgs...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		// Redeliveries: some messages twice.
		shuffled = append(shuffled, shuffled[:i%len(shuffled)]...)
		st := NewState("dz-test")
		for _, m := range shuffled {
			if _, err := st.Apply(m.subject, m.data, m.seq); err != nil {
				t.Fatal(err)
			}
		}
		if diff := st.Diff(inOrder, 5); len(diff) > 0 {
			t.Fatalf("shuffle %d differs from in-order: %v", i, diff)
		}
	}
}

func TestApplyIdempotentChanged(t *testing.T) {
	st := NewState("dz-test")
	ev := DocumentEvent{Type: EventVerdict, Document: Document{ID: "d1", Nominee: "n01", Kind: KindSelfAssessment, Status: StatusAccepted, Revision: 1}}
	if changed, _ := st.ApplyDocument(ev, 5); !changed {
		t.Error("first apply reported no change")
	}
	if changed, _ := st.ApplyDocument(ev, 5); changed {
		t.Error("redelivery reported a change")
	}
	older := ev
	older.Document.Status = StatusRejected
	if _, err := st.ApplyDocument(older, 3); err != nil || st.Docs["d1"].Status != StatusAccepted {
		t.Errorf("an earlier sequence of the same revision replaced the later: %+v", st.Docs["d1"])
	}
	if st.Seq != 5 {
		t.Errorf("seq = %d, want 5", st.Seq)
	}
	stale := ev
	stale.Document.Revision, stale.Document.Status = 0, StatusPending
	if _, _ = st.ApplyDocument(stale, 9); st.Docs["d1"].Status != StatusAccepted {
		t.Error("a lower revision replaced a higher one")
	}
}

func TestApplyRejectsPoison(t *testing.T) {
	good, _ := json.Marshal(DocumentEvent{Type: EventVerdict, Document: Document{ID: "d1", Round: "dz-test"}})
	tests := []struct {
		name, subject, data string
	}{
		{"bad subject", "tn.dossier.dz-test", string(good)},
		{"other round", "tn.dossier.other.document", string(good)},
		{"unknown subject kind", "tn.dossier.dz-test.upload", string(good)},
		{"not json", "tn.dossier.dz-test.document", "{"},
		{"unknown type", "tn.dossier.dz-test.document", `{"type":"delete","document":{"document_id":"d1"}}`},
		{"no id", "tn.dossier.dz-test.document", `{"type":"verdict","document":{"status":"accepted"}}`},
		{"round mismatch in body", "tn.dossier.dz-test.document", `{"type":"verdict","document":{"document_id":"d1","round":"x"}}`},
		{"bad decision", "tn.dossier.dz-test.request_decision", `{"request":"r1","decision":"maybe"}`},
	}
	for _, tt := range tests {
		st := NewState("dz-test")
		if _, err := st.Apply(tt.subject, []byte(tt.data), 1); err == nil {
			t.Errorf("%s: applied", tt.name)
		}
		if st.Seq != 0 || len(st.Docs) != 0 {
			t.Errorf("%s: state changed by a poison message: %+v", tt.name, st)
		}
	}
}

func TestStateEncodeRoundTrip(t *testing.T) {
	st := NewState("dz-test")
	for _, m := range dzStream(t, "dz-test") {
		_, _ = st.Apply(m.subject, m.data, m.seq)
	}
	data, err := EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeState(data)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(st) {
		t.Errorf("round trip differs: %v", back.Diff(st, 5))
	}
	// Equal must see a difference in any field.
	back.Docs["scan"] = DocEntry{Status: StatusRejected}
	if back.Equal(st) {
		t.Error("Equal missed a changed document")
	}
}

func TestStateSizeFor5000(t *testing.T) {
	_, st := bigRound(t, 5000)
	data, err := EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5,000 persons, %d documents: %d bytes", len(st.Docs), len(data))
	if len(data) > MaxStateSize/2 {
		t.Errorf("state of 5,000 persons is %d bytes; keep it well under %d", len(data), MaxStateSize)
	}
}

func FuzzApply(f *testing.F) {
	for _, m := range dzStream(f, "dz-test") {
		f.Add(m.subject, m.data)
	}
	f.Add("tn.dossier.dz-test.document", []byte(`{"type":"review","document":{"document_id":"x","revision":-3,"received_at":"0001-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, subject string, data []byte) {
		st := NewState("dz-test")
		changed, err := st.Apply(subject, data, 7)
		if err != nil {
			if changed || len(st.Docs) != 0 || len(st.Decisions) != 0 || st.Seq != 0 {
				t.Fatalf("error %v but state changed", err)
			}
			return
		}
		enc, err := EncodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeState(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(st) {
			t.Fatalf("encode/decode changed the state: %v", back.Diff(st, 3))
		}
		// Whatever was applied, status must be computable.
		r := dzRound(t)
		r.ID = "dz-test"
		_ = Status(r, st, time.Now())
		if strings.Contains(subject, "request_decision") && len(st.Docs) != 0 {
			t.Fatal("a decision created a document")
		}
	})
}
