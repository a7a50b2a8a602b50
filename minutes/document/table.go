package document

import (
	"math"
	"strconv"
)

// Cell padding and line height of tables, in millimetres.
const (
	padH     = 1.0
	padV     = 1.0
	maxFixed = 22.0
	minFlex  = 25.0
	// outlierLines caps what one row may weigh when sharing width between name and position.
	outlierLines = 6
	// leadRows is how many body rows must fit under the header for a table to start on the
	// current page; leadCap bounds their height, so a giant first row does not push the
	// caption and header to a page of their own.
	leadRows = 2
	leadCap  = 30.0
)

// headCell is one cell of a table header, spanning columns c0..c1 and header rows r0..r1.
type headCell struct {
	c0, c1, r0, r1 int
	text           string
}

// table is a grid with a header of one or more rows that is repeated on every page the body
// reaches, and body rows whose cells wrap.
type table struct {
	widths []float64
	aligns []string // per column: "L", "C" or "R"
	head   []headCell
	size   float64 // body
	hsize  float64 // header, a point smaller so "Số phiếu" columns stay narrow
	same   [][]int // groups of columns that share one width
	// minText holds, per column, a text the column must fit on one line ("" for none).
	minText []string
	// minRow is the least height of a body row (a ballot leaves room to mark); 0 for none.
	minRow float64
	// tailH is room kept under the last row for what must follow the table on its page (the
	// legend of its note marks).
	tailH float64
}

// reserve is the room to keep under body row i: the tail under the last row, none elsewhere.
func (t *table) reserve(i, n int) float64 {
	if i == n-1 {
		return t.tailH
	}
	return 0
}

// headRows computes the height of each header row so every header cell's text fits.
func (t *table) headRows(s *sheet) []float64 {
	n := 0
	for _, c := range t.head {
		n = max(n, c.r1+1)
	}
	s.font("B", t.hsize)
	lh := lineHeight(t.hsize)
	rows := make([]float64, n)
	need := func(c headCell) float64 {
		return float64(len(s.wrap(c.text, t.span(c)-2*padH)))*lh + 2*padV
	}
	for _, c := range t.head {
		if c.r0 == c.r1 {
			rows[c.r0] = math.Max(rows[c.r0], need(c))
		}
	}
	for _, c := range t.head {
		if c.r0 != c.r1 {
			got := 0.0
			for r := c.r0; r <= c.r1; r++ {
				got += rows[r]
			}
			if h := need(c); h > got {
				rows[c.r1] += h - got
			}
		}
	}
	return rows
}

func (t *table) span(c headCell) float64 {
	w := 0.0
	for i := c.c0; i <= c.c1; i++ {
		w += t.widths[i]
	}
	return w
}

func (t *table) colX(i int) float64 {
	x := marginLeft
	for j := 0; j < i; j++ {
		x += t.widths[j]
	}
	return x
}

// drawHead draws the header at the cursor and moves below it.
func (t *table) drawHead(s *sheet, rows []float64) {
	y0 := s.y()
	s.font("B", t.hsize)
	lh := lineHeight(t.hsize)
	for _, c := range t.head {
		x := t.colX(c.c0)
		w := t.span(c)
		y := y0
		for r := 0; r < c.r0; r++ {
			y += rows[r]
		}
		h := 0.0
		for r := c.r0; r <= c.r1; r++ {
			h += rows[r]
		}
		s.pdf.Rect(x, y, w, h, "D")
		lines := s.wrap(c.text, w-2*padH)
		ty := y + (h-float64(len(lines))*lh)/2
		for _, l := range lines {
			s.pdf.SetXY(x+padH, ty)
			s.pdf.CellFormat(w-2*padH, lh, l, "", 0, "C", false, 0, "")
			ty += lh
		}
	}
	total := 0.0
	for _, h := range rows {
		total += h
	}
	s.setY(y0 + total)
}

// draw sets the header and every body row, starting new pages as needed and repeating the
// header on each. A row that does not fit on the rest of the page moves to the next; a row
// taller than a whole page is split between pages line by line, so no input can loop forever.
func (t *table) draw(s *sheet, body [][]string) {
	head := t.headRows(s)
	headH := 0.0
	for _, h := range head {
		headH += h
	}
	lh := lineHeight(t.size)
	s.font("", t.size)
	wrapped := make([][][]string, len(body))
	for i, row := range body {
		wrapped[i] = make([][]string, len(row))
		for j, cell := range row {
			wrapped[i][j] = s.wrap(cell, t.widths[j]-2*padH)
		}
	}
	s.ensure(t.leadHeight(s, body))
	t.drawHead(s, head)
	newPage := func() {
		s.pdf.AddPage()
		t.drawHead(s, head)
	}
	for i, cells := range wrapped {
		tail := t.reserve(i, len(wrapped))
		for {
			h := max(rowHeight(cells, lh), t.minRow)
			room := bottomY - tail
			if s.y()+h <= room {
				t.drawRow(s, cells, h)
				break
			}
			fresh := bottomY - marginTop - headH - tail
			if h <= fresh || s.y()+2*padV+lh > room {
				newPage()
				if h <= fresh {
					continue
				}
			}
			// Taller than a page: print what fits and carry the rest over.
			n := int((room - s.y() - 2*padV) / lh)
			part, rest := splitRow(cells, n)
			t.drawRow(s, part, max(rowHeight(part, lh), t.minRow))
			cells = rest
			newPage()
		}
	}
}

