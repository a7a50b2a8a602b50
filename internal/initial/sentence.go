// Package initial changes the case of the first letter of Vietnamese text, where a phrase
// starts a sentence or continues one: "Báo cáo tự đánh giá" ↔ "báo cáo tự đánh giá". Only the
// first letter changes; the rest, names included, stays as written.
package initial

import (
	"strings"
	"unicode/utf8"
)

// Upper makes s begin with a capital letter.
func Upper(s string) string { return first(s, strings.ToUpper) }

// Lower makes s begin with a small letter.
func Lower(s string) string { return first(s, strings.ToLower) }

func first(s string, change func(string) string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError && n == 1 {
		return s
	}
	return change(s[:n]) + s[n:]
}
