package pdftext

import (
	"strconv"
)

// One lexer reads all PDF syntax here: the objects of the file, content
// streams and CMaps. It works on bytes already in memory (the file, or a
// stream decoded within the decompression budget), never fails, and never
// loops: malformed syntax degrades to skipped bytes, nesting deeper than
// maxNesting is read flat, and every call consumes input or reports the end.

type objKind uint8

const (
	objNull objKind = iota
	objBool
	objNum
	objString
	objName
	objArray
	objDict
	objOp     // an operator (keyword) in a content stream or CMap, or obj/endobj/stream…
	objRef    // an indirect reference "N G R": num is N, gen is G
	objStream // a stream: dict holds its dictionary, stm where its data lies
)

type object struct {
	kind objKind
	gen  uint16  // generation of a reference
	num  float64 // number, boolean (1 = true) or object number of a reference
	str  string  // string bytes, name without slash, or operator
	arr  []object
	dict map[string]object
	stm  *streamData
}

func (o object) isInt() bool {
	return o.kind == objNum && o.num == float64(int64(o.num))
}

const (
	maxNesting     = 32      // arrays/dicts inside operands
	maxTokenBytes  = 1 << 20 // one string or name; longer ones are cut
	maxArrayLength = 1 << 16 // elements kept per operand array
)

type lexer struct {
	b []byte
	i int
	// refs makes integers followed by "G R" come back as references, as in
	// the objects of a file (content streams have no references).
	refs bool
	// buf is where strings with escapes are put together before they
	// become strings.
	buf []byte
	// transient is set for a content stream, whose operands live only
	// until their operator has run (see newContentLexer).
	transient bool
	// s is b as a string (transient lexers of streams up to maxSliced
	// bytes): strings, names and operators without escapes are slices of
	// it rather than copies.
	s      string
	sliced bool
	// stack holds the elements of the arrays being read. A transient
	// lexer reads arrays into arena, which endOperands empties; inArena is
	// set while one is being read there.
	stack, arena []object
	inArena      bool
}

func newLexer(b []byte) *lexer { return &lexer{b: b} }

// newContentLexer returns a lexer for a content stream whose caller calls
// endOperands once it is done with the operands read so far (after each
// operator). Its strings, names and arrays then cost no allocation of their
// own: a page's TJ arrays were a third of the bytes an extraction allocated.
// The objects it returns must not be kept past endOperands.
func newContentLexer(b []byte) *lexer {
	l := &lexer{b: b, transient: true}
	if len(b) <= maxSliced {
		l.s, l.sliced = string(b), true
	}
	return l
}

// maxSliced is the largest content stream a lexer copies into a string to
// slice its tokens from; a larger one (rare, and possibly hostile) is not
// held twice.
const maxSliced = 4 << 20

// own returns o with its arrays (and those of its dictionaries) copied out of
// a transient lexer's arena, so that it outlives endOperands.
func own(o object) object {
	switch o.kind {
	case objArray:
		if o.arr != nil {
			arr := make([]object, len(o.arr))
			for i, e := range o.arr {
				arr[i] = own(e)
			}
			o.arr = arr
		}
	case objDict:
		d := make(map[string]object, len(o.dict))
		for k, v := range o.dict {
			d[k] = own(v)
		}
		o.dict = d
	}
	return o
}

// endOperands lets a transient lexer reuse the memory of the arrays it has
// returned.
func (l *lexer) endOperands() {
	clear(l.arena)
	l.arena = l.arena[:0]
}

// token returns the input from start to end as a string: a slice of the
// input when the lexer has it as a string, else a copy.
func (l *lexer) token(start, end int) string {
	if l.sliced {
		return l.s[start:end]
	}
	return string(l.b[start:end])
}

