package reader_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/ingest/convert"
	"tinnhiem/ingest/reader"
	"tinnhiem/internal/docfixture"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/internal/scanfixture"
)

func file(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSniff(t *testing.T) {
	for head, want := range map[string]string{
		"%PDF-1.7\n":                            reader.FormatPDF,
		"From: x\r\n\r\n%PDF-1.4":               reader.FormatPDF,
		"PK\x03\x04rest":                        reader.FormatDOCX,
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1":      reader.FormatDOC,
		`{\rtf1\ansi`:                           reader.FormatRTF,
		"\xFF\xD8\xFF\xE0":                      reader.FormatJPEG,
		"\x89PNG\r\n\x1a\n":                     reader.FormatPNG,
		"II*\x00":                               reader.FormatTIFF,
		"MM\x00*":                               reader.FormatTIFF,
		`<?xml version="1.0"?><office:document`: reader.FormatODT,
		"<html><body>":                          reader.FormatUnknown,
	} {
		if got := reader.Sniff([]byte(head)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", head, got, want)
		}
	}
}

func TestRead(t *testing.T) {
	ctx := context.Background()
	docx, err := docfixture.Doc{Body: docfixture.Paras("", "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phan Thị Thu Trang")}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := scanfixture.PagePDF("BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Phan Thị Thu Trang")
	if err != nil {
		t.Fatal(err)
	}
	noSoffice := reader.Options{Converter: convert.Converter{Soffice: "/nonexistent/soffice"}, NoOCR: true}
	tests := []struct {
		name, file string
		b          []byte
		opt        reader.Options
		format     string
		code       string
		text       string
	}{
		{"docx renamed .pdf", "bao-cao.pdf", docx, reader.Options{}, reader.FormatDOCX, "", "Họ và tên: Phan Thị Thu Trang"},
		{"pdf with a text layer, no OCR", "a.pdf", pdf, reader.Options{NoOCR: true}, reader.FormatPDF, "", "Họ và tên: Phan Thị Thu Trang"},
		{"empty", "a.pdf", []byte{}, reader.Options{}, reader.FormatUnknown, "empty", ""},
		{"html", "a.pdf", []byte("<html><body>Xin chào</body></html>"), reader.Options{}, reader.FormatUnknown, "not_pdf", ""},
		{"doc without LibreOffice", "a.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 600) + "W\x00o\x00r\x00d\x00D\x00o\x00c\x00"), noSoffice, reader.FormatDOC, reader.CodeUnsupportedFormat, ""},
		{"password-protected docx", "a.docx", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 600) + "E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00"), noSoffice, reader.FormatDOCX, "encrypted", ""},
		{"image without OCR", "a.png", []byte("\x89PNG\r\n\x1a\n"), reader.Options{NoOCR: true}, reader.FormatPNG, reader.CodeUnsupportedFormat, ""},
		{"scan without OCR", "scan.pdf", pdffixture.Raw("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"), reader.Options{NoOCR: true}, reader.FormatPDF, "no_text_layer", ""},
	}
	for _, tt := range tests {
		res, err := reader.Read(ctx, file(t, tt.file, tt.b), tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if res.Format != tt.format || res.Code != tt.code || !strings.Contains(res.Text, tt.text) || res.OCR {
			t.Errorf("%s: format %s code %q (%s) text %q", tt.name, res.Format, res.Code, res.Detail, res.Text)
		}
		if res.Code != "" && reader.Message(res.Code, res.Format) == "" {
			t.Errorf("%s: no message", tt.name)
		}
	}
	if _, err := reader.Read(ctx, filepath.Join(t.TempDir(), "missing"), reader.Options{}); err == nil {
		t.Error("missing file: no error")
	}
}

// ReadAt reads from memory and, told to run nothing, opens and writes no file: a scan's pages
// come back as unread for a reader that may run OCR.
func TestReadAtInMemory(t *testing.T) {
	ctx := context.Background()
	scan := pdffixture.Raw("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	res, err := reader.ReadAt(ctx, bytes.NewReader(scan), int64(len(scan)), reader.Options{NoOCR: true, NoConvert: true})
	if err != nil || res.Code != "no_text_layer" || len(res.Unread) != 2 || res.Unread[0] != 1 || res.Unread[1] != 2 {
		t.Errorf("scan: %v %q unread %v", err, res.Code, res.Unread)
	}
	docx, err := docfixture.Doc{Body: docfixture.Paras("", "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Phan Thị Thu Trang")}.DOCX()
	if err != nil {
		t.Fatal(err)
	}
	res, err = reader.ReadAt(ctx, bytes.NewReader(docx), int64(len(docx)), reader.Options{NoOCR: true, NoConvert: true, RenderPDF: true})
	if err != nil || res.Code != "" || res.Format != reader.FormatDOCX || !strings.Contains(res.Text, "Phan Thị Thu Trang") || res.PDF != "" {
		t.Errorf("docx: %v %q %s pdf %q", err, res.Code, res.Format, res.PDF)
	}
	rtf := []byte(`{\rtf1\ansi Bao cao}`)
	res, err = reader.ReadAt(ctx, bytes.NewReader(rtf), int64(len(rtf)), reader.Options{NoOCR: true, NoConvert: true})
	if err != nil || res.Code != reader.CodeUnsupportedFormat {
		t.Errorf("rtf without conversion: %v %q", err, res.Code)
	}
}
