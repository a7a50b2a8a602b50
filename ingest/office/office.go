// Package office reads the text of word-processing documents — Office Open XML (.docx) and
// OpenDocument text (.odt, and its flat .fodt form) — in pure Go: body paragraphs, tables row by
// row, headers and footers, text boxes and notes. It bounds what a hostile archive may cost
// (entries, sizes, compression ratio), reports the fonts the text is set in and converts the runs
// set in legacy Vietnamese fonts (TCVN3 ".Vn…", VNI) to Unicode.
package office

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/refusal"
	"tinnhiem/ingest/vnenc"
)

// Reason codes, spelt as ingest/pdftext's so that one verdict table serves every format.
const (
	CodeEmpty      = "empty"
	CodeCorrupt    = "corrupt"
	CodeTooComplex = "too_complex"
	CodeEncrypted  = "encrypted"
	CodeNotOffice  = "unsupported_format"
)

// Error is a refusal of one file with a reason code (package refusal).
type Error = refusal.Error

// Code returns the reason code of err, or "".
func Code(err error) string { return refusal.Code(err) }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Limits bound the work on one file. Zero fields take the defaults.
type Limits struct {
	MaxEntries int   // entries in the archive, default 5000
	MaxEntry   int64 // uncompressed bytes of one XML part read, default 64 MiB
	MaxTotal   int64 // uncompressed bytes of all parts read, default 128 MiB
	MaxRatio   int64 // uncompressed/compressed of a part above 4 MiB, default 1000
	MaxText    int   // bytes of text kept, default 8 MiB
}

// Default limits.
const (
	DefaultMaxEntries = 5000
	DefaultMaxEntry   = 64 << 20
	DefaultMaxTotal   = 128 << 20
	DefaultMaxRatio   = 1000
	DefaultMaxText    = 8 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxEntry <= 0 {
		l.MaxEntry = DefaultMaxEntry
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultMaxTotal
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	return l
}

// Format names.
const (
	FormatDOCX = "docx"
	FormatODT  = "odt"
)

// Result is the text of a document.
type Result struct {
	Format string `json:"format"`
	// Text: headers, then the body (tables row by row, the cells of a row side by side as a page
	// shows them), notes, then footers; lines joined by "\n", single spaces, no empty lines, NFC.
	Text string `json:"text"`
	// Pages is the page count the writing application recorded, else 1 + explicit page breaks.
	Pages int `json:"pages"`
	// Fonts lists the fonts the text is set in, most characters first.
	Fonts []FontUse `json:"fonts"`
	// Legacy is the legacy encoding converted to Unicode (by font name, or failing that from the
	// characters), None when the text was Unicode.
	Legacy vnenc.Encoding `json:"legacy,omitempty"`
}

// FontUse is one font and how many characters are set in it.
type FontUse struct {
	Name  string `json:"name"`
	Chars int    `json:"chars"`
}

// Extract reads a DOCX, ODT or flat ODT document. It never panics; a file it cannot read is
// refused with an *Error carrying a reason code.
func Extract(r io.ReaderAt, size int64, lim Limits) (res Result, err error) {
	lim = lim.withDefaults()
	defer func() {
		if x := recover(); x != nil {
			res, err = Result{}, refuse(CodeCorrupt, "malformed document: %v", x)
		}
	}()
	if size <= 0 {
		return Result{}, refuse(CodeEmpty, "file is empty")
	}
	head := make([]byte, min(size, 512))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return Result{}, refuse(CodeCorrupt, "read: %v", err)
	}
	var doc *document
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		a, err := openArchive(r, size, lim)
		if err != nil {
			return Result{}, err
		}
		switch {
		case a.has("word/document.xml") || a.mainPart() != "":
			doc, err = readDOCX(a)
		case a.has("content.xml"):
			doc, err = readODT(a)
		default:
			return Result{}, refuse(CodeNotOffice, "zip archive without word/document.xml or content.xml")
		}
		if err != nil {
			return Result{}, err
		}
	case isFlatODT(head):
		if size > lim.MaxEntry {
			return Result{}, refuse(CodeTooComplex, "flat document of %d bytes", size)
		}
		b := make([]byte, size)
		if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
			return Result{}, refuse(CodeCorrupt, "read: %v", err)
		}
		doc, err = readFlatODT(b, lim)
		if err != nil {
			return Result{}, err
		}
	default:
		return Result{}, refuse(CodeNotOffice, "neither an Office Open XML nor an OpenDocument file")
	}
	return doc.result(lim)
}

