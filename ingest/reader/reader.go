// Package reader is the one entry point that reads an uploaded file, whatever its format: it
// sniffs the format from the bytes, reads PDFs with ingest/pdftext (pages without text by OCR),
// Word and OpenDocument files with ingest/office, old Word (.doc) and RTF through a LibreOffice
// conversion, and images by OCR; it converts legacy Vietnamese encodings and returns one result,
// or a reason code. It is meant to run inside the sandboxed extraction child.
package reader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"unicode"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/office"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/vnenc"
)

// Formats, as sniffed from the bytes.
const (
	FormatPDF     = "pdf"
	FormatDOCX    = "docx"
	FormatODT     = "odt"
	FormatDOC     = "doc"
	FormatRTF     = "rtf"
	FormatJPEG    = "jpeg"
	FormatPNG     = "png"
	FormatTIFF    = "tiff"
	FormatUnknown = "unknown"
)

// Reason codes beyond pdftext's (empty, not_pdf, encrypted, corrupt, too_complex,
// too_many_pages, no_text_layer).
const (
	CodeUnsupportedFormat = "unsupported_format" // a format we know but cannot read here (no LibreOffice)
	CodeUndecodableText   = "undecodable_text"   // a text layer that decodes to nothing readable, and no OCR
)

// WarnLegacyEncoding: the text was typed in a legacy Vietnamese encoding and converted.
const WarnLegacyEncoding = "legacy_encoding"

// Options configure a read. Zero limits take each reader's defaults.
type Options struct {
	PDF       pdftext.Limits
	Office    office.Limits
	OCR       ocr.Limits
	Tools     ocr.Tools         // OCR programs; zero value: ocr.DefaultTools()
	Converter convert.Converter // LibreOffice; zero value: convert.Default()
	// WorkDir is a private directory for intermediate files (rasterised pages, conversions, the
	// LibreOffice profile); "" makes a temporary one, removed on return.
	WorkDir string
	// RenderPDF asks for a PDF rendering of a DOCX or ODT (LibreOffice), kept in WorkDir; failing
	// to make one is not an error (Result.PDF stays "").
	RenderPDF bool
	// NoOCR reads no page by OCR (a scan then gives no_text_layer; Result.Unread lists the
	// pages OCR would have read).
	NoOCR bool
	// NoConvert runs no LibreOffice: .doc and .rtf give unsupported_format, DOCX and ODT no
	// rendering. The tight sandbox profile reads so, since it may start no program.
	NoConvert bool
}

// Result is what a file says, or why it cannot be read.
type Result struct {
	Format    string   `json:"format"`
	Pages     int      `json:"pages"`
	Text      string   `json:"text"`       // NFC; pages joined by pdftext.PageSeparator
	PageTexts []string `json:"page_texts"` // NFC, one per page
	// OCR: some text was read by OCR; OCRConfidence is then the mean word confidence (0–1) over
	// the words read so.
	OCR           bool     `json:"ocr,omitempty"`
	OCRConfidence float64  `json:"ocr_confidence,omitempty"`
	Warnings      []string `json:"warnings,omitempty"`
	Encoding      string   `json:"encoding,omitempty"` // legacy encoding converted: tcvn3, vni, viqr
	Fonts         []string `json:"fonts,omitempty"`    // DOCX/ODT: fonts used, most text first
	// Code is the reason the file cannot be used ("" when Text is its text); Detail says what
	// was found, for logs.
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
	// PDF is the path of a PDF rendering (Options.RenderPDF, or the conversion of a .doc/.rtf).
	PDF string `json:"pdf,omitempty"`
	// Unread lists the pages (1-based) of a PDF that only OCR could read and that were not read
	// (Options.NoOCR, or no OCR installed): a reader allowed to run OCR should read the file again.
	Unread []int `json:"unread,omitempty"`
}

// Sniff tells the format from the first bytes of a file (512 are enough).
func Sniff(head []byte) string {
	switch {
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		return FormatPDF
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		// Decided from the archive's entries (see sniffZip); DOCX by default.
		return FormatDOCX
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return FormatDOC
	case bytes.HasPrefix(head, []byte(`{\rtf`)):
		return FormatRTF
	case bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")):
		return FormatJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return FormatTIFF
	}
	s := string(bytes.TrimLeft(head, "\xEF\xBB\xBF \t\r\n"))
	if strings.HasPrefix(s, "<?xml") && strings.Contains(s, "office:document") {
		return FormatODT
	}
	return FormatUnknown
}

// LargeFile is the size from which a reading gives its memory back to the system once done with
// a file's bytes: the long-lived sandbox children would otherwise keep the heap a 40 MB scan grew.
const LargeFile = 8 << 20

