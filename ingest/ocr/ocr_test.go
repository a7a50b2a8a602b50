package ocr_test

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/ingest/ocr"
	"tinnhiem/internal/scanfixture"
)

// needTools fails in CI when tesseract, its Vietnamese model or pdftoppm is missing (.ci/run
// installs them) and skips elsewhere.
func needTools(t testing.TB) ocr.Tools {
	t.Helper()
	tools := ocr.DefaultTools()
	if ok, pkgs := tools.Available(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("OCR tools missing: install %s", pkgs)
		}
		t.Skipf("OCR tools missing: %s", pkgs)
	}
	return tools
}

func source(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "documents", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// plain drops the layout marks of the page sources ("> " right-aligned).
func plain(src string) string {
	return strings.ReplaceAll(strings.ReplaceAll(src, "> ", ""), "\t", " ")
}

// page renders a source as a clean 300 dpi page image.
func page(t testing.TB, tools ocr.Tools, src string) image.Image {
	t.Helper()
	pdf, err := scanfixture.PagePDF(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := scanfixture.Rasterize(tools.PDFToPPM, pdf, 300)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// scanOptions is a scanner's copy: 2.5° off, dust, grey paper. photoOptions is a phone photo:
// rotated, lower resolution, a lamp's uneven light, a little out of focus, JPEG.
var (
	scanOptions  = scanfixture.Options{Degrees: 2.5, Noise: 0.003, Paper: 235, Seed: 7}
	photoOptions = scanfixture.Options{Degrees: -1.5, Noise: 0.01, Scale: 0.55, Lighting: 0.4, Paper: 225, Blur: true, Seed: 9}
)

func writeImage(t testing.TB, img image.Image, jpeg bool) string {
	t.Helper()
	var b []byte
	var err error
	name := "scan.png"
	if jpeg {
		b, err = scanfixture.JPEG(img, 80)
		name = "photo.jpg"
	} else {
		b, err = scanfixture.PNG(img)
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanAndPhoto(t *testing.T) {
	tools := needTools(t)
	for _, tt := range []struct {
		src    string
		opt    scanfixture.Options
		jpeg   bool
		maxCER float64
		name   string
	}{
		{"tu-danh-gia-p07.txt", scanOptions, false, 0.05, "Phan Thị Thu Trang"},
		{"tu-danh-gia-p10.txt", photoOptions, true, 0.10, "Hoàng Đức Long"},
	} {
		src := source(t, tt.src)
		in := writeImage(t, scanfixture.Degrade(page(t, tools, src), tt.opt), tt.jpeg)
		res, err := tools.Image(context.Background(), in, t.TempDir(), ocr.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		text := res.Text("\n")
		cer := scanfixture.CER(plain(src), text)
		t.Logf("%s: CER %.3f, confidence %.1f, %d words", tt.src, cer, res.Confidence, res.Words)
		if cer > tt.maxCER || !strings.Contains(text, tt.name) || res.Confidence < 60 || len(res.Pages) != 1 {
			t.Errorf("%s: CER %.3f, confidence %.1f, pages %d:\n%s", tt.src, cer, res.Confidence, len(res.Pages), text)
		}
	}
}

// A photo larger than a page at MaxSide is brought down to it before Tesseract reads it (its
// memory grows with the pixels), and reads as well.
func TestLargeImageScaledDown(t *testing.T) {
	tools := needTools(t)
	src := source(t, "tu-danh-gia-p07.txt")
	in := writeImage(t, scanfixture.Degrade(page(t, tools, src), scanOptions), false)
	work := t.TempDir()
	res, err := tools.Image(context.Background(), in, work, ocr.Limits{MaxSide: 2600, MinSide: 1000})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(work, "rescaled.png"))
	if err != nil {
		t.Fatalf("no rescaled image: %v", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || max(cfg.Width, cfg.Height) != 2600 {
		t.Errorf("rescaled to %dx%d (%v), want a longest side of 2600", cfg.Width, cfg.Height, err)
	}
	if cer := scanfixture.CER(plain(src), res.Text("\n")); cer > 0.05 || !strings.Contains(res.Text("\n"), "Phan Thị Thu Trang") {
		t.Errorf("CER %.3f:\n%s", cer, res.Text("\n"))
	}
}

// TestImagePDF: a scanner's PDF (the page is one image, no text) is rasterised and read.
func TestImagePDF(t *testing.T) {
	tools := needTools(t)
	src := source(t, "tu-danh-gia-p07.txt")
	pdf, err := scanfixture.ImagePDF(scanfixture.Degrade(page(t, tools, src), scanOptions))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "scan.pdf")
	os.WriteFile(p, pdf, 0o600)
	res, err := tools.PDF(context.Background(), p, []int{1}, t.TempDir(), ocr.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if cer := scanfixture.CER(plain(src), res.Text("\n")); cer > 0.05 || len(res.Pages) != 1 {
		t.Errorf("CER %.3f pages %d:\n%s", cer, len(res.Pages), res.Text("\n"))
	}
}

func TestRefusals(t *testing.T) {
	tools := needTools(t)
	dir := t.TempDir()
	// A PNG header claiming 30000×30000 pixels: refused before anything is decoded.
	ihdr := []byte("IHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x00\x00\x00\x00")
	huge := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\r"), ihdr...)
	huge = binary.BigEndian.AppendUint32(huge, crc32.ChecksumIEEE(ihdr))
	os.WriteFile(filepath.Join(dir, "huge.png"), huge, 0o600)
	if _, err := tools.Image(context.Background(), filepath.Join(dir, "huge.png"), dir, ocr.Limits{}); ocr.Code(err) != ocr.CodeTooComplex {
		t.Errorf("huge: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.jpg"), []byte("\xFF\xD8\xFF\xE0 not really"), 0o600)
	if _, err := tools.Image(context.Background(), filepath.Join(dir, "bad.jpg"), dir, ocr.Limits{}); ocr.Code(err) != ocr.CodeCorrupt {
		t.Errorf("bad: %v", err)
	}
	if _, err := tools.PDF(context.Background(), filepath.Join(dir, "x.pdf"), make([]int, 40), dir, ocr.Limits{}); ocr.Code(err) != ocr.CodeTooComplex {
		t.Errorf("pages: %v", err)
	}
	missing := ocr.Tools{Tesseract: "/nonexistent/tesseract", PDFToPPM: tools.PDFToPPM}
	if ok, pkgs := missing.Available(); ok || !strings.Contains(pkgs, "tesseract-ocr") {
		t.Errorf("available %v %q", ok, pkgs)
	}
	img := writeImage(t, scanfixture.Degrade(image.NewGray(image.Rect(0, 0, 100, 100)), scanfixture.Options{}), false)
	if _, err := missing.Image(context.Background(), img, dir, ocr.Limits{}); err == nil || ocr.Code(err) != "" {
		t.Errorf("missing tool: %v", err)
	}
}

// BenchmarkCER measures the character error rate of OCR on the test scans against their source
// text (reported as the CER metric, with the mean word confidence).
func BenchmarkCER(b *testing.B) {
	tools := needTools(b)
	for _, tt := range []struct {
		name, src string
		opt       scanfixture.Options
		jpeg      bool
	}{
		{"scan", "tu-danh-gia-p07.txt", scanOptions, false},
		{"photo", "tu-danh-gia-p10.txt", photoOptions, true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			src := source(b, tt.src)
			in := writeImage(b, scanfixture.Degrade(page(b, tools, src), tt.opt), tt.jpeg)
			var cer, conf float64
			b.ResetTimer()
			for range b.N {
				res, err := tools.Image(context.Background(), in, b.TempDir(), ocr.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				cer, conf = scanfixture.CER(plain(src), res.Text("\n")), res.Confidence
			}
			b.ReportMetric(cer*100, "CER%")
			b.ReportMetric(conf, "confidence")
		})
	}
}
