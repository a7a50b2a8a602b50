package pdftext

import (
	"io"
	"regexp"
	"strconv"
)

// maxXrefEntries caps the object numbers a file may declare. The PDF library
// allocates its cross-reference table from /Size, /Index and subsection
// headers before reading any entry, so a forged number is a fatal
// out-of-memory in the runtime; and it follows /Prev without remembering
// where it has been, so a /Prev loop never ends. Both are caught here first.
const maxXrefEntries = 4 << 20

const maxXrefSections = 256

var lastStartxref = regexp.MustCompile(`startxref\s+(\d+)`)

// checkXref walks the chain of cross-reference sections from startxref.
// It reports only what the library cannot survive; anything it does not
// understand is left to the library to accept or refuse.
func checkXref(r io.ReaderAt, size int64) error {
	tailLen := min(size, 1024)
	tail := make([]byte, tailLen)
	n, _ := r.ReadAt(tail, size-tailLen)
	m := lastStartxref.FindAllSubmatch(tail[:n], -1)
	if len(m) == 0 {
		return nil
	}
	off, err := strconv.ParseInt(string(m[len(m)-1][1]), 10, 64)
	if err != nil {
		return nil
	}
	seen := map[int64]bool{}
	for i := 0; i < maxXrefSections; i++ {
		if off <= 0 || off >= size {
			return nil
		}
		if seen[off] {
			return reject(CodeCorrupt, "pdftext: extract: cross-reference /Prev loop at offset %d", off)
		}
		seen[off] = true
		next, err := checkXrefSection(io.NewSectionReader(r, off, size-off))
		if err != nil || next < 0 {
			return err
		}
		off = next
	}
	return reject(CodeCorrupt, "pdftext: extract: more than %d cross-reference sections", maxXrefSections)
}

// checkXrefSection checks one section and returns the offset of the previous
// one (/Prev), or -1.
func checkXrefSection(r io.Reader) (int64, error) {
	l := newLexer(r)
	first, ok := l.next()
	if !ok {
		return -1, nil
	}
	var trailer object
	switch {
	case first.kind == objOp && first.str == "xref":
		for {
			o, ok := l.next()
			if !ok {
				return -1, nil
			}
			if o.kind == objOp && o.str == "trailer" {
				trailer, _ = l.next()
				break
			}
			cnt, ok := l.next()
			if !ok || o.kind != objNum || cnt.kind != objNum {
				return -1, nil
			}
			if o.num < 0 || cnt.num < 0 || o.num+cnt.num > maxXrefEntries {
				return -1, reject(CodeCorrupt, "pdftext: extract: xref subsection %v+%v beyond %d objects", o.num, cnt.num, maxXrefEntries)
			}
			for i := 0; i < 3*int(cnt.num); i++ {
				if _, ok := l.next(); !ok {
					return -1, nil
				}
			}
		}
	case first.kind == objNum:
		// "N G obj << /Type /XRef … >> stream"
		for i := 0; i < 3; i++ {
			o, ok := l.next()
			if !ok {
				return -1, nil
			}
			if o.kind == objDict {
				trailer = o
				break
			}
		}
		if trailer.dict["Type"].str != "XRef" {
			return -1, nil
		}
		if idx := trailer.dict["Index"]; idx.kind == objArray {
			for i := 0; i+1 < len(idx.arr); i += 2 {
				s, n := idx.arr[i].num, idx.arr[i+1].num
				if s < 0 || n < 0 || s+n > maxXrefEntries {
					return -1, reject(CodeCorrupt, "pdftext: extract: xref stream /Index %v+%v beyond %d objects", s, n, maxXrefEntries)
				}
			}
		}
	default:
		return -1, nil
	}
	if trailer.kind != objDict {
		return -1, nil
	}
	if s := trailer.dict["Size"]; s.kind == objNum && (s.num < 0 || s.num > maxXrefEntries) {
		return -1, reject(CodeCorrupt, "pdftext: extract: trailer /Size %v beyond %d objects", s.num, maxXrefEntries)
	}
	if p := trailer.dict["Prev"]; p.kind == objNum {
		return int64(p.num), nil
	}
	return -1, nil
}
