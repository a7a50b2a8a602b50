package pdftext

import (
	"errors"
)

// Compact Font Format (FontFile3 /Type1C and /CIDFontType0C, and the CFF
// table of OpenType fonts): only what text needs — the built-in encoding
// (code → glyph) and the charset (glyph → name, or CID). A simple font
// without /Encoding, or with only /Differences, takes its codes' names from
// here: TeX and Distiller subsets rely on it, ligatures included ("fi" in a
// custom slot).

type cffFont struct {
	cid      bool
	names    []string // by glyph id, for name-keyed fonts
	cids     []int    // by glyph id, for CID-keyed fonts
	encoding [256]int // code → glyph id, 0 where none
}

var errCFF = errors.New("malformed CFF")

const maxCFFGlyphs = 1 << 16

type cffReader struct {
	b []byte
}

func (r cffReader) u8(off int) (int, bool) {
	if off < 0 || off >= len(r.b) {
		return 0, false
	}
	return int(r.b[off]), true
}

func (r cffReader) u16(off int) (int, bool) {
	if off < 0 || off+2 > len(r.b) {
		return 0, false
	}
	return int(r.b[off])<<8 | int(r.b[off+1]), true
}

func (r cffReader) offset(off, size int) (int, bool) {
	if off < 0 || off+size > len(r.b) || size < 1 || size > 4 {
		return 0, false
	}
	v := 0
	for i := 0; i < size; i++ {
		v = v<<8 | int(r.b[off+i])
	}
	return v, true
}

// index reads an INDEX at off: its items and the offset after it.
func (r cffReader) index(off int) ([][]byte, int, error) {
	count, ok := r.u16(off)
	if !ok {
		return nil, 0, errCFF
	}
	if count == 0 {
		return nil, off + 2, nil
	}
	size, ok := r.u8(off + 2)
	if !ok || size < 1 || size > 4 {
		return nil, 0, errCFF
	}
	base := off + 3 + (count+1)*size - 1
	items := make([][]byte, 0, min(count, maxCFFGlyphs))
	prev, ok := r.offset(off+3, size)
	if !ok {
		return nil, 0, errCFF
	}
	for i := 1; i <= count; i++ {
		o, ok := r.offset(off+3+i*size, size)
		if !ok || o < prev || base+o > len(r.b) {
			return nil, 0, errCFF
		}
		if len(items) < maxCFFGlyphs {
			items = append(items, r.b[base+prev:base+o])
		}
		prev = o
	}
	return items, base + prev, nil
}

// cffDict reads a Top DICT: operator → operands (12 x is 1200+x).
func cffDict(b []byte) map[int][]float64 {
	d := map[int][]float64{}
	var ops []float64
	for i := 0; i < len(b); {
		c := int(b[i])
		switch {
		case c <= 21:
			op := c
			i++
			if c == 12 && i < len(b) {
				op = 1200 + int(b[i])
				i++
			}
			d[op] = ops
			ops = nil
		case c == 28 && i+2 < len(b):
			ops = append(ops, float64(int16(uint16(b[i+1])<<8|uint16(b[i+2]))))
			i += 3
		case c == 29 && i+4 < len(b):
			ops = append(ops, float64(int32(uint32(b[i+1])<<24|uint32(b[i+2])<<16|uint32(b[i+3])<<8|uint32(b[i+4]))))
			i += 5
		case c == 30:
			// A real number, nibble-coded; its value is not needed here.
			i++
			for i < len(b) && b[i]&0x0F != 0x0F && b[i]>>4 != 0x0F {
				i++
			}
			i++
			ops = append(ops, 0)
		case c >= 32 && c <= 246:
			ops = append(ops, float64(c-139))
			i++
		case c >= 247 && c <= 250 && i+1 < len(b):
			ops = append(ops, float64((c-247)*256+int(b[i+1])+108))
			i += 2
		case c >= 251 && c <= 254 && i+1 < len(b):
			ops = append(ops, float64(-(c-251)*256-int(b[i+1])-108))
			i += 2
		default:
			i++
		}
		if len(ops) > 48 {
			ops = ops[:0]
		}
	}
	return d
}

