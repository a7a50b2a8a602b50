package vnenc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The published tables, written out letter by letter: for each base vowel the six forms in the
// order no tone, huyền, sắc, hỏi, ngã, nặng.
var letters = []struct {
	forms string // the six letters (lower case)
	tcvn3 [6]string
	vni   [6]string
}{
	{"aàáảãạ", [6]string{"a", "\xB5", "\xB8", "\xB6", "\xB7", "\xB9"}, [6]string{"a", "a\xF8", "a\xF9", "a\xFB", "a\xF5", "a\xEF"}},
	{"ăằắẳẵặ", [6]string{"\xA8", "\xBB", "\xBE", "\xBC", "\xBD", "\xC6"}, [6]string{"a\xEA", "a\xE8", "a\xE9", "a\xFA", "a\xFC", "a\xEB"}},
	{"âầấẩẫậ", [6]string{"\xA9", "\xC7", "\xCA", "\xC8", "\xC9", "\xCB"}, [6]string{"a\xE2", "a\xE0", "a\xE1", "a\xE5", "a\xE3", "a\xE4"}},
	{"eèéẻẽẹ", [6]string{"e", "\xCC", "\xD0", "\xCE", "\xCF", "\xD1"}, [6]string{"e", "e\xF8", "e\xF9", "e\xFB", "e\xF5", "e\xEF"}},
	{"êềếểễệ", [6]string{"\xAA", "\xD2", "\xD5", "\xD3", "\xD4", "\xD6"}, [6]string{"e\xE2", "e\xE0", "e\xE1", "e\xE5", "e\xE3", "e\xE4"}},
	{"iìíỉĩị", [6]string{"i", "\xD7", "\xDD", "\xD8", "\xDC", "\xDE"}, [6]string{"i", "\xEC", "\xED", "\xE6", "\xF3", "\xF2"}},
	{"oòóỏõọ", [6]string{"o", "\xDF", "\xE3", "\xE1", "\xE2", "\xE4"}, [6]string{"o", "o\xF8", "o\xF9", "o\xFB", "o\xF5", "o\xEF"}},
	{"ôồốổỗộ", [6]string{"\xAB", "\xE5", "\xE8", "\xE6", "\xE7", "\xE9"}, [6]string{"o\xE2", "o\xE0", "o\xE1", "o\xE5", "o\xE3", "o\xE4"}},
	{"ơờớởỡợ", [6]string{"\xAC", "\xEA", "\xED", "\xEB", "\xEC", "\xEE"}, [6]string{"\xF4", "\xF4\xF8", "\xF4\xF9", "\xF4\xFB", "\xF4\xF5", "\xF4\xEF"}},
	{"uùúủũụ", [6]string{"u", "\xEF", "\xF3", "\xF1", "\xF2", "\xF4"}, [6]string{"u", "u\xF8", "u\xF9", "u\xFB", "u\xF5", "u\xEF"}},
	{"ưừứửữự", [6]string{"\xAD", "\xF5", "\xF8", "\xF6", "\xF7", "\xF9"}, [6]string{"\xF6", "\xF6\xF8", "\xF6\xF9", "\xF6\xFB", "\xF6\xF5", "\xF6\xEF"}},
	{"yỳýỷỹỵ", [6]string{"y", "\xFA", "\xFD", "\xFB", "\xFC", "\xFE"}, [6]string{"y", "y\xF8", "y\xF9", "y\xFB", "y\xF5", "\xEE"}},
}

// TCVN3 capitals without a tone have codes of their own; đ and Đ too.
var tcvn3Capitals = map[rune]string{'Ă': "\xA1", 'Â': "\xA2", 'Ê': "\xA3", 'Ô': "\xA4", 'Ơ': "\xA5", 'Ư': "\xA6", 'Đ': "\xA7", 'đ': "\xAE"}

// vniUpper is the capital form of a VNI sequence: the letter in capitals, its mark byte 0x20 lower.
func vniUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 0x20
		case c >= 0xE0:
			b[i] = c - 0x20
		}
	}
	return string(b)
}

