// Package ocr reads scans and photos of paper documents with Tesseract 5 and its Vietnamese
// model: JPEG, PNG and TIFF images, and the pages of a PDF that have no text layer (rasterised
// with poppler's pdftoppm). Every program runs by absolute path with only the environment it
// needs, a time limit per page and in a process group killed at that limit (see ingest/extcmd),
// so that a sandboxed child may run it; oversized images are refused too_complex. Tesseract's
// automatic page segmentation with orientation and script detection (--psm 1) turns rotated
// pages upright and follows skewed lines; local (Sauvola) thresholding copes with the uneven
// light of photos. The text comes out NFC with its mean word confidence.
package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for DecodeConfig and scaling
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/tiff"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/extcmd"
	"tinnhiem/ingest/refusal"
)

// Reason codes, spelt as ingest/pdftext's.
const (
	CodeCorrupt     = "corrupt"
	CodeTooComplex  = "too_complex"
	CodeUnsupported = "unsupported_format"
)

// Error is a refusal of one file with a reason code (package refusal).
type Error = refusal.Error

// Code returns the reason code of err, or "".
func Code(err error) string { return refusal.Code(err) }

// ErrToolMissing is wrapped by the error of a run whose program is not installed.
var ErrToolMissing = errors.New("ocr: program not installed")

// Tools are the programs OCR runs, by absolute path.
type Tools struct {
	Tesseract string // e.g. /usr/bin/tesseract
	PDFToPPM  string // e.g. /usr/bin/pdftoppm
	// Tessdata is TESSDATA_PREFIX, the directory of the models; "" lets tesseract use its own.
	Tessdata string
	Lang     string // tesseract language, default "vie"
}

// DefaultTools are Debian's paths (packages tesseract-ocr, tesseract-ocr-vie, poppler-utils).
func DefaultTools() Tools {
	return Tools{Tesseract: "/usr/bin/tesseract", PDFToPPM: "/usr/bin/pdftoppm", Lang: "vie"}
}

// Available reports whether both programs and the language model are there, and if not which
// Debian packages to install.
func (t Tools) Available() (bool, string) {
	var missing []string
	if st, err := os.Stat(t.Tesseract); t.Tesseract == "" || err != nil || st.IsDir() {
		missing = append(missing, "tesseract-ocr", "tesseract-ocr-"+t.lang())
	} else if !t.hasModel() {
		missing = append(missing, "tesseract-ocr-"+t.lang())
	}
	if st, err := os.Stat(t.PDFToPPM); t.PDFToPPM == "" || err != nil || st.IsDir() {
		missing = append(missing, "poppler-utils")
	}
	return len(missing) == 0, strings.Join(missing, " ")
}

func (t Tools) lang() string {
	if t.Lang == "" {
		return "vie"
	}
	return t.Lang
}

// hasModel looks for the language model where tesseract would.
func (t Tools) hasModel() bool {
	dirs := []string{t.Tessdata}
	if t.Tessdata == "" {
		dirs, _ = filepath.Glob("/usr/share/tesseract-ocr/*/tessdata")
		dirs = append(dirs, "/usr/share/tessdata", "/usr/local/share/tessdata")
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, t.lang()+".traineddata")); err == nil {
			return true
		}
	}
	return false
}

// Limits bound the work on one file. Zero fields take the defaults.
type Limits struct {
	MaxPixels   int64         // pixels of one image, default 40 million; more is too_complex
	PageTimeout time.Duration // wall clock per page for rasterising and for OCR each, default 60 s
	MaxPages    int           // pages read, default 30; more is too_complex
	// MaxSide is the longest side in pixels a PDF page is rasterised to, and an image larger
	// than it is brought down to, default 3508 (A4 at 300 dpi): small pages come out sharper,
	// huge ones no larger.
	MaxSide int
	// MinSide: an image whose longest side is shorter is enlarged to it first, default 2000 (a
	// photo sent at low resolution; Tesseract wants capitals some 30 pixels high).
	MinSide int
}

