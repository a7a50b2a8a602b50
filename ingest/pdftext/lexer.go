package pdftext

import (
	"bufio"
	"errors"
	"io"
	"strconv"
)

// The content-stream and CMap syntax is read by this small lexer rather than
// by pdf.Interpret: Interpret cannot stop early (no byte or time budget), it
// reads the binary data of inline images as tokens, and an unterminated string
// makes it spin at end of input. Here every read goes through a budget and
// malformed syntax degrades to skipped bytes, never to an error or a loop.

type objKind uint8

const (
	objNull objKind = iota
	objBool
	objNum
	objString
	objName
	objArray
	objDict
	objOp // an operator (keyword) in a content stream or CMap
)

type object struct {
	kind objKind
	num  float64
	str  string // string bytes, name without slash, or operator
	arr  []object
	dict map[string]object
}

const (
	maxNesting     = 32      // arrays/dicts inside operands
	maxTokenBytes  = 1 << 20 // one string or name; longer ones are cut
	maxArrayLength = 1 << 16 // elements kept per operand array
)

type lexer struct {
	r   *bufio.Reader
	err error // first read error other than io.EOF
	eof bool
}

func newLexer(r io.Reader) *lexer {
	return &lexer{r: bufio.NewReaderSize(r, 32<<10)}
}

func (l *lexer) readByte() (byte, bool) {
	if l.eof {
		return 0, false
	}
	c, err := l.r.ReadByte()
	if err != nil {
		l.eof = true
		if !errors.Is(err, io.EOF) && l.err == nil {
			l.err = err
		}
		return 0, false
	}
	return c, true
}

func (l *lexer) unreadByte() {
	if !l.eof {
		_ = l.r.UnreadByte()
	}
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

// next returns the next complete object or operator; ok is false at the end
// of the input.
func (l *lexer) next() (object, bool) {
	return l.object(0)
}

func (l *lexer) skipSpace() (byte, bool) {
	for {
		c, ok := l.readByte()
		if !ok {
			return 0, false
		}
		if isSpace(c) {
			continue
		}
		if c == '%' {
			for {
				c, ok = l.readByte()
				if !ok {
					return 0, false
				}
				if c == '\n' || c == '\r' {
					break
				}
			}
			continue
		}
		return c, true
	}
}

// object reads one object. Stray closing delimiters come back as operators
// (`]`, `>>`, `}`) so that the caller can end an array or dict. Nesting
// deeper than maxNesting is read flat (the opening delimiter comes back as an
// operator), so that no input can make the lexer recurse without bound.
func (l *lexer) object(depth int) (object, bool) {
	for {
		c, ok := l.skipSpace()
		if !ok {
			return object{}, false
		}
		switch c {
		case '(':
			return object{kind: objString, str: l.literalString()}, true
		case '<':
			c2, ok := l.readByte()
			if ok && c2 == '<' {
				if depth >= maxNesting {
					return object{kind: objOp, str: "<<"}, true
				}
				return l.dict(depth), true
			}
			if ok {
				l.unreadByte()
			}
			return object{kind: objString, str: l.hexString()}, true
		case '>':
			c2, ok := l.readByte()
			if ok && c2 != '>' {
				l.unreadByte()
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
		l.unreadByte()
		word := l.regular()
		switch word {
		case "true":
			return object{kind: objBool, num: 1}, true
		case "false":
			return object{kind: objBool}, true
		case "null":
			return object{}, true
		}
		if isNumber(word) {
			f, err := strconv.ParseFloat(word, 64)
			if err != nil {
				f = parseLooseNumber(word)
			}
			return object{kind: objNum, num: f}, true
		}
		return object{kind: objOp, str: word}, true
	}
}

func (l *lexer) array(depth int) object {
	a := object{kind: objArray}
	for {
		o, ok := l.object(depth + 1)
		if !ok || (o.kind == objOp && o.str == "]") {
			return a
		}
		if len(a.arr) < maxArrayLength {
			a.arr = append(a.arr, o)
		}
	}
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

func (l *lexer) regular() string {
	var b []byte
	for {
		c, ok := l.readByte()
		if !ok {
			break
		}
		if isSpace(c) || isDelim(c) {
			l.unreadByte()
			break
		}
		if len(b) < 256 {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		// A lone byte that is neither regular nor a known delimiter start;
		// consume it so the caller makes progress.
		c, _ := l.readByte()
		return string([]byte{c})
	}
	return string(b)
}

func (l *lexer) name() string {
	var b []byte
	for {
		c, ok := l.readByte()
		if !ok {
			break
		}
		if isSpace(c) || isDelim(c) {
			l.unreadByte()
			break
		}
		if c == '#' {
			h1, ok1 := l.readByte()
			h2, ok2 := l.readByte()
			if ok1 && ok2 && unhex(h1) >= 0 && unhex(h2) >= 0 {
				c = byte(unhex(h1)<<4 | unhex(h2))
			} else {
				if ok2 {
					l.unreadByte()
				}
				if len(b) < maxTokenBytes {
					b = append(b, '#')
				}
				if ok1 && ok2 {
					c = h1
				} else {
					continue
				}
			}
		}
		if len(b) < maxTokenBytes {
			b = append(b, c)
		}
	}
	return string(b)
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
	var b []byte
	hi := -1
	for {
		c, ok := l.readByte()
		if !ok || c == '>' {
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
	return string(b)
}

func (l *lexer) literalString() string {
	var b []byte
	put := func(c byte) {
		if len(b) < maxTokenBytes {
			b = append(b, c)
		}
	}
	depth := 1
	for {
		c, ok := l.readByte()
		if !ok {
			return string(b)
		}
		switch c {
		case '(':
			depth++
			put(c)
		case ')':
			depth--
			if depth == 0 {
				return string(b)
			}
			put(c)
		case '\r':
			// An end of line inside a string is a single \n whatever its form.
			if c2, ok := l.readByte(); ok && c2 != '\n' {
				l.unreadByte()
			}
			put('\n')
		case '\\':
			e, ok := l.readByte()
			if !ok {
				return string(b)
			}
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
				if c2, ok := l.readByte(); ok && c2 != '\n' {
					l.unreadByte()
				}
			case '\n':
				// line continuation
			default:
				if '0' <= e && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2; i++ {
						d, ok := l.readByte()
						if !ok {
							break
						}
						if d < '0' || d > '7' {
							l.unreadByte()
							break
						}
						v = v*8 + int(d-'0')
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
}

// skipInlineImage consumes the data of an inline image after its ID operator,
// up to and including the EI that ends it. The data is binary and has no
// length in PDF 1.x, so the end is found as whitespace, "EI", then whitespace,
// a delimiter or the end of the stream.
func (l *lexer) skipInlineImage() {
	// One whitespace byte separates ID from the data.
	if _, ok := l.readByte(); !ok {
		return
	}
	prevSpace := true
	for {
		c, ok := l.readByte()
		if !ok {
			return
		}
		if c != 'E' || !prevSpace {
			prevSpace = isSpace(c)
			continue
		}
		n1, ok := l.readByte()
		if !ok {
			return
		}
		if n1 != 'I' {
			prevSpace = isSpace(n1)
			continue
		}
		n2, ok := l.readByte()
		if !ok {
			return
		}
		if isSpace(n2) || isDelim(n2) {
			l.unreadByte()
			return
		}
		prevSpace = false
	}
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
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
