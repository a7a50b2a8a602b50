package pdftext

import (
	"slices"
	"strings"
	"testing"
)

func mustCMap(t testing.TB, body string) *cmap {
	t.Helper()
	return parseCMap([]byte(body))
}

func TestCMapSplitAndLookup(t *testing.T) {
	m := mustCMap(t, `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/WMode 0 def
3 begincodespacerange <00> <80> <8140> <9FFC> <A0A0A0A0> <A1A1A1A1> endcodespacerange
2 beginbfchar <41> <0041> <8140> <1EA2> endbfchar
2 beginbfrange <00FE> <0101> <1EA0> <9F40> <9F42> [<0110> /dcroat <D83DDE00>] endbfrange
1 beginbfrange <A0A0A0A0> <A0A0A0A1> <00660069> endbfrange
endcmap end end`)
	tests := []struct {
		in    string
		code  uint32
		n     int
		text  string
		found bool
	}{
		{"\x41rest", 0x41, 1, "A", true},
		{"\x81\x40", 0x8140, 2, "Ả", true},
		{"\x9f\x41", 0x9F41, 2, "đ", true},
		{"\x9f\x42", 0x9F42, 2, "😀", true},
		{"\xa0\xa0\xa0\xa1", 0xA0A0A0A1, 4, "fj", true},
		// 0x81 0x3F: second byte out of the range's bounds per byte: no
		// two-byte match; the shortest range starting with 0x81 has 2 bytes.
		{"\x81\x3f", 0x813F, 2, "", false},
		// Outside every codespace: one byte; the lookup falls back to codes
		// of other lengths (simple fonts with two-byte ToUnicode maps).
		{"\xff", 0xFF, 1, "ạ", true},
	}
	for _, tc := range tests {
		code, n := m.split([]byte(tc.in))
		if code != tc.code || n != tc.n {
			t.Errorf("split(%x) = %x,%d want %x,%d", tc.in, code, n, tc.code, tc.n)
			continue
		}
		text, ok := m.lookup(code, n)
		if text != tc.text || ok != tc.found {
			t.Errorf("lookup(%x) = %q,%v want %q,%v", code, text, ok, tc.text, tc.found)
		}
	}
	// The range <00FE> <0101> <1EA0> carries into the high byte; it is
	// two bytes long, so only the two-byte lookup (or the fallback) sees it.
	for code, want := range map[uint32]string{0xFE: "Ạ", 0xFF: "ạ", 0x100: "Ả", 0x101: "ả"} {
		if got, _ := m.lookup(code, 2); got != want {
			t.Errorf("lookup(%04x) = %q, want %q", code, got, want)
		}
	}
}

func TestCIDRanges(t *testing.T) {
	m := mustCMap(t, `begincmap /WMode 1 def 1 begincodespacerange <0000> <FFFF> endcodespacerange
1 begincidrange <0020> <007E> 1 endcidrange 1 begincidchar <3000> 633 endcidchar endcmap`)
	if m.wmode != 1 {
		t.Error("WMode not read")
	}
	for code, want := range map[uint32]uint32{0x20: 1, 0x41: 34, 0x3000: 633} {
		if got, ok := m.cidOf(code, 2); !ok || got != want {
			t.Errorf("cidOf(%x) = %d,%v want %d", code, got, ok, want)
		}
	}
	if _, ok := m.cidOf(0x7F, 2); ok {
		t.Error("code outside the ranges mapped")
	}
}

