package minutes

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/minutes/document"
)

// blankRound is the round of testdata/tally/blank.csv: three persons, seven summoned.
func blankRound(rule string) dossier.Round {
	return dossier.Round{
		ID: "r-blank", Track: dossier.TrackParty, Organization: "Tỉnh ủy Bình Sơn",
		ParentOrganization: "Đảng bộ tỉnh Bình Sơn", Place: "Bình Sơn", Timezone: "Asia/Ho_Chi_Minh",
		Title: "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy", VoteDate: "2028-12-15", Summoned: 7,
		Rules:    dossier.Rules{BlankRow: rule},
		Nominees: []dossier.Nominee{{ID: "n01", Name: "Trần Văn An"}, {ID: "n02", Name: "Lê Thị Bình"}, {ID: "n03", Name: "Phạm Văn Cường"}},
	}
}

// sealedBlank seals blank.csv under the rule as the versions of a record, the last made with reason.
func sealedBlank(t *testing.T, rule string, reason string, at ...time.Time) (dossier.Round, Record) {
	t.Helper()
	rd := blankRound(rule)
	att := Attendance{Summoned: 7, Present: 6, Issued: 6, Collected: 6, Absent: []Absentee{{Name: "Lý Văn Tám", Reason: "Ốm"}}}
	res, err := Compute(RosterOf(rd), RulesOf(rd), parseFile(t, "blank.csv").Input(att, committee3()))
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{Round: rd.ID}
	for i, when := range at {
		s := Sealed{Version: i + 1, SealedAt: when, SealedBy: "thuky", Result: res, Canonical: []byte(`{}`)}
		if i > 0 {
			s.Reason = reason
		}
		rec.Versions = append(rec.Versions, s)
	}
	return rd, rec
}

// TestBuildModelCorrection: a corrected version carries its number, its reason and, from the
// record, when the version it replaces was sealed; the documents print all three.
func TestBuildModelCorrection(t *testing.T) {
	first := time.Date(2028, 12, 15, 4, 20, 0, 0, time.UTC)
	second := time.Date(2028, 12, 16, 2, 0, 0, 0, time.UTC)
	rd, rec := sealedBlank(t, dossier.BlankRowVoidRow, "Nhập nhầm phiếu số 4.", first, second)

	m := BuildRecordModel(rd, rec, rec.Versions[1], nil)
	if m.Version != 2 || !m.ReplacesSealedAt.Equal(first) || m.CorrectionReason != "Nhập nhầm phiếu số 4." {
		t.Errorf("version %d, replaces %v, reason %q", m.Version, m.ReplacesSealedAt, m.CorrectionReason)
	}
	if m := BuildModel(rd, rec.Versions[1], nil); m.Version != 2 || !m.ReplacesSealedAt.IsZero() {
		t.Errorf("BuildModel alone: version %d, replaces %v; want 2 and unknown", m.Version, m.ReplacesSealedAt)
	}
	if m := BuildRecordModel(rd, rec, rec.Versions[0], nil); m.Version != 1 || !m.ReplacesSealedAt.IsZero() || m.CorrectionReason != "" {
		t.Errorf("first version: %d, replaces %v, reason %q", m.Version, m.ReplacesSealedAt, m.CorrectionReason)
	}
	if got := ReplacedSealedAt(rec, 3); !got.IsZero() {
		t.Errorf("a version the record lacks replaces %v", got)
	}

	loc := rd.Location()
	when := first.In(loc)
	want := fmt.Sprintf("(Bản đính chính – phiên bản số 2, thay thế bản niêm phong lúc %d giờ %02d phút ngày %02d/%02d/%d; lý do: Nhập nhầm phiếu số 4)",
		when.Hour(), when.Minute(), when.Day(), int(when.Month()), when.Year())
	for _, kind := range document.Kinds() {
		if text := renderText(t, kind, m); !strings.Contains(text, want) {
			t.Errorf("%s: %q missing", kind, want)
		}
	}
}

// TestBuildModelVoidReasons: what the ballots say about void ballots and rows reaches the
// counting minutes, under either blank-row rule.
func TestBuildModelVoidReasons(t *testing.T) {
	sealed := time.Date(2028, 12, 15, 4, 20, 0, 0, time.UTC)
	cases := []struct {
		rule string
		want []string
	}{
		{dossier.BlankRowVoidRow, []string{
			"Số phiếu không hợp lệ: 1 phiếu (1 phiếu không hợp lệ cả phiếu do không phải phiếu Ban kiểm phiếu phát ra, có tên bị gạch hoặc có ghi thêm nội dung).",
			"+ Đồng chí Trần Văn An: 1 dòng đánh dấu nhiều ô hoặc không rõ;",
			"+ Đồng chí Lê Thị Bình: 1 dòng không đánh dấu ô nào.",
		}},
		{dossier.BlankRowVoidBallot, []string{
			"Số phiếu không hợp lệ: 3 phiếu, gồm:",
			"+ 1 phiếu không hợp lệ cả phiếu do không phải phiếu Ban kiểm phiếu phát ra, có tên bị gạch hoặc có ghi thêm nội dung;",
			"+ 2 phiếu có dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô, nên cả phiếu không hợp lệ.",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			rd, rec := sealedBlank(t, tc.rule, "", sealed)
			m := BuildModel(rd, rec.Versions[0], nil)
			text := renderText(t, document.KindCounting, m)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q missing", w)
				}
			}
			if tc.rule == dossier.BlankRowVoidBallot && strings.Contains(text, "Dòng không hợp lệ đối với từng người") {
				t.Error("rows void for one person listed under the whole-ballot rule")
			}
		})
	}
}

func renderText(t *testing.T, kind document.Kind, m document.Model) string {
	t.Helper()
	b, err := document.Render(kind, m)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	res, err := pdftext.Extract(bytes.NewReader(b), int64(len(b)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(res.Text), " ")
}

// A committee counting by hand gives each person's invalid votes as one number: the counting
// minutes list them too, beyond whole void ballots.
func TestBuildModelCountSheetInvalid(t *testing.T) {
	rd := blankRound(dossier.BlankRowVoidRow)
	sheet, err := ParseSheet(strings.NewReader("nominee,cao,tin_nhiem,thap,invalid\nn01,4,1,0,1\nn02,5,0,0,1\nn03,3,0,1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	att := Attendance{Summoned: 7, Present: 6, Issued: 6, Collected: 6, InvalidBallots: 1}
	res, err := Compute(RosterOf(rd), RulesOf(rd), sheet.Input(att, committee3()))
	if err != nil {
		t.Fatal(err)
	}
	m := BuildModel(rd, Sealed{Version: 1, SealedAt: time.Date(2028, 12, 15, 4, 20, 0, 0, time.UTC), Result: res, Canonical: []byte(`{}`)}, nil)
	text := renderText(t, document.KindCounting, m)
	for _, w := range []string{"Phiếu không hợp lệ đối với từng người", "Đồng chí Phạm Văn Cường: 1 phiếu không hợp lệ đối với người này"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing", w)
		}
	}
	for _, w := range []string{"Trần Văn An: ", "Lê Thị Bình: "} { // their only invalid vote is the void ballot
		if strings.Contains(text, "Đồng chí "+w) {
			t.Errorf("%q listed although the void ballot is all", w)
		}
	}
}
