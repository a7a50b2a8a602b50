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

// TestOCRAmbiguitySuggests: where what OCR read leaves the person open, the one its evidence
// plainly favours is filled in for whoever confirms — a name read with a letter lost where a
// signature crosses it is no rival of the person it misreads — but never between persons a
// misreading could confuse, never for somebody else signing, and never for a text layer.
func TestOCRAmbiguitySuggests(t *testing.T) {
	r := ocrRound(t)
	paper := func(field, signed string) string {
		return "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: " + field + "\nVề phẩm chất chính trị, đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ và các con chấp hành pháp luật.\nNGƯỜI BÁO CÁO\n(Ký, ghi rõ họ tên)\n" + signed
	}
	tests := []struct {
		name, field, signed string
		ocr                 bool
		nominee, says       string
	}{
		{"letter lost under the signature", "Phan Thị Thu Trang", "Phan Thị Thu Tran", true, "p07", "gợi ý: Phan Thị Thu Trang (p07)"},
		{"the same on a text layer", "Phan Thị Thu Trang", "Phan Thị Thu Tran", false, "", "Phan Thị Thu Tran (không có trong danh sách)"},
		{"somebody else signs", "Phan Thị Thu Trang", "Trần Văn Bình", true, "", "Trần Văn Bình (không có trong danh sách)"},
		{"a misreading of two persons", "Bùi Thanh Hà", "Bùi Thanh Hal", true, "", "Bùi Thanh Hal (không có trong danh sách)"},
		{"a misreading of twins", "Nguyễn Văn Hùng", "Nguyễn Văn Hun", true, "", "Nguyễn Văn Hun (không có trong danh sách)"},
	}
	for _, tt := range tests {
		d := dossier.Document{ID: "x", Round: r.ID, ReceivedAt: time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)}
		v := Decide(d, r, Extraction{Pages: 1, Text: paper(tt.field, tt.signed), Format: reader.FormatPNG, OCR: tt.ocr, OCRConfidence: 0.93})
		if v.Status != dossier.StatusNeedsReview || v.Reason != ReasonAmbiguousNominee || v.Nominee != tt.nominee ||
			v.Kind != dossier.KindSelfAssessment || !strings.Contains(v.Message, tt.says) {
			t.Errorf("%s: %s %s %q %s — %s", tt.name, v.Status, v.Reason, v.Nominee, v.Kind, v.Message)
		}
	}
	// A declaration whose reading lost the receiver's heading: the receiver's signature stands
	// under the declarant's, read with other marks. The declarant of Part I, named exactly there
	// and signing, is suggested; between diacritic twins nobody is.
	form := func(declarant, other string) string {
		return "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nI. THÔNG TIN CHUNG\n1. Người kê khai tài sản, thu nhập\n- Họ và tên: " + declarant +
			" Ngày tháng năm sinh: 02/3/1970\nII. THÔNG TIN MÔ TẢ VỀ TÀI SẢN, THU NHẬP\n1. Quyền sử dụng thực tế đối với đất: Không.\n" +
			"NGƯỜI KÊ KHAI TÀI SẢN\n(Ký, ghi rõ họ tên, chức vụ/chức danh) (Ký, ghi rõ họ tên)\n" + other + "\nTrưởng phòng Tổ chức " + declarant
	}
	for _, tt := range []struct{ declarant, other, nominee string }{
		{"Lê Thị Hồng Nhung", "Hoàng Đức Lòng", "p04"},
		{"Đặng Quốc Tuấn", "Đặng Quốc Tuân", ""},
	} {
		d := dossier.Document{ID: "x", Round: r.ID, ReceivedAt: time.Date(2028, 11, 1, 9, 0, 0, 0, time.UTC)}
		v := Decide(d, r, Extraction{Pages: 1, Text: form(tt.declarant, tt.other), Format: reader.FormatPNG, OCR: true, OCRConfidence: 0.93})
		if v.Status != dossier.StatusNeedsReview || v.Reason != ReasonAmbiguousNominee || v.Nominee != tt.nominee || v.Kind != dossier.KindAssetDeclaration {
			t.Errorf("form of %s beside %s: %s %s %q %s — %s", tt.declarant, tt.other, v.Status, v.Reason, v.Nominee, v.Kind, v.Message)
		}
	}
}
