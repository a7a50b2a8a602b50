package dossier_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

func TestApplyOrderIndependent(t *testing.T) {
	msgs := dossiertest.Stream(t, "dz-test")
	inOrder := dossier.NewState("dz-test")
	for _, m := range msgs {
		if _, err := inOrder.Apply(m.Subject, m.Data, m.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if inOrder.Seq != uint64(len(msgs)) || len(inOrder.Docs) != 6 {
		t.Fatalf("in order: seq %d docs %d", inOrder.Seq, len(inOrder.Docs))
	}
	if d := inOrder.Docs["scan"]; d.Revision != 2 || d.Status != dossier.StatusAccepted || d.Nominee != "n01" {
		t.Errorf("review not applied: %+v", d)
	}
	if d := inOrder.Decisions["rq2"]; d.Decision != dossier.DecisionSetAside {
		t.Errorf("latest decision: %+v", d)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		shuffled := append([]dossiertest.Msg(nil), msgs...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		// Redeliveries: some messages twice.
		shuffled = append(shuffled, shuffled[:i%len(shuffled)]...)
		st := dossier.NewState("dz-test")
		for _, m := range shuffled {
			if _, err := st.Apply(m.Subject, m.Data, m.Seq); err != nil {
				t.Fatal(err)
			}
		}
		if diff := st.Diff(inOrder, 5); len(diff) > 0 {
			t.Fatalf("shuffle %d differs from in-order: %v", i, diff)
		}
	}
}

func TestApplyIdempotentChanged(t *testing.T) {
	st := dossier.NewState("dz-test")
	ev := dossier.DocumentEvent{Type: dossier.EventVerdict, Document: dossier.Document{ID: "d1", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, Revision: 1}}
	if changed, _ := st.ApplyDocument(ev, 5); !changed {
		t.Error("first apply reported no change")
	}
	if changed, _ := st.ApplyDocument(ev, 5); changed {
		t.Error("redelivery reported a change")
	}
	older := ev
	older.Document.Status = dossier.StatusRejected
	if _, err := st.ApplyDocument(older, 3); err != nil || st.Docs["d1"].Status != dossier.StatusAccepted {
		t.Errorf("an earlier sequence of the same revision replaced the later: %+v", st.Docs["d1"])
	}
	if st.Seq != 5 {
		t.Errorf("seq = %d, want 5", st.Seq)
	}
	stale := ev
	stale.Document.Revision, stale.Document.Status = 0, dossier.StatusPending
	if _, _ = st.ApplyDocument(stale, 9); st.Docs["d1"].Status != dossier.StatusAccepted {
		t.Error("a lower revision replaced a higher one")
	}
}

func TestApplyRejectsPoison(t *testing.T) {
	good, _ := json.Marshal(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: dossier.Document{ID: "d1", Round: "dz-test"}})
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
		st := dossier.NewState("dz-test")
		if _, err := st.Apply(tt.subject, []byte(tt.data), 1); err == nil {
			t.Errorf("%s: applied", tt.name)
		}
		if st.Seq != 0 || len(st.Docs) != 0 {
			t.Errorf("%s: state changed by a poison message: %+v", tt.name, st)
		}
	}
}

func TestStateEncodeRoundTrip(t *testing.T) {
	st := dossier.NewState("dz-test")
	for _, m := range dossiertest.Stream(t, "dz-test") {
		_, _ = st.Apply(m.Subject, m.Data, m.Seq)
	}
	data, err := dossier.EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := dossier.DecodeState(data)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(st) {
		t.Errorf("round trip differs: %v", back.Diff(st, 5))
	}
	// Equal must see a difference in any field.
	back.Docs["scan"] = dossier.DocEntry{Status: dossier.StatusRejected}
	if back.Equal(st) {
		t.Error("Equal missed a changed document")
	}
}

func TestStateSizeFor5000(t *testing.T) {
	_, st := dossiertest.BigRound(t, 5000)
	data, err := dossier.EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5,000 persons, %d documents: %d bytes", len(st.Docs), len(data))
	if len(data) > dossier.MaxStateSize/2 {
		t.Errorf("state of 5,000 persons is %d bytes; keep it well under %d", len(data), dossier.MaxStateSize)
	}
}

func FuzzApply(f *testing.F) {
	for _, m := range dossiertest.Stream(f, "dz-test") {
		f.Add(m.Subject, m.Data)
	}
	f.Add("tn.dossier.dz-test.document", []byte(`{"type":"review","document":{"document_id":"x","revision":-3,"received_at":"0001-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, subject string, data []byte) {
		st := dossier.NewState("dz-test")
		changed, err := st.Apply(subject, data, 7)
		if err != nil {
			if changed || len(st.Docs) != 0 || len(st.Decisions) != 0 || st.Seq != 0 {
				t.Fatalf("error %v but state changed", err)
			}
			return
		}
		enc, err := dossier.EncodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := dossier.DecodeState(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(st) {
			t.Fatalf("encode/decode changed the state: %v", back.Diff(st, 3))
		}
		// Whatever was applied, status must be computable.
		r := dossiertest.Round(t)
		r.ID = "dz-test"
		_ = dossier.Status(r, st, time.Now())
		if strings.Contains(subject, "request_decision") && len(st.Docs) != 0 {
			t.Fatal("a decision created a document")
		}
	})
}
