package vnenc

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// validSyllableNFD is ValidSyllable as first written, on the whole word's NFD: the oracle of
// the table-driven one.
func validSyllableNFD(w string) bool {
	tone := 0
	var base []rune
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch r {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			tone++
		case '\u0302', '\u0306', '\u031B':
			if len(base) == 0 {
				return false
			}
			base[len(base)-1] = []rune(norm.NFC.String(string([]rune{base[len(base)-1], r})))[0]
		default:
			base = append(base, r)
		}
	}
	if tone > 1 || len(base) == 0 {
		return false
	}
	s := string(base)
	for _, in := range initials {
		if strings.HasPrefix(s, in) {
			if rest := s[len(in):]; validRhyme([]byte(rest)) {
				return true
			}
		}
	}
	return validRhyme([]byte(s))
}

// The table gives the same answer as the whole-word decomposition: on every word of a
// Vietnamese text in its composed, decomposed, capitalised and legacy-misread forms, and on
// random words of Latin letters with their marks, loose combining marks and other scripts.
func TestValidSyllableAsNFD(t *testing.T) {
	text := "Cộng hòa xã hội chủ nghĩa Việt Nam Độc lập Tự do Hạnh phúc BÁO CÁO TỰ ĐÁNH GIÁ của người được lấy phiếu tín nhiệm " +
		"về phẩm chất chính trị đạo đức lối sống ý thức tổ chức kỷ luật kết quả thực hiện chức trách nhiệm vụ được giao " +
		"khuya nguyễn quyết giữ thuở khuỷu ngoằn nghèo gìn quốc Bình Sơn Hùng Thanh Hà Phượng Trương Ngọc Thúy Thủy"
	words := strings.Fields(text)
	for _, w := range strings.Fields(text) {
		words = append(words, norm.NFD.String(w), strings.ToUpper(w), DecodeText(Font{Encoding: TCVN3}, w), DecodeText(Font{Encoding: VNI}, w))
	}
	words = append(words, "\u0302a", "a\u0302\u0323", "a\u0323\u0302", "ǒ", "Ǖ", "ﬁ", "한국", "Ελλάδα", "ё", "д", "\u0301", "")
	pool := []rune("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ" + "áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ" +
		"\u0300\u0301\u0302\u0303\u0306\u0309\u031B\u0323\u030C" + "ǎǒǔÅÇÑØßÆœ" + "αβγ" + "가")
	rng := rand.New(rand.NewPCG(7, 96))
	for range 50_000 {
		n := 1 + rng.IntN(7)
		w := make([]rune, n)
		for i := range w {
			w[i] = pool[rng.IntN(len(pool))]
		}
		words = append(words, string(w))
	}
	valid := 0
	for _, w := range words {
		got, want := ValidSyllable(w), validSyllableNFD(w)
		if got != want {
			t.Errorf("ValidSyllable(%q) = %v, the decomposition says %v", w, got, want)
		}
		if got {
			valid++
		}
	}
	if valid < 200 {
		t.Errorf("only %d valid syllables among %d words: the comparison says little", valid, len(words))
	}
}

func FuzzValidSyllable(f *testing.F) {
	for _, w := range []string{"nghiêng", "Nguyễn", "ngu\u031B\u0323", "\u0302", "quốc"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if got, want := ValidSyllable(w), validSyllableNFD(w); got != want {
			t.Fatalf("ValidSyllable(%q) = %v, the decomposition says %v", w, got, want)
		}
	})
}

func BenchmarkFix(b *testing.B) {
	page := strings.Repeat("Cộng hòa xã hội chủ nghĩa Việt Nam. Báo cáo tự đánh giá của người được lấy phiếu tín nhiệm về phẩm chất chính trị, đạo đức, lối sống.\n", 40)
	for b.Loop() {
		Fix(page)
	}
}

// rhymeByParts is validRhyme as the rule says it: a final, and before it a nucleus that may
// take that final.
func rhymeByParts(s string) bool {
	for _, f := range finals {
		if !strings.HasSuffix(s, f) {
			continue
		}
		if closed, ok := nuclei[s[:len(s)-len(f)]]; ok && (closed || f == "") {
			return true
		}
	}
	return false
}

// The table of rhymes answers as the rule does, on every string of up to four letters of the
// nuclei and finals.
func TestRhymesAsRule(t *testing.T) {
	letters := []rune("aăâeêioôơuưycghmnptk")
	var walk func(prefix []rune)
	walk = func(prefix []rune) {
		s := string(prefix)
		if validRhyme([]byte(s)) != rhymeByParts(s) {
			t.Errorf("%q: table %v, rule %v", s, validRhyme([]byte(s)), rhymeByParts(s))
		}
		if len(prefix) == 4 {
			return
		}
		for _, r := range letters {
			walk(append(prefix, r))
		}
	}
	walk(nil)
}

func TestLatinStarter(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !LatinStarter(r) {
			continue
		}
		s := string(r)
		if norm.NFC.String(s) != s || !norm.NFC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("%U: not NFC alone, or composes with what comes before", r)
		}
	}
}

// readsAsVietnamese decides as Detect's first test does, on texts around its threshold.
func TestReadsAsVietnamese(t *testing.T) {
	good := strings.Fields("Cộng hòa xã hội chủ nghĩa Việt Nam độc lập tự do hạnh phúc")
	bad := strings.Fields("Céng hßa x· héi chñ nghÜa ViÖt Nam ®éc lËp")
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var words []string
		for range r.IntN(14) {
			if r.IntN(10) < 6 {
				words = append(words, good[r.IntN(len(good))])
			} else {
				words = append(words, bad[r.IntN(len(bad))])
			}
		}
		s := strings.Join(words, " ")
		if ascii(s) {
			continue
		}
		before, n := syllableShare(s)
		if want := n >= minWords && before > 1-minGain; readsAsVietnamese(s) != want {
			t.Errorf("%q: readsAsVietnamese %v, Detect's test %v", s, !want, want)
		}
	}
}
