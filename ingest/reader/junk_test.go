package reader

import (
	"testing"
	"unicode"
)

// What plainLetter passes without look-ups is neither a space nor junk to junk.
func TestPlainLetter(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !plainLetter(r) {
			continue
		}
		if unicode.IsSpace(r) || r == unicode.ReplacementChar || unicode.Is(unicode.Co, r) || unicode.IsControl(r) || !unicode.IsPrint(r) {
			t.Errorf("%U is a space or junk", r)
		}
	}
}
