package pdftext

import (
	"bytes"
	"regexp"
	"strconv"
)

// Where a file ends. Files are often longer than their PDF: mail gateways and
// scanners pad them with blanks, NULs or comment lines, and viewers read
// them. So the end of the PDF is the last "startxref N %%EOF"; what follows
// it is ignored, unless it holds PDF objects — then it is the unfinished end
// of an incremental update, and reading the earlier revision instead would
// show text the sender did not send: such a file is corrupt. A file with no
// revision end at all is read by repair, unless its last object is cut off
// (an upload cut short loses content, and must be sent again).

var (
	revisionEnd = regexp.MustCompile(`startxref[\x00\t\n\f\r ]{1,32}(\d{1,20})[\x00\t\n\f\r ]{0,32}%%EOF`)
	// Tokens that only PDF objects and cross-reference sections contain.
	pdfStructure  = regexp.MustCompile(`\d+[\x00\t\n\f\r ]+\d+[\x00\t\n\f\r ]+obj\b|\bendobj\b|\bendstream\b|\bstream[\r\n]|\bxref\b|\btrailer\b|\bstartxref\b`)
	lastStartxref = regexp.MustCompile(`startxref[\x00\t\n\f\r ]{1,32}(\d{1,20})`)
)

const eofChunk = 64 << 10

// revisionTail finds the last revision end. It returns the offset that its
// startxref names (-1 if none), and whether PDF structure follows it.
func revisionTail(data []byte) (startxref int64, unfinished bool) {
	for hi := len(data); hi > 0; {
		lo := max(hi-eofChunk, 0)
		if m := revisionEnd.FindAllSubmatchIndex(data[lo:hi], -1); len(m) > 0 {
			last := m[len(m)-1]
			end := lo + last[1]
			n, err := strconv.ParseInt(string(data[lo+last[2]:lo+last[3]]), 10, 64)
			if err != nil {
				n = -1
			}
			return n, pdfStructure.Match(data[end:])
		}
		if lo == 0 {
			break
		}
		hi = lo + 128 // overlap: a match across two chunks is seen whole
	}
	// No %%EOF: a startxref near the end may still be good.
	tail := data[max(0, len(data)-eofChunk):]
	if m := lastStartxref.FindAllSubmatch(tail, -1); len(m) > 0 {
		if n, err := strconv.ParseInt(string(m[len(m)-1][1]), 10, 64); err == nil {
			return n, false
		}
	}
	return -1, false
}

// lastObjectCut reports whether the last "N G obj" of the file has no
// endobj after it: the file was cut inside an object.
func lastObjectCut(data []byte) bool {
	for end := len(data); end > 0; {
		at := bytes.LastIndex(data[:end], []byte("obj"))
		if at < 0 {
			return false
		}
		end = at
		if at+3 < len(data) && regularChar[data[at+3]] {
			continue
		}
		if _, _, start := objHeaderBefore(data, at); start < 0 {
			continue
		}
		return !bytes.Contains(data[at:], []byte("endobj"))
	}
	return false
}
