package vnenc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Encoding is a legacy Vietnamese encoding.
type Encoding string

// The encodings this package reads. None is Unicode (or anything else left as it is).
const (
	None  Encoding = ""
	TCVN3 Encoding = "tcvn3"
	VNI   Encoding = "vni"
	VIQR  Encoding = "viqr"
)

// Font is what a font name says about the encoding of the text set in it.
type Font struct {
	Encoding Encoding
	// Upper: a capitals font (".VnTimeH"), whose lower-case codes draw capitals.
	Upper bool
}

// FontEncoding reads a font name as Word, LibreOffice or a PDF writes it: ".VnTime",
// ".VnTimeH", "ABCDEF+.VnArial,Bold", "VnTimeH-Italic", "VNI-Times", "VNI Helve" …
// A name of neither family gives Encoding None.
func FontEncoding(name string) Font {
	n := strings.TrimSpace(name)
	// A PDF subset prefix: six capitals and a plus.
	if i := strings.IndexByte(n, '+'); i == 6 && isUpperASCII(n[:6]) {
		n = n[7:]
	}
	n = strings.TrimLeft(n, "._ ")
	low := strings.ToLower(n)
	switch {
	case strings.HasPrefix(low, "vni-") || strings.HasPrefix(low, "vni ") || strings.HasPrefix(low, "vni_"):
		return Font{Encoding: VNI}
	case strings.HasPrefix(low, "vn") && len(n) > 2 && n[2] >= 'A' && n[2] <= 'Z' && !strings.HasPrefix(low, "vni"):
		// ".VnTime", ".VnArial", ".VnCentury Schoolbook"; capitals fonts end in H before any style.
		base := n
		for _, sep := range []string{",", "-"} {
			if i := strings.Index(base, sep); i > 0 {
				base = base[:i]
			}
		}
		base = strings.TrimSpace(base)
		for _, style := range []string{"BoldItalic", "Bold", "Italic", "Oblique"} {
			base = strings.TrimSuffix(base, style)
		}
		return Font{Encoding: TCVN3, Upper: strings.HasSuffix(base, "H")}
	}
	return Font{}
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// FontDecoder returns, for a font whose name says it is TCVN3 or VNI, the function that maps the
// font's raw byte codes (as a PDF content stream shows them) to Unicode NFC; ok is false for any
// other font. Use it in a PDF extractor before any built-in encoding is applied.
func FontDecoder(fontName string) (decode func(codes []byte) string, ok bool) {
	f := FontEncoding(fontName)
	if f.Encoding == None {
		return nil, false
	}
	return func(codes []byte) string { return DecodeBytes(f, codes) }, true
}

// DecodeBytes maps legacy byte codes to Unicode NFC.
func DecodeBytes(f Font, b []byte) string {
	switch f.Encoding {
	case TCVN3:
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(tcvn3Rune(c))
		}
		return finish(sb.String(), f.Upper)
	case VNI:
		return finish(decodeVNI(b), f.Upper)
	case VIQR:
		return DecodeVIQR(string(b))
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(cp1252Rune(c))
	}
	return norm.NFC.String(sb.String())
}

// DecodeText converts text whose characters are the Windows-1252 reading of legacy bytes — a DOCX
// run in a ".Vn…" or "VNI-…" font, or PDF text decoded as WinAnsi — to Unicode NFC. Characters
// with no Windows-1252 byte (real Unicode typed in the same run) are kept as they are.
func DecodeText(f Font, s string) string {
	if f.Encoding == VIQR {
		return DecodeVIQR(s)
	}
	if f.Encoding == None {
		return norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	}
	var out strings.Builder
	var buf []byte
	flush := func() {
		if len(buf) > 0 {
			out.WriteString(DecodeBytes(Font{Encoding: f.Encoding}, buf))
			buf = buf[:0]
		}
	}
	for _, r := range s {
		if b, ok := cp1252Byte(r); ok {
			buf = append(buf, b)
			continue
		}
		flush()
		out.WriteRune(r)
	}
	flush()
	return finish(out.String(), f.Upper)
}

// finish upper-cases a capitals font's text and composes it.
func finish(s string, upper bool) string {
	if upper {
		s = strings.ToUpper(s)
	}
	return norm.NFC.String(s)
}

func tcvn3Rune(c byte) rune {
	if c >= 0xA0 {
		return tcvn3[c-0xA0]
	}
	return cp1252Rune(c)
}

