// Package pdffixture builds small hand-made PDFs for tests: a correct cross-reference table
// around whatever objects a test needs, and decompression bombs.
package pdffixture

import (
	"bytes"
	"compress/zlib"
	"fmt"
)

// Raw assembles numbered objects (object 1 is the catalog) into a PDF with a correct
// cross-reference table.
func Raw(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// Bomb is a one-page PDF whose content stream inflates to at least n bytes of pattern repeated.
func Bomb(n int, pattern []byte) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := bytes.Repeat(pattern, max(1, (64<<10)/len(pattern)))
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
	w.Close()
	return Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String()),
	)
}
