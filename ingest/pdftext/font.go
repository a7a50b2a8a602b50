package pdftext

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"tinnhiem/ingest/vnenc"
	"unicode"
	"unicode/utf8"
)

// A font turns the bytes of a shown string into character codes, and each
// code into text and an advance width. It is built from the font dictionary
// alone, so fonts are cached by the dictionary's content: two dictionaries
// that print the same (same references) decode the same way. The resource
// name (/F1) is never the key, since it is unique only within one page.
type font struct {
	// baseFont is the font's /BaseFont name (subset tag kept), so that
	// the decoding of a simple font's codes can depend on the font it is
	// (legacy Vietnamese encodings such as TCVN3 ".VnTime" or VNI-Times).
	baseFont  string
	composite bool
	vertical  bool

	// Composite (Type0) fonts: how bytes split into codes and codes into CIDs.
	encCMap *cmap // nil for Identity-H/V (two-byte codes, CID = code)
	ucs2    bool  // predefined UCS-2/UTF-16 CMap: the code is the text
	// cidUnicode: a font that is not embedded, ordering Identity, no
	// ToUnicode: the CID is taken as the character (see buildComposite).
	cidUnicode bool
	cidW       map[uint32]float64 // single CIDs from /W
	cidWR      []cidWidth         // ranges from /W
	dw         float64
	vAdvance   float64 // vertical advance (DW2[1]) in text space units, negative downwards

	// Simple fonts: text of each byte (ToUnicode over the encoding), widths by code.
	simple    [256]string
	firstChar int
	widths    []float64
	missing   float64

	toUnicode *cmap

	// Composite fonts without ToUnicode: text from the embedded TrueType
	// program, by glyph id; CIDs are glyph ids unless cidToGID says otherwise.
	gidText  map[uint16]string
	cidToGID []uint16

	// Decoded composite codes (text and width), so that CMap ranges and
	// width tables are searched once per code: two-byte codes in pages of
	// 256, others in a map.
	memo2 [256]*[256]memoEntry
	memo  map[codeKey]memoEntry

	space float64 // width of the space glyph (em), -1 until computed
}

type cidWidth struct {
	lo, hi uint32
	w      float64
}

const defaultWidth = 0.5 // em, when a simple font gives no widths

// glyph is one decoded character code.
type glyph struct {
	text    string
	width   float64 // horizontal advance in text space units (per unit font size)
	isSpace bool    // single-byte code 32, which word spacing (Tw) applies to
}

// decode walks the codes of s.
func (f *font) decode(s []byte, fn func(glyph)) {
	if !f.composite {
		for _, c := range s {
			fn(glyph{text: f.simple[c], isSpace: c == ' ', width: f.simpleWidth(int(c))})
		}
		return
	}
	for len(s) > 0 {
		var code uint32
		var n int
		switch {
		case f.encCMap != nil:
			code, n = f.encCMap.split(s)
		default:
			n = min(2, len(s))
			code = codeValue(s[:n])
		}
		if e := f.cached(code, n); e != nil {
			fn(glyph{text: e.text, width: e.width, isSpace: n == 1 && code == ' '})
			s = s[n:]
			continue
		}
		cid := code
		if f.encCMap != nil && len(f.encCMap.cidRange) > 0 {
			if c, ok := f.encCMap.cidOf(code, n); ok {
				cid = c
			} else {
				cid = 0
			}
		}
		g := glyph{width: f.cidWidth(cid), isSpace: n == 1 && code == ' '}
		if t, ok := f.unicode(code, n); ok {
			g.text = t
		} else if f.ucs2 {
			g.text = decodeUTF16BE(s[:n])
		} else if f.cidUnicode {
			if r := rune(cid); r >= 0x20 && utf8.ValidRune(r) && !unicode.Is(unicode.Co, r) && unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.Zs) {
				g.text = string(r)
			}
		} else if f.gidText != nil {
			gid := cid
			if f.cidToGID != nil {
				gid = 0
				if int(cid) < len(f.cidToGID) {
					gid = uint32(f.cidToGID[cid])
				}
			}
			if t, ok := f.gidText[uint16(gid)]; ok && gid <= 0xFFFF {
				g.text = t
			}
		}
		f.remember(code, n, g)
		fn(g)
		s = s[n:]
	}
}

func (f *font) unicode(code uint32, n int) (string, bool) {
	if f.toUnicode == nil {
		return "", false
	}
	return f.toUnicode.lookup(code, n)
}

