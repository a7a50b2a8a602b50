package pdftext_test

import (
	"bytes"

	"encoding/json"
	"os"
	"os/exec"
	"syscall"
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

// TestChildMemory300Pages runs the child on a 300-page PDF and reads its peak
// resident set from the kernel.
func TestChildMemory300Pages(t *testing.T) {
	pdf := bigPDF(t, 242)
	path := writeTemp(t, "big.pdf", pdf)
	cmd := exec.Command(os.Args[0], childArg, "extract", "--json", "--mem-limit", "1073741824", path)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
	var res pdftext.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Pages < 300 {
		t.Fatalf("%d pages, want at least 300", res.Pages)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	t.Logf("%d pages, %d KiB of PDF, %d characters of text: child peak RSS %d MiB", res.Pages, len(pdf)>>10, len([]rune(res.Text)), rss>>20)
	if limit := int64(maxChildRSS); rss > limit {
		t.Errorf("peak RSS %d MiB, want under %d MiB", rss>>20, limit>>20)
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