// isFlatODT reports an XML file whose root is office:document (a .fodt).
func isFlatODT(head []byte) bool {
	s := string(bytes.TrimLeft(head, "\xEF\xBB\xBF \t\r\n"))
	return strings.HasPrefix(s, "<?xml") && strings.Contains(s, "office:document")
}

// archive is a zip file read under the limits.
type archive struct {
	zr    *zip.Reader
	lim   Limits
	total int64
}

func openArchive(r io.ReaderAt, size int64, lim Limits) (*archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if errors.Is(err, zip.ErrInsecurePath) {
			err = nil
		} else {
			return nil, refuse(CodeCorrupt, "zip: %v", err)
		}
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, refuse(CodeTooComplex, "%d entries in the archive (limit %d)", len(zr.File), lim.MaxEntries)
	}
	for _, f := range zr.File {
		if f.Name == "EncryptedPackage" {
			return nil, refuse(CodeEncrypted, "encrypted package")
		}
	}
	return &archive{zr: zr, lim: lim}, nil
}

func (a *archive) file(name string) *zip.File {
	for _, f := range a.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func (a *archive) has(name string) bool { return a.file(name) != nil }

// mainPart finds the main document part a DOCX names in its content types (it need not be
// word/document.xml).
func (a *archive) mainPart() string {
	b, err := a.read("[Content_Types].xml", false)
	if err != nil || b == nil {
		return ""
	}
	for _, m := range reOverride.FindAllSubmatch(b, -1) {
		if bytes.Contains(m[0], []byte("wordprocessingml.document.main+xml")) ||
			bytes.Contains(m[0], []byte("wordprocessingml.template.main+xml")) {
			return strings.TrimPrefix(string(m[1]), "/")
		}
	}
	return ""
}

// read returns the uncompressed bytes of one part, nil when absent (an error when required). The
// declared sizes are not trusted: reading stops at the limits.
func (a *archive) read(name string, required bool) ([]byte, error) {
	f := a.file(name)
	if f == nil {
		if required {
			return nil, refuse(CodeCorrupt, "missing part %s", name)
		}
		return nil, nil
	}
	if f.Flags&0x1 != 0 {
		return nil, refuse(CodeEncrypted, "part %s is encrypted", name)
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, refuse(CodeCorrupt, "part %s: compression method %d", name, f.Method)
	}
	budget := min(a.lim.MaxEntry, a.lim.MaxTotal-a.total)
	// The size a part declares bounds what it inflates to (archive/zip fails a part that inflates
	// past it), so a part that declares more than the budget, or a ratio past the limit, is refused
	// before a byte is inflated: a bomb costs nothing, where reading it to the limit took a few
	// hundred megabytes, more than the tools profile's child has beside its programs.
	declared := f.UncompressedSize64
	if declared > uint64(budget) {
		return nil, refuse(CodeTooComplex, "part %s declares %d bytes, past %d", name, declared, budget)
	}
	if comp := f.CompressedSize64; declared > 4<<20 && (comp == 0 || declared/max(comp, 1) > uint64(a.lim.MaxRatio)) {
		return nil, refuse(CodeTooComplex, "part %s: declared compression ratio %d:1 (limit %d:1)", name, declared/max(comp, 1), a.lim.MaxRatio)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, refuse(CodeCorrupt, "open %s: %v", name, err)
	}
	defer rc.Close()
	b, err := readSized(io.LimitReader(rc, budget+1), int(declared)+1)
	n := int64(len(b))
	a.total += n
	if n > budget {
		return nil, refuse(CodeTooComplex, "part %s inflates past %d bytes (%d read in all)", name, budget, a.total)
	}
	if err != nil {
		return nil, refuse(CodeCorrupt, "inflate %s: %v", name, err)
	}
	if comp := int64(f.CompressedSize64); n > 4<<20 && (comp == 0 || n/max(comp, 1) > a.lim.MaxRatio) {
		return nil, refuse(CodeTooComplex, "part %s: compression ratio %d:1 (limit %d:1)", name, n/max(comp, 1), a.lim.MaxRatio)
	}
	return b, nil
}

// readSized reads r to its end into a buffer of the expected size, grown only if r holds more:
// io.Copy into a bytes.Buffer doubles it near the end, twice the memory for a large part.
func readSized(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, max(size, 512))
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// names lists the parts whose name matches.
func (a *archive) names(match func(string) bool) []string {
	var out []string
	for _, f := range a.zr.File {
		if match(f.Name) {
			out = append(out, f.Name)
		}
	}
	slices.Sort(out)
	return out
}

// document is what the readers build: blocks in the order they are shown, and fonts.
type document struct {
	format  string
	headers []block
	body    []block
	notes   []block
	footers []block
	pages   int // recorded by the application, 0 when unknown
	breaks  int // explicit page breaks
	fonts   map[string]int
	// legacyText is, per font whose name says it is legacy, the text of its runs (up to 1 MiB).
	legacyText map[string]*strings.Builder
}

// block is a paragraph (lines) or a table (rows of cells, each cell blocks).
type block struct {
	lines []line
	rows  [][][]block
}

// line is the runs of one line of a paragraph, as stored (legacy runs not yet converted).
type line []run

type run struct{ font, text string }

// render lays blocks out as lines: a table's row puts its cells' lines side by side. Runs in the
// fonts of conv are converted from their legacy encoding.
func render(bs []block, conv map[string]vnenc.Font) []string {
	var out []string
	for _, b := range bs {
		if b.rows == nil {
			for _, l := range b.lines {
				var s strings.Builder
				for _, r := range l {
					if f, ok := conv[r.font]; ok {
						s.WriteString(vnenc.DecodeText(f, r.text))
					} else {
						s.WriteString(r.text)
					}
				}
				out = append(out, s.String())
			}
			continue
		}
		for _, row := range b.rows {
			var cells [][]string
			n := 0
			for _, c := range row {
				ls := render(c, conv)
				// Paragraphs left empty for spacing keep the cells aligned; trailing ones do not.
				for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
					ls = ls[:len(ls)-1]
				}
				cells = append(cells, ls)
				n = max(n, len(ls))
			}
			for i := range n {
				var parts []string
				for _, c := range cells {
					if i < len(c) && strings.TrimSpace(c[i]) != "" {
						parts = append(parts, c[i])
					}
				}
				out = append(out, strings.Join(parts, " "))
			}
		}
	}
	return out
}

