package pdftext

import (
	"bytes"
)

// maxXrefEntries caps the object numbers a file may use: the table is a
// slice by object number, grown to the largest number seen.
const maxXrefEntries = 4 << 20

const maxXrefSections = 256

// entryFree marks an entry a newer section declared free, so that an older
// section cannot bring the object back.
const entryFree = 255

// readXref reads the chain of cross-reference sections that starts at
// startxref: classic tables and cross-reference streams in any mix, each
// table's /XRefStm, then /Prev. Entries of newer sections win. It reports
// false when the chain cannot be read at all (no startxref, an offset that
// points at neither kind of section); the caller then repairs.
func (f *file) readXref(startxref int64) bool {
	off := startxref
	seen := map[int64]bool{}
	ok := false
	for i := 0; i < maxXrefSections && off > 0; i++ {
		if seen[off] {
			break // a /Prev loop: what was read so far stands
		}
		seen[off] = true
		trailer, found := f.xrefSection(off)
		if !found && f.base > 0 {
			trailer, found = f.xrefSection(off + int64(f.base))
		}
		if !found {
			break
		}
		ok = true
		f.mergeTrailer(trailer)
		if x := f.direct(trailer["XRefStm"]); x.isInt() && !seen[int64(x.num)] {
			seen[int64(x.num)] = true
			if _, found := f.xrefSection(int64(x.num)); !found && f.base > 0 {
				f.xrefSection(int64(x.num) + int64(f.base))
			}
		}
		prev := f.direct(trailer["Prev"])
		if !prev.isInt() {
			break
		}
		off = int64(prev.num)
	}
	return ok
}

// direct returns o, or for a reference the object it names only when that
// object is already loaded (while the table is being read, loading more
// would use the table unfinished).
func (f *file) direct(o object) object {
	if o.kind == objRef {
		if c, ok := f.cache[int(o.num)]; ok {
			return c
		}
		return object{}
	}
	return o
}

// mergeTrailer keeps the newest value of every trailer key.
func (f *file) mergeTrailer(t map[string]object) {
	if f.trailer == nil {
		f.trailer = map[string]object{}
	}
	for k, v := range t {
		if _, ok := f.trailer[k]; !ok {
			f.trailer[k] = v
		}
	}
}

// setEntry records an entry unless a newer section already did.
func (f *file) setEntry(num int, e xrefEntry) {
	if num < 0 || num >= maxXrefEntries {
		return
	}
	if num >= len(f.xref) {
		if num >= cap(f.xref) {
			grown := make([]xrefEntry, num+1, max(2*cap(f.xref), num+1, 64))
			copy(grown, f.xref)
			f.xref = grown
		}
		f.xref = f.xref[:num+1]
	}
	if f.xref[num].typ == 0 {
		f.xref[num] = e
	}
}

// xrefSection reads the section at off and returns its trailer dictionary.
func (f *file) xrefSection(off int64) (map[string]object, bool) {
	if off < 0 || off >= int64(len(f.data)) {
		return nil, false
	}
	l := &lexer{b: f.data, i: int(off)}
	if !l.skipSpace() {
		return nil, false
	}
	if bytes.HasPrefix(f.data[l.i:], []byte("xref")) {
		l.i += 4
		return f.xrefTable(l)
	}
	return f.xrefStream(l)
}