// leadHeight is the header plus the first rows (leadRows of them, at most leadCap high) and
// the legend if one of them is marked: the least that must follow a table's caption on the
// same page.
func (t *table) leadHeight(s *sheet, body [][]string) float64 {
	headH := 0.0
	for _, h := range t.headRows(s) {
		headH += h
	}
	lh := lineHeight(t.size)
	s.font("", t.size)
	first := lh + 2*padV
	tail := 0.0
	if len(body) > 0 {
		first = 0
		for _, row := range body[:min(leadRows, len(body))] {
			cells := make([][]string, len(row))
			for j, cell := range row {
				cells[j] = s.wrap(cell, t.widths[j]-2*padH)
			}
			first += max(rowHeight(cells, lh), t.minRow)
		}
		if len(body) <= leadRows {
			tail = t.tailH
		}
	}
	return headH + math.Min(first, leadCap) + tail
}

func rowHeight(cells [][]string, lh float64) float64 {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return float64(n)*lh + 2*padV
}

func splitRow(cells [][]string, n int) (part, rest [][]string) {
	n = max(n, 1)
	part = make([][]string, len(cells))
	rest = make([][]string, len(cells))
	for i, c := range cells {
		k := min(n, len(c))
		part[i], rest[i] = c[:k], c[k:]
	}
	return part, rest
}

// drawRow draws one body row of height h at the cursor, each cell's lines centred vertically.
// Lines of one cell are drawn together so extracted text keeps a wrapped name in one piece.
func (t *table) drawRow(s *sheet, cells [][]string, h float64) {
	y := s.y()
	lh := lineHeight(t.size)
	s.font("", t.size)
	for j, lines := range cells {
		x := t.colX(j)
		w := t.widths[j]
		s.pdf.Rect(x, y, w, h, "D")
		ty := y + (h-float64(len(lines))*lh)/2
		for _, l := range lines {
			s.pdf.SetXY(x+padH, ty)
			s.pdf.CellFormat(w-2*padH, lh, l, "", 0, t.aligns[j], false, 0, "")
			ty += lh
		}
	}
	s.setY(y + h)
}

// resultTable lays out the results table of DOMAIN.md: STT | Họ và tên | Chức vụ | Số phiếu hợp lệ
// | three levels, each with count and percentage under a merged heading | Ghi chú. markers holds
// the note mark of each row ("(1)") or "".
func resultTable(s *sheet, rows []Row, markers []string, combined bool) (*table, [][]string) {
	body := make([][]string, len(rows))
	for i, r := range rows {
		order := r.Order
		if order == 0 {
			order = i + 1
		}
		body[i] = []string{
			strconv.Itoa(order), r.Name, r.Position, strconv.Itoa(r.Valid),
			strconv.Itoa(r.Cao), r.CaoPct,
			strconv.Itoa(r.TinNhiem), r.TinNhiemPct,
			strconv.Itoa(r.Thap), r.ThapPct,
			markers[i],
		}
		if combined {
			body[i] = append(body[i][:10:10], r.CombinedPct, markers[i])
		}
	}
	t := &table{
		size:   sizeTable,
		hsize:  sizeTable - 1,
		aligns: []string{"C", "L", "L", "C", "C", "C", "C", "C", "C", "C", "C"},
		head: []headCell{
			{0, 0, 0, 1, "STT"},
			{1, 1, 0, 1, "Họ và tên"},
			{2, 2, 0, 1, "Chức vụ"},
			{3, 3, 0, 1, "Số phiếu hợp lệ"},
			{4, 5, 0, 0, "Tín nhiệm cao"},
			{6, 7, 0, 0, "Tín nhiệm"},
			{8, 9, 0, 0, "Tín nhiệm thấp"},
			{10, 10, 0, 1, "Ghi chú"},
			{4, 4, 1, 1, "Số phiếu"}, {5, 5, 1, 1, "Tỷ lệ"},
			{6, 6, 1, 1, "Số phiếu"}, {7, 7, 1, 1, "Tỷ lệ"},
			{8, 8, 1, 1, "Số phiếu"}, {9, 9, 1, 1, "Tỷ lệ"},
		},
	}
	t.same = [][]int{{4, 6, 8}, {5, 7, 9}}
	// Percentage columns hold "100%" on one line whatever the figures (and so their heading).
	t.minText = []string{"", "", "", "", "", "100%", "", "100%", "", "100%", ""}
	if combined {
		// Published summaries add "tín nhiệm cao" and "tín nhiệm" together: one more column,
		// the share alone (the counts are beside it), before the notes.
		t.aligns = append(t.aligns, "C")
		t.head[7] = headCell{11, 11, 0, 1, "Ghi chú"}
		t.head = append(t.head, headCell{10, 10, 0, 1, "Tỷ lệ cao và tín nhiệm"})
		t.minText = append(t.minText[:10:10], "100%", "")
	}
	t.widths = fitWidths(s, t, body, 1, 2)
	return t, body
}

