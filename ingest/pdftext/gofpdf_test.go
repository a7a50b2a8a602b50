package pdftext_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifitalic"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/ingest/pdftext"
)

var generate = flag.Bool("generate", false, "rewrite the gofpdf fixtures in testdata/ (make-fixtures.sh)")

// renderMarkup lays out a small markup with gofpdf and a UTF-8 TrueType
// font, the way the minutes workers write PDFs: "# " bold centred title,
// "## " bold heading, "_…_" italic, "| a | b |" table rows, else a justified
// paragraph. repeat > 1 renders the body that many times (for benchmarks).
func renderMarkup(t testing.TB, src string, repeat int) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(time.Date(2028, 11, 20, 8, 0, 0, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2028, 11, 20, 8, 0, 0, 0, time.UTC))
	pdf.SetCatalogSort(true)
	pdf.AddUTF8FontFromBytes("Serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("Serif", "B", liberationserifbold.TTF)
	pdf.AddUTF8FontFromBytes("Serif", "I", liberationserifitalic.TTF)
	pdf.SetMargins(30, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Serif", "I", 10)
		pdf.CellFormat(0, 8, fmt.Sprintf("Trang %d/{nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	for r := 0; r < repeat; r++ {
		for _, line := range strings.Split(strings.TrimSpace(src), "\n") {
			switch {
			case strings.HasPrefix(line, "# "):
				pdf.SetFont("Serif", "B", 14)
				pdf.MultiCell(0, 7, strings.TrimPrefix(line, "# "), "", "C", false)
			case strings.HasPrefix(line, "## "):
				pdf.SetFont("Serif", "B", 13)
				pdf.MultiCell(0, 7, strings.TrimPrefix(line, "## "), "", "L", false)
			case strings.HasPrefix(line, "_") && strings.HasSuffix(line, "_"):
				pdf.SetFont("Serif", "I", 13)
				pdf.MultiCell(0, 7, strings.Trim(line, "_"), "", "R", false)
			case strings.HasPrefix(line, "|"):
				pdf.SetFont("Serif", "", 12)
				cells := strings.Split(strings.Trim(line, "| "), "|")
				widths := []float64{15, 85, 30, 30}
				for i, c := range cells {
					w := widths[min(i, len(widths)-1)]
					pdf.CellFormat(w, 8, strings.TrimSpace(c), "1", 0, "C", false, 0, "")
				}
				pdf.Ln(-1)
			default:
				pdf.SetFont("Serif", "", 13)
				pdf.MultiCell(0, 7, line, "", "J", false)
			}
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatalf("gofpdf: %v", err)
	}
	return buf.Bytes()
}

// TestGenerateFixtures rewrites the gofpdf fixtures when -generate is given
// (see testdata/make-fixtures.sh); otherwise it checks that rendering the
// sources again gives PDFs that extract to the committed golden text.
func TestGenerateFixtures(t *testing.T) {
	srcs, err := filepath.Glob("testdata/src/*.txt")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no sources: %v", err)
	}
	for _, src := range srcs {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		name := "gofpdf-" + strings.TrimSuffix(filepath.Base(src), ".txt")
		pdf := renderMarkup(t, string(data), 1)
		if *generate {
			if err := os.WriteFile(filepath.Join("testdata", name+".pdf"), pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(filepath.Join("testdata", "golden", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != string(want) {
			t.Errorf("%s rendered again: text differs from the golden file\n got: %q\nwant: %q", name, res.Text, want)
		}
	}
}
