package pdftext

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Glyph names are turned into text the way the Adobe Glyph List
// specification says: drop a ".suffix", split ligatures at "_", and read each
// component as a name of the Adobe Glyph List (agl/glyphlist.txt, 4,281
// names), "uniXXXX…" (groups of four hex digits) or "uXXXX"–"uXXXXXX".
// Names the list lacks but producers write are listed in glyphNames below;
// accented letters the list lacks are composed from a base letter and mark
// names ("Acircumflexdotbelow", "Uhorntilde" …). Names of ZapfDingbats
// glyphs (a1 … a191) are read only for that font.

//go:embed agl/glyphlist.txt
var aglData string

//go:embed agl/zapfdingbats.txt
var zapfData string

// aglNames and zapfNames are read-only tables built on first use.
var (
	aglNames  = sync.OnceValue(func() map[string]string { return parseGlyphList(aglData) })
	zapfNames = sync.OnceValue(func() map[string]string { return parseGlyphList(zapfData) })
)

// parseGlyphList reads "name;XXXX[ XXXX…]" lines.
func parseGlyphList(data string) map[string]string {
	m := make(map[string]string, 4400)
	for _, line := range strings.Split(data, "\n") {
		name, codes, ok := strings.Cut(strings.TrimSpace(line), ";")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		var b strings.Builder
		for _, c := range strings.Fields(codes) {
			if v, err := strconv.ParseUint(c, 16, 32); err == nil {
				b.WriteRune(rune(v))
			}
		}
		m[name] = b.String()
	}
	return m
}

// glyphNames holds the names that are not a base letter plus marks.
// It is a read-only table.
var glyphNames = map[string]string{
	"space": " ", "exclam": "!", "quotedbl": "\"", "numbersign": "#", "dollar": "$",
	"percent": "%", "ampersand": "&", "quotesingle": "'", "quoteright": "\u2019",
	"parenleft": "(", "parenright": ")", "asterisk": "*", "plus": "+", "comma": ",",
	"hyphen": "-", "period": ".", "slash": "/", "zero": "0", "one": "1", "two": "2",
	"three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
	"nine": "9", "colon": ":", "semicolon": ";", "less": "<", "equal": "=",
	"greater": ">", "question": "?", "at": "@", "bracketleft": "[", "backslash": "\\",
	"bracketright": "]", "asciicircum": "^", "underscore": "_", "grave": "`",
	"quoteleft": "\u2018", "braceleft": "{", "bar": "|", "braceright": "}",
	"asciitilde": "~", "exclamdown": "¡", "cent": "¢", "sterling": "£",
	"currency": "¤", "yen": "¥", "brokenbar": "¦", "section": "§", "dieresis": "¨",
	"copyright": "©", "ordfeminine": "ª", "guillemotleft": "«", "guillemetleft": "«",
	"logicalnot": "¬", "sfthyphen": "\u00ad", "softhyphen": "\u00ad", "registered": "®",
	"macron": "¯", "degree": "°", "plusminus": "±", "twosuperior": "²",
	"threesuperior": "³", "acute": "´", "mu": "µ", "mu1": "µ", "paragraph": "¶",
	"periodcentered": "·", "middot": "·", "cedilla": "¸", "onesuperior": "¹",
	"ordmasculine": "º", "guillemotright": "»", "guillemetright": "»",
	"onequarter": "¼", "onehalf": "½", "threequarters": "¾", "questiondown": "¿",
	"AE": "Æ", "Eth": "Ð", "multiply": "×", "Oslash": "Ø", "Thorn": "Þ",
	"germandbls": "ß", "ae": "æ", "eth": "ð", "divide": "÷", "oslash": "ø",
	"thorn": "þ", "nbspace": "\u00a0", "nonbreakingspace": "\u00a0",
	"dotlessi": "ı", "dotlessj": "ȷ", "Lslash": "Ł", "lslash": "ł", "OE": "Œ", "oe": "œ",
	"Dcroat": "Đ", "dcroat": "đ", "Dslash": "Đ", "dmacron": "đ", "Dmacron": "Đ",
	"Dbar": "Đ", "dbar": "đ", "Dstroke": "Đ", "dstroke": "đ",
	"Hbar": "Ħ", "hbar": "ħ", "Tbar": "Ŧ", "tbar": "ŧ", "Eng": "Ŋ", "eng": "ŋ",
	"kgreenlandic": "ĸ", "napostrophe": "ŉ", "Ldot": "Ŀ", "ldot": "ŀ", "IJ": "Ĳ",
	"ij": "ĳ", "florin": "ƒ", "AEacute": "Ǽ", "aeacute": "ǽ",
	"Oslashacute": "Ǿ", "oslashacute": "ǿ",
	"circumflex": "ˆ", "caron": "ˇ", "breve": "˘", "dotaccent": "˙", "ring": "˚",
	"ogonek": "˛", "tilde": "˜", "hungarumlaut": "˝",
	"gravecomb": "\u0300", "acutecomb": "\u0301", "tildecomb": "\u0303",
	"hookabovecomb": "\u0309", "dotbelowcomb": "\u0323",
	"endash": "–", "emdash": "—", "figuredash": "‒", "horizontalbar": "―",
	"quotesinglbase": "‚", "quotedblleft": "“", "quotedblright": "”",
	"quotedblbase": "„", "quotereversed": "‛", "dagger": "†", "daggerdbl": "‡",
	"bullet": "•", "ellipsis": "…", "perthousand": "‰", "guilsinglleft": "‹",
	"guilsinglright": "›", "minute": "′", "second": "″", "fraction": "⁄",
	"Euro": "€", "euro": "€", "dong": "₫", "numero": "№", "afii61352": "№",
	"trademark": "™", "minus": "−", "lozenge": "◊", "notequal": "≠",
	"lessequal": "≤", "greaterequal": "≥", "infinity": "∞", "partialdiff": "∂",
	"summation": "∑", "product": "∏", "pi": "π", "integral": "∫", "Omega": "Ω",
	"radical": "√", "approxequal": "≈", "Delta": "∆", "arrowright": "→",
	"arrowleft": "←", "arrowup": "↑", "arrowdown": "↓", "checkmark": "✓",
	"fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl",
	"overline": "‾", "underscoredbl": "‗", "estimated": "℮",
	"Ohorn": "Ơ", "ohorn": "ơ", "Uhorn": "Ư", "uhorn": "ư",
}

