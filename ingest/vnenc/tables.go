package vnenc

// tcvn3 maps the TCVN3 (TCVN 5712:1993 VN3, "ABC") bytes from 0xA0 up to Unicode. The letters
// typed in the ".Vn…" fonts occupy 0xA1–0xAE and 0xB5–0xFE; capitals with a tone mark have no
// code of their own in VN3 and are typed with the lower-case codes in the capital fonts
// (".VnTimeH"), which is why decoding takes an upper-case flag. The few remaining positions
// (0xAF, 0xBA, 0xBF–0xC5, 0xCD, 0xD9–0xDB, 0xE0, 0xF0, 0xFF), which VN3 leaves to the font, are
// given their VN1 meaning, and 0xB0–0xB4 VN1's combining tone marks. Bytes below 0xA0 keep their
// Windows-1252 meaning (quotes, dashes typed in the same run).
var tcvn3 = [96]rune{
	// 0xA0
	'\u00A0', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ', 'Ằ',
	// 0xB0
	'\u0300', '\u0309', '\u0303', '\u0301', '\u0323', 'à', 'ả', 'ã', 'á', 'ạ', 'Ẳ', 'ằ', 'ẳ', 'ẵ', 'ắ', 'Ẵ',
	// 0xC0
	'Ắ', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ề', 'ặ', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ', 'è', 'Ể', 'ẻ', 'ẽ',
	// 0xD0
	'é', 'ẹ', 'ề', 'ể', 'ễ', 'ế', 'ệ', 'ì', 'ỉ', 'Ễ', 'Ế', 'Ồ', 'ĩ', 'í', 'ị', 'ò',
	// 0xE0
	'Ổ', 'ỏ', 'õ', 'ó', 'ọ', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ', 'ù',
	// 0xF0
	'Ỗ', 'ủ', 'ũ', 'ú', 'ụ', 'ừ', 'ử', 'ữ', 'ứ', 'ự', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', 'Ố',
}

// VNI Windows writes most letters as an ASCII base letter followed by one mark byte (tone, or
// vowel modifier with its tone); a few letters have a byte of their own. Mark and letter bytes
// come in a lower-case form and, 0x20 lower, an upper-case one.

// vniTone maps the lower-case tone bytes to the combining tone mark.
var vniTone = map[byte]rune{
	0xF8: '\u0300', // ø huyền
	0xF9: '\u0301', // ù sắc
	0xFB: '\u0309', // û hỏi
	0xF5: '\u0303', // õ ngã
	0xEF: '\u0323', // ï nặng
}

// vniMod is a vowel modifier, possibly with a tone: circumflex (â, ê, ô) or breve (ă).
type vniMod struct {
	mod  rune // U+0302 circumflex or U+0306 breve
	tone rune // 0 or a combining tone mark
}

// vniMods maps the lower-case modifier bytes.
var vniMods = map[byte]vniMod{
	0xE2: {'\u0302', 0},        // â
	0xE0: {'\u0302', '\u0300'}, // à  ầ
	0xE1: {'\u0302', '\u0301'}, // á  ấ
	0xE5: {'\u0302', '\u0309'}, // å  ẩ
	0xE3: {'\u0302', '\u0303'}, // ã  ẫ
	0xE4: {'\u0302', '\u0323'}, // ä  ậ
	0xEA: {'\u0306', 0},        // ê  ă
	0xE8: {'\u0306', '\u0300'}, // è  ằ
	0xE9: {'\u0306', '\u0301'}, // é  ắ
	0xFA: {'\u0306', '\u0309'}, // ú  ẳ
	0xFC: {'\u0306', '\u0303'}, // ü  ẵ
	0xEB: {'\u0306', '\u0323'}, // ë  ặ
}

// vniLetters maps the lower-case bytes that are letters of their own.
var vniLetters = map[byte]rune{
	0xF1: 'đ', // ñ
	0xF4: 'ơ', // ô
	0xF6: 'ư', // ö
	0xEC: 'ì', // ì
	0xED: 'í', // í
	0xE6: 'ỉ', // æ
	0xF3: 'ĩ', // ó
	0xF2: 'ị', // ò
	0xEE: 'ỵ', // î
}

// cp1252High maps the Windows-1252 characters of 0x80–0x9F back to their bytes.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// cp1252Byte returns the Windows-1252 byte of r, if it has one.
func cp1252Byte(r rune) (byte, bool) {
	if r < 0x80 || r >= 0xA0 && r < 0x100 {
		return byte(r), true
	}
	// 0x80–0x9F as C1 controls (a Latin-1 reading) are the same bytes.
	if r >= 0x80 && r < 0xA0 {
		return byte(r), true
	}
	b, ok := cp1252High[r]
	return b, ok
}

// cp1252Rune is the Windows-1252 character of byte b (undefined bytes keep their Latin-1 value).
func cp1252Rune(b byte) rune {
	if b >= 0x80 && b < 0xA0 {
		if r := cp1252Low[b-0x80]; r != 0 {
			return r
		}
	}
	return rune(b)
}

var cp1252Low = func() (t [32]rune) {
	for r, b := range cp1252High {
		t[b-0x80] = r
	}
	return t
}()