// bufString returns the string put together in buf (and empties buf).
func (l *lexer) bufString() string {
	s := string(l.buf)
	l.buf = l.buf[:0]
	return s
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// regularChar is true for bytes that are neither white space nor delimiters.
var regularChar = func() (t [256]bool) {
	for i := range t {
		t[i] = !isSpace(byte(i)) && !isDelim(byte(i))
	}
	return t
}()

// next returns the next complete object or operator; ok is false at the end
// of the input.
func (l *lexer) next() (object, bool) {
	return l.object(0)
}

func (l *lexer) skipSpace() bool {
	for l.i < len(l.b) {
		c := l.b[l.i]
		if isSpace(c) {
			l.i++
			continue
		}
		if c == '%' {
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
			continue
		}
		return true
	}
	return false
}

// object reads one object. Stray closing delimiters come back as operators
// (`]`, `>>`, `}`) so that the caller can end an array or dict. Nesting
// deeper than maxNesting is read flat (the opening delimiter comes back as an
// operator), so that no input can make the lexer recurse without bound.
func (l *lexer) object(depth int) (object, bool) {
	for {
		if !l.skipSpace() {
			return object{}, false
		}
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			return object{kind: objString, str: l.literalString()}, true
		case '<':
			if l.i < len(l.b) && l.b[l.i] == '<' {
				l.i++
				if depth >= maxNesting {
					return object{kind: objOp, str: "<<"}, true
				}
				return l.dict(depth), true
			}
			return object{kind: objString, str: l.hexString()}, true
		case '>':
			if l.i < len(l.b) && l.b[l.i] == '>' {
				l.i++
			}
			return object{kind: objOp, str: ">>"}, true
		case '[':
			if depth >= maxNesting {
				return object{kind: objOp, str: "["}, true
			}
			return l.array(depth), true
		case ']':
			return object{kind: objOp, str: "]"}, true
		case '{', '}':
			return object{kind: objOp, str: string(c)}, true
		case ')':
			continue // unbalanced: skip it
		case '/':
			return object{kind: objName, str: l.name()}, true
		}
		l.i--
		start := l.i
		word := l.regular()
		if len(word) > 0 && (word[0] >= '0' && word[0] <= '9' || word[0] == '-' || word[0] == '+' || word[0] == '.') && isNumber(word) {
			f, ok := plainNumber(word)
			if !ok {
				var err error
				if f, err = strconv.ParseFloat(string(word), 64); err != nil {
					f = parseLooseNumber(string(word))
				}
			}
			o := object{kind: objNum, num: f}
			if l.refs && f >= 0 && f == float64(int64(f)) {
				l.maybeRef(&o)
			}
			return o, true
		}
		switch string(word) {
		case "true":
			return object{kind: objBool, num: 1}, true
		case "false":
			return object{kind: objBool}, true
		case "null":
			return object{}, true
		}
		if l.sliced {
			return object{kind: objOp, str: l.s[start : start+len(word)]}, true
		}
		return object{kind: objOp, str: operator(word)}, true
	}
}

// operator returns the operator's name without allocating for the common ones.
func operator(w []byte) string {
	switch string(w) {
	case "Tj":
		return "Tj"
	case "TJ":
		return "TJ"
	case "Td":
		return "Td"
	case "TD":
		return "TD"
	case "Tf":
		return "Tf"
	case "Tm":
		return "Tm"
	case "BT":
		return "BT"
	case "ET":
		return "ET"
	case "q":
		return "q"
	case "Q":
		return "Q"
	case "cm":
		return "cm"
	case "re":
		return "re"
	case "m":
		return "m"
	case "l":
		return "l"
	case "c":
		return "c"
	case "f":
		return "f"
	case "S":
		return "S"
	case "n":
		return "n"
	case "h":
		return "h"
	case "W":
		return "W"
	case "g":
		return "g"
	case "rg":
		return "rg"
	case "Do":
		return "Do"
	case "R":
		return "R"
	case "obj":
		return "obj"
	case "endobj":
		return "endobj"
	}
	return string(w)
}

// maybeRef turns an integer into a reference when "G R" follows it.
func (l *lexer) maybeRef(o *object) {
	save := l.i
	if !l.skipSpace() {
		return
	}
	g := l.regular()
	if len(g) == 0 || len(g) > 5 {
		l.i = save
		return
	}
	gen := 0
	for _, c := range g {
		if c < '0' || c > '9' {
			l.i = save
			return
		}
		gen = gen*10 + int(c-'0')
	}
	if !l.skipSpace() || l.b[l.i] != 'R' || (l.i+1 < len(l.b) && regularChar[l.b[l.i+1]]) || gen > 65535 {
		l.i = save
		return
	}
	l.i++
	o.kind, o.gen = objRef, uint16(gen)
}

