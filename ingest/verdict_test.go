package ingest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
)

const (
	hungSelfAssessment = ingesttest.HungSelfAssessment
	// The family criterion (vợ, chồng, con) is not addressed.
	hungSelfAssessmentNoFamily = "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nVề phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao."
)

// A declared person or kind that the content contradicts is kept in the verdict, with its
// warning, but the document waits for a person (needs_review) instead of counting at once; the
// message says what the content says against what was declared.
func TestDecideDeclaredContradicted(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}, "2028-11-25")
	pending := dossier.Document{ID: "d1", Round: "r1", Status: dossier.StatusPending, Size: 100, SHA256: "ab",
		ReceivedAt: time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)}
	tests := []struct {
		name     string
		declared ingest.Declared
		status   string
		reason   string
		kind     dossier.Kind
		nominee  string
		warnings []string
		says     []string // in the message
	}{
		{name: "declared as agreed", declared: ingest.Declared{Kind: dossier.KindSelfAssessment, Nominee: "n01"},
			status: dossier.StatusAccepted, kind: dossier.KindSelfAssessment, nominee: "n01"},
		{name: "another person declared", declared: ingest.Declared{Nominee: "n02"},
			status: dossier.StatusNeedsReview, reason: ingest.ReasonNomineeMismatch, kind: dossier.KindSelfAssessment, nominee: "n02",
			warnings: []string{ingest.WarnNomineeMismatch}, says: []string{"Trần Quốc Hùng (n01)", "Nguyễn Thị Thanh Hà (n02)", "xác nhận"}},
		{name: "another kind declared", declared: ingest.Declared{Kind: dossier.KindAssetDeclaration},
			status: dossier.StatusNeedsReview, reason: ingest.ReasonKindMismatch, kind: dossier.KindAssetDeclaration, nominee: "n01",
			warnings: []string{ingest.WarnKindMismatch}, says: []string{"báo cáo tự đánh giá", "bản kê khai tài sản, thu nhập", "xác nhận"}},
		{name: "both declared otherwise", declared: ingest.Declared{Kind: dossier.KindAssetDeclaration, Nominee: "n02"},
			status: dossier.StatusNeedsReview, reason: ingest.ReasonNomineeMismatch, kind: dossier.KindAssetDeclaration, nominee: "n02",
			warnings: []string{ingest.WarnKindMismatch, ingest.WarnNomineeMismatch},
			says:     []string{"Trần Quốc Hùng (n01)", "Nguyễn Thị Thanh Hà (n02)", "báo cáo tự đánh giá", "bản kê khai tài sản, thu nhập"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := pending
			d.DeclaredKind, d.DeclaredNominee = tc.declared.Kind, tc.declared.Nominee
			got := ingest.Decide(d, rd, ingest.Extraction{Pages: 1, Text: hungSelfAssessment})
			if got.Status != tc.status || got.Reason != tc.reason || got.Kind != tc.kind || got.Nominee != tc.nominee {
				t.Fatalf("got %s/%s %s %s, want %s/%s %s %s (%s)", got.Status, got.Reason, got.Kind, got.Nominee,
					tc.status, tc.reason, tc.kind, tc.nominee, got.Message)
			}
			for _, w := range tc.warnings {
				if !slices.Contains(got.Warnings, w) {
					t.Errorf("warnings %v lack %s", got.Warnings, w)
				}
			}
			for _, s := range tc.says {
				if !strings.Contains(got.Message, s) {
					t.Errorf("message %q does not say %q", got.Message, s)
				}
			}
			if !norm.NFC.IsNormalString(got.Message) {
				t.Errorf("message not NFC: %q", got.Message)
			}
		})
	}
}

// Warnings of an accepted document come with words for people, not only codes; the codes stay.
func TestDecideExplainsWarnings(t *testing.T) {
	rd := ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}, "2028-11-25")
	rd.Nominees[1].ExemptReason = "nghỉ hưu"
	onTime := time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)
	late := time.Date(2028, 11, 28, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		text     string
		at       time.Time
		status   string
		warnings []string
		says     []string
	}{
		{name: "nothing to say", text: hungSelfAssessment, at: onTime, status: dossier.StatusAccepted},
		{name: "a criterion not addressed", text: hungSelfAssessmentNoFamily, at: onTime, status: dossier.StatusAccepted,
			warnings: []string{ingest.WarnMissingCriterion + ingest.CriterionFamily},
			says:     []string{"chưa thấy đề cập", "nêu gương của vợ (chồng), con"}},
		{name: "late and a criterion not addressed", text: hungSelfAssessmentNoFamily, at: late, status: dossier.StatusLate,
			warnings: []string{ingest.WarnMissingCriterion + ingest.CriterionFamily},
			says:     []string{"Nộp sau hạn", "chưa thấy đề cập"}},
		{name: "a person not voted on", text: "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Nguyễn Thị Thanh Hà\nNhà ở, quyền sử dụng đất. Tổng thu nhập.",
			at: onTime, status: dossier.StatusAccepted, warnings: []string{"nominee_exempt"},
			says: []string{"Nguyễn Thị Thanh Hà không thuộc diện lấy phiếu (nghỉ hưu)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dossier.Document{ID: "d1", Round: "r1", Status: dossier.StatusPending, Size: 100, ReceivedAt: tc.at}
			got := ingest.Decide(d, rd, ingest.Extraction{Pages: 1, Text: tc.text})
			if got.Status != tc.status {
				t.Fatalf("status %s (%s %s), want %s", got.Status, got.Reason, got.Message, tc.status)
			}
			if !slices.Equal(got.Warnings, append([]string{}, tc.warnings...)) {
				t.Errorf("warnings %v, want %v", got.Warnings, tc.warnings)
			}
			if len(tc.says) == 0 && got.Message != "" {
				t.Errorf("message %q for a verdict with nothing to say", got.Message)
			}
			for _, s := range tc.says {
				if !strings.Contains(got.Message, s) {
					t.Errorf("message %q does not say %q", got.Message, s)
				}
			}
		})
	}
}
