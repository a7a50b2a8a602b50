package ingest

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestSanitizeFilename(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bao-cao.pdf", "bao-cao.pdf"},
		{"C:\\Users\\lan\\Báo cáo tự đánh giá.pdf", "Báo cáo tự đánh giá.pdf"},
		{"../../etc/passwd", "passwd"},
		{"Be\u0301o ca\u0301o.pdf", "Béo cáo.pdf"}, // NFC
		{"hoso\u202Efdp.exe", "hosofdp.exe"},       // right-to-left override: "hosoexe.pdf" on a page
		{"a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069.pdf", "abcdefgh.pdf"},
		{"ke\u200Bkhai\u200C\u200D\u2060\uFEFF.pdf", "kekhai.pdf"},
		{"ca\u200B\u0301o.pdf", "cáo.pdf"}, // composed once the zero-width space is gone
		{"mot\u00ADhai.pdf", "mothai.pdf"},
		{"\u115F\u3164x.pdf", "x.pdf"},
		{"dòng\u2028hai.pdf", "dòng_hai.pdf"},
		{"a\x00b\x1Fc.pdf", "a_b_c.pdf"},
		{`"x"<y>|z?*.pdf`, "_x__y__z__.pdf"},
		{"😀.pdf", "_.pdf"},
		{"\u202E\u200B", "tai-lieu.pdf"},
		{"  ", "tai-lieu.pdf"},
		{"..", "tai-lieu.pdf"},
	} {
		if got := SanitizeFilename(c.in); got != c.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("đ", 300) + ".pdf"
	if got := []rune(SanitizeFilename(long)); len(got) != 150 || !strings.HasSuffix(string(got), ".pdf") {
		t.Errorf("long name: %d runes, %q…", len(got), string(got[len(got)-8:]))
	}
}

// No format character survives, whatever the name.
func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"a.pdf", "x\u202Ey", "\uFEFF", "../\u200B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SanitizeFilename(name)
		for _, r := range got {
			if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) || r == '/' {
				t.Fatalf("SanitizeFilename(%q) = %q keeps %U", name, got, r)
			}
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("SanitizeFilename(%q) = %q is not NFC", name, got)
		}
		if got == "" || got == "." || got == ".." {
			t.Fatalf("SanitizeFilename(%q) = %q", name, got)
		}
	})
}
