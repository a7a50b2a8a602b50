package minutes

import (
	"math/big"
	"strconv"
	"strings"
)

// Percent holds one person's shares of the round's denominator. Each value is the exact
// fraction rounded half-up to two decimals; the float only carries that rounded decimal
// (97.78), it is never used to compute anything.
type Percent struct {
	Cao      float64 `json:"cao"`
	TinNhiem float64 `json:"tin_nhiem"`
	Thap     float64 `json:"thap"`
}

// PercentText is [Percent] as printed in the minutes ("97,78%").
type PercentText struct {
	Cao      string `json:"cao"`
	TinNhiem string `json:"tin_nhiem"`
	Thap     string `json:"thap"`
}

// percentOf builds the display values of counts against den.
func percentOf(c Counts, den int) (Percent, PercentText) {
	return Percent{
			Cao:      PercentValue(c.Cao, den),
			TinNhiem: PercentValue(c.TinNhiem, den),
			Thap:     PercentValue(c.Thap, den),
		}, PercentText{
			Cao:      FormatPercent(c.Cao, den),
			TinNhiem: FormatPercent(c.TinNhiem, den),
			Thap:     FormatPercent(c.Thap, den),
		}
}

// FormatPercent prints num/den as a Vietnamese percentage: rounded half-up to two
// decimals with a decimal comma ("97,78%", "12,50%"), except that a value which is whole
// after rounding is printed without decimals ("100%", "0%"), the form used in published
// results. A denominator of zero or less gives "0%". Rounding is done on integers, so
// 1/800 is 0,13% and 29/20000 is 0,15% whatever binary floating point would make of them.
func FormatPercent(num, den int) string {
	neg, q := hundredths(num, den)
	if q.Sign() == 0 {
		return "0%"
	}
	digits := q.String()
	for len(digits) < 3 {
		digits = "0" + digits
	}
	whole, frac := digits[:len(digits)-2], digits[len(digits)-2:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(whole)
	if frac != "00" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	b.WriteByte('%')
	return b.String()
}

// PercentValue is num/den in percent, rounded half-up to two decimals from the exact
// integers; 0 when den is zero or less.
func PercentValue(num, den int) float64 {
	neg, q := hundredths(num, den)
	var v float64
	if q.IsInt64() && q.Int64() < 1<<53 {
		// Both operands are exact doubles, and IEEE division rounds correctly, so this is
		// the double nearest to the decimal q/100 and prints back as that decimal.
		v = float64(q.Int64()) / 100
	} else {
		v, _ = new(big.Float).Quo(new(big.Float).SetInt(q), big.NewFloat(100)).Float64()
	}
	if neg {
		v = -v
	}
	return v
}

// hundredths returns |num|/den in hundredths of a percent, rounded half away from zero
// (half-up for the non-negative counts we deal with), and whether num/den is negative.
func hundredths(num, den int) (neg bool, q *big.Int) {
	if den <= 0 || num == 0 {
		return false, new(big.Int)
	}
	const small = 1 << 40 // |num|*20000 + den stays far below 2^63
	if num > -small && num < small && den < small {
		n := int64(num)
		if n < 0 {
			neg, n = true, -n
		}
		d := int64(den)
		return neg, big.NewInt((2*n*10000 + d) / (2 * d))
	}
	n := big.NewInt(int64(num))
	if n.Sign() < 0 {
		neg = true
		n.Neg(n)
	}
	d := big.NewInt(int64(den))
	n.Mul(n, big.NewInt(20000)).Add(n, d)
	d.Mul(d, big.NewInt(2))
	return neg, n.Quo(n, d)
}

// thresholds compares thấp votes with the denominator as exact fractions.
func thresholds(thap, den int) Flags {
	if den <= 0 || thap <= 0 {
		return Flags{}
	}
	const small = 1 << 60 // 3*thap and 2*den fit in int64
	if thap < small/3 && den < small/3 {
		t, d := int64(thap), int64(den)
		return Flags{OverHalfLow: 2*t > d, TwoThirdsLow: 3*t >= 2*d}
	}
	t, d := big.NewInt(int64(thap)), big.NewInt(int64(den))
	twice := new(big.Int).Mul(t, big.NewInt(2))
	thrice := new(big.Int).Mul(t, big.NewInt(3))
	return Flags{
		OverHalfLow:  twice.Cmp(d) > 0,
		TwoThirdsLow: thrice.Cmp(new(big.Int).Mul(d, big.NewInt(2))) >= 0,
	}
}

// itoa is strconv.Itoa, named for the many messages that print counts.
func itoa(n int) string { return strconv.Itoa(n) }