// fitWidths sizes every column except the two flexible ones (name and position) to its widest
// word in the header and widest entry in the body, then shares what is left between the two
// flexible columns according to how much text they hold, so short names stay on one line.
func fitWidths(s *sheet, t *table, body [][]string, flexA, flexB int) []float64 {
	n := len(t.aligns)
	w := make([]float64, n)
	s.font("B", t.hsize)
	for _, c := range t.head {
		if c.c0 != c.c1 {
			continue
		}
		for _, word := range splitWords(c.text) {
			w[c.c0] = math.Max(w[c.c0], s.width(word)+2*padH)
		}
	}
	s.font("", t.size)
	for j, text := range t.minText {
		if text != "" {
			w[j] = math.Max(w[j], s.width(text)+2*padH)
		}
	}
	natural := make([]float64, n)
	for _, row := range body {
		for j, cell := range row {
			natural[j] = math.Max(natural[j], s.width(cell)+2*padH)
		}
	}
	fixed := 0.0
	for j := range n {
		if j == flexA || j == flexB {
			continue
		}
		// A fixed column never grows past maxFixed for an odd entry; that entry wraps instead.
		w[j] = math.Max(w[j], math.Min(natural[j], maxFixed))
		fixed += w[j]
	}
	// The three levels read as one scale: give their count columns one width and their
	// percentage columns another, the widest of each.
	for _, group := range t.same {
		widest := 0.0
		for _, j := range group {
			widest = math.Max(widest, w[j])
		}
		for _, j := range group {
			fixed += widest - w[j]
			w[j] = widest
		}
	}
	// Merged headings must fit over their columns too.
	s.font("B", t.hsize)
	for _, c := range t.head {
		if c.c0 == c.c1 {
			continue
		}
		longest := 0.0
		for _, word := range splitWords(c.text) {
			longest = math.Max(longest, s.width(word)+2*padH)
		}
		got := 0.0
		for j := c.c0; j <= c.c1; j++ {
			got += w[j]
		}
		if got < longest {
			w[c.c1] += longest - got
			fixed += longest - got
		}
	}
	left := textWidth - fixed
	w[flexA], w[flexB] = shareFlex(s, t, body, flexA, flexB, left, w[flexA], w[flexB])
	return w
}

// shareFlex splits room between the name and position columns. It tries every split in half
// millimetre steps and keeps the one with the fewest body lines in total, a broken name counting
// a line extra because a name read across two lines is easy to misread; ties go to the wider
// name column. Each column keeps at least its widest header word.
func shareFlex(s *sheet, t *table, body [][]string, a, b int, left, minA, minB float64) (float64, float64) {
	s.font("", t.size)
	natA, natB := minA, minB
	for _, row := range body {
		natA = math.Max(natA, s.width(row[a])+2*padH)
		natB = math.Max(natB, s.width(row[b])+2*padH)
	}
	if natA+natB <= left {
		extra := left - natA - natB
		return natA + extra/2, natB + extra/2
	}
	lo := math.Max(minA, left*0.3)
	hi := math.Min(natA, left-math.Max(minB, minFlex))
	if hi <= lo {
		wa := math.Max(minA, math.Min(natA, left/2))
		return wa, left - wa
	}
	// Rows with the same name and position cost the same; count each pair once.
	type pair struct{ a, b string }
	seen := map[pair]int{}
	var pairs []pair
	for _, row := range body {
		p := pair{row[a], row[b]}
		if seen[p] == 0 {
			pairs = append(pairs, p)
		}
		seen[p]++
	}
	best, bestCost := hi, math.Inf(1)
	for wa := hi; wa >= lo-1e-9; wa -= 0.5 {
		cost := 0.0
		for _, p := range pairs {
			na := len(s.wrap(p.a, wa-2*padH))
			nb := len(s.wrap(p.b, left-wa-2*padH))
			// An outsized cell is long at any width; capped, it cannot starve every name.
			c := float64(min(max(na, nb), outlierLines))
			if na > 1 {
				c++
			}
			cost += c * float64(seen[p])
		}
		if cost < bestCost-1e-9 {
			best, bestCost = wa, cost
		}
	}
	return best, left - best
}

func splitWords(s string) []string {
	var out []string
	word := ""
	for _, r := range s {
		if r == ' ' {
			if word != "" {
				out = append(out, word)
			}
			word = ""
			continue
		}
		word += string(r)
	}
	if word != "" {
		out = append(out, word)
	}
	return out
}
