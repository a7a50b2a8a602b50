package office_test

import (
	"bytes"
	"testing"
	"time"

	"tinnhiem/ingest/office"
)

// FuzzExtract: any bytes give a result or a coded refusal, never a panic, within a time bound.
func FuzzExtract(f *testing.F) {
	for _, font := range []string{"", ".VnTime"} {
		d := declaration(font)
		if b, err := d.DOCX(); err == nil {
			f.Add(b)
		}
		if b, err := d.ODT(); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<?xml version="1.0"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>Xin chào</text:p></office:text></office:body></office:document>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		res, err := office.Extract(bytes.NewReader(b), int64(len(b)), office.Limits{MaxEntry: 4 << 20, MaxTotal: 8 << 20})
		if err != nil && office.Code(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
		if err == nil && res.Text == "" {
			t.Fatal("no error and no text")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
