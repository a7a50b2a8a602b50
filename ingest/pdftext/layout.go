package pdftext

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// layout turns positioned glyphs into lines of words. Glyphs are grouped
// into lines by baseline (same writing direction, baseline within half the
// font size), lines keep the order in which the content stream started them,
// and the glyphs of a line are ordered by position along it. Ordering within
// a line matters: LibreOffice draws a line once per font, so the letters that
// fell back to another font (often the Vietnamese ones) come after the rest
// of the line in the stream. A space goes between glyphs when the gap along
// the baseline is wider than a fraction of the font size, which is how a TJ
// kerning of -250, or a move to the next table cell, becomes a space.
type layout struct {
	lines []*line
	last  *line // line of the latest glyph, tried first
	// The latest item, to which combining marks and ActualText pen moves attach.
	lastItem *item
	pool     []item // items are carved from chunks: one allocation per 1024 glyphs
}

type line struct {
	dir   point   // unit vector of the writing direction
	base  float64 // offset of the baseline across dir
	size  float64
	items []*item
}

type item struct {
	text   string
	a0, a1 float64 // start and end along the line
	size   float64
}

const (
	wordGap   = 0.15 // em; a wider gap along the baseline is a space
	lineShift = 0.5  // em; a baseline further away than this is another line
	sameDir   = 0.99 // cosine above which two directions are one
	dupShift  = 0.3  // of a glyph's width: the same glyph again this close is overprinting (fake bold)
)

func unit(p point) point {
	n := math.Hypot(p.x, p.y)
	if n < 1e-9 || math.IsNaN(n) || math.IsInf(n, 0) {
		return point{1, 0}
	}
	return point{p.x / n, p.y / n}
}

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func (l *layout) add(text string, start, end, dir point, size float64) {
	if text == "" || !finite(start.x, start.y, end.x, end.y, size) {
		return
	}
	if size <= 0 {
		size = 1
	}
	// A combining mark drawn as its own glyph belongs to the letter before
	// it in the stream, wherever the producer placed it.
	d := unit(dir)
	if r, _ := utf8.DecodeRuneInString(text); l.lastItem != nil && unicode.In(r, unicode.Mn, unicode.Me) {
		l.lastItem.text += text
		l.move(end)
		return
	}
	a0 := d.x*start.x + d.y*start.y
	a1 := d.x*end.x + d.y*end.y
	if a1 < a0 {
		a0, a1 = a1, a0
	}
	b := d.x*start.y - d.y*start.x
	ln := l.find(d, b, size)
	if ln == nil {
		ln = &line{dir: d, base: b, size: size}
		l.lines = append(l.lines, ln)
	}
	if len(l.pool) == cap(l.pool) {
		l.pool = make([]item, 0, 1024)
	}
	l.pool = append(l.pool, item{text: text, a0: a0, a1: a1, size: size})
	it := &l.pool[len(l.pool)-1]
	ln.items = append(ln.items, it)
	ln.size = math.Max(ln.size, size)
	l.last, l.lastItem = ln, it
}

// findWindow is how many of the latest lines find searches. Glyphs of one
// line come close together in real streams (LibreOffice's second font pass
// follows its line; column-wise tables stay within a page's few dozen
// lines); the bound keeps a page of many tiny lines from going quadratic.
const findWindow = 256

// find returns the line a glyph with this direction and baseline belongs to:
// the latest line if it fits, else the nearest fitting one of the recent lines.
func (l *layout) find(d point, b, size float64) *line {
	fits := func(ln *line) (float64, bool) {
		if d.x*ln.dir.x+d.y*ln.dir.y < sameDir {
			return 0, false
		}
		diff := math.Abs(ln.base - b)
		return diff, diff <= lineShift*math.Max(size, ln.size)
	}
	if l.last != nil {
		if _, ok := fits(l.last); ok {
			return l.last
		}
	}
	var best *line
	bestDiff := math.Inf(1)
	for i := len(l.lines) - 1; i >= max(0, len(l.lines)-findWindow); i-- {
		if diff, ok := fits(l.lines[i]); ok && diff < bestDiff {
			best, bestDiff = l.lines[i], diff
		}
	}
	return best
}

// move extends the latest item to cover a glyph whose text an ActualText
// already gave.
func (l *layout) move(end point) {
	if l.lastItem == nil || l.last == nil || !finite(end.x, end.y) {
		return
	}
	a := l.last.dir.x*end.x + l.last.dir.y*end.y
	l.lastItem.a1 = math.Max(l.lastItem.a1, a)
}

// overprinted reports whether b is a copy of a drawn over it, slightly
// shifted, as producers fake bold type.
func overprinted(a, b *item) bool {
	w := a.a1 - a.a0
	if w <= 0 {
		return math.Abs(b.a0-a.a0) < 0.01*a.size
	}
	return math.Abs(b.a0-a.a0) < dupShift*w
}

// text returns the page's lines, cleaned and NFC-normalised.
func (l *layout) text() string {
	var out []string
	var b strings.Builder
	for _, ln := range l.lines {
		slices.SortStableFunc(ln.items, func(x, y *item) int { return cmp.Compare(x.a0, y.a0) })
		b.Reset()
		var prev *item
		end := math.Inf(-1)
		for _, it := range ln.items {
			if prev != nil {
				if it.text == prev.text && overprinted(prev, it) {
					continue
				}
				if it.a0-end > wordGap*(it.size+prev.size)/2 {
					b.WriteByte(' ')
				}
			}
			b.WriteString(it.text)
			prev = it
			end = math.Max(end, it.a1)
		}
		if s := cleanLine(b.String()); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}

var ligatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi", "\uFB04", "ffl",
	"\uFB05", "st", "\uFB06", "st",
)

// cleanLine normalises one line: NFC, ligatures spelled out, every kind of
// space (and tab, and line breaks a ToUnicode map produced) to one space,
// invisible characters (soft hyphen, zero-width, controls, U+FFFD) dropped.
func cleanLine(s string) string {
	s = ligatures.Replace(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = true
			continue
		case r == '\u00AD' || r == '\uFFFD' || r == '\uFEFF' || (r >= '\u200B' && r <= '\u200F') ||
			(r >= '\u2060' && r <= '\u2064') || unicode.IsControl(r) || unicode.Is(unicode.Cs, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
