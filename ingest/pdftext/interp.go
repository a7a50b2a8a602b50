package pdftext

import (
	"math"
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
	f        *file
	out      *layout
	gs       gstate
	stack    []gstate
	tm, tlm  matrix
	marks    []marked
	fallback *font
	stats    pageStats
	// box is the page's crop box: glyphs wholly outside it are not seen.
	box    [4]float64
	hasBox bool
}

// pageStats counts a page's glyphs: all of them, those on the page (within
// its crop box), and of these the ones whose code decodes to no text.
type pageStats struct {
	glyphs, shown, undecoded int
}

// minGlyphSize is the font size (device space) below which a glyph draws
// nothing visible.
const minGlyphSize = 0.01

// missingFont stands for a font that Tf names but the resources lack.
var missingFont = &font{}

// maxGlyphsPerPage caps the glyphs kept for one page. A dense A4 page holds
// about 5,000 characters; far more is an attack on memory (every glyph is
// kept until the page is laid out), not a document.
const maxGlyphsPerPage = 1 << 20

const (
	maxGStateDepth = 256
	maxMarkDepth   = 256
)

func newInterp(ex *extractor, p page) *interp {
	return &interp{
		ex:  ex,
		f:   ex.f,
		out: ex.pageLayout(),
		gs:  gstate{ctm: identity, th: 1},
		tm:  identity, tlm: identity,
		box: p.box, hasBox: p.hasBox,
	}
}

