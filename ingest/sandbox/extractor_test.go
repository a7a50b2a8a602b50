package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/reader"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/docfixture"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/internal/scanfixture"
)

// needTools fails when Tesseract or LibreOffice is missing (.ci/run installs them): the tools
// profile is tested for real.
func needTools(t *testing.T) {
	t.Helper()
	if ok, pkgs := ocr.DefaultTools().Available(); !ok {
		t.Fatalf("OCR programs missing: install %s", pkgs)
	}
	if !convert.Default().Available() {
		t.Fatal("soffice missing: install libreoffice-writer-nogui")
	}
}

func extractor(t *testing.T, cfg sandbox.Config) *sandbox.Extractor {
	t.Helper()
	cfg.Exe, cfg.TempDir = os.Args[0], t.TempDir()
	ex := sandbox.New(cfg)
	t.Cleanup(func() { ex.Close() })
	return ex
}

const letter = "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phan Thị Thu Trang\nVề phẩm chất chính trị, đạo đức, lối sống."

// rtf writes Vietnamese text as RTF, each letter outside ASCII as a \u escape, as Word does.
func rtf(text string) []byte {
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\ansicpg1258\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs28 `)
	for _, r := range text {
		switch {
		case r == '\n':
			b.WriteString(`\par `)
		case r < 0x80:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u%d?`, int16(r))
		}
	}
	b.WriteString(`}`)
	return []byte(b.String())
}

type sample struct {
	name   string
	data   []byte
	format string
}

// samples are made once per test binary: rendering and degrading pages is slow under -race.
var samples = func() func(t *testing.T) []sample {
	var once sync.Once
	var made []sample
	var err error
	return func(t *testing.T) []sample {
		t.Helper()
		once.Do(func() { made, err = makeSamples() })
		if err != nil {
			t.Fatal(err)
		}
		return made
	}
}()

func makeSamples() ([]sample, error) {
	docx, err := docfixture.Doc{Body: docfixture.Paras("", letter)}.DOCX()
	if err != nil {
		return nil, err
	}
	odt, err := docfixture.Doc{Body: docfixture.Paras("", letter)}.ODT()
	if err != nil {
		return nil, err
	}
	page, err := scanfixture.PagePDF(letter)
	if err != nil {
		return nil, err
	}
	img, err := scanfixture.Rasterize(ocr.DefaultTools().PDFToPPM, page, 200)
	if err != nil {
		return nil, err
	}
	scan, err := scanfixture.ImagePDF(img)
	if err != nil {
		return nil, err
	}
	photo, err := scanfixture.JPEG(scanfixture.Degrade(img, scanfixture.Options{Degrees: -1.5, Lighting: 0.2, Seed: 2}), 85)
	if err != nil {
		return nil, err
	}
	png, err := scanfixture.PNG(img)
	if err != nil {
		return nil, err
	}
	return []sample{
		{"text.pdf", page, reader.FormatPDF},
		{"scan.pdf", scan, reader.FormatPDF},
		{"letter.docx", docx, reader.FormatDOCX},
		{"letter.odt", odt, reader.FormatODT},
		{"letter.rtf", rtf(letter), reader.FormatRTF},
		{"photo.jpg", photo, reader.FormatJPEG},
		{"page.png", png, reader.FormatPNG},
	}, nil
}

