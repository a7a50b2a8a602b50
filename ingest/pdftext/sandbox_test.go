package pdftext_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tinnhiem/ingest/pdftext"
)

// sandbox runs this test binary as the child (see TestMain).
func sandbox(t *testing.T) pdftext.Sandbox {
	t.Helper()
	return pdftext.Sandbox{Exe: os.Args[0], Args: []string{childArg}, Timeout: 30 * time.Second}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSandboxRoundTrip(t *testing.T) {
	path := "testdata/lo-ke-khai-tai-san.pdf"
	want, err := extractFile(t, path, pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sandbox(t).Extract(context.Background(), path)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if got.Text != want.Text || got.Pages != want.Pages || len(got.PageTexts) != len(want.PageTexts) {
		t.Errorf("sandbox result differs from in-process:\n%q\n%q", got.Text, want.Text)
	}
}

// Files that kill or hang the child must come back as a verdict on that file,
// with the parent (this test process) unharmed.
func TestSandboxHostileFiles(t *testing.T) {
	tests := []struct {
		name string
		pdf  []byte
		sb   func(pdftext.Sandbox) pdftext.Sandbox
		code string
	}{
		{name: "forged xref size", pdf: forgedXrefSize(), code: pdftext.CodeCorrupt},
		{name: "cyclic object stream: stack overflow in the library", pdf: cyclicObjectStream(), code: pdftext.CodeCorrupt},
		{name: "endless extends: a clean verdict", pdf: endlessExtends(), code: pdftext.CodeCorrupt},
		{name: "a child that never answers: wall-clock timeout", pdf: endlessExtends(), code: pdftext.CodeTooComplex,
			sb: func(s pdftext.Sandbox) pdftext.Sandbox {
				s.Args = []string{spinArg}
				s.Timeout = 2 * time.Second
				return s
			}},
		{name: "a child that never answers: CPU-time limit", pdf: endlessExtends(), code: pdftext.CodeTooComplex,
			sb: func(s pdftext.Sandbox) pdftext.Sandbox {
				s.Args = []string{spinArg}
				s.CPUTime = time.Second
				s.Timeout = 20 * time.Second
				return s
			}},
		{name: "memory limit: the child dies, the file is corrupt", pdf: denseGlyphs(900_000), code: pdftext.CodeCorrupt,
			sb: func(s pdftext.Sandbox) pdftext.Sandbox { s.MemLimit = 32 << 20; return s }},
		{name: "more glyphs on a page than any document has", pdf: denseGlyphs(1<<20 + 10), code: pdftext.CodeTooComplex},
		{name: "encrypted: a clean verdict from the child", pdf: fixture(t, "bad-encrypted-aes256.pdf"), code: pdftext.CodeEncrypted},
		{name: "forms fanning out eight-fold: refused by the work budget", pdf: fanOut(8, 8, show("(leaf)")), code: pdftext.CodeTooComplex},
		{name: "no text layer: page count kept", pdf: func() []byte {
			d := newDoc()
			d.kids = append(d.kids, d.add("<< /Type /Page /Parent 2 0 R >>"))
			return d.finish()
		}(), code: pdftext.CodeNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := sandbox(t)
			if tc.sb != nil {
				sb = tc.sb(sb)
			}
			start := time.Now()
			res, err := sb.Extract(context.Background(), writeTemp(t, "in.pdf", tc.pdf))
			if got := pdftext.Code(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if tc.code == pdftext.CodeNoTextLayer && res.Pages != 1 {
				t.Errorf("pages %d, want 1", res.Pages)
			}
			t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
		})
	}
}

// A cancelled context is no verdict on the file: no reason code.
func TestSandboxCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	sb := sandbox(t)
	sb.Args = []string{spinArg}
	_, err := sb.Extract(ctx, writeTemp(t, "loop.pdf", endlessExtends()))
	if err == nil || pdftext.Code(err) != "" || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v (code %q), want context.Canceled without a code", err, pdftext.Code(err))
	}
}

func TestSandboxMissingFile(t *testing.T) {
	_, err := sandbox(t).Extract(context.Background(), filepath.Join(t.TempDir(), "missing.pdf"))
	if err == nil || pdftext.Code(err) != "" {
		t.Fatalf("err %v (code %q), want an error without a code", err, pdftext.Code(err))
	}
	_, err = pdftext.Sandbox{Exe: filepath.Join(t.TempDir(), "no-such-binary")}.Extract(context.Background(), "x.pdf")
	if err == nil || pdftext.Code(err) != "" {
		t.Fatalf("err %v, want a start error without a code", err)
	}
}

// The child's command line: text mode prints the NFC text, --json a Result.
func TestMainCLI(t *testing.T) {
	var out, errb bytes.Buffer
	if err := pdftext.Main(context.Background(), []string{"testdata/lo-de-nghi-giai-trinh.pdf"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "ĐẢNG CỘNG SẢN VIỆT NAM\n") {
		t.Errorf("text mode: %q", out.String())
	}
	out.Reset()
	err := pdftext.Main(context.Background(), []string{"--json", writeTemp(t, "x.pdf", []byte("not a pdf"))}, &out, &errb)
	if pdftext.Code(err) != pdftext.CodeNotPDF || !strings.Contains(out.String(), `"code":"not_pdf"`) ||
		!strings.Contains(out.String(), "Tệp không phải PDF.") {
		t.Errorf("json error: %v %s", err, out.String())
	}
	if err := pdftext.Main(context.Background(), []string{"--bogus"}, &out, &errb); err == nil {
		t.Error("bad flag accepted")
	}
	if err := pdftext.Main(context.Background(), nil, &out, &errb); err == nil {
		t.Error("no file accepted")
	}
}

// denseGlyphs is one page showing n glyphs (a few kilobytes compressed):
// every glyph is kept until the page is laid out, so memory grows with n.
func denseGlyphs(n int) []byte {
	d := newDoc()
	f := d.simple("Type1", "/WinAnsiEncoding", "")
	content := []byte("BT /F1 1 Tf 0 0 Td ")
	for ; n > 0; n -= 100_000 {
		content = append(content, '(')
		content = append(content, bytes.Repeat([]byte("x"), min(n, 100_000))...)
		content = append(content, ") Tj "...)
	}
	content = append(content, "ET"...)
	c := d.add(flateStream("", content))
	d.kids = append(d.kids, d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents %d 0 R >>", fontRes(f), c)))
	return d.finish()
}
