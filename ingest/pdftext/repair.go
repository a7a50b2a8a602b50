package pdftext

import (
	"bytes"
	"cmp"
	"slices"
)

// Repair, as viewers do it: when the cross-reference sections are missing,
// damaged or point at the wrong bytes, the file is scanned for "N G obj"
// headers (the last definition of a number wins, as in incremental updates),
// for "trailer" dictionaries and cross-reference stream dictionaries (which
// name the catalog), and for object streams, whose members are added where
// no direct definition exists. The scan runs at most once per file.

type scanTrailer struct {
	off  int
	dict map[string]object
}

// scan builds f.scanned and f.trailers.
func (f *file) scan() {
	if f.didScan {
		return
	}
	f.didScan = true
	data := f.data
	var trailers []scanTrailer
	var entries []xrefEntry
	set := func(num int, e xrefEntry) {
		if num <= 0 || num >= maxXrefEntries {
			return
		}
		if num >= len(entries) {
			entries = slices.Grow(entries, num+1-len(entries))[:num+1]
		}
		entries[num] = e // a later definition replaces an earlier one
	}
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte("obj"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 3
		if at+3 < len(data) && regularChar[data[at+3]] {
			continue
		}
		num, gen, start := objHeaderBefore(data, at)
		if start < 0 {
			continue
		}
		set(num, xrefEntry{off: int64(start), gen: uint16(gen), typ: 1})
		// Cross-reference streams carry the trailer keys (/Root).
		head := data[at:min(len(data), at+1024)]
		if k := bytes.Index(head, []byte("stream")); k >= 0 {
			head = head[:k]
		}
		if bytes.Contains(head, []byte("/XRef")) {
			l := &lexer{b: data, i: at + 3, refs: true}
			if d, ok := l.next(); ok && d.kind == objDict {
				if t := d.dict["Type"]; t.kind == objName && t.str == "XRef" {
					trailers = append(trailers, scanTrailer{start, d.dict})
				}
			}
		}
		if bytes.Contains(head, []byte("/ObjStm")) {
			f.scannedStms = append(f.scannedStms, num)
		}
	}
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte("trailer"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 7
		l := &lexer{b: data, i: i, refs: true}
		if d, ok := l.next(); ok && d.kind == objDict {
			trailers = append(trailers, scanTrailer{at, d.dict})
		}
	}
	slices.SortStableFunc(trailers, func(a, b scanTrailer) int { return cmp.Compare(a.off, b.off) })
	for _, t := range trailers {
		f.trailers = append(f.trailers, t.dict)
	}
	f.scanned = entries
}

// objHeaderBefore reads "N G " before the "obj" at index at; it returns -1
// as start when there is none.
func objHeaderBefore(data []byte, at int) (num, gen, start int) {
	k := at - 1
	if k < 0 || !isSpace(data[k]) {
		return 0, 0, -1
	}
	for k >= 0 && isSpace(data[k]) {
		k--
	}
	ge := k + 1
	for k >= 0 && data[k] >= '0' && data[k] <= '9' {
		k--
	}
	gs := k + 1
	if gs == ge || ge-gs > 5 || k < 0 || !isSpace(data[k]) {
		return 0, 0, -1
	}
	for k >= 0 && isSpace(data[k]) {
		k--
	}
	ne := k + 1
	for k >= 0 && data[k] >= '0' && data[k] <= '9' {
		k--
	}
	ns := k + 1
	if ns == ne || ne-ns > 10 || (k >= 0 && regularChar[data[k]]) {
		return 0, 0, -1
	}
	n, g := atoi(data[ns:ne]), atoi(data[gs:ge])
	if n <= 0 || n >= maxXrefEntries || g < 0 || g > 65535 {
		return 0, 0, -1
	}
	return int(n), int(g), ns
}

// scanObjStms adds the members of the object streams the scan found, where
// no direct definition exists. It needs decryption set up, so it runs on the
// first lookup that the direct objects cannot answer.
func (f *file) scanObjStms() {
	if f.didScanStms {
		return
	}
	f.didScanStms = true
	f.scan()
	for _, snum := range f.scannedStms {
		s := f.objStm(snum)
		if s == nil {
			continue
		}
		for i, num := range s.nums {
			if num <= 0 || num >= maxXrefEntries {
				continue
			}
			if num >= len(f.scanned) {
				f.scanned = slices.Grow(f.scanned, num+1-len(f.scanned))[:num+1]
			}
			if f.scanned[num].typ == 0 {
				f.scanned[num] = xrefEntry{off: int64(snum), idx: uint32(i), typ: 2}
			}
		}
	}
}

// scannedObjects calls fn for every object the scan found, direct ones in
// file order, then the members of object streams.
func (f *file) scannedObjects(fn func(num int, o object) bool) {
	f.scan()
	f.scanObjStms()
	type at struct {
		num int
		off int64
	}
	var direct []at
	var packed []int
	for num, e := range f.scanned {
		switch e.typ {
		case 1:
			direct = append(direct, at{num, e.off})
		case 2:
			packed = append(packed, num)
		}
	}
	slices.SortFunc(direct, func(a, b at) int { return cmp.Compare(a.off, b.off) })
	for _, d := range direct {
		if !fn(d.num, f.load(d.num)) {
			return
		}
	}
	for _, num := range packed {
		if !fn(num, f.load(num)) {
			return
		}
	}
}
