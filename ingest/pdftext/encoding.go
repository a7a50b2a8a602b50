package pdftext

import (
	"golang.org/x/text/encoding/charmap"
)

// Simple fonts map one byte to one glyph; the encodings below give the text
// of each byte before a font's /Differences and /ToUnicode are applied.

func standardNames() *[256]string { return standardEncodingNames }

// namedEncoding returns the glyph names of a named base encoding, or nil for
// WinAnsi and MacRoman, which baseEncoding reads as code pages.
func namedEncoding(name string) *[256]string {
	switch name {
	case "StandardEncoding":
		return standardEncodingNames
	case "MacExpertEncoding":
		return macExpertEncoding
	case "SymbolEncoding", "SymbolSetEncoding":
		return symbolEncoding
	case "ZapfDingbatsEncoding":
		return zapfDingbatsEncoding
	}
	return nil
}

// encodingNames returns the glyph names of any base encoding we know.
func encodingNames(name string) *[256]string {
	switch name {
	case "WinAnsiEncoding":
		return winAnsiEncodingNames
	case "MacRomanEncoding":
		return macRomanEncodingNames
	}
	return namedEncoding(name)
}

// knownEncoding reports whether name is a base encoding we read.
func knownEncoding(name string) bool {
	return name == "WinAnsiEncoding" || name == "MacRomanEncoding" || namedEncoding(name) != nil
}

// The text of each byte under WinAnsi and MacRoman, made once: most simple
// fonts take one of them, and making it cost 224 strings a font.
var (
	winAnsiText = func() (t [256]string) {
		for i := 0x20; i < 256; i++ {
			t[i] = decodeCharmap(charmap.Windows1252, byte(i))
		}
		// PDF 32000 Annex D: 0xA0 is a space and 0xAD a hyphen in WinAnsi.
		t[0xA0] = " "
		t[0xAD] = "-"
		return t
	}()
	macRomanText = func() (t [256]string) {
		for i := 0x20; i < 256; i++ {
			t[i] = decodeCharmap(charmap.Macintosh, byte(i))
		}
		t[0xDB] = "¤" // PDF's MacRoman predates the euro sign in this slot
		t[0xCA] = " "
		return t
	}()
)

// baseEncoding returns the text of each byte under a named base encoding.
// Unknown names fall back to def.
func baseEncoding(name, def string) [256]string {
	var t [256]string
	switch name {
	case "WinAnsiEncoding":
		return winAnsiText
	case "MacRomanEncoding":
		return macRomanText
	default:
		names := namedEncoding(name)
		if names == nil {
			if def != "" && def != name {
				return baseEncoding(def, "")
			}
			names = standardEncodingNames
		}
		for c, n := range names {
			if n == "" {
				continue
			}
			if names == zapfDingbatsEncoding {
				t[c] = zapfText(n)
			} else {
				t[c] = glyphText(n)
			}
		}
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
