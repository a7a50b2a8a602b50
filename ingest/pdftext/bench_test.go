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