// array reads an array. Its elements are gathered on the lexer's stack
// (those of arrays inside it above them) and then copied to a slice of their
// number (appending element by element made a font's /W array, thousands
// long, several times over). A transient lexer reads its arrays into its arena
// directly, except those inside another (rare in content streams).
func (l *lexer) array(depth int) object {
	if l.transient && !l.inArena {
		return l.arenaArray(depth)
	}
	start := len(l.stack)
	for {
		o, ok := l.object(depth + 1)
		if !ok || (o.kind == objOp && o.str == "]") {
			break
		}
		if o.kind == objOp && l.refs && isObjectKeyword(o.str) {
			l.i -= len(o.str) // never closed, see dict
			break
		}
		if len(l.stack)-start < maxArrayLength {
			l.stack = append(l.stack, o)
		}
	}
	a := object{kind: objArray}
	if n := len(l.stack) - start; n > 0 {
		a.arr = make([]object, n)
		copy(a.arr, l.stack[start:])
	}
	clear(l.stack[start:])
	l.stack = l.stack[:start]
	return a
}

// arenaArray reads an array into the arena, where its elements are the last
// ones until it is closed: arrays inside it go elsewhere (array).
func (l *lexer) arenaArray(depth int) object {
	l.inArena = true
	start := len(l.arena)
	for {
		o, ok := l.object(depth + 1)
		if !ok || (o.kind == objOp && o.str == "]") {
			break
		}
		if len(l.arena)-start < maxArrayLength {
			l.arena = append(l.arena, o)
		}
	}
	l.inArena = false
	a := object{kind: objArray}
	if n := len(l.arena) - start; n > 0 {
		a.arr = l.arena[start : start+n : start+n]
	}
	return a
}

func (l *lexer) dict(depth int) object {
	d := object{kind: objDict, dict: map[string]object{}}
	var key string
	haveKey := false
	for {
		o, ok := l.object(depth + 1)
		if !ok || (o.kind == objOp && o.str == ">>") {
			return d
		}
		if o.kind == objOp && l.refs {
			// A keyword inside a dictionary ("<< /Key endobj"): it was
			// never closed. Stop here rather than swallow the file.
			if isObjectKeyword(o.str) {
				l.i -= len(o.str)
				return d
			}
		}
		if !haveKey {
			if o.kind == objName {
				key, haveKey = o.str, true
			}
			continue
		}
		if len(d.dict) < maxArrayLength {
			d.dict[key] = o
		}
		haveKey = false
	}
}

// isObjectKeyword reports the keywords that end an object in a file.
func isObjectKeyword(s string) bool {
	switch s {
	case "endobj", "stream", "obj", "endstream", "xref", "trailer", "startxref":
		return true
	}
	return false
}

// regular reads a run of regular bytes (at least one byte, so that the
// caller always makes progress). The result aliases the input.
func (l *lexer) regular() []byte {
	start := l.i
	for l.i < len(l.b) && regularChar[l.b[l.i]] {
		l.i++
	}
	if l.i == start && l.i < len(l.b) {
		l.i++
	}
	w := l.b[start:l.i]
	if len(w) > 256 {
		w = w[:256]
	}
	return w
}

func (l *lexer) name() string {
	start := l.i
	for l.i < len(l.b) && regularChar[l.b[l.i]] {
		if l.b[l.i] == '#' {
			return l.escapedName(start)
		}
		l.i++
	}
	if !l.sliced {
		if s := commonName(l.b[start:l.i]); s != "" {
			return s
		}
	}
	return l.token(start, min(l.i, start+maxTokenBytes))
}

