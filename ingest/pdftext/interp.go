package pdftext

import (
	"io"
	"math"
	"strings"

	"github.com/ledongthuc/pdf"
)

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m first, then n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) point {
	return point{x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]}
}

func (m matrix) vec(x, y float64) point {
	return point{x*m[0] + y*m[2], x*m[1] + y*m[3]}
}

func translate(x, y float64) matrix { return matrix{1, 0, 0, 1, x, y} }

type point struct{ x, y float64 }

// gstate is the part of the graphics state that text extraction needs.
type gstate struct {
	ctm      matrix
	font     *font
	fontSize float64
	tc, tw   float64 // character and word spacing
	th       float64 // horizontal scaling, 1 = 100 %
	tl       float64 // leading
	rise     float64
}

// marked is an open marked-content sequence; one with /ActualText replaces
// the glyphs shown inside it.
type marked struct {
	actual    string
	hasActual bool
	emitted   bool
}

type interp struct {
	ex       *extractor
	out      *layout
	gs       gstate
	stack    []gstate
	tm, tlm  matrix
	marks    []marked
	fallback *font
	glyphs   int // glyphs shown on this page
}

// Caps on shown glyphs. A dense A4 page holds about 5,000 characters; far
// more is an attack on memory (every glyph is kept until the page is laid
// out), not a document.
const (
	maxGlyphsPerPage = 1 << 20
	maxGlyphsPerDoc  = 8 << 20
)

const (
	maxGStateDepth = 256
	maxMarkDepth   = 256
)

func newInterp(ex *extractor) *interp {
	return &interp{
		ex:  ex,
		out: &layout{},
		gs:  gstate{ctm: identity, th: 1},
		tm:  identity, tlm: identity,
	}
}

// run interprets a content stream (or an array of them, which is one
// stream split at token boundaries) with the given resources. active holds
// the Form XObjects being run, to stop a form that draws itself.
func (in *interp) run(content, res pdf.Value, depth int, active []string) error {
	var rd io.Reader
	switch content.Kind() {
	case pdf.Stream:
		r, err := in.ex.stream(content)
		if err != nil {
			return err
		}
		rd = r
	case pdf.Array:
		var parts []io.Reader
		for i := 0; i < min(content.Len(), 4096); i++ {
			s := content.Index(i)
			if s.Kind() != pdf.Stream {
				continue
			}
			r, err := in.ex.part(s)
			if err != nil {
				return err
			}
			parts = append(parts, r, strings.NewReader("\n"))
		}
		rd = io.MultiReader(parts...)
	default:
		return nil
	}
	fonts := map[string]*font{} // by resource name, valid for these resources only
	l := newLexer(rd)
	var ops []object
	for {
		o, ok := l.next()
		if !ok {
			break
		}
		if o.kind != objOp {
			if len(ops) >= maxOperands {
				ops = ops[:0] // garbage, not operands of any real operator
			}
			ops = append(ops, o)
			continue
		}
		if err := in.ex.tick(); err != nil {
			return err
		}
		if err := in.op(o.str, ops, res, fonts, l, depth, active); err != nil {
			return err
		}
		if in.glyphs > maxGlyphsPerPage || in.ex.glyphs > maxGlyphsPerDoc {
			return reject(CodeTooComplex, "pdftext: extract: more than %d glyphs on a page or %d in the document", maxGlyphsPerPage, maxGlyphsPerDoc)
		}
		ops = ops[:0]
	}
	if l.err != nil && in.ex.budgetErr(l.err) {
		return l.err
	}
	// Any other read error (a truncated or corrupt compressed stream) ends the
	// stream; the text read so far stands.
	return nil
}

