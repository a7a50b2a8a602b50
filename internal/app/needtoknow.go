package app

import (
	"fmt"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/reader"
	"tinnhiem/internal/auth"
)

// Need-to-know. Any text read from a document — its excerpt, a reference or subject read from
// a letter, the names and titles a verdict's message quotes, its warnings about what the text
// holds — is for those who may download the original (ReadDocumentText). Everyone else who
// sees the round learns what a document is, whose, its state and its dates.

// outline is a document as one who may not read its text sees it — how sure the reading and the
// recognition were is no text of it, and stays. It is built from nothing
// but the fields listed here, so that a field added to dossier.Document later stays hidden from
// them until someone decides it says nothing of the content and adds it.
func outline(rd dossier.Round, d dossier.Document) dossier.Document {
	return dossier.Document{
		ID: d.ID, Round: d.Round, File: d.File, Size: d.Size, SHA256: d.SHA256, ContentType: d.ContentType,
		ReceivedAt: d.ReceivedAt, Uploader: d.Uploader, DeclaredKind: d.DeclaredKind, DeclaredNominee: d.DeclaredNominee,
		Status: d.Status, Kind: d.Kind, Nominee: d.Nominee, Reason: d.Reason, Message: outlineMessage(rd, d),
		Warnings: []string{}, Pages: d.Pages, OCR: d.OCR, OCRConfidence: d.OCRConfidence, KindConfidence: d.KindConfidence,
		Format: d.Format, DuplicateOf: d.DuplicateOf,
		AnswersRequest: d.AnswersRequest, Deadline: d.Deadline, VerdictAt: d.VerdictAt,
		ReviewedBy: d.ReviewedBy, ReviewedAt: d.ReviewedAt, Revision: d.Revision,
	}
}

// outlineMessage says in words what the status and reason code of a document say, and nothing
// the document's text does: the message the verdict carries may quote it (a title read from
// the paper, a name written in it that is on no roster). It is made again here from the codes,
// the round and the fields an outline shows.
func outlineMessage(rd dossier.Round, d dossier.Document) string {
	const keptForReview = " Tài liệu được giữ lại; chỉ được tính vào hồ sơ khi người có thẩm quyền xác nhận loại tài liệu và người nộp."
	switch d.Reason {
	case "":
	case ingest.ReasonDuplicate:
		if d.DuplicateOf != "" {
			return fmt.Sprintf("Tệp trùng với tài liệu đã nộp trước (mã %s); không lưu thêm phiên bản.", d.DuplicateOf)
		}
		return "Tệp trùng với tài liệu đã nộp trước; không lưu thêm phiên bản."
	case ingest.ReasonTooLarge:
		return "Tệp quá lớn; không được lưu."
	case ingest.ReasonRemovedNominee:
		return personOf(rd, d.Nominee) + " đã được rút khỏi danh sách của đợt; tài liệu không được tính."
	case ingest.ReasonUnknownNominee:
		return "Không xác định được tài liệu của người nào trong danh sách của đợt."
	case ingest.ReasonUnknownKind:
		return "Tài liệu không phải giấy tờ trong hồ sơ của người được lấy phiếu tín nhiệm; không được tính vào hồ sơ."
	case ingest.ReasonAmbiguousNominee:
		return "Họ tên trong tài liệu có thể là của nhiều người." + keptForReview
	case ingest.ReasonNomineeMismatch:
		return "Người ghi trong tài liệu khác với người đã khai khi tải lên." + keptForReview
	case ingest.ReasonKindMismatch:
		return "Nội dung tài liệu không khớp với loại tài liệu đã khai khi tải lên." + keptForReview
	case ingest.ReasonKindUncertain:
		return "Chưa chắc chắn về loại tài liệu." + keptForReview
	case ingest.ReasonOCRUncertain:
		return "Văn bản được đọc bằng nhận dạng ký tự (OCR) chưa đủ chắc chắn." + keptForReview
	default:
		// What reading the file refused (encrypted, corrupt, no text layer, a format this
		// server cannot read …): the reader's own words for the code.
		msg := reader.Message(d.Reason, d.Format)
		if d.Status == dossier.StatusNeedsReview {
			msg += keptForReview
		}
		return msg
	}
	if d.Status == dossier.StatusLate {
		if dl, ok := rd.DeadlineFor(d.Kind); ok {
			return dossier.LateMessage(rd, d.ReceivedAt, dl.At)
		}
	}
	return ""
}

func personOf(rd dossier.Round, id string) string {
	if n, ok := rd.Nominee(id); ok {
		return n.Name
	}
	for _, n := range rd.Removed {
		if n.ID == id {
			return n.Name
		}
	}
	return "Người này"
}

// hideRequestText empties, in a dossier report, the references and subjects read from letters
// asking for an explanation, for those who may not read documents' text.
func hideRequestText(p auth.Principal, rd dossier.Round, rep *dossier.Report) {
	if May(p, ReadDocumentText, &rd) {
		return
	}
	for _, ns := range [][]dossier.NomineeStatus{rep.Nominees, rep.Removed} {
		for i := range ns {
			for j := range ns[i].Requests {
				ns[i].Requests[j].Ref = ""
			}
		}
	}
}
