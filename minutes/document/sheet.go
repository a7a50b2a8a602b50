package document

import (
	"strings"
	"tinnhiem/internal/initial"

	"github.com/jung-kurt/gofpdf"
)

// Page geometry in millimetres. Margins follow Nghị định 30/2020/NĐ-CP and Hướng dẫn 36-HD/VPTW:
// top and bottom 20–25, left 30–35, right 15–20; we take the narrow end to give tables room.
const (
	pageW        = 210.0
	pageH        = 297.0
	marginLeft   = 30.0
	marginRight  = 15.0
	marginTop    = 20.0
	marginBottom = 20.0
	textWidth    = pageW - marginLeft - marginRight
	bottomY      = pageH - marginBottom

	pt     = 25.4 / 72 // millimetres per point
	family = "LiberationSerif"

	sizeBody  = 14.0
	sizeTable = 12.0
)

// lineHeight leaves room above a capital for stacked Vietnamese marks (Ể, Ỗ) so they never touch
// the line or rule above.
func lineHeight(size float64) float64 { return size * pt * 1.3 }

// sheet wraps one document's Fpdf with the few layout primitives the documents need. It is
// created per render and never shared.
type sheet struct {
	pdf *gofpdf.Fpdf
	// held is what must not end a page (a section heading): it is drawn only together with
	// the first lines of what follows, by the next ensure or para.
	held []heldBlock
}

// heldBlock is a block of height h waiting to be drawn with what follows it.
type heldBlock struct {
	h    float64
	draw func()
}

// hold keeps a block of height h back until the next content is laid out, so that both go on
// the same page.
func (s *sheet) hold(h float64, draw func()) { s.held = append(s.held, heldBlock{h, draw}) }

// heldHeight is the height of the blocks held back.
func (s *sheet) heldHeight() float64 {
	h := 0.0
	for _, b := range s.held {
		h += b.h
	}
	return h
}

// flush draws the blocks held back, where the cursor is.
func (s *sheet) flush() {
	held := s.held
	s.held = nil
	for _, b := range held {
		b.draw()
	}
}

// atTop reports whether the cursor is at the top of a page's text area.
func (s *sheet) atTop() bool { return s.y() <= marginTop+0.1 }

func (s *sheet) font(style string, size float64) { s.pdf.SetFont(family, style, size) }

func (s *sheet) y() float64     { return s.pdf.GetY() }
func (s *sheet) setY(y float64) { s.pdf.SetXY(marginLeft, y) }

// space moves down by h, starting a new page when that reaches the bottom margin. Space
// after a held block is held with it.
func (s *sheet) space(h float64) {
	if len(s.held) > 0 {
		s.hold(h, func() { s.space(h) })
		return
	}
	if s.y()+h > bottomY {
		s.pdf.AddPage()
		return
	}
	s.setY(s.y() + h)
}

// ensure starts a new page unless h millimetres, and the blocks held back, still fit on this
// one, then draws the held blocks: a heading never sits alone at the foot of a page and a
// signature block is never cut.
func (s *sheet) ensure(h float64) {
	if s.y()+s.heldHeight()+h > bottomY && !s.atTop() {
		s.pdf.AddPage()
	}
	s.flush()
}

func (s *sheet) width(text string) float64 { return s.pdf.GetStringWidth(text) }

// widthSlack absorbs rounding, so a column sized to its widest word keeps that word whole.
const widthSlack = 0.01