// Read reads the file at path. Refusals come back as Result.Code with a nil error; an error is a
// failure of the reader itself (a missing file, a cancelled context).
func Read(ctx context.Context, path string, opt Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	return read(ctx, f, st.Size(), path, opt)
}

// ReadAt reads a file held in memory or in an open file, as Read does. With Options.NoOCR and
// Options.NoConvert it opens and writes no file at all (what the tight sandbox profile allows);
// otherwise what OCR or LibreOffice needs is written to Options.WorkDir (or a temporary one).
func ReadAt(ctx context.Context, ra io.ReaderAt, size int64, opt Options) (Result, error) {
	return read(ctx, ra, size, "", opt)
}

func read(ctx context.Context, ra io.ReaderAt, size int64, path string, opt Options) (Result, error) {
	if size == 0 {
		return Result{Format: FormatUnknown, Code: pdftext.CodeEmpty}, nil
	}
	head := make([]byte, 1024)
	n, _ := ra.ReadAt(head, 0)
	head = head[:n]
	if opt.Tools == (ocr.Tools{}) {
		opt.Tools = ocr.DefaultTools()
	}
	if opt.Converter == (convert.Converter{}) {
		opt.Converter = convert.Default()
	}
	if opt.NoConvert {
		opt.Converter = convert.Converter{}
	}
	r := &reading{ctx: ctx, path: path, f: ra, size: size, opt: opt}
	defer r.cleanup()
	format := Sniff(head)
	if format == FormatDOC && bytes.Contains(oleNames(ra, size), utf16("EncryptedPackage")) {
		return Result{Format: FormatDOCX, Code: pdftext.CodeEncrypted, Detail: "password-protected Office document"}, nil
	}
	var res Result
	var err error
	switch format {
	case FormatPDF:
		res, err = r.pdf(ra, size, path)
	case FormatDOCX, FormatODT:
		res, err = r.office()
	case FormatDOC, FormatRTF:
		res, err = r.converted(format)
	case FormatJPEG, FormatPNG, FormatTIFF:
		res, err = r.image(format)
	default:
		res = Result{Code: pdftext.CodeNotPDF, Detail: "not a PDF, Word, OpenDocument, RTF or image file"}
	}
	if err != nil {
		return Result{}, err
	}
	if res.Format == "" {
		res.Format = format
	}
	if res.Code == "" {
		res.finish()
	}
	return res, nil
}

type reading struct {
	ctx  context.Context
	path string // "" when the file is only in memory
	f    io.ReaderAt
	size int64
	opt  Options
	tmp  string // a work directory made for this read, removed at its end
}

// workDir is Options.WorkDir, or a temporary directory made on first use.
func (r *reading) workDir() (string, error) {
	if r.opt.WorkDir != "" {
		return r.opt.WorkDir, nil
	}
	dir, err := os.MkdirTemp("", "tinnhiem-read-*")
	if err != nil {
		return "", fmt.Errorf("reader: %w", err)
	}
	r.tmp, r.opt.WorkDir = dir, dir
	return dir, nil
}

func (r *reading) cleanup() {
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
	}
}

// onDisk returns the path of the file, writing it into the work directory first when it is only
// in memory (OCR programs read files).
func (r *reading) onDisk(name string) (string, error) {
	if r.path != "" {
		return r.path, nil
	}
	dir, err := r.workDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	if err := r.copyTo(p); err != nil {
		return "", err
	}
	r.path = p
	return p, nil
}

func (r *reading) copyTo(p string) error {
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("reader: %w", err)
	}
	_, err = io.Copy(out, io.NewSectionReader(r.f, 0, r.size))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reader: %w", err)
	}
	return nil
}

// finish converts a legacy encoding, normalises and joins the pages.
func (res *Result) finish() {
	enc := vnenc.Encoding(res.Encoding)
	for i, p := range res.PageTexts {
		fixed, e := vnenc.Fix(p)
		if e != vnenc.None && enc == vnenc.None {
			enc = e
		}
		res.PageTexts[i] = fixed // NFC already
	}
	if enc != vnenc.None {
		res.Encoding = string(enc)
		res.Warnings = append(res.Warnings, WarnLegacyEncoding)
	}
	res.Text = strings.Join(res.PageTexts, pdftext.PageSeparator)
	if res.Pages == 0 {
		res.Pages = len(res.PageTexts)
	}
	if strings.TrimSpace(res.Text) == "" {
		res.Code = pdftext.CodeNoTextLayer
	}
}

