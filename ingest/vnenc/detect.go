package vnenc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Detection is what the characters of a text say about its encoding.
type Detection struct {
	Encoding Encoding
	// Before and After are the shares of the words that need a closer look (those with letters
	// outside ASCII, or VIQR marks) that are valid Vietnamese syllables, before and after
	// conversion; Words is how many such words there were.
	Before, After float64
	Words         int
}

// minWords is how many telling words a text needs before its encoding is judged from them.
const minWords = 4

// Detect judges from the characters which legacy encoding a text is in, if any. Text holding
// Unicode Vietnamese letters is never taken for a legacy encoding unless most of its telling
// words read far better converted (a Unicode title over a TCVN3 body).
func Detect(s string) Detection {
	best := Detection{}
	before, words := syllableShare(s)
	best.Before, best.After, best.Words = before, before, words
	if ascii(s) {
		after, n := viqrShare(s)
		if n >= minWords && after >= 0.8 {
			return Detection{Encoding: VIQR, Before: 0, After: after, Words: n}
		}
		return best
	}
	// A text that already reads as Vietnamese cannot gain the 0.4 a conversion must bring.
	if words < minWords || before > 1-minGain {
		return best
	}
	for _, enc := range []Encoding{TCVN3, VNI} {
		after, _ := syllableShare(DecodeText(Font{Encoding: enc}, s))
		if after > best.After {
			best.Encoding, best.After = enc, after
		}
	}
	// A clear gain to a text that reads as Vietnamese, from one that does not.
	if best.Encoding == None || best.After < 0.75 || best.After-best.Before < minGain {
		best.Encoding, best.After = None, best.Before
	}
	return best
}

// minGain is the least rise in the share of valid syllables that a conversion must bring.
const minGain = 0.4

// Fix converts a text that Detect finds in a legacy encoding, line by line, keeping the lines that
// read no better converted (Unicode lines beside legacy ones). It returns the text in NFC and the
// encoding found, None when nothing was converted.
func Fix(s string) (string, Encoding) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !ascii(s) && readsAsVietnamese(s) {
		return nfc(s), None // what Detect would find, sooner
	}
	d := Detect(s)
	if d.Encoding == None {
		return nfc(s), None
	}
	lines := strings.Split(s, "\n")
	changed := false
	for i, l := range lines {
		conv := DecodeText(Font{Encoding: d.Encoding}, l)
		if conv == l {
			continue
		}
		b, n := syllableShare(l)
		a, _ := syllableShare(conv)
		if d.Encoding == VIQR || n == 0 || a > b {
			lines[i] = conv
			changed = true
		}
	}
	if !changed {
		return nfc(s), None
	}
	return norm.NFC.String(strings.Join(lines, "\n")), d.Encoding
}

// LatinStarter reports, without table look-ups, a character of the Latin blocks that is in NFC
// alone and with which nothing before it composes (below the combining marks, U+0300, and the
// Latin Extended Additional block of Vietnamese's letters): a text of such characters only is
// in NFC. TestLatinStarter checks it against the Unicode tables.
func LatinStarter(r rune) bool { return r < 0x300 || r >= 0x1E00 && r < 0x1F00 }

