package pdftext

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// Stream filters. Only what text needs is decoded: content streams, fonts,
// CMaps, object and cross-reference streams. Image filters (DCT, JPX, JBIG2,
// CCITT) end the decoding with errImageFilter. Every decoded byte counts
// against the file's decompression budget; a corrupt stream yields what was
// decoded before the damage, as viewers show it.

var (
	errImageFilter = errors.New("image filter")
	errFilter      = errors.New("unsupported filter")
)

// decode returns the decoded data of a stream object (decrypted first).
func (f *file) decode(st object) ([]byte, error) {
	return f.decodeWith(st, true)
}

func (f *file) decodeWith(st object, decrypt bool) ([]byte, error) {
	if st.kind != objStream || st.stm == nil {
		return nil, fmt.Errorf("pdftext: not a stream")
	}
	if err := f.ex.tick(); err != nil {
		return nil, err
	}
	s := st.stm
	data := f.data[s.off : s.off+s.n]
	filters, parms := f.filters(st.dict)
	if decrypt && f.crypt != nil && !f.isXRefStream(st.dict) && !hasCryptFilter(filters) {
		data = f.crypt.decryptStream(data, s.num, s.gen)
	}
	var err error
	for i, name := range filters {
		var p map[string]object
		if i < len(parms) {
			p = parms[i]
		}
		data, err = f.filter(name, data, p)
		if err != nil {
			return data, err
		}
	}
	return data, nil
}

func (f *file) isXRefStream(d map[string]object) bool {
	t := d["Type"]
	return t.kind == objName && t.str == "XRef"
}

func hasCryptFilter(filters []string) bool {
	for _, n := range filters {
		if n == "Crypt" {
			return true
		}
	}
	return false
}

// filters lists a stream's filters and their parameters.
func (f *file) filters(d map[string]object) ([]string, []map[string]object) {
	fo := f.resolve(d["Filter"])
	po := f.resolve(d["DecodeParms"])
	if po.kind == objNull {
		po = f.resolve(d["DP"])
	}
	var names []string
	var parms []map[string]object
	switch fo.kind {
	case objName:
		names = []string{fo.str}
		if po.kind == objDict {
			parms = []map[string]object{po.dict}
		}
	case objArray:
		for i, x := range fo.arr {
			x = f.resolve(x)
			if x.kind != objName {
				continue
			}
			names = append(names, x.str)
			var p map[string]object
			if po.kind == objArray && i < len(po.arr) {
				if pd := f.resolve(po.arr[i]); pd.kind == objDict {
					p = pd.dict
				}
			}
			parms = append(parms, p)
		}
		if len(names) > 16 {
			names = names[:16]
		}
	}
	return names, parms
}

// room returns how many more bytes may be decoded.
func (f *file) room() int64 { return f.ex.budget }

func (f *file) spend(n int) error {
	f.ex.budget -= int64(n)
	if f.ex.budget < 0 {
		return &Error{Code: CodeTooComplex, Err: fmt.Errorf("pdftext: extract: %w (%d bytes)", errBudget, f.ex.lim.MaxDecompressed)}
	}
	return nil
}

func (f *file) filter(name string, in []byte, p map[string]object) ([]byte, error) {
	var out []byte
	var err error
	switch name {
	case "FlateDecode", "Fl":
		out, err = f.inflate(in)
	case "LZWDecode", "LZW":
		early := 1
		if e := f.resolve(p["EarlyChange"]); e.isInt() {
			early = int(e.num)
		}
		out, err = lzwDecode(in, early, f.room()+1)
	case "ASCIIHexDecode", "AHx":
		out = asciiHexDecode(in)
	case "ASCII85Decode", "A85":
		out = ascii85Decode(in)
	case "RunLengthDecode", "RL":
		out, err = runLengthDecode(in, f.room()+1)
	case "Crypt":
		// Only the Identity crypt filter is met in practice.
		return in, nil
	case "DCTDecode", "DCT", "JPXDecode", "JBIG2Decode", "CCITTFaxDecode", "CCF":
		return nil, errImageFilter
	default:
		return nil, fmt.Errorf("pdftext: %w %s", errFilter, name)
	}
	if serr := f.spend(len(out)); serr != nil {
		return nil, serr
	}
	if p != nil && (name == "FlateDecode" || name == "Fl" || name == "LZWDecode" || name == "LZW") {
		out = f.predict(out, p)
	}
	return out, err
}

// inflate decodes zlib data (or raw deflate data, which some writers put
// without the zlib header). On damage it returns what came before it.
func (f *file) inflate(in []byte) ([]byte, error) {
	src := in
	if len(src) >= 2 && src[0]&0x0F == 8 && (uint16(src[0])<<8|uint16(src[1]))%31 == 0 {
		src = src[2:]
	}
	br := bytes.NewReader(src)
	if f.inflater == nil {
		f.inflater = flate.NewReader(br)
	} else {
		f.inflater.(flate.Resetter).Reset(br, nil)
	}
	var out bytes.Buffer
	out.Grow(min(4*len(in)+64, int(max(f.room(), 0))+1, 1<<20))
	limit := f.room() + 1
	// Damage (truncated data, a bad checksum, a corrupt block) ends the
	// data where it is: what came before stands, as viewers show it.
	io.Copy(&out, io.LimitReader(f.inflater, limit))
	if int64(out.Len()) >= limit {
		return out.Bytes(), f.spend(out.Len())
	}
	return out.Bytes(), nil
}