// pdf reads a PDF's text layer; pages without usable text are read by OCR. path is the PDF's
// file for OCR ("" when it is only in memory: it is then written to the work directory).
func (r *reading) pdf(ra io.ReaderAt, size int64, path string) (Result, error) {
	pr, err := pdftext.Extract(ra, size, r.opt.PDF)
	code := pdftext.Code(err)
	if err != nil && code == "" {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	res := Result{Format: FormatPDF, Pages: pr.Pages, Encoding: pr.Legacy}
	if code != "" && code != pdftext.CodeNoTextLayer && code != pdftext.CodeUndecodableText {
		res.Code, res.Detail = code, err.Error()
		return res, nil
	}
	res.PageTexts = make([]string, pr.Pages)
	copy(res.PageTexts, pr.PageTexts)
	// Pages with no text, or with a text layer that decodes to junk (fonts without a usable
	// encoding), are read from their image.
	var scan []int
	undecodable := false
	for i := range res.PageTexts {
		t := res.PageTexts[i]
		if slices.Contains(pr.UndecodablePages, i+1) {
			// Most of its glyphs decode to nothing: what it shows is in its image.
			undecodable = true
			scan = append(scan, i+1)
			continue
		}
		if junk(t) {
			if fixed, enc := vnenc.Fix(t); enc == vnenc.None || junk(fixed) {
				undecodable = true
				scan = append(scan, i+1)
				continue
			}
		}
		if strings.TrimSpace(t) == "" {
			scan = append(scan, i+1)
		}
	}
	if len(scan) == 0 {
		return res, nil
	}
	if ok, _ := r.opt.Tools.Available(); r.opt.NoOCR || !ok {
		switch {
		case undecodable:
			res.Code = CodeUndecodableText
		case len(scan) == len(res.PageTexts):
			res.Code = pdftext.CodeNoTextLayer
		}
		res.Unread = scan
		return res, nil
	}
	if path == "" {
		if path, err = r.onDisk("document.pdf"); err != nil {
			return Result{}, err
		}
	}
	dir, err := r.workDir()
	if err != nil {
		return Result{}, err
	}
	if size >= LargeFile {
		// The text layer of a large file is read and its bytes are garbage now: give the memory
		// back before Tesseract, which needs 160–180 MB a page, runs beside this process.
		debug.FreeOSMemory()
	}
	o, err := r.opt.Tools.PDF(r.ctx, path, scan, dir, r.opt.OCR)
	if err != nil {
		return r.ocrFailed(res, err)
	}
	for i, n := range scan {
		res.PageTexts[n-1] = o.Pages[i].Text
	}
	res.OCR, res.OCRConfidence = o.Words > 0, o.Confidence/100
	return res, nil
}

// ocrFailed turns an OCR error into a refusal, or passes a failure of the reader on.
func (r *reading) ocrFailed(res Result, err error) (Result, error) {
	if code := ocr.Code(err); code != "" {
		res.Code, res.Detail = code, err.Error()
		return res, nil
	}
	if errors.Is(err, ocr.ErrToolMissing) {
		res.Code, res.Detail = pdftext.CodeNoTextLayer, err.Error()
		return res, nil
	}
	return Result{}, fmt.Errorf("reader: %w", err)
}

// junk reports a text layer that is mostly not text: replacement characters, private-use code
// points, controls — what a font without a usable encoding gives.
func junk(s string) bool {
	bad, n := 0, 0
	for _, r := range s {
		if plainLetter(r) {
			n++
			continue
		}
		if unicode.IsSpace(r) {
			continue
		}
		n++
		if r == unicode.ReplacementChar || unicode.Is(unicode.Co, r) || unicode.IsControl(r) ||
			!unicode.IsPrint(r) {
			bad++
		}
	}
	return n >= 20 && bad*10 > n*3
}

// plainLetter reports, without table look-ups, the characters most text is made of (ASCII
// letters, digits and signs; Latin-1 letters and the Latin Extended blocks, Vietnamese's
// among them), none of which is a space or junk (TestPlainLetter).
func plainLetter(r rune) bool {
	return r > ' ' && r < 0x7F || r >= 0xC0 && r < 0x250 || r >= 0x1E00 && r < 0x1F00
}

// office reads a DOCX or ODT natively, and renders it to PDF when asked.
func (r *reading) office() (Result, error) {
	or, err := office.Extract(r.f, r.size, r.opt.Office)
	if code := office.Code(err); code != "" {
		if code == office.CodeNotOffice {
			code = pdftext.CodeNotPDF
		}
		return Result{Code: code, Detail: err.Error()}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	res := Result{Format: or.Format, Pages: or.Pages, PageTexts: []string{or.Text}, Encoding: string(or.Legacy)}
	for _, f := range or.Fonts {
		res.Fonts = append(res.Fonts, f.Name)
	}
	if r.opt.RenderPDF && r.opt.Converter.Available() {
		if p, err := r.convert(or.Format); err == nil {
			res.PDF = p
		}
	}
	return res, nil
}

// convert copies the file into the work directory under the extension LibreOffice expects and
// converts it to PDF.
func (r *reading) convert(format string) (string, error) {
	dir, err := r.workDir()
	if err != nil {
		return "", err
	}
	in := filepath.Join(dir, "document."+format)
	if err := r.copyTo(in); err != nil {
		return "", err
	}
	return r.opt.Converter.ToPDF(r.ctx, in, dir)
}

// converted reads a .doc or .rtf through its PDF conversion.
func (r *reading) converted(format string) (Result, error) {
	if !r.opt.Converter.Available() {
		return Result{Format: format, Code: CodeUnsupportedFormat, Detail: convert.ErrUnavailable.Error()}, nil
	}
	p, err := r.convert(format)
	if code := convert.Code(err); code != "" {
		return Result{Format: format, Code: code, Detail: err.Error()}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	f, err := os.Open(p)
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("reader: %w", err)
	}
	res, err := r.pdf(f, st.Size(), p)
	if err != nil {
		return Result{}, err
	}
	res.Format, res.PDF = format, p
	return res, nil
}

// image reads a JPEG, PNG or TIFF by OCR.
func (r *reading) image(format string) (Result, error) {
	if ok, pkgs := r.opt.Tools.Available(); r.opt.NoOCR || !ok {
		return Result{Format: format, Code: CodeUnsupportedFormat, Detail: "OCR unavailable: install " + pkgs}, nil
	}
	path, err := r.onDisk("image." + format)
	if err != nil {
		return Result{}, err
	}
	dir, err := r.workDir()
	if err != nil {
		return Result{}, err
	}
	o, err := r.opt.Tools.Image(r.ctx, path, dir, r.opt.OCR)
	if err != nil {
		return r.ocrFailed(Result{Format: format}, err)
	}
	res := Result{Format: format, Pages: len(o.Pages), OCR: o.Words > 0, OCRConfidence: o.Confidence / 100}
	for _, p := range o.Pages {
		res.PageTexts = append(res.PageTexts, p.Text)
	}
	return res, nil
}

// oleNames returns the directory of an OLE compound file (enough of it to find stream names).
func oleNames(f io.ReaderAt, size int64) []byte {
	b := make([]byte, min(size, 4<<20))
	n, _ := f.ReadAt(b, 0)
	return b[:n]
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// Message is the Vietnamese sentence shown to staff for a reason code of a file of a format.
func Message(code, format string) string {
	what := "Tệp"
	switch format {
	case FormatPDF:
		if code != CodeUndecodableText && code != CodeUnsupportedFormat {
			return pdftext.Message(code)
		}
	case FormatDOCX, FormatODT, FormatDOC, FormatRTF:
		what = "Tệp văn bản (Word/OpenDocument)"
	case FormatJPEG, FormatPNG, FormatTIFF:
		what = "Tệp ảnh"
	}
	switch code {
	case pdftext.CodeEmpty:
		return what + " rỗng, không có nội dung."
	case pdftext.CodeNotPDF:
		return "Tệp không phải PDF, Word (.docx, .doc), OpenDocument (.odt), RTF hay ảnh (JPEG, PNG, TIFF)."
	case pdftext.CodeEncrypted:
		return what + " được đặt mật khẩu; đề nghị nộp bản không đặt mật khẩu."
	case pdftext.CodeCorrupt:
		return what + " bị hỏng hoặc không đọc được."
	case pdftext.CodeTooComplex:
		return what + " quá lớn hoặc quá phức tạp để xử lý tự động (ảnh quá nhiều điểm ảnh, quá nhiều trang hoặc quá thời gian)."
	case pdftext.CodeTooManyPages:
		return what + " có quá nhiều trang."
	case pdftext.CodeNoTextLayer:
		return what + " không có chữ đọc được (có thể là bản quét chưa nhận dạng được); cần người kiểm tra."
	case CodeUnsupportedFormat:
		if format == FormatDOC || format == FormatRTF {
			return convert.MessageUnavailable
		}
		return "Máy chủ chưa cài phần mềm nhận dạng chữ (gói tesseract-ocr và tesseract-ocr-vie) nên chưa đọc được ảnh này; tài liệu được giữ lại để người có thẩm quyền kiểm tra."
	case CodeUndecodableText:
		return "Chữ trong tệp không giải mã được (phông chữ không có bảng mã chuẩn) và không nhận dạng lại được từ hình ảnh; đề nghị nộp bản xuất từ Word với phông Unicode."
	}
	return pdftext.Message(code)
}