// decodeVNI composes VNI's base letters and mark bytes.
func decodeVNI(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	// last is the letter written last, to which a mark byte may apply; it is written out only once
	// the next non-mark byte comes, with its marks.
	var base rune
	var marks []rune
	flush := func() {
		if base != 0 {
			sb.WriteRune(base)
			for _, m := range marks {
				sb.WriteRune(m)
			}
		}
		base, marks = 0, marks[:0]
	}
	for _, c := range b {
		lc, upper := c, false
		if c >= 0xC0 && c < 0xE0 {
			lc, upper = c+0x20, true
		}
		if base != 0 {
			if t, ok := vniTone[lc]; ok && takesTone(base) && !hasTone(marks) {
				marks = append(marks, t)
				continue
			}
			if m, ok := vniMods[lc]; ok && takesMod(base, m.mod) && len(marks) == 0 {
				marks = append(marks, m.mod)
				if m.tone != 0 {
					marks = append(marks, m.tone)
				}
				continue
			}
		}
		flush()
		if l, ok := vniLetters[lc]; ok && c >= 0xC0 {
			if upper {
				l = unicode.ToUpper(l)
			}
			base = l
			continue
		}
		if c < 0x80 && isVowel(rune(c)) {
			base = rune(c)
			continue
		}
		sb.WriteRune(cp1252Rune(c))
	}
	flush()
	return sb.String()
}

func isVowel(r rune) bool {
	return strings.ContainsRune("aeiouyAEIOUY", r)
}

// takesTone reports whether a tone mark may follow the letter in VNI: a plain vowel, ơ or ư.
func takesTone(r rune) bool {
	return isVowel(r) || r == 'ơ' || r == 'Ơ' || r == 'ư' || r == 'Ư'
}

// takesMod reports whether the modifier applies to the vowel: â ê ô, ă.
func takesMod(r, mod rune) bool {
	switch unicode.ToLower(r) {
	case 'a':
		return true
	case 'e', 'o':
		return mod == '\u0302'
	}
	return false
}

func hasTone(marks []rune) bool {
	for _, m := range marks {
		if m != '\u0302' && m != '\u0306' {
			return true
		}
	}
	return false
}

// isVietnameseOnly reports the letters Unicode Vietnamese has and no Windows-1252 reading of a
// legacy encoding produces: ă đ ơ ư, ĩ ũ, and the whole Latin Extended Additional block.
func isVietnameseOnly(r rune) bool {
	switch r {
	case 'ă', 'Ă', 'đ', 'Đ', 'ơ', 'Ơ', 'ư', 'Ư', 'ĩ', 'Ĩ', 'ũ', 'Ũ':
		return true
	}
	return r >= 0x1EA0 && r <= 0x1EF9
}

// DecodeVIQR converts VIQR (RFC 1456: "Vie^.t Nam", "d9" or "dd" for đ) to Unicode NFC. A
// backslash keeps the next character literal. A '.' or '?' after a word's last vowel is read as a
// tone mark only inside a sentence — followed by a space and a lower-case letter, or inside a
// name (a capitalised word before a capitalised word: "Nguye^~n Thi. Hu+o+`ng") —, since at a
// sentence's end it is punctuation.
func DecodeVIQR(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var sb strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' && i+1 < len(rs) {
			sb.WriteRune(rs[i+1])
			i++
			continue
		}
		if (r == 'd' || r == 'D') && i+1 < len(rs) && (rs[i+1] == 'd' || rs[i+1] == 'D' || rs[i+1] == '9') &&
			(i == 0 || !isLetter(rs[i-1])) {
			if r == 'D' {
				sb.WriteRune('Đ')
			} else {
				sb.WriteRune('đ')
			}
			i++
			continue
		}
		if !isVowel(r) {
			sb.WriteRune(r)
			continue
		}
		sb.WriteRune(r)
		modDone, toneDone := false, false
		for i+1 < len(rs) {
			m := rs[i+1]
			var mark rune
			switch {
			case !modDone && m == '^' && strings.ContainsRune("aeoAEO", r):
				mark = '\u0302'
			case !modDone && m == '(' && (r == 'a' || r == 'A'):
				mark = '\u0306'
			case !modDone && (m == '+' || m == '*') && strings.ContainsRune("ouOU", r):
				mark = '\u031B'
			case !toneDone && m == '\'':
				mark = '\u0301'
			case !toneDone && m == '`':
				mark = '\u0300'
			case !toneDone && m == '~':
				mark = '\u0303'
			case !toneDone && (m == '.' || m == '?'):
				next := rune(0)
				if i+2 < len(rs) {
					next = rs[i+2]
				}
				inWord := isLetter(next) || next == '^' || next == '(' || next == '+'
				inSentence := next == ' ' && i+3 < len(rs) && unicode.IsLower(rs[i+3])
				inName := next == ' ' && i+3 < len(rs) && unicode.IsUpper(rs[i+3]) && capitalised(rs, i)
				if !inWord && !inSentence && !inName {
					break
				}
				if m == '.' {
					mark = '\u0323'
				} else {
					mark = '\u0309'
				}
			}
			if mark == 0 {
				break
			}
			if mark == '\u0302' || mark == '\u0306' || mark == '\u031B' {
				modDone = true
			} else {
				toneDone = true
			}
			sb.WriteRune(mark)
			i++
		}
	}
	return norm.NFC.String(sb.String())
}

// capitalised reports whether the word that rs[i] ends begins with a capital.
func capitalised(rs []rune, i int) bool {
	j := i
	for j > 0 && !unicode.IsSpace(rs[j-1]) {
		j--
	}
	return unicode.IsUpper(rs[j])
}

func isLetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }
