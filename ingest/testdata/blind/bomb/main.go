//go:build ignore

// Command bomb writes a one-page PDF whose content stream inflates from a few
// megabytes to SIZE bytes of blanks (valid content-stream whitespace, so a
// reader that trusts it keeps going): a decompression bomb for the blind corpus.
package main

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bomb OUT.pdf SIZE_BYTES")
		os.Exit(2)
	}
	size, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bomb:", err)
		os.Exit(2)
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, flate.BestCompression)
	zw.Write([]byte("BT /F1 12 Tf 72 720 Td (Bao cao) Tj ET\n"))
	blank := bytes.Repeat([]byte{' '}, 1<<20)
	for n := int64(0); n < size; n += int64(len(blank)) {
		zw.Write(blank)
	}
	zw.Close()

	var out bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	offs = append(offs, out.Len())
	fmt.Fprintf(&out, "5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", z.Len())
	out.Write(z.Bytes())
	out.WriteString("\nendstream\nendobj\n")
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	if err := os.WriteFile(os.Args[1], out.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bomb:", err)
		os.Exit(1)
	}
}
