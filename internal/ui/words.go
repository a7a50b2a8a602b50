package ui

import (
	"fmt"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/auth"
)

// What staff read is Vietnamese: the codes of the API (statuses, reasons, warnings, roles) are
// turned into words here, in one place, so that no page shows a raw code by accident.

// stateLabel names the state of a document or of a required kind in a person's dossier, in the
// API's words (dossier.StatusLabel) except two: on the dossier table an accepted document is
// "đã nộp" (the API's "đã nhận" says less about a person's duty) and a kind with nothing received
// is "còn thiếu" (beside a deadline, "chưa nộp" reads as "not yet, still time").
func stateLabel(status string) string {
	switch status {
	case dossier.StatusAccepted:
		return "đã nộp"
	case dossier.StatusMissing:
		return "còn thiếu"
	case "":
		status = dossier.StatusPending
	}
	if l := dossier.StatusLabel(status); l != status {
		return l
	}
	return "không rõ"
}

// stateClass is the CSS class of a state's badge. The badge always carries the words too:
// colour is never the only signal.
func stateClass(status string) string {
	switch status {
	case dossier.StatusAccepted:
		return "ok"
	case dossier.StatusLate:
		return "warn"
	case dossier.StatusNeedsReview, dossier.StatusPending, "":
		return "info"
	case dossier.StatusRejected, dossier.StatusMissing:
		return "bad"
	}
	return "info"
}

// kindLabel is the Vietnamese name of a document kind; "chưa xác định" when none was found.
func kindLabel(k dossier.Kind) string {
	if k == "" {
		return "chưa xác định"
	}
	if l := k.Label(); l != string(k) {
		return l
	}
	return "loại khác"
}

// reasonLabel names a rejection or review reason in a few words; the document's Message says
// the rest.
func reasonLabel(code string) string {
	switch code {
	case "":
		return ""
	case "not_pdf":
		return "không phải tệp PDF, Word, OpenDocument, RTF hay ảnh"
	case "encrypted":
		return "tệp bị mã hóa hoặc đặt mật khẩu"
	case "corrupt":
		return "tệp bị hỏng"
	case "too_large":
		return "tệp quá lớn"
	case "too_complex":
		return "tệp quá phức tạp để xử lý tự động"
	case "too_many_pages":
		return "quá nhiều trang"
	case "empty":
		return "tệp rỗng"
	case "no_text_layer":
		return "không có lớp văn bản (bản quét)"
	case ingest.ReasonUnknownNominee:
		return "không nhận ra người nộp"
	case ingest.ReasonAmbiguousNominee:
		return "họ tên trùng với nhiều người"
	case ingest.ReasonKindUncertain:
		return "chưa rõ loại tài liệu"
	case ingest.ReasonDuplicate:
		return "trùng tệp đã nộp"
	case ingest.ReasonRemovedNominee:
		return "người đã rút khỏi danh sách"
	case ingest.WarnNomineeMismatch:
		return "họ tên trong tài liệu khác với người đã khai, cần xác nhận"
	case ingest.WarnKindMismatch:
		return "nội dung khác với loại tài liệu đã khai, cần xác nhận"
	case ingest.ReasonUnknownRound:
		return "đợt lấy phiếu không còn tồn tại"
	case ingest.ReasonInternalError:
		return "lỗi hệ thống khi xử lý"
	case ingest.ReasonUnknownKind:
		return "không phải tài liệu thuộc hồ sơ"
	case ingest.ReasonUnsupportedFormat:
		return "máy chủ chưa đọc được định dạng này"
	case ingest.ReasonUndecodableText:
		return "chữ trong tệp không giải mã được"
	case ingest.ReasonOCRUncertain:
		return "nhận dạng chữ từ ảnh chưa chắc chắn, cần xác nhận"
	}
	return "lý do khác"
}

// warningLabel explains one warning code of a verdict.
func warningLabel(code string) string {
	if c, ok := strings.CutPrefix(code, ingest.WarnMissingCriterion); ok {
		return "Báo cáo tự đánh giá chưa đề cập: " + criterionLabel(c)
	}
	switch code {
	case ingest.WarnKindMismatch:
		return "Nội dung có vẻ là loại tài liệu khác với loại đã khai"
	case ingest.WarnNomineeMismatch:
		return "Họ tên trong tài liệu khác với người đã khai"
	case ingest.WarnAmbiguousNominee:
		return "Họ tên trong tài liệu có thể là của nhiều người"
	case ingest.WarnKindUncertain:
		return "Chưa chắc chắn về loại tài liệu"
	case ingest.WarnNomineeVariant:
		return "Họ tên trong tài liệu viết dấu khác với danh sách"
	case "nominee_exempt":
		return "Người này không thuộc diện lấy phiếu (được miễn); tài liệu vẫn được lưu"
	case ingest.WarnLegacyEncoding:
		return "Văn bản gõ bằng bảng mã cũ (TCVN3, VNI hoặc VIQR) đã được chuyển sang Unicode"
	}
	return "Cảnh báo khác, cần người kiểm tra"
}