// TestTables checks every precomposed Vietnamese letter, lower and upper case, both ways in both
// encodings: 134 letters (67 pairs, đ included).
func TestTables(t *testing.T) {
	n := 0
	check := func(f Font, code, want string) {
		t.Helper()
		if got := DecodeBytes(f, []byte(code)); got != want {
			t.Errorf("%s upper=%v: % X → %q, want %q", f.Encoding, f.Upper, code, got, want)
		}
		// The same bytes read as Windows-1252 text (a DOCX run) decode alike.
		var cp strings.Builder
		for _, c := range []byte(code) {
			cp.WriteRune(cp1252Rune(c))
		}
		if got := DecodeText(f, cp.String()); got != want {
			t.Errorf("%s text upper=%v: %q → %q, want %q", f.Encoding, f.Upper, cp.String(), got, want)
		}
		// A capitals font has two codes for a capital without a tone (its own, and the lower-case
		// one); either decodes alike.
		if enc, err := Encode(f, want); err != nil || string(enc) != code && (!f.Upper || DecodeBytes(f, enc) != want) {
			t.Errorf("%s upper=%v: encode %q = % X (%v), want % X", f.Encoding, f.Upper, want, enc, err, code)
		}
	}
	for _, l := range letters {
		forms := []rune(l.forms)
		for i, r := range forms {
			up := string(unicode.ToUpper(r))
			if r >= 0x80 {
				n += 2
			}
			check(Font{Encoding: TCVN3}, l.tcvn3[i], string(r))
			check(Font{Encoding: TCVN3, Upper: true}, l.tcvn3[i], up)
			check(Font{Encoding: VNI}, l.vni[i], string(r))
			check(Font{Encoding: VNI}, vniUpper(l.vni[i]), up)
		}
	}
	for r, code := range tcvn3Capitals {
		check(Font{Encoding: TCVN3}, code, string(r))
	}
	check(Font{Encoding: VNI}, "\xF1", "đ")
	check(Font{Encoding: VNI}, "\xD1", "Đ")
	n += 2
	if n != 134 {
		t.Fatalf("checked %d letters, want 134", n)
	}
}

// TestTCVN3AgainstIconv compares the TCVN3 table with glibc's TCVN 5712 converter on every code
// VN3 assigns (VN1, which iconv implements, agrees with VN3 there).
func TestTCVN3AgainstIconv(t *testing.T) {
	iconv, err := exec.LookPath("iconv")
	if err != nil {
		t.Fatal("iconv (glibc) not found")
	}
	var in []byte
	for c := 0xA1; c <= 0xFE; c++ {
		if !isVN1Only(byte(c)) {
			in = append(in, byte(c), '\n')
		}
	}
	cmd := exec.Command(iconv, "-f", "TCVN5712-1", "-t", "UTF-8")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iconv: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	i := 0
	for c := 0xA1; c <= 0xFE; c++ {
		if isVN1Only(byte(c)) {
			continue
		}
		if want := norm.NFC.String(got[i]); DecodeBytes(Font{Encoding: TCVN3}, []byte{byte(c)}) != want {
			t.Errorf("0x%02X: ours %q, iconv %q", c, DecodeBytes(Font{Encoding: TCVN3}, []byte{byte(c)}), want)
		}
		i++
	}
}