func TestGlyphText(t *testing.T) {
	tests := map[string]string{
		"A": "A", "space": " ", "Aacute": "Á", "Acircumflexdotbelow": "Ậ", "Abrevedotbelow": "Ặ",
		"acircumflexhookabove": "ẩ", "ohornhookabove": "ở", "Uhorntilde": "Ữ", "uhorndotbelow": "ự",
		"Ohornacute": "Ớ", "dcroat": "đ", "Dcroat": "Đ", "ytilde": "ỹ", "Ydotbelow": "Ỵ", "ihookabove": "ỉ",
		"Ecircumflexgrave": "Ề", "uni1EA0": "Ạ", "uni00410301": "AÁ"[0:1] + "\u0301", "u1EA2": "Ả",
		"u1F600": "😀", "f_i": "fi", "fi": "fi", "a.sc": "a", "Aacute.cap": "Á", ".notdef": "",
		"g123": "", "uniD800": "", "dong": "₫", "quotedblleft": "“", "endash": "–", "Scommaaccent": "Ș",
		"Gcommaaccent": "Ģ", "Aringacute": "Ǻ", "dotlessi": "ı", "xyzzy": "", "uniZZZZ": "",
	}
	for name, want := range tests {
		if got := glyphText(name); got != want {
			t.Errorf("glyphText(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestBaseEncodings(t *testing.T) {
	win := baseEncoding("WinAnsiEncoding", "")
	mac := baseEncoding("MacRomanEncoding", "")
	std := baseEncoding("StandardEncoding", "")
	checks := []struct {
		table *[256]string
		code  byte
		want  string
	}{
		{&win, 0x80, "€"}, {&win, 0x93, "“"}, {&win, 0xE0, "à"}, {&win, 0xA0, " "}, {&win, 0x81, ""},
		{&mac, 0x8E, "é"}, {&mac, 0xD2, "“"}, {&mac, 0xDB, "¤"}, {&mac, 0x41, "A"},
		{&std, 0x27, "’"}, {&std, 0x60, "‘"}, {&std, 0xAE, "fi"}, {&std, 0xE8, "Ł"}, {&std, 0x41, "A"},
	}
	for _, c := range checks {
		if got := c.table[c.code]; got != c.want {
			t.Errorf("%#x = %q, want %q", c.code, got, c.want)
		}
	}
	if got := baseEncoding("NoSuchEncoding", "WinAnsiEncoding")[0x80]; got != "€" {
		t.Errorf("fallback: %q", got)
	}
}

func TestLexer(t *testing.T) {
	l := newLexer([]byte(`/Na#6De (a\(b\)c\101\
d) <48 65 6C6C 6F> <414> [1 -2.5 .5 --3 (x)] << /K /V /N 1 >> true null %comment
Tj`))
	var got []object
	for {
		o, ok := l.next()
		if !ok {
			break
		}
		got = append(got, o)
	}
	if len(got) != 9 {
		t.Fatalf("%d objects: %+v", len(got), got)
	}
	if got[0].str != "Name" || got[1].str != "a(b)cAd" || got[2].str != "Hello" || got[3].str != "A@" {
		t.Errorf("strings: %q %q %q %q", got[0].str, got[1].str, got[2].str, got[3].str)
	}
	if a := got[4].arr; len(a) != 5 || a[1].num != -2.5 || a[2].num != 0.5 || a[3].num != 3 {
		t.Errorf("array: %+v", a)
	}
	if got[5].dict["K"].str != "V" || got[5].dict["N"].num != 1 {
		t.Errorf("dict: %+v", got[5].dict)
	}
	if got[6].kind != objBool || got[6].num != 1 || got[7].kind != objNull || got[8].kind != objOp || got[8].str != "Tj" {
		t.Errorf("bool, null, operator: %+v", got[6:])
	}
}

// FuzzCMap: any bytes parse without panicking, and splitting and looking
// up codes in the result stays within the input.
func FuzzCMap(f *testing.F) {
	f.Add([]byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0000> <FFFF> <0000> endbfrange"))
	f.Add([]byte("2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange 1 beginbfrange <9F40> <9F42> [<0110> /dcroat] endbfrange"))
	f.Add([]byte("begincidrange <0020> <007E> 1 endcidrange beginbfchar <41> <D83D> endbfchar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := parseCMap(data)
		s := data
		for steps := 0; len(s) > 0 && steps < 64; steps++ {
			code, n := m.split(s)
			if n < 1 || n > len(s) {
				t.Fatalf("split consumed %d of %d bytes", n, len(s))
			}
			m.lookup(code, n)
			m.cidOf(code, n)
			s = s[n:]
		}
	})
}

// FuzzGlyphName: any name gives valid UTF-8 or nothing.
func FuzzGlyphName(f *testing.F) {
	for _, s := range []string{"Acircumflexdotbelow", "uni1EA0", "u1F600", "f_i.sc", "uniD800DC00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if s := glyphText(name); !utf8ValidString(s) {
			t.Fatalf("%q gives invalid UTF-8 %q", name, s)
		}
	})
}

func utf8ValidString(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return false
		}
	}
	return true
}

// Deep or unbalanced nesting must not recurse: these run in constant stack.
func TestLexerNesting(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("[", 1<<20), strings.Repeat("<<", 1<<20), strings.Repeat(")", 1<<20),
		strings.Repeat("[<</A ", 1<<18), strings.Repeat("]", 1<<20) + "Tj",
	} {
		l := newLexer([]byte(in))
		n := 0
		for {
			if _, ok := l.next(); !ok {
				break
			}
			n++
		}
		if n > len(in) {
			t.Errorf("%d objects from %d bytes", n, len(in))
		}
	}
}

