package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/reader"
)

// Config configures an Extractor.
type Config struct {
	Exe  string   // the binary whose `extract --serve` is the child, normally os.Executable()
	Args []string // arguments before "extract" (a test binary's hook)
	Size int      // children of the text profile at most (TINNHIEM_INGEST_CONCURRENCY); default 2
	// ToolsSize is how many children of the tools profile run at once
	// (TINNHIEM_OCR_CONCURRENCY); default 1. Each runs Tesseract (about 160–180 MB for an A4
	// page at 300 dpi) or LibreOffice (about 450 MB of address space): one at a time keeps a
	// server of two cores under 400 MB with its children whatever is uploaded; more read
	// scans faster on a machine with memory to spare.
	ToolsSize int
	MaxIn     int64 // largest file read; default 256 MiB
	TempDir   string
	Text      Profile // zero fields: TextProfile()'s
	Tools     Profile // zero fields: ToolsProfile()'s
	Limits    ReadOptions
	// OCR and Converter are the programs of the tools profile; zero values: Debian's paths
	// (ocr.DefaultTools, convert.Default). NoTools reads with the text profile alone, as a
	// server without those programs does.
	OCR       ocr.Tools
	Converter convert.Converter
	NoTools   bool
	Log       *slog.Logger
}

// DefaultToolsSize is the number of tools children by default: one OCR or LibreOffice at a time.
const DefaultToolsSize = 1

// Extractor reads uploaded files of every format in the two pools: the text profile for PDF
// text layers (and DOCX/ODT when LibreOffice is missing), the tools profile for OCR and
// LibreOffice. OCR never runs in the calling process.
type Extractor struct {
	cfg   Config
	text  *Pool
	tools *Pool
}

// New makes an extractor; children start when files come.
func New(cfg Config) *Extractor {
	cfg.Text.Name, cfg.Tools.Name = ProfileText, ProfileTools
	if cfg.OCR == (ocr.Tools{}) {
		cfg.OCR = ocr.DefaultTools()
	}
	if cfg.Converter == (convert.Converter{}) {
		cfg.Converter = convert.Default()
	}
	if cfg.ToolsSize <= 0 {
		cfg.ToolsSize = DefaultToolsSize
	}
	pool := func(p Profile, size int) *Pool {
		return NewPool(PoolConfig{Exe: cfg.Exe, Args: cfg.Args, Profile: p, Size: size, MaxIn: cfg.MaxIn,
			TempDir: cfg.TempDir, Tools: cfg.OCR, Soffice: cfg.Converter.Soffice, Log: cfg.Log})
	}
	return &Extractor{cfg: cfg, text: pool(cfg.Text, cfg.Size), tools: pool(cfg.Tools, cfg.ToolsSize)}
}

// Close ends every child.
func (e *Extractor) Close() error {
	e.text.Close()
	e.tools.Close()
	return nil
}

// ocrReady reports whether OCR can run (tesseract, its Vietnamese model, pdftoppm).
func (e *Extractor) ocrReady() bool {
	ok, _ := e.cfg.OCR.Available()
	return ok && !e.cfg.NoTools
}

func (e *Extractor) sofficeReady() bool {
	return e.cfg.Converter.Available() && !e.cfg.NoTools
}

// Read reads the file at path, choosing the pool by its format (told from its bytes). A nil
// error means a verdict on the file (Outcome.Code "" when its text was read); an error means
// none (ctx ended, no child could start): try again later.
func (e *Extractor) Read(ctx context.Context, path string) (Outcome, error) {
	format, err := sniffFile(path)
	if err != nil {
		return Outcome{}, err
	}
	return e.readAs(ctx, input{path: path}, format)
}

// ReadBytes reads a file held in memory, as Read reads one on disk: the worker hands a small
// upload to the child straight from the store, without a temporary file to write, open twice
// and remove.
func (e *Extractor) ReadBytes(ctx context.Context, data []byte) (Outcome, error) {
	return e.readAs(ctx, input{data: data, inMemory: true}, reader.Sniff(data[:min(len(data), 1024)]))
}

func (e *Extractor) readAs(ctx context.Context, in input, format string) (Outcome, error) {
	out, err := e.read(ctx, in, format)
	if err == nil && out.Format == "" {
		// A child that died or ran out of time answered nothing of the file: its format, told
		// here from the bytes, still says which message the staff see ("Tệp văn bản … bị hỏng",
		// not the PDF one).
		out.Format = format
	}
	return out, err
}

func (e *Extractor) read(ctx context.Context, in input, format string) (Outcome, error) {
	opt := e.cfg.Limits
	switch format {
	case reader.FormatPDF:
		out, err := e.text.readInput(ctx, in, opt)
		if err != nil || len(out.Unread) == 0 || !e.ocrReady() {
			return out, err
		}
		// Pages only OCR can read: the tools profile reads the file again, text and scans.
		withOCR := opt
		withOCR.ReadOCR = true
		return e.withTools(ctx, in, withOCR, func() (Outcome, error) { return out, nil })
	case reader.FormatDOCX, reader.FormatODT:
		if !e.sofficeReady() {
			return e.text.readInput(ctx, in, opt)
		}
		rendered := opt
		rendered.Render = true
		return e.withTools(ctx, in, rendered, func() (Outcome, error) { return e.text.readInput(ctx, in, opt) })
	case reader.FormatDOC, reader.FormatRTF:
		if !e.sofficeReady() {
			return e.text.readInput(ctx, in, opt) // unsupported_format, naming LibreOffice
		}
		converted := opt
		converted.ReadOCR = e.ocrReady()
		return e.withTools(ctx, in, converted, func() (Outcome, error) { return e.text.readInput(ctx, in, opt) })
	case reader.FormatJPEG, reader.FormatPNG, reader.FormatTIFF:
		if !e.ocrReady() {
			return e.text.readInput(ctx, in, opt) // unsupported_format, naming Tesseract
		}
		scanned := opt
		scanned.ReadOCR = true
		return e.withTools(ctx, in, scanned, func() (Outcome, error) { return e.text.readInput(ctx, in, opt) })
	}
	return e.text.readInput(ctx, in, opt)
}

// withTools reads in the tools profile; when no tools child can start (no Landlock in this
// kernel, say) the file gets what the text profile says of it — its text without OCR or
// rendering, no_text_layer for a scan, unsupported_format for an image or a .doc, each kept for
// a person to review — rather than waiting for a sandbox that will not come.
func (e *Extractor) withTools(ctx context.Context, in input, opt ReadOptions, fallback func() (Outcome, error)) (Outcome, error) {
	out, err := e.tools.readInput(ctx, in, opt)
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrClosed) {
		return out, err
	}
	if e.cfg.Log != nil {
		e.cfg.Log.Warn("sandbox: the tools profile is unavailable; reading without OCR or LibreOffice", "err", err)
	}
	return fallback()
}

func sniffFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	return reader.Sniff(head[:n]), nil
}