func criterionLabel(code string) string {
	if l := ingest.CriterionLabel(code); l != code {
		return l
	}
	return "một nội dung bắt buộc"
}

// formatLabel names the format of an uploaded file, as told from its bytes.
func formatLabel(format string) string {
	switch format {
	case "", "pdf":
		return "PDF"
	case "docx":
		return "Word (.docx)"
	case "doc":
		return "Word 97–2003 (.doc)"
	case "odt":
		return "OpenDocument (.odt)"
	case "rtf":
		return "RTF"
	case "jpeg":
		return "ảnh JPEG"
	case "png":
		return "ảnh PNG"
	case "tiff":
		return "ảnh TIFF"
	}
	return "định dạng khác"
}

// requestStateLabel names the state of a request for explanation.
func requestStateLabel(state string) string {
	switch state {
	case dossier.RequestOpen:
		return "chờ giải trình"
	case dossier.RequestAnswered:
		return "đã giải trình"
	case dossier.RequestAwaitingDecision:
		return "đến muộn, chờ ban tổ chức quyết định"
	case dossier.RequestSetAside:
		return "không xem xét"
	}
	return "không rõ"
}

func requestStateClass(state string) string {
	switch state {
	case dossier.RequestOpen:
		return "warn"
	case dossier.RequestAnswered:
		return "ok"
	case dossier.RequestAwaitingDecision:
		return "info"
	}
	return "muted"
}

// deadlineLabel names a deadline of the round as a heading ("Hạn nộp hồ sơ"), in the words the
// alerts use (dossier.TrackDeadlineLabel).
func deadlineLabel(rd dossier.Round, name string) string {
	return capitalize(dossier.TrackDeadlineLabel(rd.Track, name))
}

// trackLabel names the legal track of a round.
func trackLabel(track string) string {
	switch track {
	case dossier.TrackParty:
		return "Khối Đảng (Quy định 96-QĐ/TW)"
	case dossier.TrackState:
		return "Khối Nhà nước (Nghị quyết 96/2023/QH15)"
	}
	return "không rõ"
}

// roleLabel names a role.
func roleLabel(role string) string {
	switch role {
	case auth.RoleAdmin:
		return "Quản trị hệ thống"
	case auth.RoleOrganizer:
		return "Ban tổ chức"
	case auth.RoleCounter:
		return "Ban kiểm phiếu"
	case auth.RoleViewer:
		return "Xem"
	}
	return "vai trò khác"
}

// countdown says how far a deadline is from now, as staff say it: "còn 12 ngày", "còn 1 ngày
// 5 giờ", "còn 3 giờ", "còn 25 phút", or "đã quá hạn" once the deadline has passed. A deadline
// is inclusive (Deadline.OnTime), so at the very instant it is still open.
func countdown(now, at time.Time) string {
	if now.After(at) {
		return "đã quá hạn"
	}
	d := at.Sub(now)
	days := int(d / (24 * time.Hour))
	hours := int((d % (24 * time.Hour)) / time.Hour)
	switch {
	case days >= 3:
		return fmt.Sprintf("còn %d ngày", days)
	case days >= 1 && hours > 0:
		return fmt.Sprintf("còn %d ngày %d giờ", days, hours)
	case days >= 1:
		return fmt.Sprintf("còn %d ngày", days)
	case hours >= 1:
		return fmt.Sprintf("còn %d giờ", hours)
	}
	// Under an hour: round the minutes up, so that 30 seconds left is "còn 1 phút", not 0.
	mins := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("còn %d phút", max(mins, 1))
}

// countdownClass marks a deadline that has passed or is less than three days away.
func countdownClass(now, at time.Time) string {
	switch {
	case now.After(at):
		return "bad"
	case at.Sub(now) < 72*time.Hour:
		return "warn"
	}
	return "ok"
}

// voteDate shows a round's YYYY-MM-DD vote date as Vietnamese write it (15/12/2028).
func voteDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

// localTime shows an instant in the round's time zone; "" for the zero time.
func localTime(rd dossier.Round, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return rd.FormatTime(t)
}

// zoneLabel names the round's time zone with its offset at t, so that a reader in another zone
// knows what the times mean ("Asia/Ho_Chi_Minh, UTC+07:00").
func zoneLabel(rd dossier.Round, t time.Time) string {
	_, off := t.In(rd.Location()).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s, UTC%c%02d:%02d", rd.Location().String(), sign, off/3600, off%3600/60)
}

// bytesLabel shows a file size.
func bytesLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+(1<<9))>>10)
	}
	return fmt.Sprintf("%d byte", n)
}
