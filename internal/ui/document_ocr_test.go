package ui

import (
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
