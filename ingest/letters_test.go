package ingest

import (
	"testing"

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
