package pdftext_test

import (
	"bytes"
	"os"
	"testing"

	"tinnhiem/ingest/pdftext"
)

// bigPDF renders the self-assessment source repeat times with gofpdf:
// 242 repeats make a document of just over 300 pages.
func bigPDF(t testing.TB, repeat int) []byte {
	src, err := os.ReadFile("testdata/src/bao-cao-tu-danh-gia.txt")
	if err != nil {
		t.Fatal(err)
	}
	return renderMarkup(t, string(src), repeat)
}

func BenchmarkExtract(b *testing.B) {
	cases := []struct {
		name string
		pdf  []byte
	}{
		{"lo-ke-khai-tai-san", fixture(&testing.T{}, "lo-ke-khai-tai-san.pdf")},
		{"gofpdf-300-pages", bigPDF(b, 242)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.pdf)))
			pages := 0
			for b.Loop() {
				res, err := pdftext.Extract(bytes.NewReader(c.pdf), int64(len(c.pdf)), pdftext.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				pages += res.Pages
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkExtract300Pages reads a PDF of more than 300 pages in process; -benchmem
// gives what it allocates (the sandbox's children bound their resident memory).
func BenchmarkExtract300Pages(b *testing.B) {
	pdf := bigPDF(b, 242)
	for b.Loop() {
		res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
		if err != nil || res.Pages < 300 {
			b.Fatalf("%v, %d pages", err, res.Pages)
		}
	}
}

// BenchmarkRefuseFanOut measures how long a 3.5 KB file whose forms fan out
// eight-fold, eight levels deep (16 million forms if drawn), takes to be
// refused by the work budget: far under the two seconds the sandbox allows.
func BenchmarkRefuseFanOut(b *testing.B) {
	pdf := fanOut(8, 8, show("(leaf)"))
	for b.Loop() {
		_, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
		if pdftext.Code(err) != pdftext.CodeTooComplex {
			b.Fatalf("err %v, want too_complex", err)
		}
	}
}
