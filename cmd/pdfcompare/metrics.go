package main

import (
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// wordList splits text into words as the comparison counts them: maximal
// runs of letters, marks and digits, NFC-normalised, in order. Punctuation
// and spacing are left out, so that a comma glued to a word or a hyphen at
// a line end does not count as a different word in one of the two outputs.
func wordList(text string) []string {
	var out []string
	text = norm.NFC.String(text)
	start := -1
	for i, r := range text {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

func bag(ws []string) map[string]int {
	m := map[string]int{}
	for _, w := range ws {
		m[w]++
	}
	return m
}

// words is the bag of words of text.
func words(text string) map[string]int { return bag(wordList(text)) }

// splitMatched counts the words of want (in order) found in got, like
// matched, and also those that want splits where got has them whole: two
// or three adjacent pieces whose concatenation is a word of got left over.
// pdftotext splits words whose letters a producer draws in two passes
// (LibreOffice draws a fallback font's glyphs — often the Vietnamese ones —
// after the rest of the line): "nhi ệm" for "nhiệm".
func splitMatched(want []string, got map[string]int) int {
	left := maps.Clone(got)
	used := make([]bool, len(want))
	n := 0
	for i, w := range want {
		if left[w] > 0 {
			left[w]--
			used[i] = true
			n++
		}
	}
	for i := 0; i < len(want); i++ {
		if used[i] {
			continue
		}
		for k := 2; k <= 3 && i+k <= len(want); k++ {
			joined := strings.Join(want[i:i+k], "")
			free := true
			for j := i; j < i+k; j++ {
				free = free && !used[j]
			}
			if free && left[joined] > 0 {
				left[joined]--
				for j := i; j < i+k; j++ {
					used[j] = true
				}
				n += k
				break
			}
		}
	}
	return n
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// matched counts the items of want also found in got, each as often as it
// occurs in both (multiset intersection).
func matched(want, got map[string]int) int {
	n := 0
	for w, c := range want {
		n += min(c, got[w])
	}
	return n
}

// vietnamese reports whether r is a letter of Vietnamese writing beyond
// ASCII: đ, and the vowels with breve, circumflex or horn and tone marks
// (grave, acute, hook, tilde, dot below).
func vietnamese(r rune) bool {
	switch unicode.ToLower(r) {
	case 'đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư':
		return true
	}
	d := []rune(norm.NFD.String(string(r)))
	if len(d) < 2 || !strings.ContainsRune("aeiouy", unicode.ToLower(d[0])) {
		return false
	}
	for _, m := range d[1:] {
		switch m {
		case 0x300, 0x301, 0x303, 0x309, 0x323, 0x306, 0x302, 0x31B:
		default:
			return false
		}
	}
	return true
}

func greek(r rune) bool { return unicode.Is(unicode.Greek, r) && unicode.IsLetter(r) }

// letters counts the runes of text that pass keep, NFC first.
func letters(text string, keep func(rune) bool) map[string]int {
	out := map[string]int{}
	for _, r := range norm.NFC.String(text) {
		if keep(r) {
			out[string(r)]++
		}
	}
	return out
}

// percentile returns the p-th percentile (0–100) of xs by nearest rank:
// the smallest value with at least p % of the values at or below it.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// garbled reports whether text is mostly not text: control characters,
// private-use characters, U+FFFD and unassigned code points make more than
// a fifth of its non-space characters. pdftotext writes such output for
// fonts it cannot decode (it passes raw codes through), and "reading" such
// a file says nothing.
func garbled(text string) bool {
	bad, all := 0, 0
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue // spacing, and format marks (pdftotext's bidi embeddings)
		}
		all++
		if r == 0xFFFD || unicode.IsControl(r) || unicode.Is(unicode.Co, r) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S) {
			bad++
		}
	}
	return all > 0 && bad*5 > all
}