func (d *document) result(lim Limits) (Result, error) {
	conv := d.legacyFonts()
	var lines []string
	for _, part := range [][]block{d.headers, d.body, d.notes, d.footers} {
		for _, l := range render(part, conv) {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				lines = append(lines, l)
			}
		}
	}
	text := strings.Join(lines, "\n")
	if len(text) > lim.MaxText {
		return Result{}, refuse(CodeTooComplex, "%d bytes of text (limit %d)", len(text), lim.MaxText)
	}
	res := Result{Format: d.format}
	for _, f := range conv {
		res.Legacy = f.Encoding
	}
	if res.Legacy == vnenc.None {
		// No font said so; the characters may (a legacy run in a font we do not know).
		text, res.Legacy = vnenc.Fix(text)
	}
	res.Text = norm.NFC.String(text)
	if strings.TrimSpace(res.Text) == "" {
		return Result{}, refuse(CodeEmpty, "no text in the document")
	}
	res.Pages = d.pages
	if res.Pages <= 0 {
		res.Pages = 1 + d.breaks
	}
	for name, n := range d.fonts {
		res.Fonts = append(res.Fonts, FontUse{Name: name, Chars: n})
	}
	slices.SortFunc(res.Fonts, func(a, b FontUse) int {
		if a.Chars != b.Chars {
			return b.Chars - a.Chars
		}
		return strings.Compare(a.Name, b.Name)
	})
	return res, nil
}

// addRun records a run of text in a font.
func (d *document) addRun(font, text string) run {
	if d.fonts == nil {
		d.fonts = map[string]int{}
	}
	if font != "" && text != "" {
		d.fonts[font] += len([]rune(text))
		if f := vnenc.FontEncoding(font); f.Encoding != vnenc.None {
			if d.legacyText == nil {
				d.legacyText = map[string]*strings.Builder{}
			}
			if d.legacyText[font] == nil {
				d.legacyText[font] = &strings.Builder{}
			}
			if b := d.legacyText[font]; b.Len() < 1<<20 {
				b.WriteString(text)
				b.WriteByte(' ')
			}
		}
	}
	return run{font: font, text: text}
}

// legacyFonts decides which legacy fonts really hold legacy text: those whose runs read better
// converted. A document made from an old template may set Unicode text in ".VnTime", which
// displays through font fallback; converting it would garble it.
func (d *document) legacyFonts() map[string]vnenc.Font {
	conv := map[string]vnenc.Font{}
	for font, b := range d.legacyText {
		f := vnenc.FontEncoding(font)
		before, n := vnenc.Score(b.String())
		after, _ := vnenc.Score(vnenc.DecodeText(f, b.String()))
		if n == 0 || after > before {
			conv[font] = f
		}
	}
	return conv
}
