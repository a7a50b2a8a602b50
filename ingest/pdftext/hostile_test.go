package pdftext_test

import (
	"bytes"
	"testing"

	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/pdffixture"
)

// Hostile and broken files come back as a verdict on the file from the reader itself;
// what only a process boundary can stop (a crash, memory, a hang) is ingest/sandbox's
// to test.
func TestHostileFiles(t *testing.T) {
	tests := []struct {
		name string
		pdf  []byte
		code string
	}{
		{name: "forged xref size", pdf: forgedXrefSize(), code: pdftext.CodeCorrupt},
		{name: "cyclic object stream", pdf: pdffixture.StackOverflow(), code: pdftext.CodeCorrupt},
		{name: "endless extends", pdf: pdffixture.EndlessLoop(), code: pdftext.CodeCorrupt},
		{name: "more glyphs on a page than any document has", pdf: pdffixture.DenseGlyphs(1<<20 + 10), code: pdftext.CodeTooComplex},
		{name: "encrypted with a user password", pdf: fixture(t, "bad-encrypted-aes256.pdf"), code: pdftext.CodeEncrypted},
		{name: "forms fanning out eight-fold: refused by the work budget", pdf: fanOut(8, 8, show("(leaf)")), code: pdftext.CodeTooComplex},
		{name: "no text layer: page count kept", pdf: func() []byte {
			d := newDoc()
			d.kids = append(d.kids, d.add("<< /Type /Page /Parent 2 0 R >>"))
			return d.finish()
		}(), code: pdftext.CodeNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pdftext.Extract(bytes.NewReader(tc.pdf), int64(len(tc.pdf)), pdftext.Limits{})
			if got := pdftext.Code(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if tc.code == pdftext.CodeNoTextLayer && res.Pages != 1 {
				t.Errorf("pages %d, want 1", res.Pages)
			}
		})
	}
}