// wrap breaks text into lines no wider than w in the current font, at spaces when it can and
// between letters only when a word alone is wider than w. Widths add up word by word (gofpdf
// does not kern), so the cost is linear in the text, whatever its length.
func (s *sheet) wrap(text string, w float64) []string {
	if text == "" {
		return []string{""}
	}
	limit := w + widthSlack
	space := s.width(" ")
	var lines []string
	var line strings.Builder
	lineW := 0.0
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Split(text, " ") {
		if word == "" {
			continue
		}
		ww := s.width(word)
		if line.Len() > 0 {
			if lineW+space+ww <= limit {
				line.WriteByte(' ')
				line.WriteString(word)
				lineW += space + ww
				continue
			}
			flush()
		}
		if ww <= limit {
			line.WriteString(word)
			lineW = ww
			continue
		}
		for _, r := range word {
			rw := s.width(string(r))
			if line.Len() > 0 && lineW+rw > limit {
				flush()
			}
			line.WriteRune(r)
			lineW += rw
		}
	}
	if line.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// block describes how a paragraph is set.
type block struct {
	style  string
	size   float64
	align  string  // "L", "C", "R" or "J" (justified, last line left)
	indent float64 // first line
	hang   float64 // following lines
	x, w   float64 // horizontal band; zero w means the full text width
	after  float64 // space below
}

// para sets text as one paragraph and leaves the cursor under it.
func (s *sheet) para(text string, b block) {
	if b.size == 0 {
		b.size = sizeBody
	}
	if b.w == 0 {
		b.x, b.w = marginLeft, textWidth
	}
	s.font(b.style, b.size)
	lh := lineHeight(b.size)
	first := s.wrapIndented(text, b)
	if len(s.held) > 0 {
		// What is held (a heading) goes with this paragraph's first lines, and with room
		// for two lines at least, so it never ends a page with one line under it.
		s.ensure(max(float64(min(len(first), 3)), 2) * lh)
		s.font(b.style, b.size)
	}
	for i, line := range first {
		off := b.hang
		if i == 0 {
			off = b.indent
		}
		align := b.align
		if align == "J" && (i == len(first)-1 || !strings.Contains(line, " ")) {
			align = "L"
		}
		if s.y()+lh > bottomY {
			s.pdf.AddPage()
			s.font(b.style, b.size)
		}
		s.pdf.SetXY(b.x+off, s.y())
		s.pdf.CellFormat(b.w-off, lh, line, "", 2, align, false, 0, "")
	}
	s.setY(s.y() + b.after)
}

// wrapIndented wraps with a first-line width different from the rest.
func (s *sheet) wrapIndented(text string, b block) []string {
	if b.indent == b.hang {
		return s.wrap(text, b.w-b.indent)
	}
	firstW, restW := b.w-b.indent, b.w-b.hang
	all := s.wrap(text, firstW)
	if len(all) <= 1 {
		return all
	}
	rest := strings.Join(all[1:], " ")
	return append(all[:1], s.wrap(rest, restW)...)
}

// lines is the height a paragraph will take, for keep-together decisions.
func (s *sheet) height(text string, b block) float64 {
	if b.size == 0 {
		b.size = sizeBody
	}
	if b.w == 0 {
		b.w = textWidth
	}
	s.font(b.style, b.size)
	return float64(len(s.wrapIndented(text, b)))*lineHeight(b.size) + b.after
}

// rule draws a horizontal line of width w centred on cx.
func (s *sheet) rule(cx, y, w float64) {
	s.pdf.SetLineWidth(0.3)
	s.pdf.Line(cx-w/2, y, cx+w/2, y)
	s.pdf.SetLineWidth(0.2)
}

// ruleBelow is the y of a rule just under the descenders of a line set at y with size.
func ruleBelow(y, size float64) float64 {
	lh := lineHeight(size)
	fs := size * pt
	return y + 0.5*lh + 0.3*fs + 0.3*fs + 0.3
}

// balanced wraps text into as few lines as fits w, but with the lines as even as possible, the
// way a typesetter breaks a centred title ("Lấy phiếu tín nhiệm đối với người giữ chức vụ /
// do Hội đồng nhân dân tỉnh bầu" rather than a long line and a two-word tail).
func (s *sheet) balanced(text string, w float64) []string {
	lines := s.wrap(text, w)
	if len(lines) < 2 {
		return lines
	}
	lo, hi := w/float64(len(lines)), w
	for range 20 {
		mid := (lo + hi) / 2
		if len(s.wrap(text, mid)) > len(lines) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return s.wrap(text, hi)
}

// centered sets each line of text centred in the band [x, x+w] from y and returns the y below.
func (s *sheet) centered(text, style string, size, x, w, y float64) float64 {
	s.font(style, size)
	return s.centeredLines(s.balanced(text, w), style, size, x, w, y)
}

// unitWords start the place part of a body's name; a heading reads best broken before them
// ("HỘI ĐỒNG NHÂN DÂN / TỈNH BÌNH SƠN", "ĐẢNG ỦY / XÃ AN PHÚ").
var unitWords = []string{"TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU"}

// orgLines breaks the name of a body for a header column: at the caller's own line breaks
// when it gave some, else before the place part when that makes two lines that fit, else
// balanced.
func (s *sheet) orgLines(text, style string, size, w float64) []string {
	s.font(style, size)
	if strings.Contains(text, "\n") {
		var out []string
		for _, part := range strings.Split(text, "\n") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, s.balanced(part, w)...)
			}
		}
		return out
	}
	if s.width(text) <= w+widthSlack {
		return []string{text}
	}
	for _, u := range unitWords {
		i := strings.Index(text, " "+u+" ")
		if i <= 0 {
			continue
		}
		a, b := text[:i], text[i+1:]
		if s.width(a) <= w+widthSlack && s.width(b) <= w+widthSlack {
			return []string{a, b}
		}
		break
	}
	return s.balanced(text, w)
}

// centeredLines sets lines already broken, each centred in [x, x+w], and returns the y below.
func (s *sheet) centeredLines(lines []string, style string, size, x, w, y float64) float64 {
	s.font(style, size)
	lh := lineHeight(size)
	for _, line := range lines {
		s.pdf.SetXY(x, y)
		s.pdf.CellFormat(w, lh, line, "", 0, "C", false, 0, "")
		y += lh
	}
	return y
}

// upper capitalises Vietnamese text for headings; Go's case mapping keeps precomposed letters
// precomposed, so the result stays NFC.
func upper(s string) string { return strings.ToUpper(s) }

// lowerFirst lowers the first letter so a title can run on inside a sentence.
func lowerFirst(s string) string { return initial.Lower(s) }
