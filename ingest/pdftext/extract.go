// Package pdftext extracts the text of a PDF correctly for Vietnamese: it
// decodes fonts itself on top of github.com/ledongthuc/pdf's object model
// (ToUnicode CMaps of 1–4 byte codes, simple-font encodings and glyph names),
// lays text out from positions, rejects hostile or unusable files with a
// reason code. ingest/sandbox runs it in locked-down child processes.
package pdftext

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
)

// Limits bound the work done on one file. Zero fields take the defaults.
type Limits struct {
	MaxPages        int   `json:"max_pages"`        // default 500
	MaxDecompressed int64 `json:"max_decompressed"` // total bytes of decompressed streams, default 256 MiB
	MaxFormDepth    int   `json:"max_form_depth"`   // nesting of Form XObjects, default 8
	// Timeout is checked between operations inside Extract (default none).
	// It cannot interrupt a stuck call into the PDF library; the sandbox's
	// wall-clock timeout does that.
	Timeout time.Duration `json:"timeout"`
}

// Default limits.
const (
	DefaultMaxPages        = 500
	DefaultMaxDecompressed = 256 << 20
	DefaultMaxFormDepth    = 8
)

func (l Limits) withDefaults() Limits {
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = DefaultMaxDecompressed
	}
	if l.MaxFormDepth <= 0 {
		l.MaxFormDepth = DefaultMaxFormDepth
	}
	return l
}

// Result is the text of a document.
//
// PageTexts holds one entry per page: lines joined by "\n", each line with
// single spaces and no leading or trailing space, no empty lines, NFC.
// Text is the pages joined by PageSeparator, a form feed on a line of its own.
type Result struct {
	Pages     int      `json:"pages"`
	Text      string   `json:"text"`
	PageTexts []string `json:"page_texts"`
}

// PageSeparator separates pages in Result.Text.
const PageSeparator = "\n\f\n"

// headerWindow is how far into the file "%PDF-" may start; viewers accept
// leading junk (mail headers, BOMs) up to about this much.
const headerWindow = 1024

// Extract reads a PDF from r (size bytes). It never panics (recover inside) but
// cannot defend against runtime fatal errors (out of memory, stack overflow in
// the PDF library); that is what the child process is for.
//
// A document whose pages carry no text returns the Result (with Pages set)
// together with an *Error of code no_text_layer.
func Extract(r io.ReaderAt, size int64, lim Limits) (res Result, err error) {
	lim = lim.withDefaults()
	defer func() {
		if x := recover(); x != nil {
			res = Result{}
			if e, ok := x.(*Error); ok {
				err = e
				return
			}
			err = reject(CodeCorrupt, "pdftext: extract: malformed PDF: %v", x)
		}
	}()
	if size <= 0 {
		return Result{}, reject(CodeEmpty, "pdftext: extract: file is empty")
	}
	view, err := openView(r, size)
	if err != nil {
		return Result{}, err
	}
	if hasEncrypt(view, view.size) {
		return Result{}, reject(CodeEncrypted, "pdftext: extract: trailer has /Encrypt")
	}
	if err := checkXref(view, view.size); err != nil {
		return Result{}, err
	}
	rd, err := pdf.NewReader(view, view.size)
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return Result{}, &Error{Code: CodeEncrypted, Err: fmt.Errorf("pdftext: extract: %w", err)}
		}
		return Result{}, &Error{Code: CodeCorrupt, Err: fmt.Errorf("pdftext: extract: open: %w", err)}
	}
	if !rd.Trailer().Key("Encrypt").IsNull() {
		return Result{}, reject(CodeEncrypted, "pdftext: extract: trailer has /Encrypt")
	}
	ex := &extractor{
		lim:    lim,
		budget: lim.MaxDecompressed,
		fonts:  map[string]*font{},
	}
	if lim.Timeout > 0 {
		ex.deadline = time.Now().Add(lim.Timeout)
	}
	ex.formResources = rd.Trailer().Key("Root").Key("AcroForm").Key("DR")
	pages, err := ex.pageList(rd)
	if err != nil {
		return Result{}, err
	}
	res.Pages = len(pages)
	res.PageTexts = make([]string, len(pages))
	failed := 0
	for i, p := range pages {
		text, err := ex.pageText(p)
		if err != nil {
			if Code(err) != "" {
				return Result{}, err
			}
			// One unreadable page (an unsupported filter, a broken object)
			// should not cost the text of the others.
			failed++
			continue
		}
		res.PageTexts[i] = text
	}
	res.Text = strings.Join(res.PageTexts, PageSeparator)
	if strings.TrimSpace(strings.ReplaceAll(res.Text, "\f", "")) == "" {
		if failed > 0 {
			return Result{}, reject(CodeCorrupt, "pdftext: extract: %d of %d pages unreadable and no text", failed, len(pages))
		}
		return res, reject(CodeNoTextLayer, "pdftext: extract: %d pages, no text", len(pages))
	}
	return res, nil
}

// extractor holds the state of one Extract call.
type extractor struct {
	lim      Limits
	budget   int64 // decompressed bytes still allowed
	deadline time.Time
	fonts    map[string]*font
	ticks    int
	glyphs   int // shown so far in the document
	// The interactive form's default resources, for field appearances
	// that name fonts without carrying resources of their own.
	formResources pdf.Value
}

var errBudget = errors.New("decompressed data exceeds the limit")