// Default limits.
const (
	DefaultMaxPixels   = 40_000_000
	DefaultPageTimeout = 60 * time.Second
	DefaultMaxPages    = 30
	DefaultMaxSide     = 3508
	DefaultMinSide     = 2000
)

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.PageTimeout <= 0 {
		l.PageTimeout = DefaultPageTimeout
	}
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MinSide <= 0 {
		l.MinSide = DefaultMinSide
	}
	return l
}

// Page is the text of one page.
type Page struct {
	Text       string  `json:"text"`       // lines joined by "\n", single spaces, NFC
	Confidence float64 `json:"confidence"` // mean word confidence, 0–100; 0 with no words
	Words      int     `json:"words"`
}

// Result is the text of a document read by OCR.
type Result struct {
	Pages      []Page  `json:"pages"`
	Confidence float64 `json:"confidence"` // mean word confidence over all pages, 0–100
	Words      int     `json:"words"`
}

// Text joins the pages with sep (pdftext.PageSeparator for a PDF's).
func (r Result) Text(sep string) string {
	var ps []string
	for _, p := range r.Pages {
		ps = append(ps, p.Text)
	}
	return strings.Join(ps, sep)
}

func (r *Result) add(ps []Page) {
	total := r.Confidence * float64(r.Words)
	for _, p := range ps {
		r.Pages = append(r.Pages, p)
		total += p.Confidence * float64(p.Words)
		r.Words += p.Words
	}
	if r.Words > 0 {
		r.Confidence = total / float64(r.Words)
	}
}

// Image reads an image file (JPEG, PNG or TIFF; a multi-page TIFF gives a page each). workDir
// is a private directory for the files it writes.
func (t Tools) Image(ctx context.Context, path, workDir string, lim Limits) (Result, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("ocr: %w", err)
	}
	cfg, format, err := image.DecodeConfig(f)
	f.Close()
	if err != nil {
		return Result{}, &Error{Code: CodeCorrupt, Err: fmt.Errorf("image header: %w", err)}
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if px > lim.MaxPixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return Result{}, &Error{Code: CodeTooComplex, Err: fmt.Errorf("%s image of %d×%d pixels (limit %d pixels)", format, cfg.Width, cfg.Height, lim.MaxPixels)}
	}
	in := path
	if side := max(cfg.Width, cfg.Height); format != "tiff" && (side < lim.MinSide || side > lim.MaxSide) {
		// A photo sent small is enlarged for Tesseract; one larger than a page at 300 dpi is
		// brought down to it, which bounds Tesseract's memory (160–180 MB for an A4 page at
		// 300 dpi, several times that for a 40-megapixel photo) and loses nothing it can read.
		target := lim.MinSide
		if side > lim.MaxSide {
			target = lim.MaxSide
		}
		if in, err = rescale(path, workDir, target); err != nil {
			return Result{}, err
		}
	}
	pages, err := t.recognize(ctx, in, workDir, lim)
	if err != nil {
		return Result{}, err
	}
	if len(pages) > lim.MaxPages {
		return Result{}, &Error{Code: CodeTooComplex, Err: fmt.Errorf("%d pages (limit %d)", len(pages), lim.MaxPages)}
	}
	if len(pages) == 0 {
		pages = []Page{{}}
	}
	var res Result
	res.add(pages)
	return res, nil
}

