package scanfixture

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/ingest/extcmd"
)

// PagePDF sets text on A4 pages in Liberation Serif 13 pt, the way an office document prints:
// lines in capitals bold and centred, "> " lines right-aligned, other lines justified. Lines
// with a tab become two columns (a signature row).
func PagePDF(text string) ([]byte, error) {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
	fixed := time.Date(2028, 11, 20, 9, 0, 0, 0, time.UTC)
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.SetCatalogSort(true)
	pdf.SetMargins(25, 20, 18)
	pdf.AddPage()
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(l) == "":
			pdf.Ln(4)
		case l == "\f":
			pdf.AddPage()
		case strings.Contains(l, "\t"):
			cols := strings.SplitN(l, "\t", 2)
			bold := ""
			if isCaps(l) {
				bold = "B"
			}
			pdf.SetFont("serif", bold, 12)
			pdf.CellFormat(80, 6, cols[0], "", 0, "C", false, 0, "")
			pdf.CellFormat(0, 6, cols[1], "", 1, "C", false, 0, "")
		case strings.HasPrefix(l, "> "):
			pdf.SetFont("serif", "", 13)
			pdf.CellFormat(0, 7, l[2:], "", 1, "R", false, 0, "")
		case isCaps(l):
			pdf.SetFont("serif", "B", 13)
			pdf.MultiCell(0, 7, l, "", "C", false)
		default:
			pdf.SetFont("serif", "", 13)
			pdf.MultiCell(0, 7, l, "", "J", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isCaps(s string) bool {
	up, low := 0, 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r > 0x7F && strings.ToUpper(string(r)) != string(r):
			low++
		case r >= 'A' && r <= 'Z', r > 0x7F && strings.ToLower(string(r)) != string(r):
			up++
		}
	}
	return up > 0 && low*10 < up
}

// Rasterize renders page 1 of a PDF with poppler's pdftoppm (path given) at dpi, in grey.
func Rasterize(pdftoppm string, pdf []byte, dpi int) (image.Image, error) {
	dir, err := os.MkdirTemp("", "scanfixture-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	if _, err := (extcmd.Cmd{Path: pdftoppm, Args: []string{"-r", fmt.Sprint(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", in, filepath.Join(dir, "out")},
		Dir: dir, Timeout: time.Minute}).Run(context.Background()); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.png"))
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(b))
}

// ImagePDF is a one-page A4 PDF whose page is the image alone (a scanner's PDF, no text layer).
func ImagePDF(img image.Image) ([]byte, error) {
	b, err := JPEG(img, 85)
	if err != nil {
		return nil, err
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	fixed := time.Date(2028, 11, 20, 9, 0, 0, 0, time.UTC)
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.AddPage()
	pdf.RegisterImageOptionsReader("scan", gofpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(b))
	pdf.ImageOptions("scan", 0, 0, 210, 297, false, gofpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CER is the character error rate of got against want: the edit distance between the two, over
// the length of want, after collapsing white space (line breaks and spacing are layout, not
// characters).
func CER(want, got string) float64 {
	w := []rune(strings.Join(strings.Fields(want), " "))
	g := []rune(strings.Join(strings.Fields(got), " "))
	if len(w) == 0 {
		return 0
	}
	prev := make([]int, len(g)+1)
	cur := make([]int, len(g)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(w); i++ {
		cur[0] = i
		for j := 1; j <= len(g); j++ {
			cost := 1
			if w[i-1] == g[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(g)]) / float64(len(w))
}
