package pdftext

import (
	"bytes"
	"io"
	"slices"
	"strconv"
)

// file is an opened PDF: its bytes, its cross-reference table and the objects
// loaded so far. Objects are found through the cross-reference sections
// (classic tables and streams, chained by /Prev and /XRefStm) and, when those
// are missing, damaged or point at the wrong place, by scanning the file for
// "N G obj" the way viewers repair files (see repair.go).
type file struct {
	ex   *extractor
	data []byte // the whole file
	// base is where "%PDF-" starts. Offsets are from the start of the file,
	// but files with leading junk often count them from the header.
	base int

	xref    []xrefEntry // by object number
	trailer map[string]object
	crypt   *security

	cache   map[int]object // loaded objects by number
	loading map[int]bool   // objects being loaded, to stop reference cycles
	objstms map[int]*packedObjects

	// scanned is the table rebuilt by scanning the file, once needed.
	inflater io.ReadCloser // reused between streams

	scanned     []xrefEntry
	didScan     bool
	trailers    []map[string]object // trailer dictionaries the scan found, in file order
	scannedStms []int               // object streams the scan found
	didScanStms bool

	// stack is lent to the lexers that read objects, for gathering the
	// elements of arrays (see lexer.array).
	stack []object
}

type xrefEntry struct {
	off int64  // type 1: byte offset; type 2: number of the object stream
	idx uint32 // type 2: index in the object stream
	gen uint16
	typ uint8 // 0 absent or free, 1 at an offset, 2 in an object stream
}

// streamData locates the raw (encoded) data of a stream in the file.
type streamData struct {
	off, n int
	num    int // object number and generation, for decryption
	gen    uint16
}

type packedObjects struct {
	data  []byte
	first int
	nums  []int // object numbers, in order
	offs  []int // their offsets after first
}

const (
	maxRefHops      = 32
	maxObjStmObjs   = 1 << 20
	maxIndirectSize = 64 << 20
)

// load returns object num, or null when it does not exist.
func (f *file) load(num int) object {
	if o, ok := f.cache[num]; ok {
		return o
	}
	if num <= 0 || num > maxXrefEntries || f.loading[num] {
		return object{}
	}
	if err := f.ex.tick(); err != nil {
		panic(err)
	}
	f.loading[num] = true
	o, ok := f.lookup(f.xref, num)
	if !ok {
		f.scan()
		o, ok = f.lookup(f.scanned, num)
	}
	if !ok && !f.didScanStms {
		f.scanObjStms()
		o, _ = f.lookup(f.scanned, num)
	}
	delete(f.loading, num)
	f.cache[num] = o
	return o
}

// lookup finds object num through table t.
func (f *file) lookup(t []xrefEntry, num int) (object, bool) {
	if num >= len(t) {
		return object{}, false
	}
	e := t[num]
	switch e.typ {
	case 1:
		for _, off := range []int64{e.off, e.off + int64(f.base)} {
			if o, ok := f.parseAt(off, num); ok {
				return o, true
			}
			if f.base == 0 {
				break
			}
		}
	case 2:
		return f.fromObjStm(int(e.off), int(e.idx), num)
	}
	return object{}, false
}

// parseAt reads the indirect object "num G obj … endobj" at off.
func (f *file) parseAt(off int64, num int) (object, bool) {
	if off < 0 || off >= int64(len(f.data)) {
		return object{}, false
	}
	l := &lexer{b: f.data, i: int(off), refs: false, stack: f.stack}
	defer func() { f.stack = l.stack[:0] }()
	n, ok1 := l.next()
	g, ok2 := l.next()
	kw, ok3 := l.next()
	if !ok1 || !ok2 || !ok3 || !n.isInt() || int(n.num) != num || !g.isInt() || kw.kind != objOp || kw.str != "obj" {
		return object{}, false
	}
	l.refs = true
	o, ok := l.next()
	if !ok {
		return object{}, true
	}
	if o.kind == objOp {
		if o.str == "endobj" {
			return object{}, true // an empty object is null
		}
		if isObjectKeyword(o.str) {
			return object{}, true
		}
	}
	gen := uint16(g.num)
	if o.kind == objDict {
		if s, ok := f.streamAfter(l, o.dict, num, gen); ok {
			o = object{kind: objStream, dict: o.dict, stm: s}
		}
	}
	if f.crypt != nil && !f.crypt.isIdentity() {
		o = f.crypt.decryptStrings(o, num, gen)
	}
	return o, true
}