// parseCFF reads the first font of a CFF program.
func parseCFF(b []byte) (*cffFont, error) {
	r := cffReader{b}
	hdr, ok := r.u8(2)
	if !ok || hdr < 4 {
		return nil, errCFF
	}
	_, off, err := r.index(hdr) // Name INDEX
	if err != nil {
		return nil, err
	}
	tops, off, err := r.index(off)
	if err != nil || len(tops) == 0 {
		return nil, errCFF
	}
	strs, _, err := r.index(off)
	if err != nil {
		return nil, err
	}
	top := cffDict(tops[0])
	at := func(op int) (int, bool) {
		v := top[op]
		if len(v) == 0 {
			return 0, false
		}
		return int(v[len(v)-1]), true
	}
	csOff, ok := at(17)
	if !ok {
		return nil, errCFF
	}
	charStrings, _, err := r.index(csOff)
	if err != nil {
		return nil, err
	}
	n := len(charStrings)
	f := &cffFont{cid: len(top[1230]) > 0}
	sid := func(s int) string {
		if s < len(cffStandardStrings) {
			return cffStandardStrings[s]
		}
		if i := s - len(cffStandardStrings); i < len(strs) {
			return string(strs[i])
		}
		return ""
	}
	// Charset: glyph id → SID (or CID).
	ids := make([]int, n)
	charset, _ := at(15)
	switch {
	case charset == 0 && !f.cid:
		for g := range ids {
			if g <= 228 {
				ids[g] = g // ISOAdobe: SIDs 0–228 in order
			}
		}
	case charset > 2:
		format, ok := r.u8(charset)
		if !ok {
			break
		}
		p := charset + 1
		g := 1
		switch format {
		case 0:
			for ; g < n; g++ {
				v, ok := r.u16(p)
				if !ok {
					break
				}
				ids[g] = v
				p += 2
			}
		case 1, 2:
			for g < n {
				first, ok1 := r.u16(p)
				var left int
				var ok2 bool
				if format == 1 {
					left, ok2 = r.u8(p + 2)
					p += 3
				} else {
					left, ok2 = r.u16(p + 2)
					p += 4
				}
				if !ok1 || !ok2 {
					break
				}
				for k := 0; k <= left && g < n; k++ {
					ids[g] = first + k
					g++
				}
			}
		}
	}
	if f.cid {
		f.cids = ids
	} else {
		f.names = make([]string, n)
		for g, s := range ids {
			f.names[g] = sid(s)
		}
	}
	// Encoding: code → glyph id (name-keyed fonts only).
	if enc, _ := at(16); !f.cid && enc > 1 {
		format, ok := r.u8(enc)
		if ok {
			p := enc + 1
			switch format & 0x7F {
			case 0:
				cnt, _ := r.u8(p)
				p++
				for g := 1; g <= cnt && g < n; g++ {
					c, ok := r.u8(p)
					if !ok {
						break
					}
					f.encoding[c] = g
					p++
				}
			case 1:
				ranges, _ := r.u8(p)
				p++
				g := 1
				for k := 0; k < ranges; k++ {
					first, ok1 := r.u8(p)
					left, ok2 := r.u8(p + 1)
					p += 2
					if !ok1 || !ok2 {
						break
					}
					for c := first; c <= first+left && c < 256 && g < n; c++ {
						f.encoding[c] = g
						g++
					}
				}
			}
			if format&0x80 != 0 {
				// Supplements: further codes for named glyphs.
				cnt, _ := r.u8(p)
				p++
				for k := 0; k < cnt; k++ {
					c, ok1 := r.u8(p)
					s, ok2 := r.u16(p + 1)
					p += 3
					if !ok1 || !ok2 {
						break
					}
					name := sid(s)
					for g, nm := range f.names {
						if nm == name {
							f.encoding[c] = g
							break
						}
					}
				}
			}
		}
	} else if !f.cid {
		// Predefined encodings: Standard (0) or Expert (1), by name.
		var std *[256]string
		if enc == 1 {
			std = expertEncoding
		} else {
			std = standardNames()
		}
		byName := make(map[string]int, n)
		for g, nm := range f.names {
			if _, ok := byName[nm]; !ok {
				byName[nm] = g
			}
		}
		for c, nm := range std {
			if g, ok := byName[nm]; ok && nm != "" {
				f.encoding[c] = g
			}
		}
	}
	return f, nil
}

// builtinNames returns the glyph name of each code under the font's own
// encoding ("" where none).
func (f *cffFont) builtinNames() [256]string {
	var t [256]string
	if f.cid {
		return t
	}
	for c, g := range f.encoding {
		if g > 0 && g < len(f.names) && f.names[g] != ".notdef" {
			t[c] = f.names[g]
		}
	}
	return t
}