// xrefTable reads the subsections of a classic table after "xref", and the
// trailer after them.
func (f *file) xrefTable(l *lexer) (map[string]object, bool) {
	for {
		a, ok := l.next()
		if !ok {
			return nil, false
		}
		if a.kind == objOp && a.str == "trailer" {
			break
		}
		b, ok := l.next()
		if !ok || !a.isInt() || !b.isInt() || a.num < 0 || b.num < 0 {
			return nil, false
		}
		start, count := int(a.num), int(b.num)
		if start+count > maxXrefEntries {
			return nil, false
		}
		for i := 0; i < count; i++ {
			o, ok1 := l.next()
			g, ok2 := l.next()
			t, ok3 := l.next()
			if !ok1 || !ok2 || !ok3 || !o.isInt() || !g.isInt() || t.kind != objOp {
				return nil, false
			}
			num := start + i
			// A table that starts at 1 with the free head of the list
			// (0000000000 65535 f) was meant to start at 0.
			if i == 0 && start == 1 && t.str == "f" && g.num == 65535 {
				start--
				num--
			}
			switch t.str {
			case "n":
				if o.num > 0 {
					f.setEntry(num, xrefEntry{off: int64(o.num), gen: uint16(g.num), typ: 1})
				} else {
					f.setEntry(num, xrefEntry{typ: entryFree})
				}
			case "f":
				f.setEntry(num, xrefEntry{typ: entryFree})
			default:
				return nil, false
			}
		}
	}
	l.refs = true
	t, ok := l.next()
	if !ok || t.kind != objDict {
		return nil, false
	}
	return t.dict, true
}

// xrefStream reads a cross-reference stream "N G obj << /Type /XRef … >>
// stream … endstream". Its data is never encrypted.
func (f *file) xrefStream(l *lexer) (map[string]object, bool) {
	n, ok1 := l.next()
	g, ok2 := l.next()
	kw, ok3 := l.next()
	if !ok1 || !ok2 || !ok3 || !n.isInt() || !g.isInt() || kw.kind != objOp || kw.str != "obj" {
		return nil, false
	}
	l.refs = true
	d, ok := l.next()
	if !ok || d.kind != objDict {
		return nil, false
	}
	if t := d.dict["Type"]; t.kind != objName || t.str != "XRef" {
		return nil, false
	}
	sd, ok := f.streamAfter(l, d.dict, int(n.num), uint16(g.num))
	if !ok {
		return nil, false
	}
	st := object{kind: objStream, dict: d.dict, stm: sd}
	data, err := f.decodeWith(st, false)
	if err != nil && len(data) == 0 {
		if Code(err) != "" {
			panic(err)
		}
		return d.dict, true
	}
	w := f.direct(d.dict["W"])
	if w.kind != objArray || len(w.arr) < 3 {
		return d.dict, true
	}
	var ws [3]int
	width := 0
	for i := range ws {
		if !w.arr[i].isInt() || w.arr[i].num < 0 || w.arr[i].num > 8 {
			return d.dict, true
		}
		ws[i] = int(w.arr[i].num)
		width += ws[i]
	}
	if width == 0 {
		return d.dict, true
	}
	var index []int
	if idx := f.direct(d.dict["Index"]); idx.kind == objArray {
		for _, x := range idx.arr {
			if !x.isInt() || x.num < 0 {
				index = nil
				break
			}
			index = append(index, int(x.num))
		}
	}
	if len(index) < 2 {
		size := f.direct(d.dict["Size"])
		if !size.isInt() || size.num < 0 {
			return d.dict, true
		}
		index = []int{0, int(size.num)}
	}
	p := 0
	field := func(k int) int64 {
		var v int64
		for i := 0; i < ws[k]; i++ {
			v = v<<8 | int64(data[p])
			p++
		}
		return v
	}
	for s := 0; s+1 < len(index); s += 2 {
		start, count := index[s], index[s+1]
		for i := 0; i < count && p+width <= len(data); i++ {
			typ := int64(1)
			if ws[0] > 0 {
				typ = field(0)
			}
			a, b := field(1), field(2)
			num := start + i
			if num >= maxXrefEntries {
				break
			}
			switch typ {
			case 0:
				f.setEntry(num, xrefEntry{typ: entryFree})
			case 1:
				if a > 0 {
					f.setEntry(num, xrefEntry{off: a, gen: uint16(b), typ: 1})
				}
			case 2:
				f.setEntry(num, xrefEntry{off: a, idx: uint32(b), typ: 2})
			}
		}
	}
	return d.dict, true
}
