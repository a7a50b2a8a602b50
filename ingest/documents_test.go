package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/ingest/ocr"
	"tinnhiem/ingest/reader"
	"tinnhiem/ingest/vnenc"
	"tinnhiem/internal/docfixture"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/internal/scanfixture"
)

// The real-world documents of issue 10, made here from the sources in testdata/documents: Word
// and OpenDocument files, a scan, a phone photo and a scanner's PDF, TCVN3 files, the standard
// asset-declaration form signed by declarant and recipient, a meeting notice. Each goes through
// reader.Read (the real tools) and Decide against the blind corpus's party round; the verdicts are
// compared with testdata/documents/golden.json (-update rewrites it).

var updateGolden = flag.Bool("update", false, "rewrite testdata/documents/golden.json")

// golden is the part of a verdict the golden file fixes.
type golden struct {
	Status   string   `json:"status"`
	Kind     string   `json:"kind"`
	Nominee  string   `json:"nominee"`
	Reason   string   `json:"reason"`
	OCR      bool     `json:"ocr"`
	Warnings []string `json:"warnings"`
}

func docSource(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "documents", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(b), "\n")
}

// plainLines drops the page-layout marks of a source ("> " right-aligned, tabs between columns).
func plainLines(src string) string {
	return strings.ReplaceAll(strings.ReplaceAll(src, "> ", ""), "\t", " ")
}

// asDoc lays a source out as a word-processing document: tab lines become a borderless table of
// two cells, as signature blocks are typed.
func asDoc(src, font string) docfixture.Doc {
	d := docfixture.Doc{Font: font}
	var rows [][][]docfixture.Para
	flush := func() {
		if rows != nil {
			d.Body = append(d.Body, docfixture.Block{Table: rows})
			rows = nil
		}
	}
	for _, l := range strings.Split(src, "\n") {
		if strings.Contains(l, "\t") {
			c := strings.SplitN(l, "\t", 2)
			rows = append(rows, [][]docfixture.Para{{docfixture.P(c[0])}, {docfixture.P(c[1])}})
			continue
		}
		flush()
		p := docfixture.P(strings.TrimPrefix(l, "> "))
		d.Body = append(d.Body, docfixture.Block{Para: &p})
	}
	flush()
	return d
}

// tcvn3PDF is a PDF as Word printed documents typed in .VnTime: a simple TrueType font named
// .VnTime (.VnTimeH for lines in capitals) with WinAnsiEncoding, whose byte codes are TCVN3.
func tcvn3PDF(t testing.TB, src string) []byte {
	t.Helper()
	var content strings.Builder
	content.WriteString("BT 14 TL 60 790 Td\n")
	for _, l := range strings.Split(plainLines(src), "\n") {
		f := vnenc.Font{Encoding: vnenc.TCVN3}
		font := "/F1"
		if strings.ToUpper(l) == l {
			f.Upper, font = true, "/F2"
		}
		b, err := vnenc.Encode(f, l)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&content, "%s 11 Tf (", font)
		for _, c := range b {
			if c < 0x20 || c >= 0x7F || c == '(' || c == ')' || c == '\\' {
				fmt.Fprintf(&content, "\\%03o", c)
			} else {
				content.WriteByte(c)
			}
		}
		content.WriteString(") Tj T*\n")
	}
	content.WriteString("ET")
	widths := strings.TrimSpace(strings.Repeat("500 ", 224))
	font := func(name string) string {
		return "<< /Type /Font /Subtype /TrueType /BaseFont /" + name + " /FirstChar 32 /LastChar 255 /Widths [" + widths + "] /Encoding /WinAnsiEncoding >>"
	}
	return pdffixture.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		font(".VnTime"),
		font(".VnTimeH"),
	)
}

// rtfOf writes a source as RTF, letters outside ASCII as \u escapes, as Word does.
func rtfOf(src string) []byte {
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs26 `)
	for _, r := range plainLines(src) {
		switch {
		case r == '\n':
			b.WriteString("\\par\n")
		case r == '\\' || r == '{' || r == '}':
			b.WriteString(`\` + string(r))
		case r < 0x80:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u%d?`, int16(r))
		}
	}
	b.WriteString(`}`)
	return []byte(b.String())
}