func (ex *extractor) budgetErr(err error) bool {
	return errors.Is(err, errBudget) || Code(err) != ""
}

// stream opens a stream's decoded data, counted against the budget.
func (ex *extractor) stream(v pdf.Value) (io.Reader, error) {
	if err := ex.tick(); err != nil {
		return nil, err
	}
	if ex.budget <= 0 {
		return nil, &Error{Code: CodeTooComplex, Err: fmt.Errorf("pdftext: extract: %w (%d bytes)", errBudget, ex.lim.MaxDecompressed)}
	}
	return &budgetReader{ex: ex, r: v.Reader()}, nil
}

type budgetReader struct {
	ex *extractor
	r  io.Reader
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.ex.budget <= 0 {
		return 0, &Error{Code: CodeTooComplex, Err: fmt.Errorf("pdftext: extract: %w (%d bytes)", errBudget, b.ex.lim.MaxDecompressed)}
	}
	if int64(len(p)) > b.ex.budget+1 {
		p = p[:b.ex.budget+1]
	}
	n, err := b.r.Read(p)
	b.ex.budget -= int64(n)
	if b.ex.budget < 0 {
		return n, &Error{Code: CodeTooComplex, Err: fmt.Errorf("pdftext: extract: %w (%d bytes)", errBudget, b.ex.lim.MaxDecompressed)}
	}
	return n, err
}

// tick checks the time cap; it is called often, so it reads the clock only
// every few hundred calls.
func (ex *extractor) tick() error {
	if ex.deadline.IsZero() {
		return nil
	}
	ex.ticks++
	if ex.ticks%256 != 0 {
		return nil
	}
	if time.Now().After(ex.deadline) {
		return reject(CodeTooComplex, "pdftext: extract: time limit %v exceeded", ex.lim.Timeout)
	}
	return nil
}

// view presents the PDF to the library as it expects it: "%PDF-1.x" at offset
// 0 (files with leading junk, or version 2.0, are otherwise refused) and
// "%%EOF" at the end (trailing junk after it is cut, see pdfEnd).
type view struct {
	r      io.ReaderAt
	off    int64
	size   int64
	header []byte // replaces the first bytes, if not nil
}

func (v *view) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("pdftext: read at negative offset")
	}
	if off >= v.size {
		return 0, io.EOF
	}
	want := len(p)
	if rem := v.size - off; int64(want) > rem {
		p = p[:rem]
	}
	n, err := v.r.ReadAt(p, v.off+off)
	for i := 0; i < n; i++ {
		if o := off + int64(i); o < int64(len(v.header)) {
			p[i] = v.header[o]
		}
	}
	if err == nil && n < want {
		err = io.EOF
	}
	return n, err
}

func openView(r io.ReaderAt, size int64) (*view, error) {
	head := make([]byte, min(size, headerWindow))
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("pdftext: extract: read header: %w", err)
	}
	head = head[:n]
	at := bytes.Index(head, []byte("%PDF-"))
	if at < 0 {
		return nil, reject(CodeNotPDF, "pdftext: extract: no %%PDF- header in the first %d bytes", len(head))
	}
	v := &view{r: r, off: int64(at), size: size - int64(at)}
	h := head[at:]
	if len(h) < 9 || h[5] != '1' || h[6] != '.' || h[7] < '0' || h[7] > '7' || (h[8] != '\r' && h[8] != '\n') {
		v.header = []byte("%PDF-1.7\n")
	}
	// Cut what follows the end of the PDF (padding, junk), see pdfEnd.
	v.size = pdfEnd(v, v.size)
	return v, nil
}

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)`)
	encryptRE   = regexp.MustCompile(`/Encrypt[\s/<\[(0-9]`)
)

// hasEncrypt looks for /Encrypt in the trailer dictionary (or the dictionary
// of the cross-reference stream) without the PDF library, which refuses
// some encryption versions (AES-256, /V 5) with an error that does not say so.
func hasEncrypt(r io.ReaderAt, size int64) bool {
	tailLen := min(size, 64<<10)
	tail := make([]byte, tailLen)
	n, _ := r.ReadAt(tail, size-tailLen)
	tail = tail[:n]
	// Classic trailers near the end of the file.
	if i := bytes.LastIndex(tail, []byte("trailer")); i >= 0 && encryptRE.Match(tail[i:]) {
		return true
	}
	m := startxrefRE.FindAllSubmatch(tail, -1)
	if len(m) == 0 {
		return false
	}
	var off int64
	fmt.Sscan(string(m[len(m)-1][1]), &off)
	if off < 0 || off >= size {
		return false
	}
	// The dictionary that startxref points at: a trailer after a classic
	// table, or the header of an xref stream before its data.
	win := make([]byte, min(size-off, 1<<20))
	n, _ = r.ReadAt(win, off)
	win = win[:n]
	if bytes.HasPrefix(bytes.TrimLeft(win, " \t\r\n\x00"), []byte("xref")) {
		i := bytes.Index(win, []byte("trailer"))
		if i < 0 {
			return false
		}
		win = win[i:]
		if j := bytes.Index(win, []byte("startxref")); j >= 0 {
			win = win[:j]
		}
		return encryptRE.Match(win)
	}
	if j := bytes.Index(win, []byte("stream")); j >= 0 {
		win = win[:j]
	}
	return encryptRE.Match(win)
}
