// Package pdftext extracts the text of a PDF correctly for Vietnamese. It
// reads the file itself — cross-reference tables and streams, repair of
// damaged files by scanning, decryption of owner-password-only files,
// stream filters — decodes fonts (ToUnicode CMaps of 1–4 byte codes,
// simple-font encodings, glyph names, embedded font programs), lays text out
// from positions, and rejects hostile or unusable files with a reason code.
// ingest/sandbox runs it in locked-down child processes.
package pdftext

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Limits bound the work done on one file. Zero fields take the defaults.
//
// The work budget (MaxOperators, MaxGlyphs, MaxXObjects) counts what the
// interpreter does, not what the file holds: a form drawn a thousand times
// costs a thousand times its content. A file of a few kilobytes whose forms
// each draw several others fans out exponentially with nesting depth; the
// budget refuses it (too_complex) in well under a second. The defaults are
// far above what real documents need: the heaviest of the 1,000 public PDFs
// measured ran 430,000 operators, drew 384 forms, and a 345-page book showed
// 671,000 glyphs.
type Limits struct {
	MaxPages        int   `json:"max_pages"`        // default 500
	MaxDecompressed int64 `json:"max_decompressed"` // total bytes of decoded streams, default 256 MiB
	MaxFormDepth    int   `json:"max_form_depth"`   // nesting of Form XObjects, default 8
	// MaxOperators caps the content-stream operators run in the whole file,
	// counting a form's content again each time it is drawn (default 20 M,
	// about half a second of work).
	MaxOperators int64 `json:"max_operators"`
	// MaxGlyphs caps the glyphs shown in the whole file (default 4 M: a
	// 500-page document of 8,000 characters a page).
	MaxGlyphs int `json:"max_glyphs"`
	// MaxXObjects caps the Form XObjects drawn in the whole file (default
	// 200,000).
	MaxXObjects int `json:"max_xobjects"`
	// Timeout is checked between operations inside Extract (default none).
	// The sandbox's wall-clock timeout backs it up.
	Timeout time.Duration `json:"timeout"`
}

// Default limits.
const (
	DefaultMaxPages        = 500
	DefaultMaxDecompressed = 256 << 20
	DefaultMaxFormDepth    = 8
	DefaultMaxOperators    = 20_000_000
	DefaultMaxGlyphs       = 4 << 20
	DefaultMaxXObjects     = 200_000
)

// Bounds of the cache of decoded forms.
const (
	maxCachedForm = 1 << 20
	maxFormCache  = 32 << 20
)

// maxFileSize is the largest file Extract reads (it holds the whole file in
// memory); uploads are capped far below it.
const maxFileSize = 1 << 30

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
	if l.MaxOperators <= 0 {
		l.MaxOperators = DefaultMaxOperators
	}
	if l.MaxGlyphs <= 0 {
		l.MaxGlyphs = DefaultMaxGlyphs
	}
	if l.MaxXObjects <= 0 {
		l.MaxXObjects = DefaultMaxXObjects
	}
	return l
}

// Result is the text of a document.
//
// PageTexts holds one entry per page: lines joined by "\n", each line with
// single spaces and no leading or trailing space, no empty lines, NFC.
// Text is the pages joined by PageSeparator, a form feed on a line of its own.
//
// Glyphs counts the glyphs shown on the pages (within their crop boxes) and
// Undecoded those among them whose character code maps to no text (a font
// without a usable encoding or ToUnicode map): their text is missing from
// Text. UndecodablePages lists the pages (from 1) where most glyphs are such.
type Result struct {
	Pages            int      `json:"pages"`
	Text             string   `json:"text"`
	PageTexts        []string `json:"page_texts"`
	Glyphs           int      `json:"glyphs,omitempty"`
	Undecoded        int      `json:"undecoded,omitempty"`
	UndecodablePages []int    `json:"undecodable_pages,omitempty"`
	// Legacy names the legacy Vietnamese encoding of fonts read through their own table
	// (TCVN3, ".VnTime"…), "" when none was: the text is Unicode now, but a person should know.
	Legacy string `json:"legacy,omitempty"`
}

// PageSeparator separates pages in Result.Text.
const PageSeparator = "\n\f\n"

// A page is undecodable when more than undecodableShare of its glyphs, and
// at least minUndecodable of them, decode to no text.
const (
	undecodableShare = 0.5
	minUndecodable   = 20
)