func TestRealWorldDocuments(t *testing.T) {
	tools := ocr.DefaultTools()
	if ok, pkgs := tools.Available(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("OCR tools missing: install %s", pkgs)
		}
		t.Skipf("OCR tools missing: %s", pkgs)
	}
	rounds, _ := loadBlind(t)
	r := rounds["party"]
	dir := t.TempDir()
	write := func(name string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	render := func(src string) []byte {
		b, err := scanfixture.PagePDF(src)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	raster := func(src string) image.Image {
		img, err := scanfixture.Rasterize(tools.PDFToPPM, render(src), 300)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	p07, p10, p14 := docSource(t, "tu-danh-gia-p07.txt"), docSource(t, "tu-danh-gia-p10.txt"), docSource(t, "tu-danh-gia-p14.txt")
	form, notice := docSource(t, "ke-khai-p08.txt"), docSource(t, "thong-bao-hop.txt")

	b, err := asDoc(p07, "").DOCX()
	write("word-p07.docx", b, err)
	b, err = asDoc(p10, "").ODT()
	write("lo-p10.odt", b, err)
	b, err = asDoc(p14, ".VnTime").DOCX()
	write("tcvn3-p14.docx", b, err)
	write("tcvn3-p14.pdf", tcvn3PDF(t, p14), nil)
	write("ke-khai-p08.pdf", render(form), nil)
	b, err = asDoc(form, "").DOCX()
	write("ke-khai-p08.docx", b, err)
	write("thong-bao.pdf", render(notice), nil)
	write("rtf-p10.rtf", rtfOf(p10), nil)
	scan := scanfixture.Degrade(raster(p07), scanfixture.Options{Degrees: 2.5, Noise: 0.003, Paper: 235, Seed: 7})
	b, err = scanfixture.PNG(scan)
	write("scan-p07.png", b, err)
	b, err = scanfixture.ImagePDF(scan)
	write("scan-p07.pdf", b, err)
	photo := scanfixture.Degrade(raster(p10), scanfixture.Options{Degrees: -1.5, Noise: 0.01, Scale: 0.55, Lighting: 0.4, Paper: 225, Blur: true, Seed: 9})
	b, err = scanfixture.JPEG(photo, 80)
	write("photo-p10.jpg", b, err)

	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	got := map[string]golden{}
	for _, path := range names {
		name := filepath.Base(path)
		res, err := reader.Read(context.Background(), path, reader.Options{WorkDir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := dossier.Document{ID: name, Round: r.ID, File: name, ReceivedAt: blindReceived}
		v := Decide(d, r, ExtractionOf(res))
		g := golden{Status: v.Status, Kind: string(v.Kind), Nominee: v.Nominee, Reason: v.Reason, OCR: v.OCR, Warnings: slices.Sorted(slices.Values(v.Warnings))}
		got[name] = g
		t.Logf("%s: %s %s %s %s ocr=%v conf=%.2f %v — %s", name, v.Status, v.Kind, v.Nominee, v.Reason, v.OCR, v.OCRConfidence, v.Warnings, v.Message)
		if v.Status != dossier.StatusAccepted && (v.Message == "") {
			t.Errorf("%s: %s without a message", name, v.Status)
		}
	}
	// What the issue asks, whatever the golden file says.
	want := map[string]struct{ kind, nominee string }{
		"word-p07.docx": {"self_assessment", "p07"}, "lo-p10.odt": {"self_assessment", "p10"},
		"tcvn3-p14.docx": {"self_assessment", "p14"}, "tcvn3-p14.pdf": {"self_assessment", "p14"},
		"ke-khai-p08.pdf": {"asset_declaration", "p08"}, "ke-khai-p08.docx": {"asset_declaration", "p08"},
		"rtf-p10.rtf": {"self_assessment", "p10"}, "scan-p07.png": {"self_assessment", "p07"},
		"scan-p07.pdf": {"self_assessment", "p07"}, "photo-p10.jpg": {"self_assessment", "p10"},
	}
	for name, w := range want {
		g := got[name]
		if g.Kind != w.kind || g.Nominee != w.nominee || g.Status != dossier.StatusAccepted && g.Status != dossier.StatusNeedsReview {
			t.Errorf("%s: %+v, want %s of %s", name, g, w.kind, w.nominee)
		}
		if strings.HasPrefix(name, "word") || strings.HasPrefix(name, "tcvn3") || strings.HasPrefix(name, "ke-khai") {
			if g.Status != dossier.StatusAccepted {
				t.Errorf("%s: %s, want accepted", name, g.Status)
			}
		}
		if strings.HasPrefix(name, "tcvn3") && !slices.Contains(g.Warnings, WarnLegacyEncoding) {
			t.Errorf("%s: no legacy_encoding warning", name)
		}
		if (strings.HasPrefix(name, "scan") || strings.HasPrefix(name, "photo")) && !g.OCR {
			t.Errorf("%s: not marked ocr", name)
		}
	}
	if g := got["thong-bao.pdf"]; g.Status != dossier.StatusRejected || g.Reason != ReasonUnknownKind {
		t.Errorf("notice: %+v, want rejected unknown_kind", g)
	}

	path := filepath.Join("testdata", "documents", "golden.json")
	if *updateGolden {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err = os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	var want2 map[string]golden
	if err := json.Unmarshal(b, &want2); err != nil {
		t.Fatal(err)
	}
	for name, w := range want2 {
		g := got[name]
		if g.Status != w.Status || g.Kind != w.Kind || g.Nominee != w.Nominee || g.Reason != w.Reason || g.OCR != w.OCR || !slices.Equal(g.Warnings, w.Warnings) {
			t.Errorf("%s: got %+v, golden %+v", name, g, w)
		}
	}
}
