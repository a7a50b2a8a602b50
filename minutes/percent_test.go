package minutes

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		num, den int
		want     string
	}{
		// The published 45-member case (DOMAIN.md).
		{45, 45, "100%"},
		{44, 45, "97,78%"},
		{42, 45, "93,33%"},
		{40, 45, "88,89%"},
		{26, 45, "57,78%"},
		{2, 3, "66,67%"},
		{1, 3, "33,33%"},
		{1, 7, "14,29%"},
		{0, 45, "0%"},
		{15, 30, "50%"},
		// Exact halves at the third decimal round up, whatever binary floats would do.
		{1, 8, "12,50%"},
		{1, 16, "6,25%"},
		{1, 32, "3,13%"},
		{1, 64, "1,56%"},
		{1, 800, "0,13%"},
		{5, 800, "0,63%"},
		{7, 800, "0,88%"},
		{29, 20000, "0,15%"},
		{201, 20000, "1,01%"},
		{1, 20000, "0,01%"},
		{1, 40000, "0%"},
		{1, 200000, "0%"},
		{19998, 20000, "99,99%"},
		{19999, 20000, "100%"},
		{39999, 40000, "100%"},
		{79999, 80000, "100%"},
		// Denominator 0 never divides.
		{5, 0, "0%"},
		{0, 0, "0%"},
		{3, -4, "0%"},
		{-1, 8, "-12,50%"},
		{200, 100, "200%"},
		{math.MaxInt, math.MaxInt, "100%"},
		{math.MaxInt / 8, math.MaxInt / 8 * 8, "12,50%"},
		{math.MinInt, math.MaxInt, "-100%"},
	}
	for _, tt := range tests {
		if got := FormatPercent(tt.num, tt.den); got != tt.want {
			t.Errorf("FormatPercent(%d, %d) = %q, want %q", tt.num, tt.den, got, tt.want)
		}
	}
}

func TestPercentValue(t *testing.T) {
	tests := []struct {
		num, den int
		want     float64
		json     string
	}{
		{44, 45, 97.78, "97.78"},
		{45, 45, 100, "100"},
		{1, 8, 12.5, "12.5"},
		{1, 32, 3.13, "3.13"},
		{29, 20000, 0.15, "0.15"},
		{2, 3, 66.67, "66.67"},
		{0, 0, 0, "0"},
		{7, 0, 0, "0"},
		{-1, 8, -12.5, "-12.5"},
	}
	for _, tt := range tests {
		got := PercentValue(tt.num, tt.den)
		if got != tt.want {
			t.Errorf("PercentValue(%d, %d) = %v, want %v", tt.num, tt.den, got, tt.want)
		}
		b, err := json.Marshal(got)
		if err != nil || string(b) != tt.json {
			t.Errorf("json of PercentValue(%d, %d) = %s, %v; want %s", tt.num, tt.den, b, err, tt.json)
		}
	}
}

// referencePercent rounds by looking at the third decimal digit of the exact quotient,
// an independent way to get half-up rounding.
func referencePercent(num, den int) string {
	if den <= 0 || num == 0 {
		return "0%"
	}
	neg := num < 0
	n := new(big.Int).Abs(big.NewInt(int64(num)))
	t := new(big.Int).Quo(new(big.Int).Mul(n, big.NewInt(100000)), big.NewInt(int64(den))) // thousandths of a percent
	s := t.String()
	for len(s) < 4 {
		s = "0" + s
	}
	whole, _ := new(big.Int).SetString(s[:len(s)-3], 10)
	frac, _ := strconv.Atoi(s[len(s)-3 : len(s)-1])
	if s[len(s)-1] >= '5' {
		frac++
		if frac == 100 {
			frac = 0
			whole.Add(whole, big.NewInt(1))
		}
	}
	if whole.Sign() == 0 && frac == 0 {
		return "0%"
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(whole.String())
	if frac != 0 {
		b.WriteString("," + strconv.Itoa(frac/10) + strconv.Itoa(frac%10))
	}
	return b.String() + "%"
}

func TestFormatPercentAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for den := 1; den <= 400; den++ {
		for num := 0; num <= den; num++ {
			if got, want := FormatPercent(num, den), referencePercent(num, den); got != want {
				t.Fatalf("FormatPercent(%d, %d) = %q, reference %q", num, den, got, want)
			}
		}
	}
	for range 20000 {
		den := rng.IntN(1<<50) + 1
		num := rng.IntN(2*den) - den/2
		if got, want := FormatPercent(num, den), referencePercent(num, den); got != want {
			t.Fatalf("FormatPercent(%d, %d) = %q, reference %q", num, den, got, want)
		}
	}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		thap, den      int
		half, twoThird bool
	}{
		{15, 30, false, false},
		{16, 30, true, false},
		{19, 30, true, false},
		{20, 30, true, true},
		{30, 30, true, true},
		{0, 30, false, false},
		{23, 45, true, false},
		{30, 45, true, true},
		{29, 45, true, false},
		{1, 1, true, true},
		{1, 2, false, false},
		{2, 3, true, true},
		{0, 0, false, false},
		{5, 0, false, false},
		{math.MaxInt, math.MaxInt, true, true},
		{math.MaxInt / 2, math.MaxInt, false, false},
		{math.MaxInt/2 + 1, math.MaxInt, true, false},
	}
	for _, tt := range tests {
		got := thresholds(tt.thap, tt.den)
		if got.OverHalfLow != tt.half || got.TwoThirdsLow != tt.twoThird {
			t.Errorf("thresholds(%d, %d) = %+v, want over half %v, two thirds %v", tt.thap, tt.den, got, tt.half, tt.twoThird)
		}
	}
}
