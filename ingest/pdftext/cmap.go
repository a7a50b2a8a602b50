package pdftext

import (
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// A cmap is a parsed CMap: either a ToUnicode map (code → text) or a CID
// encoding (code → CID). Both share the codespace ranges that say how many
// bytes each character code takes.
//
// Ranges are read linearly (the code's whole value, not only its last byte),
// because producers such as gofpdf write the identity map <0000> <FFFF> <0000>
// and rely on viewers carrying across bytes.
type cmap struct {
	spaces    []codespace
	text      map[codeKey]string
	textRange []textRange
	cidRange  []cidRange
	wmode     int
	usecmap   string
}

type codeKey struct {
	code uint32
	n    uint8
}

type codespace struct {
	n      int
	lo, hi [4]byte
}

type textRange struct {
	n      int
	lo, hi uint32
	start  []rune   // text of lo; the last rune is offset for later codes
	arr    []string // or one text per code
}

type cidRange struct {
	n      int
	lo, hi uint32
	cid    uint32
}

const (
	maxCMapChars  = 1 << 20
	maxCMapRanges = 1 << 18
	maxOperands   = 1 << 16
)

func codeValue(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v
}

// parseCMap reads a CMap program. It never fails: what cannot be read is left
// out, and the caller falls back to the font's encoding for missing codes.
func parseCMap(b []byte) *cmap {
	m := &cmap{text: map[codeKey]string{}}
	l := newLexer(b)
	var stk []object
	for {
		o, ok := l.next()
		if !ok {
			break
		}
		if o.kind != objOp {
			if len(stk) < maxOperands {
				stk = append(stk, o)
			}
			continue
		}
		switch o.str {
		case "endcodespacerange":
			for i := 0; i+1 < len(stk); i += 2 {
				m.addSpace(stk[i], stk[i+1])
			}
		case "endbfchar":
			for i := 0; i+1 < len(stk); i += 2 {
				m.addBFChar(stk[i], stk[i+1])
			}
		case "endbfrange":
			for i := 0; i+2 < len(stk); i += 3 {
				m.addBFRange(stk[i], stk[i+1], stk[i+2])
			}
		case "endcidchar":
			for i := 0; i+1 < len(stk); i += 2 {
				if stk[i].kind == objString && stk[i+1].kind == objNum {
					m.addCIDRange(stk[i], stk[i], stk[i+1])
				}
			}
		case "endcidrange":
			for i := 0; i+2 < len(stk); i += 3 {
				m.addCIDRange(stk[i], stk[i+1], stk[i+2])
			}
		case "def":
			if n := len(stk); n >= 2 && stk[n-2].kind == objName && stk[n-2].str == "WMode" && stk[n-1].kind == objNum {
				m.wmode = int(stk[n-1].num)
			}
		case "usecmap":
			if n := len(stk); n >= 1 && stk[n-1].kind == objName {
				m.usecmap = stk[n-1].str
			}
		}
		stk = stk[:0]
	}
	return m
}

func (m *cmap) addSpace(lo, hi object) {
	if lo.kind != objString || hi.kind != objString || len(lo.str) != len(hi.str) || len(lo.str) < 1 || len(lo.str) > 4 {
		return
	}
	if len(m.spaces) >= 1024 {
		return
	}
	cs := codespace{n: len(lo.str)}
	copy(cs.lo[:], lo.str)
	copy(cs.hi[:], hi.str)
	m.spaces = append(m.spaces, cs)
}

func (m *cmap) addBFChar(src, dst object) {
	if src.kind != objString || len(src.str) < 1 || len(src.str) > 4 || len(m.text) >= maxCMapChars {
		return
	}
	var t string
	switch dst.kind {
	case objString:
		t = decodeUTF16BE([]byte(dst.str))
	case objName:
		t = glyphText(dst.str)
	default:
		return
	}
	m.text[codeKey{codeValue([]byte(src.str)), uint8(len(src.str))}] = t
}

func (m *cmap) addBFRange(lo, hi, dst object) {
	if lo.kind != objString || hi.kind != objString || len(lo.str) < 1 || len(lo.str) > 4 || len(m.textRange) >= maxCMapRanges {
		return
	}
	if len(hi.str) != len(lo.str) {
		return
	}
	r := textRange{n: len(lo.str), lo: codeValue([]byte(lo.str)), hi: codeValue([]byte(hi.str))}
	if r.hi < r.lo {
		return
	}
	switch dst.kind {
	case objString:
		r.start = []rune(decodeUTF16BE([]byte(dst.str)))
		if len(r.start) == 0 {
			return
		}
	case objArray:
		if len(dst.arr) == 0 {
			return
		}
		for _, d := range dst.arr {
			switch d.kind {
			case objString:
				r.arr = append(r.arr, decodeUTF16BE([]byte(d.str)))
			case objName:
				r.arr = append(r.arr, glyphText(d.str))
			default:
				r.arr = append(r.arr, "")
			}
		}
	default:
		return
	}
	m.textRange = append(m.textRange, r)
}

func (m *cmap) addCIDRange(lo, hi, cid object) {
	if lo.kind != objString || hi.kind != objString || cid.kind != objNum || len(lo.str) < 1 || len(lo.str) > 4 || len(lo.str) != len(hi.str) {
		return
	}
	if len(m.cidRange) >= maxCMapRanges || cid.num < 0 || cid.num > 1<<24 {
		return
	}
	r := cidRange{n: len(lo.str), lo: codeValue([]byte(lo.str)), hi: codeValue([]byte(hi.str)), cid: uint32(cid.num)}
	if r.hi < r.lo {
		return
	}
	m.cidRange = append(m.cidRange, r)
}

// split takes the first character code off s according to the codespace
// ranges; a code matches a range when every byte lies within that byte's
// bounds. Bytes that match no range are consumed with the length of the
// shortest range whose first byte fits (PDF 32000 9.7.6.3), else one byte.
func (m *cmap) split(s []byte) (code uint32, n int) {
	if len(m.spaces) == 0 {
		return uint32(s[0]), 1
	}
	for n := 1; n <= 4 && n <= len(s); n++ {
		for _, cs := range m.spaces {
			if cs.n != n {
				continue
			}
			match := true
			for i := 0; i < n; i++ {
				if s[i] < cs.lo[i] || s[i] > cs.hi[i] {
					match = false
					break
				}
			}
			if match {
				return codeValue(s[:n]), n
			}
		}
	}
	best := 0
	for _, cs := range m.spaces {
		if s[0] >= cs.lo[0] && s[0] <= cs.hi[0] && (best == 0 || cs.n < best) {
			best = cs.n
		}
	}
	if best == 0 {
		best = 1
	}
	best = min(best, len(s))
	return codeValue(s[:best]), best
}

// lookup returns the text of a code. The byte length must match, except as a
// fallback: some producers declare 2-byte ToUnicode maps for 1-byte fonts.
func (m *cmap) lookup(code uint32, n int) (string, bool) {
	if t, ok := m.lookupN(code, n, true); ok {
		return t, true
	}
	return m.lookupN(code, n, false)
}

func (m *cmap) lookupN(code uint32, n int, exact bool) (string, bool) {
	if exact {
		if t, ok := m.text[codeKey{code, uint8(n)}]; ok {
			return t, true
		}
	} else {
		for l := uint8(1); l <= 4; l++ {
			if t, ok := m.text[codeKey{code, l}]; ok {
				return t, true
			}
		}
	}
	// Later ranges override earlier ones.
	for i := len(m.textRange) - 1; i >= 0; i-- {
		r := &m.textRange[i]
		if (exact && r.n != n) || code < r.lo || code > r.hi {
			continue
		}
		off := code - r.lo
		if r.arr != nil {
			if int(off) < len(r.arr) {
				return r.arr[off], true
			}
			return "", false
		}
		if len(r.start) == 0 {
			continue
		}
		rs := slices.Clone(r.start)
		last := rs[len(rs)-1] + rune(off)
		if !utf8.ValidRune(last) {
			return "", true
		}
		rs[len(rs)-1] = last
		return string(rs), true
	}
	return "", false
}

// cidOf maps a code through a CID encoding CMap.
func (m *cmap) cidOf(code uint32, n int) (uint32, bool) {
	for i := len(m.cidRange) - 1; i >= 0; i-- {
		r := &m.cidRange[i]
		if r.n == n && code >= r.lo && code <= r.hi {
			return r.cid + (code - r.lo), true
		}
	}
	return 0, false
}

// decodeUTF16BE decodes a ToUnicode destination. A single byte is taken as a
// code point (some producers write <41> for "A"); an odd trailing byte is dropped.
func decodeUTF16BE(b []byte) string {
	if len(b) == 1 {
		return string(rune(b[0]))
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	rs := utf16.Decode(u)
	out := rs[:0]
	for _, r := range rs {
		if r != utf8.RuneError {
			out = append(out, r)
		}
	}
	return string(out)
}