// markNames are the accent names that follow a base letter in composed glyph
// names, with the combining character each stands for.
var markNames = []struct {
	name string
	mark rune
}{
	{"circumflex", 0x302}, {"dotbelow", 0x323}, {"hookabove", 0x309},
	{"hungarumlaut", 0x30B}, {"commaaccent", 0x326}, {"dotaccent", 0x307},
	{"dieresis", 0x308}, {"cedilla", 0x327}, {"ogonek", 0x328}, {"macron", 0x304},
	{"acute", 0x301}, {"grave", 0x300}, {"tilde", 0x303}, {"breve", 0x306},
	{"caron", 0x30C}, {"ring", 0x30A}, {"horn", 0x31B},
}

// glyphText returns the text a glyph name stands for, or "" if unknown.
func glyphText(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	if name == "" {
		return ""
	}
	if !strings.Contains(name, "_") {
		return glyphComponent(name)
	}
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		b.WriteString(glyphComponent(part))
	}
	return b.String()
}

func glyphComponent(name string) string {
	if t, ok := glyphNames[name]; ok {
		return t
	}
	if len(name) == 1 && (name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
		return name
	}
	if t, ok := aglNames()[name]; ok {
		if r, _ := utf8.DecodeRuneInString(t); r >= 0xE000 && r <= 0xF8FF {
			if u := privateUseName(name); u != "" {
				return u
			}
		}
		return t
	}
	if t, ok := uniName(name); ok {
		return t
	}
	return composedName(name)
}

// privateUseName reads the names the Adobe Glyph List maps into the private
// use area (small capitals, old-style figures, superior and inferior
// letters) as the letters and digits they are.
func privateUseName(name string) string {
	for _, suf := range []string{"small", "oldstyle", "superior", "inferior"} {
		base, ok := strings.CutSuffix(name, suf)
		if !ok || base == "" {
			continue
		}
		t := glyphComponent(base)
		if r, _ := utf8.DecodeRuneInString(t); t == "" || (r >= 0xE000 && r <= 0xF8FF) {
			return ""
		}
		if suf == "small" {
			return strings.ToLower(t)
		}
		return t
	}
	return ""
}

// zapfText is glyphText for the ZapfDingbats font, whose glyphs are named
// a1 … a191.
func zapfText(name string) string {
	if t, ok := zapfNames()[name]; ok {
		return t
	}
	return glyphText(name)
}

// numericName reads names made of at most two letters and a decimal number
// ("a45", "g18", "c7", "65"), as Type 3 and some subset fonts name their
// glyphs.
func numericName(name string) (int, bool) {
	i := 0
	for i < len(name) && i < 2 && unicode.IsLetter(rune(name[i])) && name[i] < 0x80 {
		i++
	}
	if i == len(name) || len(name)-i > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(name[i:])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// uniName reads "uni" + 4k hex digits and "u" + 4 to 6 hex digits.
func uniName(name string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, "uni"); ok && len(rest) >= 4 && len(rest)%4 == 0 {
		var b strings.Builder
		for i := 0; i < len(rest); i += 4 {
			v, err := strconv.ParseUint(rest[i:i+4], 16, 32)
			if err != nil || (v >= 0xD800 && v <= 0xDFFF) {
				return "", false
			}
			b.WriteRune(rune(v))
		}
		return b.String(), true
	}
	if rest, ok := strings.CutPrefix(name, "u"); ok && len(rest) >= 4 && len(rest) <= 6 {
		v, err := strconv.ParseUint(rest, 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return "", false
		}
		return string(rune(v)), true
	}
	return "", false
}

// composedName reads a base letter (or a listed base such as "dotlessi",
// "Ohorn") followed by mark names, and returns the precomposed letter.
func composedName(name string) string {
	base, rest := "", ""
	for _, b := range []string{"dotlessi", "Ohorn", "ohorn", "Uhorn", "uhorn", "AE", "ae", "Oslash", "oslash"} {
		if strings.HasPrefix(name, b) && len(name) > len(b) {
			base, rest = glyphNames[b], name[len(b):]
			break
		}
	}
	if base == "" {
		if len(name) < 2 || !(name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
			return ""
		}
		base, rest = name[:1], name[1:]
	}
	marks := []rune(base)
	for rest != "" {
		found := false
		for _, m := range markNames {
			if strings.HasPrefix(rest, m.name) {
				mark := m.mark
				// Latvian/Romanian-style names: the "comma accent" of
				// G, K, L, N, R is encoded as a cedilla in Unicode.
				if mark == 0x326 && strings.ContainsAny(base, "GKLNRgklnr") {
					mark = 0x327
				}
				marks = append(marks, mark)
				rest = rest[len(m.name):]
				found = true
				break
			}
		}
		if !found {
			return ""
		}
	}
	s := norm.NFC.String(string(marks))
	if utf8.RuneCountInString(s) != 1 {
		return ""
	}
	return s
}