// streamAfter reads the "stream … endstream" that may follow a dictionary.
func (f *file) streamAfter(l *lexer, dict map[string]object, num int, gen uint16) (*streamData, bool) {
	save := l.i
	if !l.skipSpace() || !bytes.HasPrefix(l.b[l.i:], []byte("stream")) {
		l.i = save
		return nil, false
	}
	start := l.i + len("stream")
	// The keyword is followed by CRLF or LF (some writers use CR alone, or
	// spaces first).
	for start < len(f.data) && (f.data[start] == ' ' || f.data[start] == '\t') {
		start++
	}
	if start < len(f.data) && f.data[start] == '\r' {
		start++
	}
	if start < len(f.data) && f.data[start] == '\n' {
		start++
	}
	n := -1
	if lv := f.resolve(dict["Length"]); lv.isInt() && lv.num >= 0 && int64(lv.num) <= int64(len(f.data)-start) {
		n = int(lv.num)
		if !endsStream(f.data[start+n:]) {
			n = -1
		}
	}
	if n < 0 {
		// A wrong or missing /Length: the data ends at "endstream".
		if i := bytes.Index(f.data[start:], []byte("endstream")); i >= 0 {
			n = i
			if n > 0 && f.data[start+n-1] == '\n' {
				n--
			}
			if n > 0 && f.data[start+n-1] == '\r' {
				n--
			}
		} else {
			n = len(f.data) - start
		}
	}
	return &streamData{off: start, n: n, num: num, gen: gen}, true
}

// endsStream reports whether b starts, after an end of line, with endstream.
func endsStream(b []byte) bool {
	i := 0
	for i < len(b) && i < 8 && isSpace(b[i]) {
		i++
	}
	return bytes.HasPrefix(b[i:], []byte("endstream"))
}

// fromObjStm reads object num, the idx-th object of object stream snum.
func (f *file) fromObjStm(snum, idx, num int) (object, bool) {
	s := f.objStm(snum)
	if s == nil {
		return object{}, false
	}
	// The index is a hint: writers get it wrong, so check the number.
	i := idx
	if i < 0 || i >= len(s.nums) || s.nums[i] != num {
		i = slices.Index(s.nums, num)
		if i < 0 {
			return object{}, false
		}
	}
	start := s.first + s.offs[i]
	if start < 0 || start >= len(s.data) {
		return object{}, false
	}
	l := &lexer{b: s.data, i: start, refs: true, stack: f.stack}
	o, ok := l.next()
	f.stack = l.stack[:0]
	if !ok || o.kind == objOp {
		return object{}, true
	}
	return o, true
}

// objStm decodes object stream snum once.
func (f *file) objStm(snum int) *packedObjects {
	if s, ok := f.objstms[snum]; ok {
		return s
	}
	f.objstms[snum] = nil // a stream that contains itself finds nil
	st := f.load(snum)
	if st.kind != objStream {
		return nil
	}
	data, err := f.decode(st)
	if err != nil {
		if Code(err) != "" {
			panic(err)
		}
		if len(data) == 0 {
			return nil
		}
	}
	first := f.resolve(st.dict["First"])
	n := f.resolve(st.dict["N"])
	if !first.isInt() || first.num < 0 || int(first.num) > len(data) {
		return nil
	}
	count := maxObjStmObjs
	if n.isInt() && n.num >= 0 {
		count = min(int(n.num), maxObjStmObjs)
	}
	s := &packedObjects{data: data, first: int(first.num)}
	l := &lexer{b: data[:s.first]}
	for len(s.nums) < count {
		a, ok1 := l.next()
		b, ok2 := l.next()
		if !ok1 || !ok2 || !a.isInt() || !b.isInt() {
			break
		}
		s.nums = append(s.nums, int(a.num))
		s.offs = append(s.offs, int(b.num))
	}
	f.objstms[snum] = s
	return s
}

// resolve follows references; a reference to nothing is null.
func (f *file) resolve(o object) object {
	for hops := 0; o.kind == objRef; hops++ {
		if hops >= maxRefHops {
			return object{}
		}
		o = f.load(int(o.num))
	}
	return o
}

// resolveID is resolve that also returns the number of the object reached
// (0 when o is a direct object).
func (f *file) resolveID(o object) (object, int) {
	id := 0
	for hops := 0; o.kind == objRef; hops++ {
		if hops >= maxRefHops {
			return object{}, 0
		}
		id = int(o.num)
		o = f.load(id)
	}
	return o, id
}

// atoi reads a decimal number in b, or -1.
func atoi(b []byte) int64 {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return -1
	}
	return v
}
