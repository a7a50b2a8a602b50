package ingest

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TestLettersNFC checks the claim newTextView relies on to skip normalising: a text made only of
// runes the table marks nfc is NFC. Every pair of them is.
func TestLettersNFC(t *testing.T) {
	l := sharedLetters()
	var nfc []rune
	for r := range rune(0x1F00) {
		if c, ok := l.of(r); ok && c.nfc {
			nfc = append(nfc, r)
		}
	}
	if len(nfc) < 500 {
		t.Fatalf("only %d runes of the table are NFC on their own", len(nfc))
	}
	for _, a := range nfc {
		for _, b := range nfc {
			s := string([]rune{a, b})
			if !l.isNFC(s) || !norm.NFC.IsNormalString(s) {
				t.Fatalf("%q: isNFC %v, NFC %v", s, l.isNFC(s), norm.NFC.IsNormalString(s))
			}
		}
	}
	// What is not NFC is never taken for it.
	for _, s := range []string{"Hu\u0300ng", "Tha\u0300nh Hoa\u0301", "\u212b", "e\u0301", "\xff"} {
		if l.isNFC(s) {
			t.Errorf("%q taken for NFC", s)
		}
	}
}

// TestTextViewNormalises reads a decomposed text as its composed form.
func TestTextViewNormalises(t *testing.T) {
	composed := "BÁO CÁO TỰ ĐÁNH GIÁ\r\nHọ và tên: Nguyễn Văn Hùng\fThủy"
	a, b := newTextView(composed), newTextView(norm.NFD.String(composed))
	if a.raw != b.raw || string(a.fold) != string(b.fold) || string(a.exact) != string(b.exact) ||
		len(a.toks) != len(b.toks) || len(a.lines) != len(b.lines) || a.accented != b.accented {
		t.Errorf("decomposed text read otherwise:\n%q\n%q", a.raw, b.raw)
	}
	if len(a.lines) != 3 {
		t.Errorf("lines = %d, want 3", len(a.lines))
	}
}

// foldGeneral is Fold the general way, rune by rune through Unicode's tables.
func foldGeneral(s string) string {
	var b strings.Builder
	var buf []rune
	pending := false
	for _, r := range norm.NFC.String(s) {
		buf = appendFold(buf[:0], r)
		for _, x := range buf {
			if unicode.IsSpace(x) {
				pending = b.Len() > 0
				continue
			}
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			b.WriteRune(x)
		}
	}
	return b.String()
}

// TestFoldTable checks Fold and newPhrase, which read the table, against the general way: every
// rune of the table and around it, composed and decomposed, and random mixtures.
func TestFoldTable(t *testing.T) {
	var texts []string
	for r := range rune(0x2100) {
		texts = append(texts, "a"+string(r)+"b", string(r)+"\u0301", "Đ"+string(r)+" x")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []rune("aăâeêoôơuưyiđĐÁÀẢÃẠáàảãạ \t\n-'\u0301\u0300\u0323\u00ad\u200bﬁ²ÅÅ")
	for range 2000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = pool[rng.IntN(len(pool))]
		}
		texts = append(texts, string(r), norm.NFD.String(string(r)))
	}
	for _, s := range texts {
		if got, want := Fold(s), foldGeneral(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
		p := newPhrase(s)
		var want []rune
		for _, w := range strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool { return !isWordRune(r) }) {
			want = append(want, []rune(strings.ReplaceAll(foldGeneral(w), " ", ""))...)
		}
		if string(p.fold) != string(want) {
			t.Fatalf("newPhrase(%q).fold = %q, want %q", s, string(p.fold), string(want))
		}
	}
}

// TestLineBreaks checks the line breaks against the replacer that writes them all.
func TestLineBreaks(t *testing.T) {
	all := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\v", "\n",
		"\u2028", "\n", "\u2029", "\n", "\u0085", "\n")
	for _, s := range []string{"", "a\nb", "trang 1\ftrang 2\vx", "a\r\nb\rc", "a\u2028b\u2029c\u0085d\fe",
		"\xc2", "\xe2\x80", "\xe2\x80\xa8", "x\xc2\x85\f", "Đ\u2027\u202a\u00a0\u0084"} {
		if got, want := lineBreaks(s), all.Replace(s); got != want {
			t.Errorf("lineBreaks(%q) = %q, want %q", s, got, want)
		}
	}
}
