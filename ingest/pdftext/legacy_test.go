package pdftext

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"tinnhiem/ingest/vnenc"
	"tinnhiem/internal/pdffixture"
)

// A PDF as Word prints a document typed in TCVN3: TrueType fonts named .VnTime and .VnTimeH
// (capitals) with WinAnsiEncoding and no ToUnicode, whose byte codes are TCVN3. Each font is read
// through the TCVN3 table — lower and upper case as the font says — and the result names the
// legacy encoding.
func TestTCVN3Fonts(t *testing.T) {
	lines := []struct {
		font, text string
		upper      bool
	}{
		{"/F2", "BÁO CÁO TỰ ĐÁNH GIÁ", true},
		{"/F1", "Họ và tên: Nguyễn Thị Thanh Hà, Phó Bí thư Thường trực", false},
		{"/F1", "Về phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật.", false},
	}
	var content bytes.Buffer
	content.WriteString("BT 14 TL 60 790 Td\n")
	for _, l := range lines {
		b, err := vnenc.Encode(vnenc.Font{Encoding: vnenc.TCVN3, Upper: l.upper}, l.text)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&content, "%s 11 Tf (", l.font)
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
	font := func(name string) string {
		return "<< /Type /Font /Subtype /TrueType /BaseFont /" + name + " /Encoding /WinAnsiEncoding /FirstChar 0 /LastChar 255 /Widths [" +
			strings.TrimSpace(strings.Repeat("500 ", 256)) + "] >>"
	}
	pdf := pdffixture.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		font("ABCDEF+.VnTime"),
		font(".VnTimeH"),
	)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	wantTCVN3(t, pdf, texts)
}

// A TCVN3 document printed by LibreOffice or a PDF printer: each .Vn… font is a subset whose codes
// are 1, 2, 3… in the order the glyphs were first used, with a ToUnicode that gives, for each code,
// the Windows-1252 character of the byte typed (U+00B8 for 0xB8 "á", U+00AD for 0xAD "ư"). The
// ToUnicode's characters, not the codes, are the TCVN3 bytes.
func TestTCVN3SubsetFonts(t *testing.T) {
	lines := []struct {
		font, text string
		upper      bool
	}{
		{"/F2", "BẢN TỰ KIỂM ĐIỂM", true},
		{"/F1", "Họ và tên: Trương Thị Ngọc Lan, Phó Trưởng ban Thường trực", false},
		{"/F1", "Người tự kiểm điểm: tư tưởng, đạo đức, lối sống; ưu điểm và khuyết điểm.", false},
	}
	type subset struct {
		codes map[byte]byte // typed byte → code in the PDF
		order []byte        // typed bytes by code - 1
	}
	fonts := map[string]*subset{"/F1": {codes: map[byte]byte{}}, "/F2": {codes: map[byte]byte{}}}
	var content bytes.Buffer
	content.WriteString("BT 14 TL 60 790 Td\n")
	for _, l := range lines {
		b, err := vnenc.Encode(vnenc.Font{Encoding: vnenc.TCVN3, Upper: l.upper}, l.text)
		if err != nil {
			t.Fatal(err)
		}
		sub := fonts[l.font]
		fmt.Fprintf(&content, "%s 11 Tf <", l.font)
		for _, c := range b {
			code, ok := sub.codes[c]
			if !ok {
				sub.order = append(sub.order, c)
				code = byte(len(sub.order))
				sub.codes[c] = code
			}
			fmt.Fprintf(&content, "%02X", code)
		}
		content.WriteString("> Tj T*\n")
	}
	content.WriteString("ET")
	toUnicode := func(sub *subset) string {
		var m strings.Builder
		m.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n")
		fmt.Fprintf(&m, "%d beginbfchar\n", len(sub.order))
		for i, c := range sub.order {
			if c >= 0x80 && c < 0xA0 {
				t.Fatalf("byte %#x needs the Windows-1252 table", c)
			}
			fmt.Fprintf(&m, "<%02X> <%04X>\n", i+1, rune(c)) // the Latin-1 reading of the byte
		}
		m.WriteString("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end")
		return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", m.Len(), m.String())
	}
	font := func(name string, sub *subset, cmapRef int) string {
		return fmt.Sprintf("<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 0 /LastChar %d /Widths [%s] /ToUnicode %d 0 R >>",
			name, len(sub.order), strings.TrimSpace(strings.Repeat("500 ", len(sub.order)+1)), cmapRef)
	}
	pdf := pdffixture.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		font("CAAAAA+.VnTime", fonts["/F1"], 7),
		font("BAAAAA+.VnTimeH-Bold", fonts["/F2"], 8),
		toUnicode(fonts["/F1"]),
		toUnicode(fonts["/F2"]),
	)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	wantTCVN3(t, pdf, texts)
}

// wantTCVN3 reads pdf and wants every text in it, read as TCVN3.
func wantTCVN3(t *testing.T, pdf []byte, texts []string) {
	t.Helper()
	res, err := Extract(bytes.NewReader(pdf), int64(len(pdf)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		if !strings.Contains(res.Text, text) {
			t.Errorf("text lacks %q:\n%s", text, res.Text)
		}
	}
	if res.Legacy != string(vnenc.TCVN3) {
		t.Errorf("legacy %q, want tcvn3", res.Legacy)
	}
}