// nfc is norm.NFC.String(s) for valid UTF-8, without its look-ups for the text most pages are.
func nfc(s string) string {
	for _, r := range s {
		if !LatinStarter(r) {
			return norm.NFC.String(s)
		}
	}
	return s
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Score is the share of the words of s with a letter or sign outside ASCII that are valid
// Vietnamese syllables, and how many such words there are: Unicode Vietnamese scores high, legacy
// text read as Windows-1252 low.
func Score(s string) (share float64, words int) { return syllableShare(s) }

// syllableShare is the share of the words with a letter or sign outside ASCII that are valid
// Vietnamese syllables, and how many such words there are.
func syllableShare(s string) (float64, int) {
	n, ok := 0, 0
	for w := range strings.FieldsSeq(s) {
		if w = tellingWord(w); w == "" {
			continue
		}
		n++
		if ValidSyllable(w) {
			ok++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(ok) / float64(n), n
}

// tellingWord returns a word without the ASCII signs around it when it holds a letter or sign
// outside ASCII, else "".
func tellingWord(w string) string {
	w = strings.TrimFunc(w, func(r rune) bool { return r < 0x80 && !unicode.IsLetter(r) })
	if ascii(w) {
		return ""
	}
	return w
}

// readsAsVietnamese reports what Detect first decides of a text with letters outside ASCII,
// that it has minWords telling words and more than 1-minGain of them valid syllables, so that
// no conversion can gain enough: the same sum, stopped once the valid ones are enough.
func readsAsVietnamese(s string) bool {
	n := 0
	for w := range strings.FieldsSeq(s) {
		if tellingWord(w) != "" {
			n++
		}
	}
	if n < minWords {
		return false
	}
	ok := 0
	for w := range strings.FieldsSeq(s) {
		if w = tellingWord(w); w != "" && ValidSyllable(w) {
			ok++
			if float64(ok)/float64(n) > 1-minGain {
				return true
			}
		}
	}
	return false
}

// viqrShare is, for an ASCII text, the share of the words carrying VIQR marks that convert to
// valid Vietnamese syllables, and how many words carry such marks.
func viqrShare(s string) (float64, int) {
	n, ok := 0, 0
	for w := range strings.FieldsSeq(s) {
		w = strings.TrimRight(w, ",;:!\")")
		w = strings.TrimLeft(w, "\"(")
		if !viqrMarked(w) {
			continue
		}
		n++
		conv := strings.TrimRight(DecodeVIQR(w), ".?")
		if !ascii(conv) && ValidSyllable(conv) {
			ok++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(ok) / float64(n), n
}

// viqrMarked reports a word with a VIQR mark after a vowel and a letter after the mark, or "dd".
func viqrMarked(w string) bool {
	if strings.HasPrefix(w, "dd") || strings.HasPrefix(w, "DD") || strings.HasPrefix(w, "Dd") {
		return true
	}
	for i := 1; i+1 < len(w); i++ {
		if strings.IndexByte("^(+*'`~", w[i]) >= 0 && isVowel(rune(w[i-1])) {
			return true
		}
	}
	return false
}

// ValidSyllable reports whether w (one word, any case) is a well-formed Vietnamese syllable: an
// initial consonant, a vowel nucleus Vietnamese has, a final consonant, and at most one tone.
// It works on the canonical decomposition of w, letter by letter from a table (every page of
// every document goes through it, several times while the encoding is detected).
func ValidSyllable(w string) bool {
	var sy syllable
	for _, r := range w {
		if r < 0x80 {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if !sy.feed(r) {
				return false
			}
			continue
		}
		var d string
		if r < rune(len(lowered)) {
			d = lowered[r]
		} else {
			d = norm.NFD.String(string(unicode.ToLower(r)))
		}
		for _, m := range d {
			if !sy.feed(m) {
				return false
			}
		}
	}
	if sy.tone > 1 || sy.n == 0 {
		return false
	}
	// The letters as UTF-8 in a buffer of this frame: a string of them would
	// be an allocation for every word of every page.
	var sb [len(sy.base) * utf8.UTFMax]byte
	s := sb[:0]
	for _, r := range sy.base[:sy.n] {
		s = utf8.AppendRune(s, r)
	}
	for _, in := range initials {
		if len(s) >= len(in) && s[0] == in[0] && string(s[:len(in)]) == in {
			if validRhyme(s[len(in):]) {
				return true
			}
		}
	}
	return validRhyme(s)
}

// syllable gathers the letters of a decomposed word with their vowel marks put back (â, ơ, ư…)
// and counts its tone marks. A syllable has at most eight letters (ngh + uyê + ng), so a word
// that fills base is none.
type syllable struct {
	base [24]rune
	n    int // letters in base
	tone int
}

// feed takes one rune of the decomposition; false when the word cannot be a syllable.
func (sy *syllable) feed(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		sy.tone++
	case '\u0302', '\u0306', '\u031B':
		if sy.n == 0 {
			return false
		}
		last := &sy.base[sy.n-1]
		*last = withMark(*last, r)
	default:
		if sy.n == len(sy.base) {
			return false
		}
		sy.base[sy.n] = r
		sy.n++
	}
	return true
}

// withMark is a letter with a vowel mark (circumflex, breve, horn) composed.
func withMark(r, mark rune) rune {
	switch [2]rune{r, mark} {
	case [2]rune{'a', '\u0302'}:
		return 'â'
	case [2]rune{'a', '\u0306'}:
		return 'ă'
	case [2]rune{'e', '\u0302'}:
		return 'ê'
	case [2]rune{'o', '\u0302'}:
		return 'ô'
	case [2]rune{'o', '\u031B'}:
		return 'ơ'
	case [2]rune{'u', '\u031B'}:
		return 'ư'
	}
	return []rune(norm.NFC.String(string([]rune{r, mark})))[0]
}

// lowered is, for each rune below U+2000 (Latin with its diacritics, Greek, Cyrillic…), what
// ValidSyllable takes of it: the canonical decomposition of its lower case.
var lowered = func() []string {
	t := make([]string, 0x2000)
	for r := range rune(len(t)) {
		t[r] = norm.NFD.String(string(unicode.ToLower(r)))
	}
	return t
}()

// initials lists the initial consonants, longest first.
var initials = []string{"ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
	"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x"}

var finals = []string{"ng", "nh", "ch", "c", "m", "n", "p", "t", ""}

// nuclei are the vowel groups a syllable may have: closed ones may take a final consonant,
// open ones (ending in a glide, or "ia", "ua", "ưa") may not.
var nuclei = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe uâ uê uy uyê oo`) {
		m[v] = true
	}
	for _, v := range strings.Fields(`ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu
		iêu oai oay oao oeo uây uôi uya uyu ươi ươu yêu`) {
		m[v] = false
	}
	return m
}()

// rhymes are the valid rhymes: each nucleus with each final it may take.
var rhymes = func() map[string]bool {
	m := map[string]bool{}
	for n, closed := range nuclei {
		for _, f := range finals {
			if closed || f == "" {
				m[n+f] = true
			}
		}
	}
	return m
}()

// validRhyme reports whether s is a nucleus and a final it may take.
func validRhyme(s []byte) bool { return rhymes[string(s)] }