// Every format is read in the sandbox: PDF text in the text profile, scans, photos and
// LibreOffice in the tools profile; a Word file comes back with its PDF rendering.
func TestExtractorEveryFormat(t *testing.T) {
	needTools(t)
	ex := extractor(t, sandbox.Config{Size: 1})
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			start := time.Now()
			out, err := ex.Read(context.Background(), writeFile(t, s.name, s.data))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: code %q ocr %v (%.2f) rendering %d bytes, %v", s.name, out.Code, out.OCR, out.OCRConfidence, len(out.Rendering), time.Since(start).Round(time.Millisecond))
			if out.Code != "" || out.Format != s.format {
				t.Fatalf("format %s code %q (%s)", out.Format, out.Code, out.Detail)
			}
			if !strings.Contains(out.Text, "Phan Thị Thu Trang") {
				t.Errorf("text %q", out.Text)
			}
			scanned := s.name == "scan.pdf" || s.format == reader.FormatJPEG || s.format == reader.FormatPNG
			if out.OCR != scanned {
				t.Errorf("ocr %v", out.OCR)
			}
			rendered := s.format == reader.FormatDOCX || s.format == reader.FormatODT || s.format == reader.FormatRTF
			if rendered != (len(out.Rendering) > 0) {
				t.Errorf("rendering of %d bytes", len(out.Rendering))
			}
			if rendered {
				r, err := pdftext.Extract(bytes.NewReader(out.Rendering), int64(len(out.Rendering)), pdftext.Limits{})
				if err != nil || !strings.Contains(r.Text, "Phan Thị Thu Trang") {
					t.Errorf("the rendering: %v %q", err, r.Text)
				}
			}
			if scanned {
				return // OCR once is enough for the test's time
			}
			// The same bytes held in memory (how the worker hands a small upload over) read
			// the same.
			mem, err := ex.ReadBytes(context.Background(), s.data)
			if err != nil {
				t.Fatal(err)
			}
			if mem.Text != out.Text || mem.Format != out.Format || mem.Code != out.Code || mem.OCR != out.OCR || (len(mem.Rendering) > 0) != rendered {
				t.Errorf("from memory: format %s code %q ocr %v rendering %d bytes, text %q", mem.Format, mem.Code, mem.OCR, len(mem.Rendering), mem.Text)
			}
		})
	}
}

// Without OCR or LibreOffice the server still reads what Go reads, and says what to install for
// the rest — never a crash.
func TestExtractorWithoutTools(t *testing.T) {
	ex := extractor(t, sandbox.Config{NoTools: true})
	for _, s := range samples(t) {
		out, err := ex.Read(context.Background(), writeFile(t, s.name, s.data))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := ""
		switch s.format {
		case reader.FormatRTF, reader.FormatJPEG, reader.FormatPNG:
			want = reader.CodeUnsupportedFormat
		}
		if s.name == "scan.pdf" {
			want = pdftext.CodeNoTextLayer
		}
		if out.Code != want || out.OCR || len(out.Rendering) > 0 {
			t.Errorf("%s: code %q (%s), want %q", s.name, out.Code, out.Detail, want)
		}
		if want == reader.CodeUnsupportedFormat {
			msg := reader.Message(out.Code, out.Format)
			if !strings.Contains(msg, "tesseract-ocr") && !strings.Contains(msg, "libreoffice-writer-nogui") {
				t.Errorf("%s: message %q names no package", s.name, msg)
			}
		}
	}
}

// Broken and hostile files are a verdict of their own whatever the route (the pool's tests make
// the children die and overrun).
func TestExtractorHostile(t *testing.T) {
	ex := extractor(t, sandbox.Config{Text: sandbox.Profile{Timeout: 2 * time.Second}})
	out, err := ex.Read(context.Background(), writeFile(t, "loop.pdf", pdffixture.EndlessLoop()))
	if err != nil || out.Code != pdftext.CodeCorrupt {
		t.Errorf("%v %s", err, out.Code)
	}
	out, err = ex.Read(context.Background(), writeFile(t, "x.pdf", []byte("<html>không phải PDF</html>")))
	if err != nil || out.Code != pdftext.CodeNotPDF {
		t.Errorf("%v %s", err, out.Code)
	}
}

// A child that gives no answer (here: out of time) leaves the verdict the format told from the
// file's bytes, so that the staff's message names a Word file as one.
func TestExtractorNoAnswerKeepsFormat(t *testing.T) {
	ex := extractor(t, sandbox.Config{NoTools: true, Text: sandbox.Profile{Timeout: time.Nanosecond}})
	docx, err := docfixture.Doc{Body: docfixture.Paras("", "Báo cáo tự kiểm điểm")}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	out, err := ex.Read(context.Background(), writeFile(t, "a.docx", docx))
	if err != nil || out.Code != pdftext.CodeTooComplex || out.Format != reader.FormatDOCX {
		t.Fatalf("%v: code %q format %q, want too_complex docx", err, out.Code, out.Format)
	}
	if msg := reader.Message(out.Code, out.Format); !strings.HasPrefix(msg, "Tệp văn bản (Word/OpenDocument)") {
		t.Errorf("message %q", msg)
	}
}
