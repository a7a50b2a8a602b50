package pdftext

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// contentTokens reads a content stream as interp.run does: operands up to each
// operator, handed over (here: copied out with own) before endOperands.
func contentTokens(l *lexer, transient bool) []object {
	var out, ops []object
	for {
		o, ok := l.next()
		if !ok {
			break
		}
		if o.kind != objOp {
			ops = append(ops, o)
			continue
		}
		for _, op := range ops {
			out = append(out, own(op))
		}
		out = append(out, o)
		ops = ops[:0]
		if transient {
			l.endOperands()
		}
	}
	for _, op := range ops {
		out = append(out, own(op))
	}
	return out
}

// The content lexer slices its strings from the stream and reuses the memory
// of arrays between operators; what it reads must be what the plain lexer reads.
func TestContentLexerReadsAsLexer(t *testing.T) {
	cases := []string{
		"BT /F1 12 Tf 72 700 Td (Hello) Tj ET",
		"[(A) -120 (B\\)c) 3.5 <0041 00 4> [1 [2 [3]] ()] ] TJ [ ] TJ [(x)] [(y)] d0 Q",
		"/P <</MCID 0 /ActualText (\\376\\377\\000A) /A [1 2 [3]]>> BDC (a\\\nb\\101\\r(c)) Tj EMC",
		"/Na#6De 1 Tf /F#2 2 Tf 1 0 0 1 0 0 cm q Q BI /W 1 /H 1 ID \x00\x01 EI Do",
		"[(unclosed) 1 2 (x",
		"(\r\n) ( a ( b ) c ) Tj } { ] >> % comment\n true false null 1.2.3 --5 TJ",
		strings.Repeat("[(a) 1 ", 40) + strings.Repeat("] ", 40) + "TJ",
	}
	for _, c := range cases {
		want := contentTokens(newLexer([]byte(c)), false)
		got := contentTokens(newContentLexer([]byte(c)), true)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c, got, want)
		}
	}
}

func FuzzContentLexer(f *testing.F) {
	f.Add([]byte("[(A) -120 (B) [1 [2]] <41>] TJ /F1 1 Tf << /A [1] >> BDC"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want := contentTokens(newLexer(b), false)
		got := contentTokens(newContentLexer(b), true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: content lexer differs", b)
		}
	})
}

// plainNumber reads what it accepts exactly as strconv.ParseFloat does.
func TestPlainNumberAsParseFloat(t *testing.T) {
	cases := []string{"0", "-0", "+0", "0.0", "-0.000", ".5", "-.5", "5.", "1", "-1", "98.77", "-167.857",
		"0.1", "0.3", "0.7", "1.005", "123456789012345", "999999999999999", "-999999999999.999",
		"0.000000000000001", "4503599627370497", "9007199254740993", "1.2.3", "--5", "5-", "", "+", ".", "1e5"}
	for i := 0; i < 20000; i++ {
		// Pseudo-random decimals of up to 17 digits with the point anywhere.
		n := uint64(i)*2654435761%1_000_000_007*7919 + uint64(i)
		s := strconv.FormatUint(n, 10)
		at := i % (len(s) + 1)
		s = s[:at] + "." + s[at:]
		if i%3 == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	for _, c := range cases {
		got, ok := plainNumber([]byte(c))
		if !ok {
			continue
		}
		want, err := strconv.ParseFloat(c, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%q: plainNumber %v, ParseFloat %v (%v)", c, got, want, err)
		}
	}
}

func FuzzPlainNumber(f *testing.F) {
	f.Add("-167.857")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := plainNumber([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: plainNumber %v, ParseFloat %v (%v)", s, got, want, err)
		}
	})
}
