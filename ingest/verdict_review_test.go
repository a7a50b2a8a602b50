package ingest_test

import (
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
)

// A person taken off the round by a re-import is not unknown: whether the paper names them or
// the uploader declares them, the refusal says they were removed (removed_nominee).
func TestDecideRemovedPerson(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25")
	rd.Removed = []dossier.Nominee{{ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	text := "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Nguyễn Thị Thanh Hà\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao."
	pending := dossier.Document{ID: "d1", Round: "r1", Status: dossier.StatusPending, Size: 100,
		ReceivedAt: time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name     string
		declared string
		want     string
	}{
		{"declared", "n02", ingest.ReasonRemovedNominee},
		{"named by the paper", "", ingest.ReasonRemovedNominee},
		{"never on the roster", "n99", ingest.ReasonUnknownNominee},
	} {
		d := pending
		d.DeclaredNominee = tc.declared
		got := ingest.Decide(d, rd, ingest.Extraction{Pages: 1, Text: text})
		if got.Status != dossier.StatusRejected || got.Reason != tc.want || got.Message == "" {
			t.Errorf("%s: %s %s %q, want rejected %s", tc.name, got.Status, got.Reason, got.Message, tc.want)
		}
	}
}
