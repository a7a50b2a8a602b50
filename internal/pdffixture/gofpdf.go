package pdffixture

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"
)

// FixedDate is the creation date of every generated PDF, so that the same text makes the same bytes.
var FixedDate = time.Date(2028, 11, 1, 8, 0, 0, 0, time.UTC)

// Text renders text as a PDF with an embedded Vietnamese font, the way gofpdf-based tools
// (and our own minutes) write: an Identity-H font with a ToUnicode CMap.
func Text(t testing.TB, text string) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
	pdf.SetCreationDate(FixedDate)
	pdf.SetModificationDate(FixedDate)
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

// Pages makes a PDF of n pages with a line of text each.
func Pages(t testing.TB, n int) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.SetFont("serif", "", 12)
	pdf.SetCreationDate(FixedDate)
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

// Scan is a page with only drawing on it, like a scan without a text layer.
func Scan(t testing.TB) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(FixedDate)
	pdf.AddPage()
	pdf.SetFillColor(200, 200, 200)
	pdf.Rect(20, 20, 170, 250, "F")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Cycle has a page tree whose node lists itself among its kids.
func Cycle() []byte {
	return Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	)
}

// PNGHeader is the start of a PNG image: a file that is no PDF.
var PNGHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
