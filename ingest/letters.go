package ingest

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// letter is what reading a text needs to know of one rune, worked out once by the general
// functions (appendFold, isWordRune, unicode's tables) rather than for every rune of every
// document.
type letter struct {
	mark      bool   // a nonspacing mark (Mn)
	word      bool   // part of a word (isWordRune), not a mark
	invisible bool   // isInvisible
	space     bool   // unicode.IsSpace
	soft      bool   // isSoftSeparator
	upper     bool   // unicode.IsUpper
	lower     bool   // unicode.IsLower
	capital   bool   // unicode.IsUpper or unicode.IsTitle: a word begun so is capitalised
	low       rune   // unicode.ToLower
	fold      []rune // appendFold
	// syllable: the rune's share of a syllable key is base, and its tone ('1'…'5', 0 for none);
	// for the letters of the table from 0x80 that are no mark and printable or invisible.
	syllable bool
	base     string
	tone     byte
	// nfc: the rune is NFC on its own, is a starter and combines with nothing before it, so a
	// text made only of such runes is NFC already.
	nfc bool
}

func letterOf(r rune) letter {
	p := norm.NFC.PropertiesString(string(r))
	l := letter{
		mark:      unicode.Is(unicode.Mn, r),
		word:      isWordRune(r) && !unicode.Is(unicode.Mn, r),
		invisible: isInvisible(r),
		space:     unicode.IsSpace(r),
		soft:      isSoftSeparator(r),
		upper:     unicode.IsUpper(r),
		lower:     unicode.IsLower(r),
		capital:   unicode.IsUpper(r) || unicode.IsTitle(r),
		low:       unicode.ToLower(r),
		fold:      appendFold(nil, r),
		nfc: r != utf8.RuneError && norm.NFC.IsNormalString(string(r)) && p.CCC() == 0 &&
			p.BoundaryBefore(),
	}
	if r >= utf8.RuneSelf && !unicode.Is(unicode.Mn, r) && (unicode.IsPrint(r) || isInvisible(r)) {
		l.syllable, l.base = true, syllableKeySlow(string(r))
		if i := strings.IndexByte(l.base, toneSep); i >= 0 {
			l.base, l.tone = l.base[:i], l.base[i+1]
		}
	}
	return l
}

// latinLetters holds the letters of the ranges Vietnamese text is written in: ASCII, Latin-1,
// Latin Extended-A and B (0–0x24F) and Latin Extended Additional (0x1E00–0x1EFF).
type latinLetters struct {
	low        [0x250]letter
	additional [0x100]letter
}

var sharedLetters = sync.OnceValue(func() *latinLetters {
	l := &latinLetters{}
	for r := range rune(len(l.low)) {
		l.low[r] = letterOf(r)
	}
	for r := range rune(len(l.additional)) {
		l.additional[r] = letterOf(0x1E00 + r)
	}
	return l
})

// of gives the letter of r from the table, or false when r is outside it.
func (l *latinLetters) of(r rune) (*letter, bool) {
	switch {
	case r >= 0 && r < rune(len(l.low)):
		return &l.low[r], true
	case r >= 0x1E00 && r < 0x1E00+rune(len(l.additional)):
		return &l.additional[r-0x1E00], true
	}
	return nil, false
}

// fold is appendFold(nil, r), from the table where r is in it.
func (l *latinLetters) fold(r rune) []rune {
	if c, ok := l.of(r); ok {
		return c.fold
	}
	return appendFold(nil, r)
}

// isNFC reports, without normalising, that s is NFC because every rune of it is of the table
// and NFC on its own (letter.nfc); false means only that s may not be.
func (l *latinLetters) isNFC(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c, ok := l.of(r); !ok || !c.nfc {
			return false
		}
		i += n
	}
	return true
}
