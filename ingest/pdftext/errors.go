package pdftext

import "tinnhiem/ingest/refusal"

// Reason codes carried by *Error (package refusal). They are part of the upload contract (the
// "reason" field staff and scripts see), so they never change spelling.
const (
	CodeEmpty        = refusal.Empty
	CodeNotPDF       = refusal.NotPDF
	CodeEncrypted    = refusal.Encrypted
	CodeCorrupt      = refusal.Corrupt
	CodeTooComplex   = refusal.TooComplex
	CodeTooManyPages = refusal.TooManyPages
	CodeNoTextLayer  = refusal.NoTextLayer
	// CodeUndecodableText: the file has text, but on some page most glyphs
	// decode to no character (fonts without a usable encoding); what was
	// read may be incomplete, so a person must look at it.
	CodeUndecodableText = refusal.UndecodableText
)

// Error is a rejection of one file with a reason code. Err says what was
// found, for logs; Message(Code) is what a person is shown.
type Error = refusal.Error

// Code returns the reason code of err, or "" when err carries none (a
// failure of the worker itself rather than a verdict on the file).
func Code(err error) string { return refusal.Code(err) }

// Message returns the Vietnamese sentence shown to staff for a reason code.
func Message(code string) string {
	switch code {
	case CodeEmpty:
		return "Tệp rỗng, không có nội dung."
	case CodeNotPDF:
		return "Tệp không phải PDF."
	case CodeEncrypted:
		return "Tệp PDF được mã hóa hoặc đặt mật khẩu; đề nghị nộp bản không mã hóa."
	case CodeCorrupt:
		return "Tệp PDF bị hỏng hoặc không đọc được."
	case CodeTooComplex:
		return "Tệp PDF quá phức tạp hoặc quá lớn để xử lý tự động."
	case CodeTooManyPages:
		return "Tệp PDF có quá nhiều trang."
	case CodeNoTextLayer:
		return "Tệp PDF không có lớp văn bản (có thể là bản quét); cần người kiểm tra."
	case CodeUndecodableText:
		return "Tệp PDF dùng phông chữ không giải mã được thành văn bản trên một số trang; cần người kiểm tra."
	case "":
		return ""
	default:
		return "Không xử lý được tệp PDF."
	}
}

func reject(code string, format string, args ...any) *Error {
	return refusal.New(code, format, args...)
}
