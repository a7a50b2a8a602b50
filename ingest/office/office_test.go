package office_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/office"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/vnenc"
	"tinnhiem/internal/docfixture"
)

func para(text string) docfixture.Block {
	p := docfixture.P(text)
	return docfixture.Block{Para: &p}
}

// declaration is a short asset declaration with every part a reader must find: a header, a
// body, a two-column signature table, a text box, a footnote and a footer.
func declaration(font string) docfixture.Doc {
	d := docfixture.Doc{
		Font:   font,
		Header: []docfixture.Para{docfixture.P("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")},
		Footer: []docfixture.Para{docfixture.P("Trang 1")},
		Body: []docfixture.Block{
			para("BẢN KÊ KHAI TÀI SẢN, THU NHẬP"),
			para("Họ và tên người kê khai: Nguyễn Thị Hường"),
			{Table: [][][]docfixture.Para{
				{{docfixture.P("Loại tài sản")}, {docfixture.P("Giá trị")}},
				{{docfixture.P("Nhà ở")}, {docfixture.P("1.200.000.000 đồng")}},
			}},
			{TextBox: []docfixture.Para{docfixture.P("Ghi chú: kê khai lần đầu")}},
			{Table: [][][]docfixture.Para{{
				{docfixture.P("NGƯỜI NHẬN BẢN KÊ KHAI"), docfixture.P("(Ký, ghi rõ họ tên, chức vụ)"), docfixture.P(""), docfixture.P("Trần Văn Bình"), docfixture.P("Trưởng phòng")},
				{docfixture.P("NGƯỜI KÊ KHAI TÀI SẢN"), docfixture.P("(Ký, ghi rõ họ tên)"), docfixture.P(""), docfixture.P("Nguyễn Thị Hường")},
			}}},
		},
		Footnotes: []docfixture.Para{docfixture.P("Theo mẫu của Nghị định 130/2020/NĐ-CP.")},
	}
	return d
}

const wantDeclaration = `CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
BẢN KÊ KHAI TÀI SẢN, THU NHẬP
Họ và tên người kê khai: Nguyễn Thị Hường
Loại tài sản Giá trị
Nhà ở 1.200.000.000 đồng
Ghi chú: kê khai lần đầu
NGƯỜI NHẬN BẢN KÊ KHAI NGƯỜI KÊ KHAI TÀI SẢN
(Ký, ghi rõ họ tên, chức vụ) (Ký, ghi rõ họ tên)
Trần Văn Bình Nguyễn Thị Hường
Trưởng phòng
Theo mẫu của Nghị định 130/2020/NĐ-CP.
Trang 1`

func extract(t *testing.T, b []byte) (office.Result, error) {
	t.Helper()
	return office.Extract(bytes.NewReader(b), int64(len(b)), office.Limits{})
}