// Extract reads a PDF from r (size bytes). It never panics (recover inside) but
// cannot defend against runtime fatal errors (out of memory); that is what the
// child process is for.
//
// A document whose pages carry no text returns the Result (with Pages set)
// together with an *Error of code no_text_layer. A document with a page whose
// glyphs mostly decode to nothing returns the Result (what could be decoded)
// together with an *Error of code undecodable_text: its text cannot be
// trusted to be complete.
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
	if size > maxFileSize {
		return Result{}, reject(CodeTooComplex, "pdftext: extract: file of %d bytes, more than %d", size, maxFileSize)
	}
	data, whole := r.(Bytes)
	if !whole || int64(len(data)) != size {
		data = make([]byte, size)
		if n, err := r.ReadAt(data, 0); int64(n) < size {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return Result{}, fmt.Errorf("pdftext: extract: read: %w", err)
		}
	}
	ex := &extractor{
		lim:    lim,
		budget: lim.MaxDecompressed,
		fonts:  map[int]*font{},
		forms:  map[int][]byte{},
	}
	defer func() { releaseLayout(ex.layout) }()
	if lim.Timeout > 0 {
		ex.deadline = time.Now().Add(lim.Timeout)
	}
	f, root, err := ex.open(data)
	if err != nil {
		return Result{}, err
	}
	ex.f = f
	ex.formResources = root.Key("AcroForm").Key("DR")
	ex.needAppearances = root.Key("AcroForm").Key("NeedAppearances").Bool()
	pages, err := ex.pageList(f, root)
	if err != nil {
		return Result{}, err
	}
	if len(pages) == 0 {
		return Result{}, reject(CodeCorrupt, "pdftext: extract: no pages")
	}
	res.Pages = len(pages)
	res.PageTexts = make([]string, len(pages))
	failed := 0
	for i, p := range pages {
		text, st, err := ex.pageText(p)
		if err != nil {
			if Code(err) != "" {
				return Result{}, err
			}
			// One unreadable page (a broken object) should not cost the
			// text of the others.
			failed++
			continue
		}
		res.PageTexts[i] = text
		res.Glyphs += st.shown
		res.Undecoded += st.undecoded
		if st.undecoded >= minUndecodable && float64(st.undecoded) > undecodableShare*float64(st.shown) {
			res.UndecodablePages = append(res.UndecodablePages, i+1)
		}
	}
	res.Text = strings.Join(res.PageTexts, PageSeparator)
	res.Legacy = ex.legacy
	// No text: the form feeds of the page separators are white space too.
	if strings.TrimSpace(res.Text) == "" {
		if failed > 0 {
			return Result{}, reject(CodeCorrupt, "pdftext: extract: %d of %d pages unreadable and no text", failed, len(pages))
		}
		if ex.treeLoop {
			// A damaged page tree and nothing to read: not a scan.
			return Result{}, reject(CodeCorrupt, "pdftext: extract: a loop in the page tree, and no text")
		}
		if len(res.UndecodablePages) > 0 {
			return res, reject(CodeUndecodableText, "pdftext: extract: %d glyphs, none decodes to text", res.Undecoded)
		}
		return res, reject(CodeNoTextLayer, "pdftext: extract: %d pages, no text", len(pages))
	}
	if len(res.UndecodablePages) > 0 {
		return res, reject(CodeUndecodableText, "pdftext: extract: pages %v: most of their glyphs decode to no text (%d of %d in the file)",
			res.UndecodablePages, res.Undecoded, res.Glyphs)
	}
	return res, nil
}

// Bytes is a file already in memory. Extract reads it where it is, without a copy, and never
// writes to it; the texts it answers are copies, so the bytes may be reused once it returns.
type Bytes []byte

// ReadAt implements io.ReaderAt.
func (b Bytes) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("pdftext: negative offset")
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// extractor holds the state of one Extract call.
type extractor struct {
	lim      Limits
	f        *file
	budget   int64 // decompressed bytes still allowed
	deadline time.Time
	fonts    map[int]*font // by object number
	ticks    int
	treeLoop bool // the page tree lists a node twice
	// The work done so far in the file.
	ops      int64
	glyphs   int
	xobjects int
	// Decoded content of Form XObjects, by object number: a form drawn many
	// times is decoded once.
	forms     map[int][]byte
	formBytes int
	// The interactive form's default resources, for field appearances
	// that name fonts without carrying resources of their own.
	formResources value
	// needAppearances: the form asks viewers to draw its fields from their
	// values; the appearances it carries may be stale or empty.
	needAppearances bool
	// legacy is the legacy Vietnamese encoding of a font read so far ("" none).
	legacy string
	// layout is the layout of the page being read, reused from page to page
	// (see pageLayout).
	layout *layout
}

var errBudget = errors.New("decompressed data exceeds the limit")

func (ex *extractor) budgetErr(err error) bool {
	return errors.Is(err, errBudget) || Code(err) != ""
}

// streamBytes returns a stream's decoded data. Damage ends the data early
// (what came before stands); only a limit is an error.
func (ex *extractor) streamBytes(v value) ([]byte, error) {
	if v.Kind() != objStream {
		return nil, nil
	}
	b, err := ex.f.decode(v.o)
	if err != nil && ex.budgetErr(err) {
		return nil, err
	}
	return b, nil
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

// operator counts one content-stream operator against the work budget.
func (ex *extractor) operator() error {
	ex.ops++
	if ex.ops > ex.lim.MaxOperators {
		return reject(CodeTooComplex, "pdftext: extract: more than %d content operators", ex.lim.MaxOperators)
	}
	return ex.tick()
}

// xobject counts one Form XObject drawn against the work budget.
func (ex *extractor) xobject() error {
	ex.xobjects++
	if ex.xobjects > ex.lim.MaxXObjects {
		return reject(CodeTooComplex, "pdftext: extract: more than %d forms drawn", ex.lim.MaxXObjects)
	}
	return nil
}