func num(ops []object, i int) float64 {
	if i < 0 || i >= len(ops) || ops[i].kind != objNum {
		return 0
	}
	f := ops[i].num
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// last returns the i-th operand counted from the end (0 = last), so that
// stray extra operands before an operator do not shift its arguments.
func last(ops []object, n, i int) object {
	j := len(ops) - n + i
	if j < 0 || j >= len(ops) {
		return object{}
	}
	return ops[j]
}

func lastNum(ops []object, n, i int) float64 {
	return num(ops, len(ops)-n+i)
}

func matrixOf(ops []object) matrix {
	var m matrix
	for i := range m {
		m[i] = lastNum(ops, 6, i)
	}
	return m
}

func (in *interp) op(op string, ops []object, res pdf.Value, fonts map[string]*font, l *lexer, depth int, active []string) error {
	gs := &in.gs
	switch op {
	case "q":
		if len(in.stack) < maxGStateDepth {
			in.stack = append(in.stack, *gs)
		}
	case "Q":
		if n := len(in.stack); n > 0 {
			*gs = in.stack[n-1]
			in.stack = in.stack[:n-1]
		}
	case "cm":
		if len(ops) >= 6 {
			gs.ctm = matrixOf(ops).mul(gs.ctm)
		}
	case "BT":
		in.tm, in.tlm = identity, identity
	case "Tc":
		gs.tc = lastNum(ops, 1, 0)
	case "Tw":
		gs.tw = lastNum(ops, 1, 0)
	case "Tz":
		gs.th = lastNum(ops, 1, 0) / 100
	case "TL":
		gs.tl = lastNum(ops, 1, 0)
	case "Ts":
		gs.rise = lastNum(ops, 1, 0)
	case "Tf":
		gs.fontSize = lastNum(ops, 2, 1)
		name := last(ops, 2, 0)
		if name.kind != objName {
			return nil
		}
		f, ok := fonts[name.str]
		if !ok {
			fv := res.Key("Font").Key(name.str)
			if fv.Kind() == pdf.Dict {
				var err error
				if f, err = in.ex.loadFont(fv); err != nil {
					return err
				}
			}
			fonts[name.str] = f
		}
		gs.font = f
	case "Td":
		in.td(lastNum(ops, 2, 0), lastNum(ops, 2, 1))
	case "TD":
		ty := lastNum(ops, 2, 1)
		gs.tl = -ty
		in.td(lastNum(ops, 2, 0), ty)
	case "Tm":
		if len(ops) >= 6 {
			in.tlm = matrixOf(ops)
			in.tm = in.tlm
		}
	case "T*":
		in.td(0, -gs.tl)
	case "Tj":
		if s := last(ops, 1, 0); s.kind == objString {
			in.show(s.str)
		}
	case "'":
		in.td(0, -gs.tl)
		if s := last(ops, 1, 0); s.kind == objString {
			in.show(s.str)
		}
	case "\"":
		gs.tw = lastNum(ops, 3, 0)
		gs.tc = lastNum(ops, 3, 1)
		in.td(0, -gs.tl)
		if s := last(ops, 3, 2); s.kind == objString {
			in.show(s.str)
		}
	case "TJ":
		a := last(ops, 1, 0)
		if a.kind != objArray {
			return nil
		}
		for _, e := range a.arr {
			switch e.kind {
			case objString:
				in.show(e.str)
			case objNum:
				in.adjust(e.num)
			}
		}
	case "ID":
		l.skipInlineImage()
	case "BMC":
		in.pushMark(marked{})
	case "BDC":
		in.pushMark(in.markOf(last(ops, 2, 1), res))
	case "EMC":
		if n := len(in.marks); n > 0 {
			in.marks = in.marks[:n-1]
		}
	case "Do":
		name := last(ops, 1, 0)
		if name.kind != objName {
			return nil
		}
		return in.doXObject(res.Key("XObject").Key(name.str), res, depth, active)
	}
	return nil
}

func (in *interp) td(tx, ty float64) {
	in.tlm = translate(tx, ty).mul(in.tlm)
	in.tm = in.tlm
}

func (in *interp) pushMark(m marked) {
	if len(in.marks) < maxMarkDepth {
		in.marks = append(in.marks, m)
	}
}

func (in *interp) markOf(props object, res pdf.Value) marked {
	switch props.kind {
	case objDict:
		if a, ok := props.dict["ActualText"]; ok && a.kind == objString {
			return marked{actual: textString(a.str), hasActual: true}
		}
	case objName:
		p := res.Key("Properties").Key(props.str)
		if a := p.Key("ActualText"); a.Kind() == pdf.String {
			return marked{actual: a.Text(), hasActual: true}
		}
	}
	return marked{}
}

// textString decodes a PDF text string: UTF-16BE with a byte-order mark,
// UTF-8 with one (PDF 2.0), else PDFDocEncoding (Latin-1 for our purposes).
func textString(s string) string {
	switch {
	case len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF:
		return decodeUTF16BE([]byte(s[2:]))
	case len(s) >= 3 && s[:3] == "\xEF\xBB\xBF":
		return s[3:]
	}
	rs := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		rs = append(rs, rune(s[i]))
	}
	return string(rs)
}

