package ingest

import (
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/reader"
)

func ocrRound(t *testing.T) dossier.Round {
	t.Helper()
	rounds, _ := loadBlind(t)
	return rounds["party"]
}

const ocrSelf = "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: %s\nVề phẩm chất chính trị, đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ và các con chấp hành pháp luật.\nNGƯỜI BÁO CÁO\n%s"

func ocrDecide(t *testing.T, name string, conf float64, declared string) dossier.Document {
	t.Helper()
	text := strings.ReplaceAll(ocrSelf, "%s", name)
	d := dossier.Document{ID: "x", Round: "tan-ha-btv-2028", ReceivedAt: time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC), DeclaredNominee: declared}
	return Decide(d, ocrRound(t), Extraction{Pages: 1, Text: text, Format: reader.FormatJPEG, OCR: true, OCRConfidence: conf})
}

// TestOCRVerdicts: a confident OCR reading counts; a weak one, a name read with other marks, or
// a person with a diacritic twin waits for a person, with the suggestion filled in.
func TestOCRVerdicts(t *testing.T) {
	tests := []struct {
		name, text, declared string
		conf                 float64
		status, reason, nom  string
		says                 string
	}{
		{"confident", "Phan Thị Thu Trang", "", 0.93, dossier.StatusAccepted, "", "p07", ""},
		{"low confidence", "Phan Thị Thu Trang", "", 0.55, dossier.StatusNeedsReview, ReasonOCRUncertain, "p07", "độ tin cậy 55%"},
		{"twin", "Nguyễn Văn Hùng", "", 0.95, dossier.StatusNeedsReview, ReasonOCRUncertain, "p01", "Nguyễn Văn Hưng (p02)"},
		{"twin declared", "Nguyễn Văn Hùng", "p01", 0.95, dossier.StatusAccepted, "", "p01", ""},
		{"marks misread", "Phan Thị Thú Trảng", "", 0.9, dossier.StatusNeedsReview, ReasonOCRUncertain, "p07", "có dấu khác"},
		{"nobody, poorly read", "Trần Văn Bình", "", 0.5, dossier.StatusNeedsReview, ReasonOCRUncertain, "", "không thấy họ tên"},
	}
	for _, tt := range tests {
		v := ocrDecide(t, tt.text, tt.conf, tt.declared)
		if v.Status != tt.status || v.Reason != tt.reason || v.Nominee != tt.nom || v.Kind != dossier.KindSelfAssessment ||
			!v.OCR || v.OCRConfidence != tt.conf || !strings.Contains(v.Message, tt.says) {
			t.Errorf("%s: %s %s %q %s ocr=%v %.2f — %s", tt.name, v.Status, v.Reason, v.Nominee, v.Kind, v.OCR, v.OCRConfidence, v.Message)
		}
	}
}

// TestDeclarationForm: the model form's recipient (on the roster, with a position) and the
// declarant's family are no rival owners; where two persons do stand as owners, the message
// names every one, on the roster or not.
func TestDeclarationForm(t *testing.T) {
	r := ocrRound(t)
	form := docSource(t, "ke-khai-p08.txt")
	text := plainLines(form)
	d := dossier.Document{ID: "x", Round: r.ID, ReceivedAt: blindReceived}
	if v := Decide(d, r, Extraction{Pages: 1, Text: text}); v.Status != dossier.StatusAccepted || v.Nominee != "p08" || v.Kind != dossier.KindAssetDeclaration {
		t.Errorf("form: %s %s %s %s", v.Status, v.Kind, v.Nominee, v.Message)
	}
	// Two declarants: a roster person in Part I, somebody else signing as the declarant.
	two := strings.Replace(text, "Lê Thị Hồng Đặng Quốc Tuấn", "Lê Thị Hồng Trần Văn Bình", 1)
	v := Decide(d, r, Extraction{Pages: 1, Text: two})
	if v.Status != dossier.StatusNeedsReview || v.Reason != ReasonAmbiguousNominee ||
		!strings.Contains(v.Message, "Đặng Quốc Tuấn (p08)") || !strings.Contains(v.Message, "Trần Văn Bình") {
		t.Errorf("two declarants: %s %s — %s", v.Status, v.Reason, v.Message)
	}
}

// TestNoticeIsNoDossierPaper: a notice, an invitation, a decision are refused unknown_kind even
// when they name a roster person; declared as a kind, they are judged as usual.
func TestNoticeIsNoDossierPaper(t *testing.T) {
	r := ocrRound(t)
	notice := plainLines(docSource(t, "thong-bao-hop.txt"))
	d := dossier.Document{ID: "x", Round: r.ID, ReceivedAt: blindReceived}
	v := Decide(d, r, Extraction{Pages: 1, Text: notice})
	if v.Status != dossier.StatusRejected || v.Reason != ReasonUnknownKind || !strings.Contains(v.Message, "không phải giấy tờ trong hồ sơ") {
		t.Errorf("notice: %s %s — %s", v.Status, v.Reason, v.Message)
	}
	d.DeclaredKind, d.DeclaredNominee = dossier.KindSelfAssessment, "p01"
	if v := Decide(d, r, Extraction{Pages: 1, Text: notice}); v.Reason == ReasonUnknownKind || v.Status != dossier.StatusNeedsReview {
		t.Errorf("declared: %s %s — %s", v.Status, v.Reason, v.Message)
	}
	// A curriculum vitae is a person's own record: it may be a dossier's "other" paper.
	cv := "SƠ YẾU LÝ LỊCH\nHọ và tên: Phan Thị Thu Trang\nNgày sinh: 02/02/1975\nQuê quán: Tân Hà\nDân tộc: Kinh. Tôn giáo: không"
	if v := Decide(dossier.Document{ID: "y", Round: r.ID, ReceivedAt: blindReceived}, r, Extraction{Pages: 1, Text: cv}); v.Reason == ReasonUnknownKind || v.Nominee != "p07" {
		t.Errorf("cv: %s %s %s — %s", v.Status, v.Reason, v.Nominee, v.Message)
	}
}

// TestFormatReasons: formats this server cannot read are kept for review with a message saying
// what to install; unknown bytes are refused.
func TestFormatReasons(t *testing.T) {
	r := ocrRound(t)
	d := dossier.Document{ID: "x", Round: r.ID, ReceivedAt: blindReceived}
	for _, tt := range []struct {
		ex     Extraction
		status string
		says   string
	}{
		{Extraction{Code: ReasonUnsupportedFormat, Format: reader.FormatDOC}, dossier.StatusNeedsReview, "libreoffice-writer-nogui"},
		{Extraction{Code: ReasonUnsupportedFormat, Format: reader.FormatJPEG}, dossier.StatusNeedsReview, "tesseract-ocr-vie"},
		{Extraction{Code: ReasonUndecodableText, Format: reader.FormatPDF}, dossier.StatusNeedsReview, ""},
		{Extraction{Code: "corrupt", Format: reader.FormatDOCX}, dossier.StatusRejected, "Word"},
		{Extraction{Code: "not_pdf", Format: reader.FormatUnknown}, dossier.StatusRejected, "JPEG"},
		{Extraction{Code: "no_text_layer", Format: reader.FormatPNG}, dossier.StatusNeedsReview, "giữ lại"},
	} {
		v := Decide(d, r, tt.ex)
		if v.Status != tt.status || v.Reason != tt.ex.Code || v.Message == "" || !strings.Contains(v.Message, tt.says) {
			t.Errorf("%s/%s: %s %s — %s", tt.ex.Code, tt.ex.Format, v.Status, v.Reason, v.Message)
		}
	}
}
