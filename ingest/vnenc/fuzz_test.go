package vnenc

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecode: every decoder gives valid UTF-8 for any input, never panics.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("B\xB8o c\xB8o tù \xAE\xB8nh gi\xB8"))
	f.Add([]byte("Ba\xF9o ca\xF9o t\xF6\xEF \xF1a\xF9nh gia\xF9"))
	f.Add([]byte("Vie^.t Nam \\. dd a^' o+` u+~"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, enc := range []Encoding{TCVN3, VNI, VIQR, None} {
			for _, up := range []bool{false, true} {
				if s := DecodeBytes(Font{Encoding: enc, Upper: up}, b); !utf8.ValidString(s) {
					t.Fatalf("%s: invalid UTF-8", enc)
				}
				if s := DecodeText(Font{Encoding: enc, Upper: up}, string(b)); !utf8.ValidString(s) {
					t.Fatalf("%s text: invalid UTF-8", enc)
				}
			}
		}
		if s, _ := Fix(string(b)); !utf8.ValidString(s) {
			t.Fatal("Fix: invalid UTF-8")
		}
	})
}