func TestFontEncoding(t *testing.T) {
	for _, tt := range []struct {
		name string
		want Font
	}{
		{".VnTime", Font{Encoding: TCVN3}},
		{".VnTimeH", Font{Encoding: TCVN3, Upper: true}},
		{"ABCDEF+.VnTime,Bold", Font{Encoding: TCVN3}},
		{"VnTimeH-BoldItalic", Font{Encoding: TCVN3, Upper: true}},
		{".VnArial NarrowH", Font{Encoding: TCVN3, Upper: true}},
		{".VnCentury Schoolbook", Font{Encoding: TCVN3}},
		{"VNI-Times", Font{Encoding: VNI}},
		{"QWERTY+VNI-Helve-Bold", Font{Encoding: VNI}},
		{"VNI Times", Font{Encoding: VNI}},
		{"Times New Roman", Font{}},
		{"Vni", Font{}},
		{"Vnexpress", Font{}},
		{"Verdana", Font{}},
		{"LiberationSerif", Font{}},
	} {
		if got := FontEncoding(tt.name); got != tt.want {
			t.Errorf("FontEncoding(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	dec, ok := FontDecoder("ABCDEF+.VnTimeH")
	if !ok || dec([]byte("b\xB8o c\xB8o")) != "BÁO CÁO" {
		t.Errorf("FontDecoder(.VnTimeH) = %v, %q", ok, dec([]byte("b\xB8o c\xB8o")))
	}
	if _, ok := FontDecoder("Arial"); ok {
		t.Error("FontDecoder(Arial) ok")
	}
}

const sample = "Báo cáo tự đánh giá của đồng chí Nguyễn Thị Hường, Phó Bí thư Thường trực Tỉnh ủy.\n" +
	"Về phẩm chất chính trị, tư tưởng: luôn trung thành với lý tưởng cách mạng, kiên định mục tiêu độc lập dân tộc gắn liền với chủ nghĩa xã hội.\n" +
	"Về đạo đức, lối sống: giữ gìn phẩm chất đạo đức, lối sống giản dị; vợ, chồng và các con chấp hành tốt pháp luật.\n" +
	"Hạn chế, khuyết điểm và giải pháp khắc phục trong thời gian tới; ý thức tổ chức kỷ luật nghiêm."

// cp1252 reads bytes as Word stores a legacy run: one Windows-1252 character per byte.
func cp1252(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		s.WriteRune(cp1252Rune(c))
	}
	return s.String()
}

func TestFixRoundTrip(t *testing.T) {
	for _, enc := range []Encoding{TCVN3, VNI} {
		b, err := Encode(Font{Encoding: enc}, strings.ToLower(sample))
		if err != nil {
			t.Fatal(err)
		}
		moji := cp1252(b)
		got, found := Fix(moji)
		if found != enc || got != strings.ToLower(sample) {
			t.Errorf("%s: Fix found %q:\n%s\nwant\n%s", enc, found, got, strings.ToLower(sample))
		}
	}
	// A VNI text keeps its capitals.
	b, err := Encode(Font{Encoding: VNI}, sample)
	if err != nil {
		t.Fatal(err)
	}
	if got, found := Fix(cp1252(b)); found != VNI || got != sample {
		t.Errorf("VNI with capitals: %q %q", found, got)
	}
	viqr := "Ba'o ca'o tu+. dda'nh gia' cu?a dd/c Nguye^~n Thi. Hu+o+`ng, Pho' Bi' thu+ Thu+o+`ng tru+.c Ti?nh u?y. Ho^m nay la` nga`y to^'t."
	got, found := Fix(viqr)
	want := "Báo cáo tự đánh giá của đ/c Nguyễn Thị Hường, Phó Bí thư Thường trực Tỉnh ủy. Hôm nay là ngày tốt."
	if found != VIQR || got != want {
		t.Errorf("VIQR: %q\n%s\nwant\n%s", found, got, want)
	}
}

// TestFixLeavesUnicode: real Vietnamese — every text of the recognition corpora — and plain
// English or ASCII are never converted.
func TestFixLeavesUnicode(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "classify", "*.txt"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "blind", "src*", "*.txt"))
	files = append(files, more...)
	if len(files) < 30 {
		t.Fatalf("only %d corpus files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, enc := Fix(string(b)); enc != None || got != norm.NFC.String(string(b)) {
			t.Errorf("%s: converted as %q", f, enc)
		}
	}
	for _, s := range []string{
		"The quick brown fox jumps over the lazy dog. It's 5 o'clock?",
		"Café, naïve, Müller, São Paulo, Ærø — façade déjà vu résumé",
		"Bao cao tu danh gia cua dong chi Nguyen Van Hung (khong dau).",
		"Số: 05/ĐNGT; Tổng: 1.250.000 đồng; Tỷ lệ: 97,78%",
		"",
	} {
		if got, enc := Fix(s); enc != None || got != s {
			t.Errorf("%q converted as %q: %q", s, enc, got)
		}
	}
}

func TestValidSyllable(t *testing.T) {
	for _, w := range []string{"Nguyễn", "thường", "nghiêng", "khuyết", "quyển", "giữ", "ĐẢNG", "ươi", "oái", "chuyện"} {
		if !ValidSyllable(w) {
			t.Errorf("%q not valid", w)
		}
	}
	for _, w := range []string{"B¸o", "®¸nh", "caùc", "aøo", "thươngg", "xyz", "ảá"} {
		if ValidSyllable(w) {
			t.Errorf("%q valid", w)
		}
	}
}

func TestDecodeVNIMixed(t *testing.T) {
	// Real Unicode typed in the same run stays; digits and punctuation too.
	if got := DecodeText(Font{Encoding: VNI}, "Ngaøy 15/12/2028 – Hà Nội"); got != "Ngày 15/12/2028 – Hà Nội" {
		t.Errorf("got %q", got)
	}
}
