package ingest

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// The table-driven syllableKey gives the key of the general one for every letter of the Latin
// blocks, alone and in words, precomposed or decomposed, in any case.
func TestSyllableKeyTable(t *testing.T) {
	var letters []rune
	for _, span := range [][2]rune{{0x20, 0x24F}, {0x1E00, 0x1EFF}, {0x300, 0x36F}, {0x2000, 0x2070}} {
		for r := span[0]; r <= span[1]; r++ {
			letters = append(letters, r)
			if got, want := syllableKey(string(r)), syllableKeySlow(string(r)); got != want {
				t.Errorf("%U %q: %q, want %q", r, string(r), got, want)
			}
		}
	}
	words := []string{"Hùng", "Hưng", "hoà", "hòa", "thuỷ", "THỦY", "Nguyễn", "ĐẶNG", "Đoàn", "Tôn-Nữ", "Bảo\u00adAn", "Ɖào", "İ"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + rng.IntN(7)
		w := make([]rune, n)
		for i := range w {
			w[i] = letters[rng.IntN(len(letters))]
		}
		words = append(words, string(w))
	}
	for _, w := range words {
		for _, form := range []string{w, norm.NFD.String(w), norm.NFC.String(w)} {
			if got, want := syllableKey(form), syllableKeySlow(form); got != want {
				t.Errorf("%q: %q, want %q", form, got, want)
			}
			if got, want := syllableKeyRunes([]rune(form)), syllableKeySlow(form); got != want {
				t.Errorf("runes %q: %q, want %q", form, got, want)
			}
		}
	}
}

func BenchmarkSyllableKey(b *testing.B) {
	words := []string{"Nguyễn", "Thị", "Thanh", "Hà", "phẩm", "chất", "chính", "trị", "đạo", "đức", "lối", "sống", "kỷ", "luật"}
	b.Run("table", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			syllableKey(words[i%len(words)])
		}
	})
	b.Run("normalised", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			syllableKeySlow(words[i%len(words)])
		}
	})
}
