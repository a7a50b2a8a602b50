package convert_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/docfixture"
)

// needSoffice fails in CI when LibreOffice is missing (.ci/run installs it) and skips elsewhere.
func needSoffice(t *testing.T, c convert.Converter) {
	t.Helper()
	if !c.Available() {
		if os.Getenv("CI") != "" {
			t.Fatalf("soffice not found at %s (install libreoffice-writer-nogui)", c.Soffice)
		}
		t.Skipf("soffice not found at %s", c.Soffice)
	}
}

// rtf writes Vietnamese text as RTF, each letter outside ASCII as a \u escape, as Word does.
func rtf(text string) string {
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\ansicpg1258\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs28 `)
	for _, r := range text {
		switch {
		case r == '\n':
			b.WriteString(`\par `)
		case r < 0x80:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u%d?`, int16(r))
		}
	}
	b.WriteString(`}`)
	return b.String()
}

func TestToPDF(t *testing.T) {
	c := convert.Default()
	needSoffice(t, c)
	dir := t.TempDir()
	d := docfixture.Doc{Body: docfixture.Paras("", "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phan Thị Thu Trang\nVề phẩm chất chính trị, đạo đức, lối sống.")}
	docx, err := d.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"bao-cao.docx": docx,
		"bao-cao.rtf":  []byte(rtf("BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phan Thị Thu Trang\nVề phẩm chất chính trị, đạo đức, lối sống.")),
	}
	for name, b := range inputs {
		in := filepath.Join(dir, name)
		if err := os.WriteFile(in, b, 0o600); err != nil {
			t.Fatal(err)
		}
		work := filepath.Join(dir, "work-"+name)
		os.Mkdir(work, 0o700)
		out, err := c.ToPDF(context.Background(), in, work)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pdf, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := pdftext.Extract(bytes.NewReader(pdf), int64(len(pdf)), pdftext.Limits{})
		if err != nil {
			t.Fatalf("%s: extract: %v", name, err)
		}
		for _, want := range []string{"BÁO CÁO TỰ ĐÁNH GIÁ", "Họ và tên: Phan Thị Thu Trang", "phẩm chất chính trị, đạo đức, lối sống"} {
			if !strings.Contains(res.Text, want) {
				t.Errorf("%s: %q not in %q", name, want, res.Text)
			}
		}
	}
}

func TestUnavailableAndTimeout(t *testing.T) {
	_, err := convert.Converter{Soffice: "/nonexistent/soffice"}.ToPDF(context.Background(), "x.doc", t.TempDir())
	if convert.Code(err) != convert.CodeUnsupported {
		t.Errorf("missing soffice: %v", err)
	}
	c := convert.Default()
	needSoffice(t, c)
	in := filepath.Join(t.TempDir(), "a.rtf")
	os.WriteFile(in, []byte(rtf("Xin chào")), 0o600)
	c.Timeout = time.Millisecond
	if _, err := c.ToPDF(context.Background(), in, t.TempDir()); convert.Code(err) != convert.CodeTooComplex {
		t.Errorf("timeout: %v", err)
	}
}