// buildCFF writes a name-keyed CFF program whose glyphs 1… have the given
// SIDs; codes, when not nil, is a custom encoding of format 0 (the code of
// each glyph from 1), else the standard encoding is used.
func buildCFF(sids []int, codes []byte) []byte {
	index := func(items ...[]byte) []byte {
		if len(items) == 0 {
			return []byte{0, 0}
		}
		b := []byte{0, byte(len(items)), 1, 1}
		off := 1
		for _, it := range items {
			off += len(it)
			b = append(b, byte(off))
		}
		for _, it := range items {
			b = append(b, it...)
		}
		return b
	}
	glyphs := [][]byte{{0x0e}}
	for range sids {
		glyphs = append(glyphs, []byte{0x0e})
	}
	charset := []byte{0}
	for _, s := range sids {
		charset = append(charset, byte(s>>8), byte(s))
	}
	var enc []byte
	if codes != nil {
		enc = append([]byte{0, byte(len(codes))}, codes...)
	}
	// The Top DICT's size does not depend on the offsets it holds (3-byte
	// integers), so the layout is known before it is written.
	topLen := 8
	if codes != nil {
		topLen = 12
	}
	hdr := []byte{1, 0, 4, 1}
	name := index([]byte("T"))
	start := len(hdr) + len(name) + 5 + topLen + 2 + 2 // Top DICT INDEX of one item, String and Global Subr INDEXes
	csOff := start
	charsetOff := csOff + len(index(glyphs...))
	encOff := charsetOff + len(charset)
	top := []byte{0x1c, byte(charsetOff >> 8), byte(charsetOff), 15, 0x1c, byte(csOff >> 8), byte(csOff), 17}
	if codes != nil {
		top = append(top, 0x1c, byte(encOff>>8), byte(encOff), 16)
	}
	var b []byte
	b = append(b, hdr...)
	b = append(b, name...)
	b = append(b, index(top)...)
	b = append(b, 0, 0, 0, 0)
	b = append(b, index(glyphs...)...)
	b = append(b, charset...)
	b = append(b, enc...)
	return b
}

func TestCFF(t *testing.T) {
	// SIDs 34 (A) and 36 (C), standard encoding: A at 65, C at 67.
	c, err := parseCFF(buildCFF([]int{34, 36}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.names) != 3 || c.names[1] != "A" || c.names[2] != "C" || c.cid {
		t.Fatalf("names %q cid %v", c.names, c.cid)
	}
	if n := c.builtinNames(); n[65] != "A" || n[67] != "C" || n[66] != "" {
		t.Errorf("codes 65–67: %q %q %q", n[65], n[66], n[67])
	}
	// A custom encoding: the ligature fi (SID 109) at code 0x01, A at 0x02 —
	// the "eld" for "field" of a TeX subset.
	c, err = parseCFF(buildCFF([]int{109, 34}, []byte{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.builtinNames(); n[1] != "fi" || n[2] != "A" || n[65] != "" {
		t.Errorf("custom: %q %q %q", n[1], n[2], n[65])
	}
	if _, err := parseCFF(buildCFF([]int{34}, nil)[:10]); err == nil {
		t.Error("a cut program parsed")
	}
}

// FuzzCFF: any bytes give a font or an error, never a panic, and the names
// of its encoding come from its charset.
func FuzzCFF(f *testing.F) {
	// A minimal CFF: header, Name INDEX, Top DICT INDEX (CharStrings at
	// 0x1c, charset format 0), empty String INDEX and Global Subr INDEX,
	// a CharStrings INDEX of two glyphs, and the charset.
	f.Add(buildCFF([]int{34, 36}, nil))
	f.Add(buildCFF([]int{109, 34}, []byte{1, 2}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCFF(data)
		if err != nil {
			return
		}
		names := c.builtinNames()
		for _, n := range names {
			if n != "" && !slices.Contains(c.names, n) {
				t.Fatalf("encoding names %q, not in the charset", n)
			}
		}
	})
}

// FuzzFilters: every decoder returns (part of) its input decoded, never a
// panic, and never more than the limit asks.
func FuzzFilters(f *testing.F) {
	f.Add([]byte("x\x9c\xcbH\xcd\xc9\xc9\x07\x00\x06,\x02\x15"), uint8(0))
	f.Add([]byte("\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01"), uint8(1))
	f.Add([]byte("<~87cURD]i,\"Ebo80~>"), uint8(2))
	f.Add([]byte("48656c6c6f>"), uint8(3))
	f.Add([]byte("\x04hello\xfea\x80"), uint8(4))
	f.Add([]byte("\x02\x01\x02\x03\x02\x04\x05\x06"), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		const limit = 1 << 16
		ex := &extractor{lim: Limits{MaxDecompressed: limit}.withDefaults(), budget: limit}
		fl := &file{ex: ex, data: data}
		var out []byte
		switch which % 6 {
		case 0:
			out, _ = fl.inflate(data)
		case 1:
			out, _ = lzwDecode(data, int(which/6)%2, limit)
		case 2:
			out = ascii85Decode(data)
		case 3:
			out = asciiHexDecode(data)
		case 4:
			out, _ = runLengthDecode(data, limit)
		case 5:
			out = fl.predict(slices.Clone(data), map[string]object{
				"Predictor": {kind: objNum, num: float64(10 + which%5)}, "Columns": {kind: objNum, num: float64(1 + which%7)},
				"Colors": {kind: objNum, num: float64(1 + which%3)},
			})
		}
		if len(out) > limit+1<<8 && which%6 != 2 && which%6 != 3 && which%6 != 5 {
			t.Fatalf("%d bytes out, limit %d", len(out), limit)
		}
	})
}