// predict undoes a PNG or TIFF predictor (DecodeParms /Predictor).
func (f *file) predict(b []byte, p map[string]object) []byte {
	get := func(k string, def int) int {
		if v := f.resolve(p[k]); v.isInt() && v.num > 0 && v.num < 1<<20 {
			return int(v.num)
		}
		return def
	}
	pred := get("Predictor", 1)
	if pred < 2 {
		return b
	}
	colors := get("Colors", 1)
	bpc := get("BitsPerComponent", 8)
	cols := get("Columns", 1)
	bpp := max(1, (colors*bpc+7)/8)
	rowLen := (colors*bpc*cols + 7) / 8
	if rowLen <= 0 || rowLen > 1<<24 {
		return b
	}
	if pred == 2 {
		if bpc != 8 {
			return b
		}
		for r := 0; r+rowLen <= len(b); r += rowLen {
			row := b[r : r+rowLen]
			for i := bpp; i < len(row); i++ {
				row[i] += row[i-bpp]
			}
		}
		return b
	}
	// PNG: each row starts with its filter type byte.
	out := make([]byte, 0, len(b)/(rowLen+1)*rowLen)
	prev := make([]byte, rowLen)
	for r := 0; r < len(b); r += rowLen + 1 {
		end := min(r+rowLen+1, len(b))
		if end-r < 2 {
			break
		}
		typ := b[r]
		row := make([]byte, rowLen)
		copy(row, b[r+1:end])
		for i := range row {
			var left, up, ul byte
			if i >= bpp {
				left = row[i-bpp]
				ul = prev[i-bpp]
			}
			up = prev[i]
			switch typ {
			case 1:
				row[i] += left
			case 2:
				row[i] += up
			case 3:
				row[i] += byte((int(left) + int(up)) / 2)
			case 4:
				row[i] += paeth(left, up, ul)
			}
		}
		out = append(out, row[:end-r-1]...)
		prev = row
	}
	return out
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func asciiHexDecode(in []byte) []byte {
	out := make([]byte, 0, len(in)/2)
	hi := -1
	for _, c := range in {
		if c == '>' {
			break
		}
		v := unhex(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
			continue
		}
		out = append(out, byte(hi<<4|v))
		hi = -1
	}
	if hi >= 0 {
		out = append(out, byte(hi<<4))
	}
	return out
}

func ascii85Decode(in []byte) []byte {
	out := make([]byte, 0, len(in)*4/5+4)
	var group [5]byte
	n := 0
	flush := func(k int) {
		var v uint64
		for i := 0; i < 5; i++ {
			c := byte('u')
			if i < k {
				c = group[i]
			}
			v = v*85 + uint64(c-'!')
		}
		if v > 0xFFFFFFFF {
			v &= 0xFFFFFFFF
		}
		b := [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, b[:k-1]...)
	}
	if bytes.HasPrefix(in, []byte("<~")) {
		in = in[2:]
	}
	for _, c := range in {
		switch {
		case c == '~':
			if n > 1 {
				flush(n)
			}
			return out
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			group[n] = c
			n++
			if n == 5 {
				flush(5)
				n = 0
			}
		}
	}
	if n > 1 {
		flush(n)
	}
	return out
}

func runLengthDecode(in []byte, limit int64) ([]byte, error) {
	var out []byte
	for i := 0; i < len(in); {
		n := int(in[i])
		i++
		switch {
		case n == 128:
			return out, nil
		case n < 128:
			end := min(i+n+1, len(in))
			out = append(out, in[i:end]...)
			i = end
		default:
			if i >= len(in) {
				return out, nil
			}
			for k := 0; k < 257-n; k++ {
				out = append(out, in[i])
			}
			i++
		}
		if int64(len(out)) > limit {
			return out, nil
		}
	}
	return out, nil
}

// lzwDecode decodes PDF's LZW (variable code width 9–12 bits, MSB first,
// clear code 256, end 257; EarlyChange 1 widens codes one entry early).
func lzwDecode(in []byte, early int, limit int64) ([]byte, error) {
	if early != 0 {
		early = 1
	}
	type entry struct {
		prev int32
		b    byte
		n    int32
	}
	table := make([]entry, 4096)
	for i := 0; i < 256; i++ {
		table[i] = entry{prev: -1, b: byte(i), n: 1}
	}
	next, width := 258, 9
	var out []byte
	var buf uint32
	bits := 0
	pos := 0
	prev := -1
	var tmp []byte
	emit := func(code int) byte {
		tmp = tmp[:0]
		for c := int32(code); c >= 0; c = table[c].prev {
			tmp = append(tmp, table[c].b)
			if len(tmp) > 4096 {
				break
			}
		}
		for i := len(tmp) - 1; i >= 0; i-- {
			out = append(out, tmp[i])
		}
		return tmp[len(tmp)-1]
	}
	for {
		for bits < width && pos < len(in) {
			buf = buf<<8 | uint32(in[pos])
			pos++
			bits += 8
		}
		if bits < width {
			return out, nil
		}
		code := int(buf>>(bits-width)) & (1<<width - 1)
		bits -= width
		switch {
		case code == 256:
			next, width, prev = 258, 9, -1
			continue
		case code == 257:
			return out, nil
		case prev < 0:
			if code > 255 {
				return out, nil
			}
			emit(code)
		case code < next:
			first := emit(code)
			if next < 4096 {
				table[next] = entry{prev: int32(prev), b: first, n: table[prev].n + 1}
				next++
			}
		case code == next:
			first := emit(prev)
			out = append(out, first)
			if next < 4096 {
				table[next] = entry{prev: int32(prev), b: first, n: table[prev].n + 1}
				next++
			}
		default:
			return out, nil
		}
		prev = code
		if next+early >= 1<<width && width < 12 {
			width++
		}
		if int64(len(out)) > limit {
			return out, nil
		}
	}
}
