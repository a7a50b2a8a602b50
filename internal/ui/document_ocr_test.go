package ui

import (
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/app"
)

// A photo read by OCR: its format, how it was read and with what confidence for everyone; the
// text read only for those who may read text.
func TestDocumentPageOCR(t *testing.T) {
	rd := goldenRound(t)
	d := dossier.Document{ID: "d0000000000010000000000000007", Round: rd.ID, File: "anh-chup-ke-khai.jpg", Size: 412_000, Format: "jpeg",
		SHA256: "7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c", ReceivedAt: time.Date(2028, 11, 21, 2, 0, 0, 0, time.UTC),
		Uploader: "tochuc", Status: dossier.StatusNeedsReview, Reason: ingest.ReasonOCRUncertain, Kind: dossier.KindAssetDeclaration,
		Nominee: "n04", Message: "Chữ nhận dạng từ ảnh chưa đủ chắc chắn; cần người xác nhận.", Pages: 1, OCR: true, OCRConfidence: 0.712,
		Excerpt: "BẢN KÊ KHAI TÀI SẢN, THU NHẬP Người kê khai: Phạm Minh Tuấn, sinh ngày 02/03/1970", Warnings: []string{ingest.WarnLegacyEncoding},
		VerdictAt: time.Date(2028, 11, 21, 2, 0, 4, 0, time.UTC), Revision: 1}
	pg := buildDocumentPage(app.DocumentView{Document: d, Round: rd, MayReadText: true, MayDownload: true, MayReview: true})
	pg.User, pg.Zone = newUserView(goldenOrganizer), zoneLabel(rd, d.ReceivedAt)
	page := renderGolden(t, "document", "document-ocr-organizer", pg)
	mustContain(t, "organizer", page, "ảnh JPEG", "độ tin cậy trung bình 71%", "Chữ nhận dạng từ ảnh", "sinh ngày 02/03/1970",
		"nhận dạng chữ từ ảnh chưa chắc chắn, cần xác nhận", "bảng mã cũ")

	pg = buildDocumentPage(app.DocumentView{Document: d, Round: rd})
	pg.User, pg.Zone = newUserView(goldenViewer), zoneLabel(rd, d.ReceivedAt)
	page = renderGolden(t, "document", "document-ocr-viewer", pg)
	mustContain(t, "viewer", page, "ảnh JPEG", "độ tin cậy trung bình 71%")
	mustNotContain(t, "viewer", page, "sinh ngày", "Phạm Minh Tuấn, sinh", "Chữ nhận dạng từ ảnh (trích đoạn)", "Trích đoạn nội dung")
}

// A Word original: those who may download it are offered its PDF rendering too; others neither.
func TestDocumentPageWordRendering(t *testing.T) {
	rd := goldenRound(t)
	d := dossier.Document{ID: "d0000000000010000000000000008", Round: rd.ID, File: "bao-cao-tu-danh-gia.docx", Size: 18_400, Format: "docx",
		Rendering: "d0000000000010000000000000008.pdf", SHA256: strings.Repeat("5d", 32), ReceivedAt: time.Date(2028, 11, 21, 2, 0, 0, 0, time.UTC),
		Uploader: "tochuc", Status: dossier.StatusAccepted, Kind: dossier.KindSelfAssessment, Nominee: "n01", Pages: 2,
		VerdictAt: time.Date(2028, 11, 21, 2, 0, 3, 0, time.UTC), Revision: 1}
	pg := buildDocumentPage(app.DocumentView{Document: d, Round: rd, MayReadText: true, MayDownload: true, MayReview: true})
	pg.User, pg.Zone = newUserView(goldenOrganizer), zoneLabel(rd, d.ReceivedAt)
	page := renderGolden(t, "document", "document-word-organizer", pg)
	mustContain(t, "organizer", page, `href="/documents/d0000000000010000000000000008/rendering"`, "Tải bản PDF", "Tải tệp gốc")

	pg = buildDocumentPage(app.DocumentView{Document: d, Round: rd})
	pg.User, pg.Zone = newUserView(goldenViewer), zoneLabel(rd, d.ReceivedAt)
	page = renderGolden(t, "document", "document-word-viewer", pg)
	mustNotContain(t, "viewer", page, "/rendering", "Tải bản PDF", "Tải tệp gốc")
}
