package ingest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/internal/pdffixture"
)

// textPDF renders text as a PDF with an embedded Vietnamese font, the way gofpdf-based tools
// (and our own minutes) write: an Identity-H font with a ToUnicode CMap.
func textPDF(t testing.TB, text string) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	pdf.SetCatalogSort(true)
	pdf.AddPage()
	for i, para := range strings.Split(text, "\n") {
		if i < 3 {
			pdf.SetFont("serif", "B", 13)
		} else {
			pdf.SetFont("serif", "", 12)
		}
		if strings.TrimSpace(para) == "" {
			pdf.Ln(4)
			continue
		}
		pdf.MultiCell(0, 6, para, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pagesPDF makes a PDF of n pages with a line of text each.
func pagesPDF(t testing.TB, n int) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.SetFont("serif", "", 12)
	pdf.SetCreationDate(fixedDate)
	for i := 1; i <= n; i++ {
		pdf.AddPage()
		pdf.MultiCell(0, 6, fmt.Sprintf("Trang %d. Báo cáo tự đánh giá của đồng chí Trần Quốc Hùng: phẩm chất chính trị, đạo đức, lối sống; ý thức tổ chức kỷ luật.", i), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scanPDF is a page with only drawing on it, like a scan without a text layer.
func scanPDF(t testing.TB) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(fixedDate)
	pdf.AddPage()
	pdf.SetFillColor(200, 200, 200)
	pdf.Rect(20, 20, 170, 250, "F")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombPDF has one content stream that inflates to n bytes of blanks.
func bombPDF(n int) []byte { return pdffixture.Bomb(n, []byte(" ")) }

// cyclePDF has a page tree whose node lists itself among its kids.
func cyclePDF() []byte {
	return pdffixture.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	)
}

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