// commonName returns the names of a file's dictionaries met in every file
// (keys of pages, fonts, streams) without allocating them; "" for others.
func commonName(b []byte) string {
	switch string(b) {
	case "Type":
		return "Type"
	case "Subtype":
		return "Subtype"
	case "Font":
		return "Font"
	case "BaseFont":
		return "BaseFont"
	case "Encoding":
		return "Encoding"
	case "FirstChar":
		return "FirstChar"
	case "LastChar":
		return "LastChar"
	case "Widths":
		return "Widths"
	case "FontDescriptor":
		return "FontDescriptor"
	case "ToUnicode":
		return "ToUnicode"
	case "Length":
		return "Length"
	case "Length1":
		return "Length1"
	case "Filter":
		return "Filter"
	case "FlateDecode":
		return "FlateDecode"
	case "DecodeParms":
		return "DecodeParms"
	case "Resources":
		return "Resources"
	case "ProcSet":
		return "ProcSet"
	case "PDF":
		return "PDF"
	case "Text":
		return "Text"
	case "Contents":
		return "Contents"
	case "Parent":
		return "Parent"
	case "Kids":
		return "Kids"
	case "Count":
		return "Count"
	case "MediaBox":
		return "MediaBox"
	case "CropBox":
		return "CropBox"
	case "Page":
		return "Page"
	case "Pages":
		return "Pages"
	case "XObject":
		return "XObject"
	case "ExtGState":
		return "ExtGState"
	case "W":
		return "W"
	case "DW":
		return "DW"
	case "DescendantFonts":
		return "DescendantFonts"
	case "CIDSystemInfo":
		return "CIDSystemInfo"
	case "Registry":
		return "Registry"
	case "Ordering":
		return "Ordering"
	case "Supplement":
		return "Supplement"
	case "FontName":
		return "FontName"
	case "FontFamily":
		return "FontFamily"
	case "Flags":
		return "Flags"
	case "FontBBox":
		return "FontBBox"
	case "ItalicAngle":
		return "ItalicAngle"
	case "Ascent":
		return "Ascent"
	case "Descent":
		return "Descent"
	case "CapHeight":
		return "CapHeight"
	case "StemV":
		return "StemV"
	case "FontFile2":
		return "FontFile2"
	case "FontFile":
		return "FontFile"
	case "FontFile3":
		return "FontFile3"
	case "TrueType":
		return "TrueType"
	case "Type0":
		return "Type0"
	case "CIDFontType2":
		return "CIDFontType2"
	case "CIDToGIDMap":
		return "CIDToGIDMap"
	case "Identity":
		return "Identity"
	case "Identity-H":
		return "Identity-H"
	case "WinAnsiEncoding":
		return "WinAnsiEncoding"
	case "Annots":
		return "Annots"
	case "Group":
		return "Group"
	case "Transparency":
		return "Transparency"
	case "S":
		return "S"
	case "CS":
		return "CS"
	case "DeviceRGB":
		return "DeviceRGB"
	case "Image":
		return "Image"
	case "Width":
		return "Width"
	case "Height":
		return "Height"
	case "ColorSpace":
		return "ColorSpace"
	case "BitsPerComponent":
		return "BitsPerComponent"
	case "Form":
		return "Form"
	case "BBox":
		return "BBox"
	case "Matrix":
		return "Matrix"
	case "Root":
		return "Root"
	case "Info":
		return "Info"
	case "ID":
		return "ID"
	case "Size":
		return "Size"
	case "Prev":
		return "Prev"
	case "Index":
		return "Index"
	case "N":
		return "N"
	case "First":
		return "First"
	case "ObjStm":
		return "ObjStm"
	case "XRef":
		return "XRef"
	}
	return ""
}

func (l *lexer) escapedName(start int) string {
	b := append(l.buf[:0], l.b[start:l.i]...)
	for l.i < len(l.b) && regularChar[l.b[l.i]] {
		c := l.b[l.i]
		l.i++
		if c == '#' && l.i+1 < len(l.b) {
			if h1, h2 := unhex(l.b[l.i]), unhex(l.b[l.i+1]); h1 >= 0 && h2 >= 0 {
				c = byte(h1<<4 | h2)
				l.i += 2
			}
		}
		if len(b) < maxTokenBytes {
			b = append(b, c)
		}
	}
	l.buf = b
	return l.bufString()
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *lexer) hexString() string {
	b := l.buf[:0]
	hi := -1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		if c == '>' {
			break
		}
		v := unhex(c)
		if v < 0 {
			continue // whitespace or junk
		}
		if hi < 0 {
			hi = v
			continue
		}
		if len(b) < maxTokenBytes {
			b = append(b, byte(hi<<4|v))
		}
		hi = -1
	}
	if hi >= 0 && len(b) < maxTokenBytes {
		b = append(b, byte(hi<<4)) // odd digit count: a trailing 0 is implied
	}
	l.buf = b
	return l.bufString()
}

