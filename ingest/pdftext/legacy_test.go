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
	res, err := Extract(bytes.NewReader(pdf), int64(len(pdf)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !strings.Contains(res.Text, l.text) {
			t.Errorf("text lacks %q:\n%s", l.text, res.Text)
		}
	}
	if res.Legacy != string(vnenc.TCVN3) {
		t.Errorf("legacy %q, want tcvn3", res.Legacy)
	}
}