// rescale scales an image so that its longest side is side pixels, as a grey PNG in workDir.
func rescale(path, workDir string, side int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("ocr: %w", err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return "", &Error{Code: CodeCorrupt, Err: fmt.Errorf("decode image: %w", err)}
	}
	b := src.Bounds()
	k := float64(side) / float64(max(b.Dx(), b.Dy()))
	dst := image.NewGray(image.Rect(0, 0, max(1, int(float64(b.Dx())*k)), max(1, int(float64(b.Dy())*k))))
	if k > 1 {
		// Enlarging a small photo: Catmull-Rom keeps the strokes sharp. Its intermediate buffer
		// (32 bytes per destination column and source row) stays small for a small source.
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	} else {
		shrink(dst, src)
	}
	out := filepath.Join(workDir, "rescaled.png")
	var buf bytes.Buffer
	if err := encodePNG(&buf, dst); err != nil {
		return "", fmt.Errorf("ocr: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("ocr: %w", err)
	}
	return out, nil
}

// shrink brings src down to dst's size in grey: halved by 2×2 averages while it is at least
// twice as large, then bilinear. Catmull-Rom here would hold a buffer of 32 bytes per destination
// column and source row — 285 MB for a 9-megapixel page — beside Tesseract; x/image/draw's
// bilinear scaler allocates for each pixel of a grey image.
func shrink(dst *image.Gray, src image.Image) {
	g := grey(src)
	for g.Rect.Dx() >= 2*dst.Rect.Dx() && g.Rect.Dy() >= 2*dst.Rect.Dy() {
		g = halve(g)
	}
	bilinear(dst, g)
}

// grey gives src as a grey image at the origin: a JPEG's luma plane as it is, anything else
// converted.
func grey(src image.Image) *image.Gray {
	b := src.Bounds()
	switch s := src.(type) {
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return s
		}
	case *image.YCbCr:
		g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], s.Y[s.YOffset(b.Min.X, b.Min.Y+y):])
		}
		return g
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, src, b.Min, draw.Src)
	return g
}

// halve averages each 2×2 block of g.
func halve(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx()/2, g.Rect.Dy()/2
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		r0 := g.Pix[2*y*g.Stride:]
		r1 := g.Pix[(2*y+1)*g.Stride:]
		o := out.Pix[y*out.Stride:]
		for x := range w {
			o[x] = uint8((int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1]) + 2) / 4)
		}
	}
	return out
}

// bilinear samples src (at the origin) onto dst, pixel centres to pixel centres.
func bilinear(dst, src *image.Gray) {
	sw, sh, dw, dh := src.Rect.Dx(), src.Rect.Dy(), dst.Rect.Dx(), dst.Rect.Dy()
	if sw == 0 || sh == 0 {
		return
	}
	kx, ky := float64(sw)/float64(dw), float64(sh)/float64(dh)
	at := func(d, k float64, n int) (int, int, float64) {
		f := max((d+0.5)*k-0.5, 0)
		i := min(int(f), n-1)
		return i, min(i+1, n-1), f - float64(i)
	}
	for y := range dh {
		y0, y1, wy := at(float64(y), ky, sh)
		r0, r1 := src.Pix[y0*src.Stride:], src.Pix[y1*src.Stride:]
		o := dst.Pix[y*dst.Stride:]
		for x := range dw {
			x0, x1, wx := at(float64(x), kx, sw)
			top := float64(r0[x0])*(1-wx) + float64(r0[x1])*wx
			bottom := float64(r1[x0])*(1-wx) + float64(r1[x1])*wx
			o[x] = uint8(top*(1-wy) + bottom*wy + 0.5)
		}
	}
}

func encodePNG(buf *bytes.Buffer, img image.Image) error {
	return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(buf, img)
}