// doXObject runs a Form XObject's content with its matrix and resources.
// Images and other kinds are skipped.
func (in *interp) doXObject(x, res pdf.Value, depth int, active []string) error {
	if x.Kind() != pdf.Stream || x.Key("Subtype").Name() != "Form" {
		return nil
	}
	if depth+1 > in.ex.lim.MaxFormDepth {
		return nil
	}
	id := x.String() // header and offset: unique per stream
	for _, a := range active {
		if a == id {
			return nil // the form draws itself
		}
	}
	fres := x.Key("Resources")
	if fres.Kind() != pdf.Dict {
		fres = res // forms without resources use their parent's (PDF 1.1 style)
	}
	saved := in.gs
	savedStack := len(in.stack)
	savedTM, savedTLM := in.tm, in.tlm
	if m := x.Key("Matrix"); m.Kind() == pdf.Array && m.Len() == 6 {
		var fm matrix
		for i := range fm {
			fm[i] = m.Index(i).Float64()
		}
		in.gs.ctm = fm.mul(in.gs.ctm)
	}
	err := in.run(x, fres, depth+1, append(active[:len(active):len(active)], id))
	in.gs = saved
	in.stack = in.stack[:min(savedStack, len(in.stack))]
	in.tm, in.tlm = savedTM, savedTLM
	return err
}

// adjust applies a TJ number: a shift of -n/1000 em along the text line.
func (in *interp) adjust(n float64) {
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return
	}
	gs := &in.gs
	d := -n / 1000 * gs.fontSize
	if gs.font != nil && gs.font.vertical {
		in.tm = translate(0, d).mul(in.tm)
		return
	}
	in.tm = translate(d*gs.th, 0).mul(in.tm)
}

func (in *interp) show(s string) {
	gs := &in.gs
	f := gs.font
	if f == nil {
		if in.fallback == nil {
			in.fallback = &font{simple: baseEncoding("WinAnsiEncoding", ""), missing: defaultWidth}
		}
		f = in.fallback
	}
	fs := gs.fontSize
	f.decode([]byte(s), func(g glyph) {
		in.glyphs++
		in.ex.glyphs++
		if in.glyphs > maxGlyphsPerPage || in.ex.glyphs > maxGlyphsPerDoc {
			return
		}
		m := in.tm.mul(gs.ctm)
		var start, end point
		var dir point
		var advX, advY float64
		if f.vertical {
			adv := f.vAdvance * fs
			start = m.apply(0, gs.rise)
			end = m.apply(0, gs.rise+adv)
			dir = m.vec(0, -1)
			advY = adv + gs.tc
			if g.isSpace {
				advY += gs.tw
			}
		} else {
			w := g.width * fs * gs.th
			start = m.apply(0, gs.rise)
			end = m.apply(w, gs.rise)
			dir = m.vec(1, 0)
			advX = (g.width*fs + gs.tc) * gs.th
			if g.isSpace {
				advX += gs.tw * gs.th
			}
		}
		sv := m.vec(0, fs)
		size := math.Hypot(sv.x, sv.y)
		in.emit(g.text, start, end, dir, size)
		in.tm = translate(advX, advY).mul(in.tm)
	})
}

func (in *interp) emit(text string, start, end, dir point, size float64) {
	// The outermost ActualText wins; glyphs inside it only move the pen.
	for i := range in.marks {
		mk := &in.marks[i]
		if !mk.hasActual {
			continue
		}
		if mk.emitted {
			in.out.move(end)
			return
		}
		mk.emitted = true
		in.out.add(mk.actual, start, end, dir, size)
		return
	}
	in.out.add(text, start, end, dir, size)
}

// part opens one stream of a content array so that its failure (an
// unsupported filter, corrupt compressed data) ends only that part: the
// text of the other parts still counts. Only the budget stops everything.
func (ex *extractor) part(v pdf.Value) (r io.Reader, err error) {
	defer func() {
		if x := recover(); x != nil {
			r, err = strings.NewReader(""), nil
		}
	}()
	s, err := ex.stream(v)
	if err != nil {
		return nil, err
	}
	return &lenientReader{ex: ex, r: s}, nil
}

type lenientReader struct {
	ex *extractor
	r  io.Reader
}

func (l *lenientReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF && !l.ex.budgetErr(err) {
		err = io.EOF
	}
	return n, err
}