func TestDOCXAndODT(t *testing.T) {
	for _, format := range []string{"docx", "odt"} {
		t.Run(format, func(t *testing.T) {
			d := declaration("")
			var b []byte
			var err error
			if format == "docx" {
				b, err = d.DOCX()
			} else {
				b, err = d.ODT()
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := extract(t, b)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != wantDeclaration {
				t.Errorf("text:\n%s\nwant:\n%s", res.Text, wantDeclaration)
			}
			if res.Format != format || res.Pages != 1 || res.Legacy != vnenc.None {
				t.Errorf("format %q pages %d legacy %q", res.Format, res.Pages, res.Legacy)
			}
			if len(res.Fonts) == 0 || res.Fonts[0].Name != "Times New Roman" {
				t.Errorf("fonts %v", res.Fonts)
			}
		})
	}
}

// TestLegacyFonts: runs set in TCVN3 and VNI fonts come out in Unicode, whether the font is the
// run's or the document's default, with the encoding reported.
func TestLegacyFonts(t *testing.T) {
	for _, tt := range []struct {
		font string
		enc  vnenc.Encoding
	}{{".VnTime", vnenc.TCVN3}, {"VNI-Times", vnenc.VNI}} {
		for _, format := range []string{"docx", "odt"} {
			// The title line is all capitals: in TCVN3 it goes in the capitals font (.VnTimeH).
			d := declaration(tt.font)
			b, err := map[string]func() ([]byte, error){"docx": d.DOCX, "odt": d.ODT}[format]()
			if err != nil {
				t.Fatal(err)
			}
			res, err := extract(t, b)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != wantDeclaration || res.Legacy != tt.enc {
				t.Errorf("%s %s: legacy %q, text:\n%s", tt.font, format, res.Legacy, res.Text)
			}
			found := false
			for _, f := range res.Fonts {
				found = found || strings.HasPrefix(f.Name, tt.font)
			}
			if !found {
				t.Errorf("%s %s: fonts %v", tt.font, format, res.Fonts)
			}
		}
	}
	// A run in a legacy font beside Unicode runs: only it is converted.
	p := docfixture.Para{Runs: []docfixture.Run{
		{Text: "Người kê khai: "},
		{Text: "Lê Thị Thu Hà", Font: ".VnTime"},
		{Text: " – Phó Giám đốc Sở Tài chính"},
	}}
	b, err := docfixture.Doc{Body: []docfixture.Block{{Para: &p}}}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	res, err := extract(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Người kê khai: Lê Thị Thu Hà – Phó Giám đốc Sở Tài chính"; res.Text != want || res.Legacy != vnenc.TCVN3 {
		t.Errorf("mixed runs: %q %q", res.Text, res.Legacy)
	}
}

// TestLegacyWithoutFontName: legacy text in a font whose name says nothing (a renamed or
// substituted font) is found from its characters.
func TestLegacyWithoutFontName(t *testing.T) {
	text := "Báo cáo tự đánh giá của đồng chí Nguyễn Thị Hường\nvề phẩm chất chính trị, đạo đức, lối sống và ý thức tổ chức kỷ luật"
	raw, err := vnenc.Encode(vnenc.Font{Encoding: vnenc.TCVN3}, strings.ToLower(text))
	if err != nil {
		t.Fatal(err)
	}
	var moji strings.Builder
	for _, c := range raw {
		moji.WriteRune(rune(c))
	}
	b, err := docfixture.Doc{Body: docfixture.Paras("Times New Roman", moji.String())}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	res, err := extract(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != strings.ToLower(text) || res.Legacy != vnenc.TCVN3 {
		t.Errorf("legacy %q text %q", res.Legacy, res.Text)
	}
}

func zipOf(t *testing.T, entries map[string][]byte, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	return buf.Bytes()
}

// TestRefusals: each bad file is refused with a reason code of the pdftext family.
func TestRefusals(t *testing.T) {
	good, err := declaration("").DOCX()
	if err != nil {
		t.Fatal(err)
	}
	docPart := func(body string) []byte {
		return []byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`)
	}
	bomb := docPart("<w:p><w:r><w:t>" + strings.Repeat(" ", 80<<20) + "</w:t></w:r></w:p>")
	many := map[string][]byte{"word/document.xml": docPart("<w:p><w:r><w:t>x</w:t></w:r></w:p>")}
	for i := range 6000 {
		many[fmt.Sprintf("word/media/image%d.png", i)] = nil
	}
	deep := docPart(strings.Repeat("<w:tbl><w:tr><w:tc>", 400) + "<w:p><w:r><w:t>x</w:t></w:r></w:p>" + strings.Repeat("</w:tc></w:tr></w:tbl>", 400))
	tests := []struct {
		name string
		b    []byte
		lim  office.Limits
		code string
	}{
		{"empty file", nil, office.Limits{}, pdftext.CodeEmpty},
		{"truncated", good[:len(good)/2], office.Limits{}, pdftext.CodeCorrupt},
		{"not a document", []byte("%PDF-1.7\n"), office.Limits{}, "unsupported_format"},
		{"zip without a document", zipOf(t, map[string][]byte{"a.txt": []byte("x")}, zip.Deflate), office.Limits{}, "unsupported_format"},
		{"bad xml", zipOf(t, map[string][]byte{"word/document.xml": []byte("<w:document><w:body><w:p>")}, zip.Deflate), office.Limits{}, pdftext.CodeCorrupt},
		{"no text", zipOf(t, map[string][]byte{"word/document.xml": docPart("<w:p/>")}, zip.Deflate), office.Limits{}, pdftext.CodeEmpty},
		{"bomb past the part limit", zipOf(t, map[string][]byte{"word/document.xml": bomb}, zip.Deflate), office.Limits{}, pdftext.CodeTooComplex},
		{"ratio", zipOf(t, map[string][]byte{"word/document.xml": bomb}, zip.Deflate), office.Limits{MaxEntry: 100 << 20, MaxTotal: 100 << 20, MaxRatio: 200}, pdftext.CodeTooComplex},
		{"entries", zipOf(t, many, zip.Store), office.Limits{}, pdftext.CodeTooComplex},
		{"nesting", zipOf(t, map[string][]byte{"word/document.xml": deep}, zip.Deflate), office.Limits{}, pdftext.CodeTooComplex},
		{"text limit", good, office.Limits{MaxText: 100}, pdftext.CodeTooComplex},
		{"encrypted odt", zipOf(t, map[string][]byte{"content.xml": []byte("x"), "META-INF/manifest.xml": []byte(`<manifest:encryption-data/>`)}, zip.Deflate), office.Limits{}, pdftext.CodeEncrypted},
	}
	for _, tt := range tests {
		_, err := office.Extract(bytes.NewReader(tt.b), int64(len(tt.b)), tt.lim)
		if got := office.Code(err); got != tt.code {
			t.Errorf("%s: code %q (%v), want %q", tt.name, got, err, tt.code)
		}
	}
	// A ratio under the limit passes: a large, well-compressible document is fine.
	big := docPart(strings.Repeat("<w:p><w:r><w:t>Báo cáo tự đánh giá kết quả thực hiện nhiệm vụ năm 2028.</w:t></w:r></w:p>", 5000))
	b := zipOf(t, map[string][]byte{"word/document.xml": big}, zip.Deflate)
	res, err := office.Extract(bytes.NewReader(b), int64(len(b)), office.Limits{})
	if err != nil || !norm.NFC.IsNormalString(res.Text) || strings.Count(res.Text, "\n") != 4999 {
		t.Errorf("big document: %v, %d lines", err, strings.Count(res.Text, "\n")+1)
	}
}

// TestUnicodeInLegacyFont: Unicode text set in a ".Vn…" font (an old template, text typed with
// a Unicode keyboard) is left as it is.
func TestUnicodeInLegacyFont(t *testing.T) {
	const text = "Trưởng phòng Tổ chức cán bộ, Sở Nội vụ tỉnh Bình Sơn; đồng chí Nguyễn Thị Hòa"
	doc := []byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`)
	b := zipOf(t, map[string][]byte{"word/document.xml": doc}, zip.Deflate)
	res, err := extract(t, b)
	if err != nil || res.Text != text || res.Legacy != vnenc.None {
		t.Errorf("%v %q %q", err, res.Legacy, res.Text)
	}
}

// TestBombCostsNothing: a part that declares more than the limit — a zip bomb as zip tools
// write it — is refused before it is inflated, so that refusing it needs no more memory than the
// archive itself (inflating it to the limit once cost a few hundred megabytes, and killed the
// tools profile's child, whose address space is mostly its programs').
func TestBombCostsNothing(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 300 {
		w.Write(chunk)
	}
	w.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	b := buf.Bytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = office.Extract(bytes.NewReader(b), int64(len(b)), office.Limits{})
	runtime.ReadMemStats(&after)
	if office.Code(err) != pdftext.CodeTooComplex {
		t.Fatalf("code %q (%v), want too_complex", office.Code(err), err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("refusing a %d KB bomb allocated %d MB", len(b)>>10, alloc>>20)
	}
}

// TestTCVN3SoftHyphen: "ư" is the byte 0xAD in TCVN3, a soft hyphen to Windows-1252; a document
// saved from TCVN3 text writes it as <w:softHyphen/> (LibreOffice does), which in a ".Vn…" run
// is the letter. In a Unicode font it stays an invisible hyphenation point.
func TestTCVN3SoftHyphen(t *testing.T) {
	legacy := func(s string) string {
		b, err := vnenc.Encode(vnenc.Font{Encoding: vnenc.TCVN3}, s)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for i, part := range bytes.Split(b, []byte{0xAD}) {
			if i > 0 {
				out.WriteString(`</w:t><w:softHyphen/><w:t xml:space="preserve">`)
			}
			for _, c := range part {
				out.WriteRune(rune(c))
			}
		}
		return out.String()
	}
	const text = "Chức vụ: Trưởng ban Tuyên giáo, người tự kiểm điểm; ưu điểm: tư tưởng vững vàng."
	run := func(font, t string) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="` + font + `" w:hAnsi="` + font + `"/></w:rPr><w:t xml:space="preserve">` + t + `</w:t></w:r>`
	}
	doc := []byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p>` + run(".VnTime", legacy(text)) + `</w:p>` +
		`<w:p>` + run("Times New Roman", `Phó Trư</w:t><w:softHyphen/><w:t>ởng phòng`) + `</w:p></w:body></w:document>`)
	res, err := extract(t, zipOf(t, map[string][]byte{"word/document.xml": doc}, zip.Deflate))
	if want := text + "\nPhó Trưởng phòng"; err != nil || res.Text != want || res.Legacy != vnenc.TCVN3 {
		t.Errorf("%v %q:\n%q\nwant\n%q", err, res.Legacy, res.Text, want)
	}
}
