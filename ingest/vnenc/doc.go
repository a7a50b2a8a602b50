// Package vnenc converts text typed in the legacy Vietnamese encodings — TCVN3 (ABC, the ".Vn…"
// fonts), VNI Windows (the "VNI-…" fonts) and VIQR (plain ASCII) — to Unicode NFC, and detects them
// from font names or from the text itself.
//
// Legacy text reaches us in two forms:
//
//   - raw byte codes of a font (a PDF's simple font, whose codes are the legacy bytes): decode them
//     with FontDecoder or DecodeBytes;
//   - text already read as Windows-1252 (a DOCX or ODT run in such a font, whose characters Word
//     stored as the cp1252 reading of the bytes; or PDF text decoded through WinAnsiEncoding, which
//     shows as mojibake such as "B¸o c¸o"): convert it with DecodeText when the font is known, or
//     with Fix, which detects the encoding from the characters and never touches Unicode
//     Vietnamese.
package vnenc
