package pdftext

import (
	"math"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// minf and maxf answer as math.Min and math.Max, bit for bit, on every kind of
// value.
func TestMinMaxAsMath(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, -1e300, 1e-300, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	for _, x := range vals {
		for _, y := range vals {
			if !same(minf(x, y), math.Min(x, y)) || !same(maxf(x, y), math.Max(x, y)) {
				t.Errorf("min/max(%v, %v): %v %v, math: %v %v", x, y, minf(x, y), maxf(x, y), math.Min(x, y), math.Max(x, y))
			}
		}
	}
}

func TestLeftToRightLetter(t *testing.T) {
	for r := rune(0); r < 0x2000; r++ {
		if !leftToRightLetter(r) {
			continue
		}
		if p, _ := bidi.LookupRune(r); p.Class() != bidi.L || !unicode.IsLetter(r) {
			t.Errorf("%U: class %v", r, p.Class())
		}
	}
}

func TestVietnameseLetter(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if vietnameseLetter(r) && (unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.In(r, unicode.Mn, unicode.Me)) {
			t.Errorf("%U is a space or a mark", r)
		}
		if isLetter(r) != unicode.IsLetter(r) {
			t.Errorf("%U: isLetter %v", r, isLetter(r))
		}
	}
}

// The glyphs that may be spacing accents are those add looks at.
func TestSpacingAccentRanges(t *testing.T) {
	for r := range combiningOf {
		if spacingAccent(string(r)) && !mayBeSpacingAccent(r) {
			t.Errorf("%U is out of the ranges add looks at", r)
		}
	}
	for _, r := range "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ" {
		if mayBeSpacingAccent(r) {
			t.Errorf("the Vietnamese letter %c is looked up as a spacing accent", r)
		}
	}
}

// placed.finite answers as finite over the same numbers.
func TestPlacedFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for i := range 7 {
			v := [7]float64{1, -2, 3e300, 0, 5, math.Copysign(0, -1), 1e-300}
			v[i] = bad
			p := placed{start: point{v[0], v[1]}, end: point{v[2], v[3]}, size: v[4], extra: v[5], space: v[6]}
			if p.finite() || finite(v[:]...) {
				t.Errorf("%v: finite", v)
			}
		}
	}
	p := placed{start: point{1, -2}, end: point{3e300, 0}, size: 5, extra: math.Copysign(0, -1), space: 1e-300}
	if !p.finite() {
		t.Error("finite numbers reported not finite")
	}
}

func TestVisibleLetter(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if visibleLetter(r) && (unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || invisible(r)) {
			t.Errorf("%U is white space or invisible", r)
		}
	}
}