// run interprets a content stream (or an array of them, which is one
// stream split at token boundaries) with the given resources. active holds
// the Form XObjects being run, to stop a form that draws itself.
func (in *interp) run(content, res value, depth int, active []int) error {
	var data []byte
	switch content.Kind() {
	case objStream:
		if b, ok := in.ex.forms[content.id]; ok && content.id != 0 {
			data = b // a form drawn again
			break
		}
		b, err := in.f.decode(content.o)
		if err != nil && (in.ex.budgetErr(err) || len(b) == 0) {
			// An unsupported filter: the page (or form) cannot be read.
			return err
		}
		// A damaged stream gives the text before the damage.
		data = b
		if depth > 0 && content.id != 0 && len(b) <= maxCachedForm && in.ex.formBytes+len(b) <= maxFormCache {
			in.ex.forms[content.id] = b
			in.ex.formBytes += len(b)
		}
	case objArray:
		// One broken part (an unsupported filter, corrupt compressed data)
		// costs only its own text.
		for i := 0; i < min(content.Len(), 4096); i++ {
			s := content.Index(i)
			if s.Kind() != objStream {
				continue
			}
			b, err := in.f.decode(s.o)
			if err != nil && in.ex.budgetErr(err) {
				return err
			}
			data = append(data, b...)
			data = append(data, '\n')
		}
	default:
		return nil
	}
	var fonts map[string]*font // by resource name, valid for these resources only
	l := newContentLexer(data)
	var ops []object
	for {
		o, ok := l.next()
		if !ok {
			break
		}
		if o.kind != objOp {
			if len(ops) >= maxOperands {
				// Garbage, not operands of any real operator.
				o = own(o)
				ops = ops[:0]
				l.endOperands()
			}
			ops = append(ops, o)
			continue
		}
		if err := in.ex.operator(); err != nil {
			return err
		}
		if err := in.op(o.str, ops, res, &fonts, l, depth, active); err != nil {
			return err
		}
		if in.stats.glyphs > maxGlyphsPerPage || in.ex.glyphs > in.ex.lim.MaxGlyphs {
			return reject(CodeTooComplex, "pdftext: extract: more than %d glyphs on a page or %d in the document", maxGlyphsPerPage, in.ex.lim.MaxGlyphs)
		}
		ops = ops[:0]
		l.endOperands()
	}
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

func (in *interp) op(op string, ops []object, res value, fonts *map[string]*font, l *lexer, depth int, active []int) error {
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
		f, ok := (*fonts)[name.str]
		if !ok {
			if *fonts == nil {
				*fonts = map[string]*font{}
			}
			// A font the resources do not have draws nothing: guessing
			// its encoding would make up text (viewers draw nothing too).
			f = missingFont
			fv := res.Key("Font").Key(name.str)
			if fv.Kind() == objDict {
				var err error
				if f, err = in.ex.loadFont(fv); err != nil {
					return err
				}
			}
			(*fonts)[name.str] = f
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
	case "gs":
		// An extended graphics state may set the font (/Font [font size]).
		name := last(ops, 1, 0)
		if name.kind != objName {
			return nil
		}
		fa := res.Key("ExtGState").Key(name.str).Key("Font")
		if fa.Kind() != objArray || fa.Len() != 2 {
			return nil
		}
		if fv := fa.Index(0); fv.Kind() == objDict {
			f, err := in.ex.loadFont(fv)
			if err != nil {
				return err
			}
			gs.font, gs.fontSize = f, fa.Index(1).Float64()
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

func (in *interp) markOf(props object, res value) marked {
	switch props.kind {
	case objDict:
		if a, ok := props.dict["ActualText"]; ok && a.kind == objString {
			return marked{actual: textString(a.str), hasActual: true}
		}
	case objName:
		p := res.Key("Properties").Key(props.str)
		if a := p.Key("ActualText"); a.Kind() == objString {
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
func (in *interp) doXObject(x, res value, depth int, active []int) error {
	if x.Kind() != objStream || x.Key("Subtype").Name() != "Form" {
		return nil
	}
	if depth+1 > in.ex.lim.MaxFormDepth {
		return nil
	}
	for _, a := range active {
		if a == x.id {
			return nil // the form draws itself
		}
	}
	if err := in.ex.xobject(); err != nil {
		return err
	}
	fres := x.Key("Resources")
	if fres.Kind() != objDict {
		fres = res // forms without resources use their parent's (PDF 1.1 style)
	}
	saved := in.gs
	savedStack := len(in.stack)
	savedTM, savedTLM := in.tm, in.tlm
	if fm, ok := x.Key("Matrix").matrix(); ok {
		in.gs.ctm = fm.mul(in.gs.ctm)
	}
	err := in.run(x, fres, depth+1, append(active[:len(active):len(active)], x.id))
	if err != nil && Code(err) == "" {
		// A form whose content cannot be read (an unknown filter, a broken
		// stream) is skipped like an image: the rest of the page stays.
		// Refusals (the work budget, limits) still end the file.
		err = nil
	}
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
	if f == missingFont {
		return
	}
	fs := gs.fontSize
	if f == in.fallback && fs == 0 {
		fs = 1 // no Tf at all: some size, so that the text is seen
	}
	// The linear part of the text rendering matrix is the same for every
	// glyph of the string (only the pen moves): what derives from it is
	// computed once.
	lin := in.tm.mul(gs.ctm)
	sv := lin.vec(0, fs)
	size := math.Hypot(sv.x, sv.y)
	var dir point
	var sign, scale float64
	if f.vertical {
		sign = math.Copysign(1, f.vAdvance*fs)
		dir = lin.vec(0, sign)
		scale = math.Hypot(lin[2], lin[3])
	} else {
		// The pen moves the way the advance points: with a negative size
		// or scaling, right to left, and the text reads that way.
		sign = math.Copysign(1, fs*gs.th)
		dir = lin.vec(sign, 0)
		scale = math.Hypot(lin[0], lin[1])
	}
	space := f.spaceWidth() * math.Abs(fs*gs.th) * scale
	if f.vertical {
		space = f.spaceWidth() * math.Abs(fs) * scale
	}
	f.decode([]byte(s), func(g glyph) {
		in.stats.glyphs++
		in.ex.glyphs++
		if in.stats.glyphs > maxGlyphsPerPage || in.ex.glyphs > in.ex.lim.MaxGlyphs {
			return
		}
		// in.tm × gs.ctm: only the pen (tm's translation) has moved since
		// lin was computed, so only the translation is computed again, the
		// same sums as mul's.
		m := lin
		m[4] = in.tm[4]*gs.ctm[0] + in.tm[5]*gs.ctm[2] + gs.ctm[4]
		m[5] = in.tm[4]*gs.ctm[1] + in.tm[5]*gs.ctm[3] + gs.ctm[5]
		var start, end point
		var advX, advY, extra float64
		if f.vertical {
			adv := f.vAdvance * fs
			start = m.apply(0, gs.rise)
			end = m.apply(0, gs.rise+adv)
			advY = adv + gs.tc
			if g.isSpace {
				advY += gs.tw
			}
			extra = sign * (advY - adv) * scale
		} else {
			w := g.width * fs * gs.th
			start = m.apply(0, gs.rise)
			end = m.apply(w, gs.rise)
			advX = (g.width*fs + gs.tc) * gs.th
			if g.isSpace {
				advX += gs.tw * gs.th
			}
			extra = sign * (advX - w) * scale
		}
		// Text of size zero draws nothing.
		if size >= minGlyphSize && in.visible(start, end, sv) {
			in.emit(placed{text: g.text, start: start, end: end, dir: dir, size: size, extra: extra, space: space})
		}
		in.tm[4] += advX*in.tm[0] + advY*in.tm[2]
		in.tm[5] += advX*in.tm[1] + advY*in.tm[3]
	})
}

// visible reports whether a glyph (its baseline from start to end, its
// height up) touches the page's crop box. Text outside it (slides'
// overlays parked off the page, the rest of a drawing cropped away) is not
// on the page, and viewers do not show it.
func (in *interp) visible(start, end, up point) bool {
	if !in.hasBox {
		return true
	}
	const tol = 1.0
	b := in.box
	x0, x1 := start.x, start.x
	y0, y1 := start.y, start.y
	for _, p := range [3]point{end, {start.x + up.x, start.y + up.y}, {end.x + up.x, end.y + up.y}} {
		if p.x < x0 {
			x0 = p.x
		}
		if p.x > x1 {
			x1 = p.x
		}
		if p.y < y0 {
			y0 = p.y
		}
		if p.y > y1 {
			y1 = p.y
		}
	}
	return x1 >= b[0]-tol && x0 <= b[2]+tol && y1 >= b[1]-tol && y0 <= b[3]+tol
}

func (in *interp) emit(p placed) {
	// The outermost ActualText wins; glyphs inside it only move the pen.
	covered := false
	for i := range in.marks {
		if in.marks[i].hasActual {
			covered = true
			break
		}
	}
	if !covered {
		in.stats.shown++
		if undecoded(p.text) {
			in.stats.undecoded++
		}
	}
	for i := range in.marks {
		mk := &in.marks[i]
		if !mk.hasActual {
			continue
		}
		if mk.emitted {
			in.out.move(p.end)
			return
		}
		mk.emitted = true
		p.text = mk.actual
		in.out.add(p)
		return
	}
	in.out.add(p)
}

// undecoded reports whether a glyph's text says nothing: no text at all, or
// only control characters and U+FFFD (a space is text).
func undecoded(text string) bool {
	for _, r := range text {
		if r != 0xFFFD && (r >= 0x20 || r == '\t' || r == '\n' || r == '\r') && !(r >= 0x7F && r < 0xA0) {
			return false
		}
	}
	return true
}