func (f *font) simpleWidth(code int) float64 {
	i := code - f.firstChar
	if i >= 0 && i < len(f.widths) {
		return f.widths[i]
	}
	return f.missing
}

func (f *font) cidWidth(cid uint32) float64 {
	if w, ok := f.cidW[cid]; ok {
		return w
	}
	for i := range f.cidWR {
		if cid >= f.cidWR[i].lo && cid <= f.cidWR[i].hi {
			return f.cidWR[i].w
		}
	}
	return f.dw
}

// loadFont builds a font from its dictionary. Missing or malformed parts
// degrade (default widths, fallback encodings) rather than fail.
func (ex *extractor) loadFont(v value) (*font, error) {
	if f, ok := ex.fonts[v.id]; ok && v.id != 0 {
		return f, nil
	}
	f, err := ex.buildFont(v)
	if err != nil {
		return nil, err
	}
	if len(ex.fonts) < 4096 && v.id != 0 {
		ex.fonts[v.id] = f
	}
	return f, nil
}

func (ex *extractor) buildFont(v value) (*font, error) {
	f := &font{baseFont: v.Key("BaseFont").Name()}
	if tu := v.Key("ToUnicode"); tu.Kind() == objStream {
		m, err := ex.readCMap(tu)
		if err != nil {
			return nil, err
		}
		f.toUnicode = m
	}
	switch v.Key("Subtype").Name() {
	case "Type0":
		return f, ex.buildComposite(f, v)
	case "Type3":
		if err := ex.buildSimple(f, v, fontMatrixScale(v.Key("FontMatrix"))); err != nil {
			return nil, err
		}
	default:
		if err := ex.buildSimple(f, v, 0.001); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func fontMatrixScale(m value) float64 {
	if m.Kind() != objArray || m.Len() < 1 {
		return 0.001
	}
	s := m.Index(0).Float64()
	if s == 0 {
		return 0.001
	}
	if s < 0 {
		s = -s
	}
	return s
}

func (ex *extractor) buildSimple(f *font, v value, scale float64) error {
	subtype := v.Key("Subtype").Name()
	desc := v.Key("FontDescriptor")
	zapf := isDingbats(f.baseFont)
	nameText := glyphText
	if zapf {
		nameText = zapfText
	}
	enc := v.Key("Encoding")
	var baseName string
	switch enc.Kind() {
	case objName:
		baseName = enc.Name()
	case objDict:
		baseName = enc.Key("BaseEncoding").Name()
	}
	// names holds the glyph name of each code where the font's own
	// encoding or /Differences give one.
	var names [256]string
	switch {
	case knownEncoding(baseName):
		f.simple = baseEncoding(baseName, "")
		names = *encodingNames(baseName)
	default:
		// No base encoding named: the font program's own, else the
		// standard one of the font.
		builtin, err := ex.builtinNames(desc)
		if err != nil {
			return err
		}
		switch {
		case builtin != nil:
			names = *builtin
			for c, n := range names {
				if n != "" {
					f.simple[c] = nameText(n)
				}
			}
		default:
			base := "StandardEncoding"
			switch {
			case zapf:
				base = "ZapfDingbatsEncoding"
			case isSymbol(f.baseFont):
				base = "SymbolEncoding"
			case subtype == "TrueType":
				base = "WinAnsiEncoding"
			}
			f.simple = baseEncoding(base, "")
			names = *encodingNames(base)
		}
	}
	if enc.Kind() == objDict {
		d := enc.Key("Differences")
		code := -1
		for i := 0; i < min(d.Len(), 4096); i++ {
			x := d.Index(i)
			switch x.Kind() {
			case objNum:
				code = int(x.Float64())
			case objName:
				if code >= 0 && code < 256 {
					names[code] = x.Name()
					f.simple[code] = nameText(x.Name())
					code++
				}
			}
		}
	}
	if err := ex.unknownNames(f, &names, desc); err != nil {
		return err
	}
	if ex.budget < 0 {
		return reject(CodeTooComplex, "pdftext: extract: %v", errBudget)
	}
	// ToUnicode, where it maps a code, wins over the encoding.
	if f.toUnicode != nil {
		for c := range f.simple {
			if t, ok := f.toUnicode.lookup(uint32(c), 1); ok {
				f.simple[c] = t
			}
		}
	}
	ex.legacyCodes(f)
	f.firstChar = int(v.Key("FirstChar").Int64())
	ws := v.Key("Widths")
	n := min(ws.Len(), 256)
	f.widths = make([]float64, n)
	for i := 0; i < n; i++ {
		f.widths[i] = ws.Index(i).Float64() * scale
	}
	if n == 0 {
		// A standard font named without widths: its metrics are known.
		if std := std14Metrics(f.baseFont); std != nil {
			f.firstChar, f.widths, n = 0, make([]float64, 256), 256
			for c, name := range names {
				if w, ok := std[name]; ok {
					f.widths[c] = w * scale
				} else if w, ok := std[".fixed"]; ok {
					f.widths[c] = w * scale
				}
			}
		}
	}
	f.missing = desc.Key("MissingWidth").Float64() * scale
	if f.missing == 0 {
		f.missing = defaultWidth
		if n > 0 {
			f.missing = 0 // a font with widths: codes without one don't move
		}
	}
	return nil
}

func isDingbats(baseFont string) bool {
	return strings.Contains(baseFont, "ZapfDingbats") || strings.Contains(baseFont, "Dingbats")
}

// isSymbol reports the standard Symbol font (a subset tag and style
// suffixes aside), whose built-in encoding is Symbol's.
func isSymbol(baseFont string) bool {
	if i := strings.IndexByte(baseFont, '+'); i == 6 {
		baseFont = baseFont[i+1:]
	}
	return baseFont == "Symbol" || strings.HasPrefix(baseFont, "Symbol,") || strings.HasPrefix(baseFont, "Symbol-")
}

// builtinNames reads the encoding built into an embedded font program: the
// encoding vector of a Type 1 program, or the encoding of a CFF one. It
// returns nil when there is none.
func (ex *extractor) builtinNames(desc value) (*[256]string, error) {
	if ff := desc.Key("FontFile"); ff.Kind() == objStream {
		return ex.type1Encoding(ff)
	}
	if ff := desc.Key("FontFile3"); ff.Kind() == objStream {
		c, err := ex.cffProgram(ff)
		if err != nil || c == nil {
			return nil, err
		}
		t := c.builtinNames()
		return &t, nil
	}
	return nil, nil
}

// cffProgram parses an embedded CFF program (FontFile3 of subtype Type1C,
// CIDFontType0C or OpenType), nil when it is none or unreadable.
func (ex *extractor) cffProgram(ff value) (*cffFont, error) {
	b, err := ex.streamBytes(ff)
	if err != nil {
		return nil, err
	}
	if ff.Key("Subtype").Name() == "OpenType" {
		b = openTypeCFF(b)
	}
	c, err := parseCFF(b)
	if err != nil {
		return nil, nil
	}
	return c, nil
}

// unknownNames decodes the codes whose glyph names say nothing to the glyph
// list, where the font itself shows what they are:
//   - names that are a number equal to their code ("a65" at 65, "g97" at
//     97: Type 3 and TeX fonts named by code) are that character;
//   - names of glyph ids ("g18", "glyph18", "gid18") in a font with an
//     embedded TrueType program read through its Unicode cmap.
//
// Anything else stays undecoded, and is counted as such.
func (ex *extractor) unknownNames(f *font, names *[256]string, desc value) error {
	var codes []int
	for c, n := range names {
		if n != "" && n != ".notdef" && f.simple[c] == "" {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	same := 0
	for _, c := range codes {
		if v, ok := numericName(names[c]); ok && v == c {
			same++
		} else if v, ok := hexName(names[c]); ok && v == c {
			same++
		}
	}
	if same*10 >= len(codes)*9 {
		for _, c := range codes {
			if c > 0x20 && c < 0x7F || c > 0xA0 {
				f.simple[c] = string(rune(c)) // ASCII, and Latin-1 above it
			}
		}
		return nil
	}
	ff := desc.Key("FontFile2")
	if ff.Kind() != objStream {
		return nil
	}
	prog, err := ex.streamBytes(ff)
	if err != nil {
		return err
	}
	gu := glyphUnicode(prog)
	for _, c := range codes {
		if gid, ok := glyphIDName(names[c]); ok {
			if r, ok := gu[uint16(gid)]; ok && gid <= 0xFFFF {
				f.simple[c] = string(r)
			}
		}
	}
	return nil
}

// hexName reads a letter and two hexadecimal digits ("C41").
func hexName(name string) (int, bool) {
	if len(name) != 3 || !(name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
		return 0, false
	}
	h1, h2 := unhex(name[1]), unhex(name[2])
	if h1 < 0 || h2 < 0 {
		return 0, false
	}
	return h1<<4 | h2, true
}

// glyphIDName reads the glyph id in names such as "g18", "glyph18", "gid18".
func glyphIDName(name string) (int, bool) {
	for _, p := range []string{"glyph", "gid", "g", "G"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			n, err := strconv.Atoi(rest)
			return n, err == nil && n >= 0
		}
	}
	return 0, false
}

var type1Dup = regexp.MustCompile(`dup\s+(\d+)\s*/([^\s/\[\]{}()<>%]+)\s+put`)

// type1Encoding reads the encoding vector from the clear-text part of an
// embedded Type 1 font program ("dup 65 /Acircumflex put"); nil if none.
func (ex *extractor) type1Encoding(ff value) (*[256]string, error) {
	n := ff.Key("Length1").Int64()
	if n <= 0 || n > 1<<20 {
		n = 64 << 10
	}
	clear, err := ex.streamBytes(ff)
	if err != nil {
		return nil, err
	}
	clear = clear[:min(int64(len(clear)), n)]
	if i := bytes.Index(clear, []byte("eexec")); i >= 0 {
		clear = clear[:i]
	}
	if bytes.Contains(clear, []byte("/Encoding StandardEncoding")) {
		t := *standardEncodingNames
		return &t, nil
	}
	m := type1Dup.FindAllSubmatch(clear, 256)
	if len(m) == 0 {
		return nil, nil
	}
	var t [256]string
	for _, d := range m {
		code, err := strconv.Atoi(string(d[1]))
		if err != nil || code < 0 || code > 255 {
			continue
		}
		t[code] = string(d[2])
	}
	return &t, nil
}

func (ex *extractor) buildComposite(f *font, v value) error {
	f.composite = true
	f.dw = 1
	f.vAdvance = -1
	enc := v.Key("Encoding")
	switch enc.Kind() {
	case objName:
		name := enc.Name()
		f.vertical = strings.HasSuffix(name, "-V")
		switch {
		case name == "Identity-H" || name == "Identity-V":
		case strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16"):
			f.ucs2 = true
		default:
			// A predefined CJK CMap we do not carry: split codes like the
			// ToUnicode map does, if it says how.
			if f.toUnicode != nil && len(f.toUnicode.spaces) > 0 {
				f.encCMap = &cmap{spaces: f.toUnicode.spaces}
			}
		}
	case objStream:
		m, err := ex.readCMap(enc)
		if err != nil {
			return err
		}
		f.vertical = m.wmode == 1
		if len(m.spaces) > 0 {
			f.encCMap = m
		}
	}
	desc := v.Key("DescendantFonts").Index(0)
	if dw := desc.Key("DW"); dw.Kind() == objNum {
		f.dw = dw.Float64() / 1000
	}
	if dw2 := desc.Key("DW2"); dw2.Len() == 2 {
		f.vAdvance = dw2.Index(1).Float64() / 1000
	}
	f.cidW, f.cidWR = parseW(desc.Key("W"))
	if tu := v.Key("ToUnicode"); tu.Kind() == objName && strings.HasPrefix(tu.Name(), "Identity") {
		// "/ToUnicode /Identity-H": the codes are UTF-16.
		f.ucs2 = true
	}
	if f.toUnicode == nil && !f.ucs2 {
		if err := ex.embeddedText(f, desc); err != nil {
			return err
		}
		fd := desc.Key("FontDescriptor")
		embedded := fd.Key("FontFile").Kind() == objStream || fd.Key("FontFile2").Kind() == objStream || fd.Key("FontFile3").Kind() == objStream
		if f.gidText == nil && !embedded && desc.Key("CIDSystemInfo").Key("Ordering").Str() == "Identity" {
			// A font that is not embedded has no glyphs of its own to
			// read; producers that write it this way use Unicode values
			// as CIDs, and viewers read them so.
			f.cidUnicode = true
		}
	}
	return nil
}

// parseW reads a CIDFont /W array: "c [w1 w2 …]" and "cfirst clast w".
func parseW(w value) (map[uint32]float64, []cidWidth) {
	n := min(w.Len(), 1<<17)
	// Sized for the common form, a CID and an array of widths for each few.
	single := make(map[uint32]float64, min(n, 1<<12))
	var out []cidWidth
	for i := 0; i < n; {
		first := w.Index(i)
		if first.Kind() != objNum && first.Kind() != objNum {
			i++
			continue
		}
		c := uint32(max(first.Float64(), 0))
		if i+1 >= n {
			break
		}
		second := w.Index(i + 1)
		if second.Kind() == objArray {
			m := min(second.Len(), 1<<16)
			for j := 0; j < m; j++ {
				single[c+uint32(j)] = second.Index(j).Float64() / 1000
			}
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		last := uint32(max(second.Float64(), 0))
		out = append(out, cidWidth{lo: c, hi: last, w: w.Index(i+2).Float64() / 1000})
		i += 3
	}
	return single, out
}

func (ex *extractor) readCMap(v value) (*cmap, error) {
	b, err := ex.streamBytes(v)
	if err != nil {
		return nil, err
	}
	return parseCMap(b), nil
}

// spaceWidth returns the advance of the font's space glyph in text space
// units per unit of font size, or 0 when the font has none that is known.
func (f *font) spaceWidth() float64 {
	if f.space != 0 {
		return max(f.space, 0)
	}
	f.space = -1
	if !f.composite {
		for _, c := range []int{32, 0xA0} {
			if f.simple[c] == " " || f.simple[c] == "\u00a0" {
				if w := f.simpleWidth(c); w > 0 {
					f.space = w
					break
				}
			}
		}
		return max(f.space, 0)
	}
	if f.toUnicode != nil {
		for k, t := range f.toUnicode.text {
			if t == " " {
				cid := k.code
				if f.encCMap != nil && len(f.encCMap.cidRange) > 0 {
					cid, _ = f.encCMap.cidOf(k.code, int(k.n))
				}
				if w := f.cidWidth(cid); w > 0 {
					f.space = w
				}
				break
			}
		}
	}
	return max(f.space, 0)
}

type memoEntry struct {
	text  string
	width float64
	ok    bool
}

func (f *font) cached(code uint32, n int) *memoEntry {
	if n == 2 {
		if p := f.memo2[code>>8&0xFF]; p != nil && p[code&0xFF].ok {
			return &p[code&0xFF]
		}
		return nil
	}
	if e, ok := f.memo[codeKey{code, uint8(n)}]; ok {
		return &e
	}
	return nil
}

func (f *font) remember(code uint32, n int, g glyph) {
	e := memoEntry{text: g.text, width: g.width, ok: true}
	if n == 2 {
		p := f.memo2[code>>8&0xFF]
		if p == nil {
			p = new([256]memoEntry)
			f.memo2[code>>8&0xFF] = p
		}
		p[code&0xFF] = e
		return
	}
	if len(f.memo) < 1<<16 {
		if f.memo == nil {
			f.memo = map[codeKey]memoEntry{}
		}
		f.memo[codeKey{code, uint8(n)}] = e
	}
}

// legacyCodes reads a font of the TCVN3 (ABC) encoding — ".VnTime", ".VnTimeH"… — through that
// encoding's table: its byte codes are Vietnamese letters, whatever the PDF's encoding says (Word
// writes them as WinAnsi, which makes "Bé c¸o" of "Báo cáo"). One byte is one letter, so the
// table maps each code; a capitals font (".…H") gives capitals. VNI fonts compose a letter of two
// bytes and are mended on the text (ingest/vnenc.Fix) instead.
//
// A subset re-encoded for the PDF — codes 1, 2, 3… in the order the glyphs were first used, as
// LibreOffice and many PDF printers write it — no longer carries the typed bytes as its codes:
// its ToUnicode says which character of the legacy font each code draws ("¸" for the byte 0xB8),
// and that character is what goes through the table.
func (ex *extractor) legacyCodes(f *font) {
	enc := vnenc.FontEncoding(f.baseFont)
	if enc.Encoding != vnenc.TCVN3 {
		return
	}
	for c := range f.simple {
		if f.toUnicode != nil {
			if t, ok := f.toUnicode.lookup(uint32(c), 1); ok && t != "" {
				f.simple[c] = vnenc.DecodeText(enc, t)
				continue
			}
		}
		f.simple[c] = vnenc.DecodeBytes(enc, []byte{byte(c)})
	}
	ex.legacy = string(vnenc.TCVN3)
}