// PDF reads the given pages (1-based) of a PDF by rasterising each with pdftoppm.
func (t Tools) PDF(ctx context.Context, path string, pages []int, workDir string, lim Limits) (Result, error) {
	lim = lim.withDefaults()
	if len(pages) > lim.MaxPages {
		return Result{}, &Error{Code: CodeTooComplex, Err: fmt.Errorf("%d pages to read by OCR (limit %d)", len(pages), lim.MaxPages)}
	}
	if _, err := os.Stat(t.PDFToPPM); err != nil {
		return Result{}, fmt.Errorf("%w: pdftoppm (%s)", ErrToolMissing, t.PDFToPPM)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Result{}, fmt.Errorf("ocr: %w", err)
	}
	var res Result
	for _, n := range pages {
		root := filepath.Join(workDir, "page-"+strconv.Itoa(n))
		_, err := extcmd.Cmd{
			Path: t.PDFToPPM,
			Args: []string{"-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-singlefile", "-gray", "-png",
				"-scale-to", strconv.Itoa(lim.MaxSide), abs, root},
			Dir:     workDir,
			Timeout: lim.PageTimeout,
		}.Run(ctx)
		if errors.Is(err, extcmd.ErrTimeout) {
			return Result{}, &Error{Code: CodeTooComplex, Err: fmt.Errorf("rasterising page %d: %w", n, err)}
		}
		if err != nil {
			return Result{}, &Error{Code: CodeCorrupt, Err: fmt.Errorf("rasterising page %d: %w", n, err)}
		}
		ps, err := t.recognize(ctx, root+".png", workDir, lim)
		os.Remove(root + ".png")
		if err != nil {
			return Result{}, err
		}
		if len(ps) == 0 {
			ps = []Page{{}}
		}
		res.add(ps[:1])
	}
	return res, nil
}

// recognize runs tesseract on one image file and reads its TSV output, one Page per image page.
func (t Tools) recognize(ctx context.Context, in, workDir string, lim Limits) ([]Page, error) {
	if _, err := os.Stat(t.Tesseract); err != nil {
		return nil, fmt.Errorf("%w: tesseract (%s)", ErrToolMissing, t.Tesseract)
	}
	env := []string{"OMP_THREAD_LIMIT=1"}
	if t.Tessdata != "" {
		env = append(env, "TESSDATA_PREFIX="+t.Tessdata)
	}
	abs, err := filepath.Abs(in)
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	out, err := extcmd.Cmd{
		Path: t.Tesseract,
		// Sauvola's local thresholding (method 2) copes with the uneven light of phone photos,
		// where the global Otsu threshold blackens a dim corner.
		Args:    []string{abs, "stdout", "-l", t.lang(), "--psm", "1", "-c", "thresholding_method=2", "tsv"},
		Env:     env,
		Dir:     workDir,
		Timeout: lim.PageTimeout,
	}.Run(ctx)
	if errors.Is(err, extcmd.ErrTimeout) {
		return nil, &Error{Code: CodeTooComplex, Err: fmt.Errorf("tesseract: %w", err)}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &Error{Code: CodeCorrupt, Err: fmt.Errorf("tesseract: %w", err)}
	}
	return parseTSV(out), nil
}

// parseTSV reads tesseract's TSV: words (level 5) grouped into lines by page, block, paragraph
// and line number; the confidence is the mean over words that have one.
func parseTSV(b []byte) []Page {
	type key struct{ block, par, line int }
	var pages []Page
	var lines []string
	var cur []string
	var curKey key
	var sum float64
	var words int
	page := 0
	flushLine := func() {
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, " "))
			cur = nil
		}
	}
	flushPage := func() {
		flushLine()
		if page == 0 {
			return
		}
		p := Page{Text: norm.NFC.String(strings.Join(lines, "\n")), Words: words}
		if words > 0 {
			p.Confidence = sum / float64(words)
		}
		pages = append(pages, p)
		lines, sum, words = nil, 0, 0
	}
	for i, row := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimRight(row, "\r"), "\t")
		if i == 0 || len(f) < 12 || f[0] != "5" {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		if n != page {
			flushPage()
			page = n
		}
		bl, _ := strconv.Atoi(f[2])
		par, _ := strconv.Atoi(f[3])
		ln, _ := strconv.Atoi(f[4])
		if k := (key{bl, par, ln}); k != curKey {
			flushLine()
			curKey = k
		}
		text := strings.TrimSpace(f[11])
		if text == "" {
			continue
		}
		cur = append(cur, text)
		if c, err := strconv.ParseFloat(f[10], 64); err == nil && c >= 0 {
			sum += c
			words++
		}
	}
	flushPage()
	return pages
}
