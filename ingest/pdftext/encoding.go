package pdftext

import (
	"golang.org/x/text/encoding/charmap"
)

// Simple fonts map one byte to one glyph; the encodings below give the text
// of each byte before a font's /Differences and /ToUnicode are applied.

// standardEncoding is Adobe StandardEncoding above ASCII, by glyph name
// (PDF 32000 Annex D); below 0x80 it is ASCII except two quotes.
var standardEncoding = map[byte]string{
	0x27: "quoteright", 0x60: "quoteleft",
	0xA1: "exclamdown", 0xA2: "cent", 0xA3: "sterling", 0xA4: "fraction", 0xA5: "yen",
	0xA6: "florin", 0xA7: "section", 0xA8: "currency", 0xA9: "quotesingle",
	0xAA: "quotedblleft", 0xAB: "guillemotleft", 0xAC: "guilsinglleft",
	0xAD: "guilsinglright", 0xAE: "fi", 0xAF: "fl", 0xB1: "endash", 0xB2: "dagger",
	0xB3: "daggerdbl", 0xB4: "periodcentered", 0xB6: "paragraph", 0xB7: "bullet",
	0xB8: "quotesinglbase", 0xB9: "quotedblbase", 0xBA: "quotedblright",
	0xBB: "guillemotright", 0xBC: "ellipsis", 0xBD: "perthousand", 0xBF: "questiondown",
	0xC1: "grave", 0xC2: "acute", 0xC3: "circumflex", 0xC4: "tilde", 0xC5: "macron",
	0xC6: "breve", 0xC7: "dotaccent", 0xC8: "dieresis", 0xCA: "ring", 0xCB: "cedilla",
	0xCD: "hungarumlaut", 0xCE: "ogonek", 0xCF: "caron", 0xD0: "emdash", 0xE1: "AE",
	0xE3: "ordfeminine", 0xE8: "Lslash", 0xE9: "Oslash", 0xEA: "OE", 0xEB: "ordmasculine",
	0xF1: "ae", 0xF5: "dotlessi", 0xF8: "lslash", 0xF9: "oslash", 0xFA: "oe", 0xFB: "germandbls",
}

// baseEncoding returns the text of each byte under a named base encoding.
// Unknown names fall back to def.
func baseEncoding(name, def string) [256]string {
	var t [256]string
	switch name {
	case "WinAnsiEncoding":
		for i := 0x20; i < 256; i++ {
			t[i] = decodeCharmap(charmap.Windows1252, byte(i))
		}
		// PDF 32000 Annex D: 0xA0 is a space and 0xAD a hyphen in WinAnsi.
		t[0xA0] = " "
		t[0xAD] = "-"
	case "MacRomanEncoding":
		for i := 0x20; i < 256; i++ {
			t[i] = decodeCharmap(charmap.Macintosh, byte(i))
		}
		t[0xDB] = "¤" // PDF's MacRoman predates the euro sign in this slot
		t[0xCA] = " "
	case "StandardEncoding":
		for i := 0x20; i < 0x7F; i++ {
			t[i] = string(rune(i))
		}
		for c, n := range standardEncoding {
			t[c] = glyphText(n)
		}
	default:
		if def != "" && def != name {
			return baseEncoding(def, "")
		}
		return baseEncoding("StandardEncoding", "")
	}
	return t
}

func decodeCharmap(cm *charmap.Charmap, b byte) string {
	r := cm.DecodeByte(b)
	if r == 0xFFFD || r < 0x20 || (r >= 0x7F && r < 0xA0) {
		return ""
	}
	return string(r)
}