func (l *lexer) literalString() string {
	// Fast path: no escapes, no nested parentheses, no CR.
	for j := l.i; j < len(l.b); j++ {
		c := l.b[j]
		if c == ')' {
			s := l.token(l.i, min(j, l.i+maxTokenBytes))
			l.i = j + 1
			return s
		}
		if c == '\\' || c == '(' || c == '\r' {
			break
		}
	}
	l.buf = l.buf[:0]
	put := func(c byte) {
		if len(l.buf) < maxTokenBytes {
			l.buf = append(l.buf, c)
		}
	}
	depth := 1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			depth++
			put(c)
		case ')':
			depth--
			if depth == 0 {
				return l.bufString()
			}
			put(c)
		case '\r':
			// An end of line inside a string is a single \n whatever its form.
			if l.i < len(l.b) && l.b[l.i] == '\n' {
				l.i++
			}
			put('\n')
		case '\\':
			if l.i >= len(l.b) {
				return l.bufString()
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case 'n':
				put('\n')
			case 'r':
				put('\r')
			case 't':
				put('\t')
			case 'b':
				put('\b')
			case 'f':
				put('\f')
			case '\r':
				if l.i < len(l.b) && l.b[l.i] == '\n' {
					l.i++
				}
			case '\n':
				// line continuation
			default:
				if '0' <= e && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.i < len(l.b); k++ {
						d := l.b[l.i]
						if d < '0' || d > '7' {
							break
						}
						v = v*8 + int(d-'0')
						l.i++
					}
					put(byte(v))
				} else {
					put(e)
				}
			}
		default:
			put(c)
		}
	}
	return l.bufString()
}

// skipInlineImage consumes the data of an inline image after its ID operator,
// up to and including the EI that ends it. The data is binary and has no
// length in PDF 1.x, so the end is found as whitespace, "EI", then whitespace,
// a delimiter or the end of the stream.
func (l *lexer) skipInlineImage() {
	// One whitespace byte separates ID from the data.
	l.i++
	for l.i < len(l.b) {
		j := indexEI(l.b[l.i:])
		if j < 0 {
			l.i = len(l.b)
			return
		}
		at := l.i + j // index of 'E'
		end := at + 2
		if (at == 0 || isSpace(l.b[at-1])) && (end >= len(l.b) || isSpace(l.b[end]) || isDelim(l.b[end])) {
			l.i = end
			return
		}
		l.i = at + 1
	}
}

func indexEI(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 'E' && b[i+1] == 'I' {
			return i
		}
	}
	return -1
}

func isNumber(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	digits := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == '-' || c == '+':
		default:
			return false
		}
	}
	return digits
}

// float64Pow10 are the powers of ten a float64 holds exactly.
var float64Pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainNumber reads the numbers content streams are made of — a sign, at most
// 15 digits and a point — as strconv.ParseFloat does, without its general
// machinery: the digits make an integer a float64 holds exactly, and one
// division by an exact power of ten rounds correctly, as ParseFloat does. ok is
// false for anything else.
func plainNumber(w []byte) (f float64, ok bool) {
	i := 0
	neg := false
	if i < len(w) && (w[i] == '-' || w[i] == '+') {
		neg = w[i] == '-'
		i++
	}
	var m uint64
	digits, frac := 0, 0
	dot := false
	for ; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f = float64(m) / float64Pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

// parseLooseNumber reads numbers that producers write wrongly ("--5", "1.2.3",
// "5-"), the way viewers do: sign, then digits with the first point.
func parseLooseNumber(s string) float64 {
	neg := false
	i := 0
	for i < len(s) && (s[i] == '-' || s[i] == '+') {
		if s[i] == '-' {
			neg = !neg
		}
		i++
	}
	j := i
	dot := false
	for j < len(s) {
		if s[j] == '.' {
			if dot {
				break
			}
			dot = true
		} else if s[j] < '0' || s[j] > '9' {
			break
		}
		j++
	}
	f, _ := strconv.ParseFloat(s[i:j], 64)
	if neg {
		f = -f
	}
	return f
}
