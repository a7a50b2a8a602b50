package dossier

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The hand-written encoders write exactly what encoding/json writes from the field tags, in
// both of its modes (json.Marshal escapes HTML characters, an Encoder may be told not to).
func TestStatusJSONSameAsReflection(t *testing.T) {
	at := time.Date(2028, 11, 20, 3, 4, 5, 123456789, time.FixedZone("ICT", 7*3600))
	tricky := "Trần <Quốc> & \"Hùng\"\\ \t\n\x01 \u2028\u2029 \xff€ 😀"
	statuses := []NomineeStatus{
		{},
		{Nominee: "n01", Name: "Trần Quốc Hùng", Documents: map[Kind]string{}, Missing: []Kind{}, Versions: map[Kind][]DocVersion{}, Requests: []RequestStatus{}},
		{Nominee: tricky, Name: tricky, Position: tricky, Exempt: "mới bổ nhiệm", ExemptReason: tricky,
			Documents: map[Kind]string{KindSelfAssessment: StatusAccepted, KindAssetDeclaration: StatusMissing, Kind(tricky): tricky},
			Missing:   []Kind{KindAssetDeclaration, Kind(tricky)}, OpenRequests: 2, Complete: false, Overdue: true,
			Versions: map[Kind][]DocVersion{
				KindSelfAssessment: {{DocumentID: "d1", Status: StatusAccepted, ReceivedAt: at, File: tricky, Reason: "late", Current: true},
					{DocumentID: "d2", Status: StatusRejected, ReceivedAt: time.Time{}, Kind: KindOther, Nominee: "n02"}},
				KindExplanation: nil,
			},
			Requests: []RequestStatus{{DocumentID: "r1", ReceivedAt: at, Ref: "05/ĐNGT", Requester: tricky, Late: true, State: RequestAwaitingDecision,
				Decision: &DecisionView{Decision: DecisionAccept, By: "bantochuc", At: at}}},
			Removed: true},
	}
	// A field added to these types must be written by their encoders: the full fixture sets
	// every one, so a new field left unset here fails until it is.
	mustSetEveryField(t, statuses[2], "Complete") // written whatever its value
	mustSetEveryField(t, statuses[2].Versions[KindSelfAssessment][0], "Kind", "Nominee")
	mustSetEveryField(t, statuses[2].Versions[KindSelfAssessment][1], "ReceivedAt", "File", "Reason", "Current")
	type plain NomineeStatus // the same fields, without the hand-written encoder
	type plainVersion DocVersion
	for i, ns := range statuses {
		// plain still reaches DocVersion's encoder through Versions: compare that one apart.
		want, err := json.Marshal(plain(ns))
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(ns)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("status %d:\n got %s\nwant %s", i, got, want)
		}
		for _, escape := range []bool{true, false} {
			var a, b bytes.Buffer
			ea, eb := json.NewEncoder(&a), json.NewEncoder(&b)
			ea.SetEscapeHTML(escape)
			eb.SetEscapeHTML(escape)
			if err := ea.Encode([]NomineeStatus{ns}); err != nil {
				t.Fatal(err)
			}
			if err := eb.Encode([]plain{plain(ns)}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("status %d, escape HTML %v:\n got %s\nwant %s", i, escape, a.Bytes(), b.Bytes())
			}
		}
		for _, vs := range ns.Versions {
			for _, v := range vs {
				got, _ := json.Marshal(v)
				want, _ := json.Marshal(plainVersion(v))
				if !bytes.Equal(got, want) {
					t.Errorf("version:\n got %s\nwant %s", got, want)
				}
			}
		}
	}
}

// Statuses writes what an Encoder told SetEscapeHTML(false) writes for the same list.
func TestStatusesAppendJSON(t *testing.T) {
	list := []NomineeStatus{{Nominee: "n01", Name: "A <b> & c", Documents: map[Kind]string{KindOther: StatusAccepted}, Missing: []Kind{},
		Versions: map[Kind][]DocVersion{}, Requests: []RequestStatus{}}, {Nominee: "n02", Name: "\u2028"}}
	type plain NomineeStatus
	for _, l := range [][]NomineeStatus{nil, {}, list} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		ps := []plain{}
		if l == nil {
			ps = nil
		}
		for _, ns := range l {
			ps = append(ps, plain(ns))
		}
		if err := enc.Encode(ps); err != nil {
			t.Fatal(err)
		}
		got, err := Statuses(l).AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Errorf("got %s\nwant %s", got, w)
		}
	}
}

// A projection encoded by hand reads back as the same projection, and as encoding/json would
// have read it: the same value field by field.
func TestEncodeStateRoundTrip(t *testing.T) {
	at := time.Date(2028, 11, 20, 3, 4, 5, 6, time.UTC)
	st := NewState("r-1")
	st.Seq = 42
	st.Docs["d1"] = DocEntry{Status: StatusAccepted, Kind: KindSelfAssessment, Nominee: "n01", ReceivedAt: at, Revision: 2, Seq: 40,
		File: "Trần <Quốc> & \"Hùng\" \u2028 \xff.pdf", Reason: "late", RequestRef: "05/ĐNGT", Requester: "Ông A", Answers: "d0"}
	st.Docs["d2"] = DocEntry{Status: StatusRejected, ReceivedAt: at.Add(time.Hour), Revision: 1, Seq: 41}
	st.Decisions["d0"] = Decision{Decision: DecisionAccept, Note: "<ghi chú>", By: "bantochuc", At: at, Seq: 42}
	st.Packet = &PacketRecord{PacketSent: PacketSent{SentAt: at, Channel: "Thư điện tử công vụ", RecordedBy: "bantochuc", RecordedAt: at}, Seq: 43}
	mustSetEveryField(t, *st)
	mustSetEveryField(t, st.Docs["d1"])
	for _, s := range []*State{st, NewState("trong"), {Round: "nil-maps"}} {
		data, err := EncodeState(s)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Fatalf("not JSON: %s", data)
		}
		got, err := DecodeState(data)
		if err != nil {
			t.Fatal(err)
		}
		std, _ := json.Marshal(s)
		want, err := DecodeState(std)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) || got.Docs["d1"].File != want.Docs["d1"].File {
			t.Errorf("%s: read back %+v, want %+v", s.Round, got, want)
		}
		if c := s.Clone(); !c.Equal(s) {
			t.Errorf("%s: a clone differs: %v", s.Round, c.Diff(s, 3))
		}
	}
}

func BenchmarkEncodeState5000(b *testing.B) {
	st := NewState("big")
	at := time.Date(2028, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		st.Docs[fmt.Sprintf("d%028d", i)] = DocEntry{Status: StatusAccepted, Kind: KindSelfAssessment, Nominee: fmt.Sprintf("p%05d", i/2),
			ReceivedAt: at.Add(time.Duration(i) * time.Second), Revision: 1, Seq: uint64(i), File: "ho-so.pdf"}
	}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			if _, err := EncodeState(st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// mustSetEveryField fails when a field of the struct v is zero, but for those named: the
// fixtures of the hand-written encoders must reach every field there is.
func mustSetEveryField(t *testing.T, v any, unset ...string) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if rv.Field(i).IsZero() && !slices.Contains(unset, f.Name) {
			t.Errorf("%s.%s is not set in the fixture: set it, and check the hand-written encoder writes it", rv.Type().Name(), f.Name)
		}
	}
}
