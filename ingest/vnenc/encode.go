package vnenc

import (
	"fmt"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Encode writes Unicode text in a legacy encoding, as a Vietnamese keyboard driver of the time
// did: the bytes to set in a font of that encoding. TCVN3 has no capitals with a tone mark; they
// are written with the lower-case codes for a capitals font (f.Upper), and Encode fails on them
// otherwise. It exists to make test documents and to check the tables both ways.
func Encode(f Font, s string) ([]byte, error) {
	var out []byte
	for _, r := range norm.NFC.String(s) {
		switch f.Encoding {
		case TCVN3:
			b, ok := tcvn3Byte(r, f.Upper)
			if !ok {
				return nil, fmt.Errorf("vnenc: %q has no TCVN3 code in a %s font", r, map[bool]string{true: "capitals", false: "lower-case"}[f.Upper])
			}
			out = append(out, b)
		case VNI:
			bs, ok := vniBytes(r)
			if !ok {
				return nil, fmt.Errorf("vnenc: %q has no VNI code", r)
			}
			out = append(out, bs...)
		default:
			return nil, fmt.Errorf("vnenc: cannot encode to %q", f.Encoding)
		}
	}
	return out, nil
}

// tcvn3Byte finds r's byte: ASCII as it is; in a capitals font a capital letter's lower-case code.
func tcvn3Byte(r rune, upper bool) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	for i, x := range tcvn3 {
		if x == r && !isVN1Only(byte(i+0xA0)) {
			return byte(i + 0xA0), true
		}
	}
	if upper && unicode.IsUpper(r) {
		l := unicode.ToLower(r)
		for i, x := range tcvn3 {
			if x == l && !isVN1Only(byte(i+0xA0)) {
				return byte(i + 0xA0), true
			}
		}
	}
	if b, ok := cp1252High[r]; ok {
		return b, true
	}
	return 0, false
}

// isVN1Only reports the positions VN3 leaves to the font (given VN1's capitals when decoding).
func isVN1Only(b byte) bool {
	switch b {
	case 0xAF, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF,
		0xB0, 0xB1, 0xB2, 0xB3, 0xB4:
		return true
	}
	return false
}

// vniBytes writes one letter in VNI: a byte of its own, or the base letter and a mark byte.
func vniBytes(r rune) ([]byte, bool) {
	if r < 0x80 {
		return []byte{byte(r)}, true
	}
	upper := unicode.IsUpper(r)
	shift := func(b byte) byte {
		if upper {
			return b - 0x20
		}
		return b
	}
	l := unicode.ToLower(r)
	for b, x := range vniLetters {
		if x == l {
			return []byte{shift(b)}, true
		}
	}
	d := []rune(norm.NFD.String(string(l)))
	if len(d) < 2 || d[0] >= 0x80 {
		if b, ok := cp1252High[r]; ok {
			return []byte{b}, true
		}
		return nil, false
	}
	base := byte(d[0])
	if upper {
		base = byte(unicode.ToUpper(d[0]))
	}
	var mod, tone rune
	for _, m := range d[1:] {
		switch m {
		case '\u0302', '\u0306', '\u031B':
			mod = m
		default:
			tone = m
		}
	}
	if mod == '\u031B' {
		// ơ and ư are letters of their own, the tone after them.
		lb := map[rune]byte{'o': 0xF4, 'u': 0xF6}[d[0]]
		out := []byte{shift(lb)}
		if tone != 0 {
			t, ok := vniToneByte(tone)
			if !ok {
				return nil, false
			}
			out = append(out, shift(t))
		}
		return out, true
	}
	if mod != 0 {
		for b, m := range vniMods {
			if m.mod == mod && m.tone == tone {
				return []byte{base, shift(b)}, true
			}
		}
		return nil, false
	}
	t, ok := vniToneByte(tone)
	if !ok {
		return nil, false
	}
	return []byte{base, shift(t)}, true
}

func vniToneByte(tone rune) (byte, bool) {
	for b, t := range vniTone {
		if t == tone {
			return b, true
		}
	}
	return 0, false
}
