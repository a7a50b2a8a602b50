package pdffixture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
)

// Hostile PDFs that killed or hung the PDF library tinnhiem once read with; its own reader
// (ingest/pdftext) refuses each with a verdict, and the tests keep it so.

// EndlessLoop is an object stream that /Extends itself without holding the object looked for:
// the library searched it forever.
func EndlessLoop() []byte {
	return xrefStream(map[int]string{
		5: "<< /Type /ObjStm /N 0 /First 1 /Extends 5 0 R /Length 1 >>\nstream\n \nendstream",
	}, map[int][2]int{1: {5, 0}}, 5)
}

// StackOverflow puts object 5, an object stream, inside itself: the library resolves the
// container of an object recursively and overflowed its stack, a fatal error recover cannot catch.
func StackOverflow() []byte {
	return xrefStream(map[int]string{}, map[int][2]int{1: {5, 0}, 2: {5, 1}, 5: {5, 2}}, 5)
}

// DenseGlyphs is one page showing n glyphs in a few kilobytes of compressed content: every
// glyph is kept until the page is laid out, so a reader's memory grows with n.
func DenseGlyphs(n int) []byte {
	content := []byte("BT /F1 1 Tf 0 0 Td ")
	for ; n > 0; n -= 100_000 {
		content = append(content, '(')
		content = append(content, bytes.Repeat([]byte("x"), min(n, 100_000))...)
		content = append(content, ") Tj "...)
	}
	content = append(content, "ET"...)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(content)
	w.Close()
	return Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	)
}

// xrefStream writes objects (some inside object streams: number → {stream, index}) with a
// cross-reference stream, as PDF 1.5 producers do.
func xrefStream(objs map[int]string, inStream map[int][2]int, nobj int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	for i := 1; i <= nobj; i++ {
		if o, ok := objs[i]; ok {
			offs[i] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i, o)
		}
	}
	xrefNum := nobj + 1
	var data bytes.Buffer
	for i := 0; i <= xrefNum; i++ {
		var e [7]byte
		switch {
		case i == 0:
			e = [7]byte{0, 0, 0, 0, 0, 0xFF, 0xFF}
		case i == xrefNum:
			e[0] = 1
			binary.BigEndian.PutUint32(e[1:5], uint32(b.Len()))
		default:
			if x, ok := inStream[i]; ok {
				e[0] = 2
				binary.BigEndian.PutUint32(e[1:5], uint32(x[0]))
				binary.BigEndian.PutUint16(e[5:7], uint16(x[1]))
			} else if off, ok := offs[i]; ok {
				e[0] = 1
				binary.BigEndian.PutUint32(e[1:5], uint32(off))
			}
		}
		data.Write(e[:])
	}
	xrefOff := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [0 %d] /Root 1 0 R /Length %d >>\nstream\n",
		xrefNum, xrefNum+1, xrefNum+1, data.Len())
	b.Write(data.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefOff)
	return b.Bytes()
}
