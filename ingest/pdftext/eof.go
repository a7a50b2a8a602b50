package pdftext

import (
	"io"
	"regexp"
)

// The PDF library wants "%%EOF" (and "startxref" just before it) in the last
// 100 bytes of the file. Files are often longer than that: mail gateways and
// scanners pad them with blanks, NULs or comment lines, sometimes kilobytes
// of it, and viewers read them. So the end of the PDF is looked for: the last
// %%EOF that follows a startxref. What comes after it is cut, unless it holds
// PDF objects — then it is the unfinished end of an incremental update (a
// truncated file), and reading the earlier revision instead would show text
// the sender did not send: such a file stays corrupt.

const (
	eofChunk = 64 << 10
	// Longer than any match of revisionEnd, so that one across two chunks is
	// seen whole in one of them.
	eofOverlap = 128
	// Bytes of the tail searched for PDF structure per read.
	structChunk = 1 << 20
)

var (
	// The end of a revision: the library needs startxref in the last 100
	// bytes, so a "%%EOF" without one (in junk, in a comment) is no end.
	revisionEnd = regexp.MustCompile(`startxref[\x00\t\n\f\r ]{1,32}\d{1,20}[\x00\t\n\f\r ]{0,32}%%EOF`)
	// Tokens that only PDF objects and cross-reference sections contain.
	pdfStructure = regexp.MustCompile(`\d+[\x00\t\n\f\r ]+\d+[\x00\t\n\f\r ]+obj\b|\bendobj\b|\bendstream\b|\bstream[\r\n]|\bxref\b|\btrailer\b|\bstartxref\b`)
)

// pdfEnd returns the length of r up to and including the last %%EOF that
// closes a revision (after startxref and its offset), when everything after
// it is junk rather than PDF objects; otherwise size, for the library to
// judge.
func pdfEnd(r io.ReaderAt, size int64) int64 {
	chunk := make([]byte, eofChunk)
	for hi := size; hi > 0; {
		lo := max(hi-eofChunk, 0)
		n, _ := r.ReadAt(chunk[:hi-lo], lo)
		if m := revisionEnd.FindAllIndex(chunk[:n], -1); len(m) > 0 {
			end := lo + int64(m[len(m)-1][1])
			if end == size || !hasStructure(r, end, size) {
				return end
			}
			return size
		}
		if lo == 0 {
			break
		}
		hi = lo + eofOverlap
	}
	return size
}

// hasStructure reports whether [from, to) contains PDF objects or
// cross-reference sections.
func hasStructure(r io.ReaderAt, from, to int64) bool {
	const overlap = 64 // longer than any token the pattern needs to see whole
	buf := make([]byte, min(structChunk, to-from))
	for off := from; off < to; off += structChunk - overlap {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), to-off)], off)
		if pdfStructure.Match(buf[:n]) {
			return true
		}
		if off+int64(n) >= to {
			break
		}
	}
	return false
}
