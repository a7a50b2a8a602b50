package pdftext

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/ingest/vnenc"
)

// layout turns the glyphs of a page, as drawn, into lines of words.
//
//  1. Runs. Glyphs that follow each other in the content stream, along one
//     baseline, without a word gap between them, make a run (about a word).
//     A space glyph ends a run. Combining marks join the glyph before them.
//  2. Lines. A run joins the line whose baseline is nearest (within half the
//     font size, so that superscripts stay on their line) among those it does
//     not overlap: two runs of one line never cover the same stretch of it.
//     So two lines drawn close together (a table's cramped rows, a formula)
//     stay apart instead of interleaving their letters, while letters a
//     producer draws in a second pass (LibreOffice draws the glyphs of a
//     fallback font — often the Vietnamese ones — after the rest of the line)
//     fill the gaps left for them. A run that repeats one it overlaps, nearly
//     in place, is overprinting (fake bold, shadows) and is dropped.
//  3. Words. Within a line, glyphs are ordered along it; a space goes where
//     the stream drew one, or where the gap exceeds a share of the font's own
//     space width (character spacing, which the producer adds to every
//     glyph, discounted). Lines whose glyphs are evenly spread (letter-spaced
//     headings) take their gap from that spread. Spacing accents drawn over
//     a letter (TeX draws "´" and "e" apart) are composed with it. Lines of
//     right-to-left script drawn in visual order are read right to left.
//  4. Order. Lines keep the order in which the stream started them, except
//     that a page whose text stands in columns (a gutter that no line
//     crosses, with full lines on both sides) is read column by column.
type layout struct {
	// glyphs in stream order, in chunks: a page may hold a million, and
	// one growing slice would copy them all at every doubling.
	chunks [][]placedGlyph
	n      int
	dirs   []point // the writing directions met, which glyphs index
	// The latest glyph, to which combining marks and ActualText pen moves
	// attach; -1 when none.
	last int
	// The glyphs of one string share their direction: the last direction
	// handed in (compared bit for bit), its unit vector and its index, valid
	// while dirs has dirsLen entries.
	lastDir      [2]uint64
	lastUnit     point
	lastDirIndex uint16
	dirsLen      int
	// Buffers text reuses from line to line: glyph indexes, a line's text
	// and its cleaned form.
	idx        []int
	raw, clean []byte
	// Memory of the runs and lines, kept for the next page.
	runBlocks  blocks[run]
	lineBlocks blocks[line]
	runPtrs    []*run
	linePtrs   []*line
	lineRuns   []*run
}

// placed is one glyph as drawn, handed over by the interpreter.
type placed struct {
	text       string
	start, end point   // baseline start and end, device space
	dir        point   // writing direction
	size       float64 // font size, device space
	extra      float64 // advance beyond the glyph's width (Tc, and Tw on a space)
	space      float64 // the font's space width at this size; 0 when unknown
}

// placedGlyph is a glyph in line coordinates: a along its direction, b
// across (the baseline's offset).
type placedGlyph struct {
	text      string
	a0, a1, b float64
	size      float64
	extra     float64
	space     float64
	spaceAt   float64 // where a space glyph after it starts, when spaceAfter
	dir       uint16  // index into layout.dirs
	// spaceAfter: a space glyph followed it in the stream; accent: a
	// spacing accent, to compose with the letter under it.
	spaceAfter, accent bool
}

const (
	sameDir       = 0.99 // cosine above which two directions are one
	runBaseShift  = 0.2  // em: a glyph further off the run's baseline starts a new run
	lineBaseShift = 0.5  // em: how far a run's baseline may be from its line's
	dupShift      = 0.3  // of a glyph's width: the same glyph again this close is overprinting
	// Word gaps: a share of the font's space width, within bounds (em).
	gapShare           = 0.4
	minWordGap         = 0.06
	maxWordGap         = 0.15
	defaultSpaceWidth  = 0.25
	overlapShare       = 0.25 // of the shorter run: more overlap means another line
	letterSpacedShare  = 0.6  // of a line's gaps: this many above the word gap make it letter-spaced
	letterSpacedFactor = 1.5  // times its smallest gap: a letter-spaced line's word gap
	maxLetterSpacing   = 0.3  // em: the widest spread of letters in one word
)

func unit(p point) point {
	n := math.Hypot(p.x, p.y)
	if n < 1e-9 || math.IsNaN(n) || math.IsInf(n, 0) {
		return point{1, 0}
	}
	return point{p.x / n, p.y / n}
}

// finite reports whether none of fs is NaN or infinite: f×0 is ±0 for every
// finite f and NaN for the others.
func finite(fs ...float64) bool {
	z := 0.0
	for _, f := range fs {
		z += f * 0
	}
	return z == 0
}

func newLayout() *layout { return &layout{last: -1} }

// layouts keeps the layouts of finished extractions for the next file: a long-lived extraction
// child reads one file after another, and the glyph chunks, runs and lines of a layout were
// half of the bytes an extraction allocated.
var layouts = sync.Pool{New: func() any { return newLayout() }}

// takeLayout returns a layout for a new extraction, emptied on its first page (pageLayout).
func takeLayout() *layout { return layouts.Get().(*layout) }

// releaseLayout gives back the layout of a finished extraction, emptied and within the bounds
// reset keeps: nothing of its pages is referred to once their text is made.
func releaseLayout(l *layout) {
	if l != nil {
		l.reset()
		layouts.Put(l)
	}
}

// pageLayout returns the extractor's layout, emptied for a new page. A page's
// layout holds nothing once its text is made, so the next page reuses its
// memory — glyph chunks, runs, lines and buffers — instead of allocating and
// clearing it again (the glyph chunks alone were a quarter of the bytes an
// extraction allocated).
func (ex *extractor) pageLayout() *layout {
	if ex.layout == nil {
		ex.layout = takeLayout()
	}
	ex.layout.reset()
	return ex.layout
}

// Bounds of what a layout keeps for the next page (about 1 MB): a page of a
// million glyphs should not pin its memory for the rest of the file.
const (
	maxSpareChunks = 32
	maxSpareBlocks = 16
	maxSpareSlice  = 1 << 14
)

// reset empties the layout, keeping its memory within bounds.
func (l *layout) reset() {
	if len(l.chunks) > maxSpareChunks {
		clear(l.chunks[maxSpareChunks:])
		l.chunks = l.chunks[:maxSpareChunks]
	}
	l.runBlocks.reset()
	l.lineBlocks.reset()
	*l = layout{
		last:       -1,
		chunks:     l.chunks,
		dirs:       l.dirs[:0],
		idx:        spare(l.idx),
		raw:        spare(l.raw),
		clean:      spare(l.clean),
		runPtrs:    spare(l.runPtrs),
		linePtrs:   spare(l.linePtrs),
		lineRuns:   spare(l.lineRuns),
		runBlocks:  l.runBlocks,
		lineBlocks: l.lineBlocks,
	}
}

// spare returns s emptied, or nil when it grew past maxSpareSlice.
func spare[T any](s []T) []T {
	if cap(s) > maxSpareSlice {
		return nil
	}
	return s[:0]
}

// blocks hands out values of T from blocks that never grow, so that pointers
// to them stay valid while more are made, and keeps the blocks for reuse.
type blocks[T any] struct {
	all  [][]T
	used int // blocks handed out from, the last one partly
}

// blockSize is how many runs, or lines, a block holds.
const blockSize = 128

func (b *blocks[T]) new(v T) *T {
	if b.used == 0 || len(b.all[b.used-1]) == blockSize {
		if b.used == len(b.all) {
			b.all = append(b.all, make([]T, 0, blockSize))
		}
		b.all[b.used] = b.all[b.used][:0]
		b.used++
	}
	blk := &b.all[b.used-1]
	*blk = append(*blk, v)
	return &(*blk)[len(*blk)-1]
}

// reset makes every block free again, keeping at most maxSpareBlocks.
func (b *blocks[T]) reset() {
	if len(b.all) > maxSpareBlocks {
		clear(b.all[maxSpareBlocks:])
		b.all = b.all[:maxSpareBlocks]
	}
	b.used = 0
}

const chunkBits = 8

// g returns glyph i.
func (l *layout) g(i int) *placedGlyph { return &l.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

func (l *layout) push(g placedGlyph) {
	if l.n>>chunkBits == len(l.chunks) {
		l.chunks = append(l.chunks, make([]placedGlyph, 1<<chunkBits))
	}
	*l.g(l.n) = g
	l.n++
}

// finite is finite(p's coordinates, size, extra and space), without the variadic call that
// cost the reader 3 % of its time on every glyph.
func (p *placed) finite() bool {
	return p.start.x*0+p.start.y*0+p.end.x*0+p.end.y*0+p.size*0+p.extra*0+p.space*0 == 0
}

func (l *layout) add(p placed) {
	if p.text == "" || !p.finite() {
		return
	}
	if p.size <= 0 {
		p.size = 1
	}
	r, _ := utf8.DecodeRuneInString(p.text)
	// A combining mark drawn as its own glyph belongs to the letter before
	// it in the stream, wherever the producer placed it.
	if l.last >= 0 && r >= 0x300 && !vietnameseLetter(r) && unicode.In(r, unicode.Mn, unicode.Me) {
		l.g(l.last).text += p.text
		l.move(p.end)
		return
	}
	if (r <= ' ' || r >= 0x80 && !vietnameseLetter(r)) && isSpaceText(p.text) {
		if l.last >= 0 {
			g := l.g(l.last)
			d := l.dirs[g.dir]
			a := minf(d.x*p.start.x+d.y*p.start.y, d.x*p.end.x+d.y*p.end.y)
			if !g.spaceAfter || a < g.spaceAt {
				g.spaceAfter, g.spaceAt = true, a
			}
		}
		return
	}
	d, di := l.direction(p.dir)
	a0 := d.x*p.start.x + d.y*p.start.y
	a1 := d.x*p.end.x + d.y*p.end.y
	if a1 < a0 {
		a0, a1 = a1, a0
	}
	g := placedGlyph{
		text: p.text, dir: di, a0: a0, a1: a1, b: d.x*p.start.y - d.y*p.start.x,
		size: p.size, extra: p.extra, space: p.space,
	}
	if mayBeSpacingAccent(r) && spacingAccent(p.text) {
		g.accent = true
		if comb, ok := combiningOf[r]; ok {
			g.text = string(comb)
		}
	}
	l.push(g)
	l.last = l.n - 1
}

// vietnameseLetter reports a letter of the Latin Extended Additional block,
// where most Vietnamese letters are: neither a mark nor a space, which add
// need not look up for every glyph (TestVietnameseLetter).
func vietnameseLetter(r rune) bool { return r >= 0x1E00 && r < 0x1F00 }

// isLetter is unicode.IsLetter, without its table search for Vietnamese
// letters: U+0100–U+02AF (ă, đ, ơ, ư… and IPA) are all letters too.
func isLetter(r rune) bool {
	return r >= 0x100 && r < 0x2B0 || vietnameseLetter(r) || unicode.IsLetter(r)
}

func isSpaceText(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Zs, r) {
			return false
		}
	}
	return true
}

// direction returns the unit vector of a glyph's direction and its index
// among those met (dirIndex), computed once for the glyphs of a string.
func (l *layout) direction(dir point) (point, uint16) {
	key := [2]uint64{math.Float64bits(dir.x), math.Float64bits(dir.y)}
	if l.dirsLen > 0 && key == l.lastDir && len(l.dirs) == l.dirsLen {
		return l.lastUnit, l.lastDirIndex
	}
	d := unit(dir)
	i := l.dirIndex(d)
	l.lastDir, l.lastUnit, l.lastDirIndex, l.dirsLen = key, d, i, len(l.dirs)
	return d, i
}

// dirIndex returns the index of direction d among those met, adding it.
func (l *layout) dirIndex(d point) uint16 {
	for i := len(l.dirs) - 1; i >= 0; i-- {
		if e := l.dirs[i]; math.Abs(e.x-d.x) < 1e-6 && math.Abs(e.y-d.y) < 1e-6 {
			return uint16(i)
		}
	}
	if len(l.dirs) >= 1<<16-1 {
		return uint16(len(l.dirs) - 1) // a page of 65,535 directions is noise
	}
	l.dirs = append(l.dirs, d)
	return uint16(len(l.dirs) - 1)
}

// move extends the latest glyph to cover one whose text an ActualText
// already gave.
func (l *layout) move(end point) {
	if l.last < 0 || !finite(end.x, end.y) {
		return
	}
	g := l.g(l.last)
	d := l.dirs[g.dir]
	g.a1 = maxf(g.a1, d.x*end.x+d.y*end.y)
}

// combiningOf maps spacing accents to the combining marks they stand for.
var combiningOf = map[rune]rune{
	'`': 0x300, '´': 0x301, 'ˆ': 0x302, '^': 0x302, '˜': 0x303, '~': 0x303, '¯': 0x304, '˘': 0x306,
	'˙': 0x307, '¨': 0x308, '˚': 0x30A, '˝': 0x30B, 'ˇ': 0x30C, '¸': 0x327, '˛': 0x328,
	0x2C9: 0x304, 0x2CA: 0x301, 0x2CB: 0x300,
}

// mayBeSpacingAccent reports a rune in the ranges where combiningOf's keys are (TestSpacingAccentRanges):
// Vietnamese letters such as ă, đ, ơ and ư, between them, are not looked up for every glyph.
func mayBeSpacingAccent(r rune) bool {
	return r >= 0xA8 && r <= 0xB8 || r >= 0x2C6 && r <= 0x2DD || r == '`'
}

// spacingAccent reports a glyph that is only an accent, as TeX and old
// typesetters draw over a letter. ASCII ^ and ~ are not: they are text in
// their own right far more often.
func spacingAccent(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || r == '^' || r == '~' || r == '`' {
		return false
	}
	_, ok := combiningOf[r]
	return ok
}

// run is a sequence of glyphs (indexes into layout.glyphs).
type run struct {
	first, last int
	dir         point
	a0, a1, b   float64
	size        float64
	// text is the run's text, for overprint detection: put together on
	// first use (runText), since few runs are ever compared.
	text    string
	hasText bool
	// accent: a spacing accent alone, drawn over a letter of the line:
	// it overlaps that letter by design.
	accent bool
	// next is the run after this one in its line while lines are gathered.
	next *run
}

// line is a set of runs along one baseline.
type line struct {
	dir  point
	b    float64
	size float64
	runs []*run
	// column marks a line already split at a gutter.
	column bool
	// While lines are gathered, a line's runs are a list (head to tail,
	// linked by run.next) rather than a slice growing for each: lines makes
	// the slices once it is done.
	head, tail *run
}

// wordGap is the gap along a line above which two glyphs are two words.
func wordGap(g *placedGlyph) float64 {
	sw := g.space
	if sw <= 0 {
		sw = defaultSpaceWidth * g.size
	}
	return minf(maxf(gapShare*sw, minWordGap*g.size), maxWordGap*g.size)
}

// runs splits the glyphs into runs, in stream order.
func (l *layout) runs() []*run {
	out := l.runPtrs[:0]
	var cur *run
	for i := 0; i < l.n; i++ {
		g := l.g(i)
		if cur != nil {
			p := l.g(cur.last)
			gap := g.a0 - p.a1 - p.extra
			gd := l.dirs[g.dir]
			same := gd.x*cur.dir.x+gd.y*cur.dir.y >= sameDir &&
				math.Abs(g.b-cur.b) <= runBaseShift*maxf(g.size, cur.size) &&
				!p.spaceAfter && !g.accent && !p.accent &&
				gap <= wordGap(p) && gap >= -0.5*maxf(g.size, p.size)
			if same {
				cur.last = i
				cur.a0 = minf(cur.a0, g.a0)
				cur.a1 = maxf(cur.a1, g.a1)
				cur.size = maxf(cur.size, g.size)
				continue
			}
		}
		cur = l.runBlocks.new(run{first: i, last: i, dir: l.dirs[g.dir], a0: g.a0, a1: g.a1, b: g.b, size: g.size})
		out = append(out, cur)
	}
	for _, r := range out {
		r.accent = r.first == r.last && l.g(r.first).accent
	}
	l.runPtrs = out
	return out
}

// runText returns the text of a run's glyphs.
func (l *layout) runText(r *run) string {
	if !r.hasText {
		var b strings.Builder
		for i := r.first; i <= r.last; i++ {
			b.WriteString(l.g(i).text)
		}
		r.text, r.hasText = b.String(), true
	}
	return r.text
}

// findWindow is how many of the latest lines a run is tried against: glyphs
// of one line come close together in real streams; the bound keeps a page
// of many tiny lines from going quadratic.
const findWindow = 256

// lines assigns runs to lines.
func (l *layout) lines(runs []*run) []*line {
	out := l.linePtrs[:0]
	kept := 0
	for _, r := range runs {
		var best *line
		bestDiff := math.Inf(1)
		dropped := false
		for i := len(out) - 1; i >= max(0, len(out)-findWindow); i-- {
			ln := out[i]
			if r.dir.x*ln.dir.x+r.dir.y*ln.dir.y < sameDir {
				continue
			}
			diff := math.Abs(ln.b - r.b)
			if diff > lineBaseShift*maxf(r.size, ln.size) || diff >= bestDiff {
				continue
			}
			if o := ln.overlapping(r); o != nil && !r.accent {
				if l.overprints(o, r) {
					dropped = true
					break
				}
				continue
			}
			best, bestDiff = ln, diff
		}
		if dropped {
			continue
		}
		if best == nil {
			best = l.lineBlocks.new(line{dir: r.dir, b: r.b, size: r.size})
			out = append(out, best)
		}
		best.insert(r)
		kept++
	}
	l.linePtrs = out
	// Each line's runs, in the order they joined it, as slices of one array
	// (made large enough first: the slices must not move).
	all := l.lineRuns[:0]
	if cap(all) < kept {
		all = make([]*run, 0, kept)
	}
	l.lineRuns = all
	for _, ln := range out {
		start := len(all)
		for r := ln.head; r != nil; r = r.next {
			all = append(all, r)
		}
		ln.runs = all[start:len(all):len(all)]
		ln.head, ln.tail = nil, nil
	}
	return out
}

// overlapping returns a run of the line that r overlaps by more than a
// small share (kerning, a glyph drawn into its gap), or nil.
func (ln *line) overlapping(r *run) *run {
	for o := ln.head; o != nil; o = o.next {
		if o.accent {
			continue
		}
		ov := minf(o.a1, r.a1) - maxf(o.a0, r.a0)
		if ov <= 0 {
			continue
		}
		short := minf(o.a1-o.a0, r.a1-r.a0)
		if ov > overlapShare*short && ov > 0.05*minf(o.size, r.size) {
			return o
		}
	}
	return nil
}

// overprints reports whether r repeats o nearly in place.
func (l *layout) overprints(o, r *run) bool {
	if l.runText(o) != l.runText(r) {
		return false
	}
	glyph := (o.a1 - o.a0) / float64(max(1, utf8.RuneCountInString(o.text)))
	return math.Abs(r.a0-o.a0) < dupShift*maxf(glyph, 0.01*o.size) && math.Abs(r.b-o.b) < 0.2*o.size
}

// insert adds r to a line being gathered.
func (ln *line) insert(r *run) {
	if ln.tail == nil {
		ln.head = r
	} else {
		ln.tail.next = r
	}
	ln.tail = r
	ln.size = maxf(ln.size, r.size)
}

// text returns the page's lines, cleaned and NFC-normalised.
func (l *layout) text() string {
	lines := l.lines(l.runs())
	order := columnOrder(lines)
	var page []byte
	for _, ln := range order {
		l.raw = l.lineText(l.raw[:0], ln)
		var latin bool
		l.clean, latin = cleanLine(l.clean[:0], l.raw)
		if len(l.clean) == 0 {
			continue
		}
		if len(page) > 0 {
			page = append(page, '\n')
		}
		if latin || norm.NFC.IsNormal(l.clean) {
			page = append(page, l.clean...)
		} else {
			page = append(page, norm.NFC.Bytes(l.clean)...)
		}
	}
	return string(page)
}

// lineText appends one line's glyphs in reading order with word spaces to
// dst.
func (l *layout) lineText(dst []byte, ln *line) []byte {
	idx := l.idx[:0]
	for _, r := range ln.runs {
		for i := r.first; i <= r.last; i++ {
			idx = append(idx, i)
		}
	}
	l.idx = idx
	// Glyphs mostly come in reading order already.
	byA0 := func(x, y int) int { return cmp.Compare(l.g(x).a0, l.g(y).a0) }
	if !slices.IsSortedFunc(idx, byA0) {
		slices.SortStableFunc(idx, byA0)
	}
	idx = l.composeAccents(idx)
	rtl := ln.dir.x > 0 && l.rightToLeft(idx)
	if rtl {
		slices.Reverse(idx)
	}
	gapAt := func(k int) float64 { // gap before idx[k]
		p, c := l.g(idx[k-1]), l.g(idx[k])
		gap := c.a0 - p.a1
		if rtl {
			gap = p.a0 - c.a1
		}
		if idx[k] == idx[k-1]+1 {
			gap -= p.extra // the producer's character spacing is no word gap
		}
		return gap
	}
	// A letter-spaced line: most gaps between letters exceed the word
	// gap; then words are what stands clearly apart from the usual spread.
	// (Only letters count: dot leaders are spread too.)
	limit := -1.0
	pairs, wide := 0, 0
	smallest := math.Inf(1)
	for k := 1; k < len(idx); k++ {
		p, c := l.g(idx[k-1]), l.g(idx[k])
		if !isLetter(firstRune(p.text)) || !isLetter(firstRune(c.text)) {
			continue
		}
		pairs++
		if gap := gapAt(k); gap > wordGap(p) && !p.spaceAfter {
			wide++
			smallest = minf(smallest, gap)
		}
	}
	// Letters spread wider than that are a table of characters,
	// not a word.
	if pairs >= 4 && float64(wide) >= letterSpacedShare*float64(pairs) && smallest <= maxLetterSpacing*ln.size {
		limit = letterSpacedFactor * smallest
	}
	start := len(dst)
	b := dst
	end := math.Inf(-1)
	for k, i := range idx {
		c := l.g(i)
		if k > 0 {
			p := l.g(idx[k-1])
			if c.text == p.text && math.Abs(c.a0-p.a0) < dupShift*maxf(p.a1-p.a0, 0.01*p.size) && math.Abs(c.b-p.b) < 0.2*p.size {
				continue // overprinted glyph
			}
			gap := gapAt(k)
			if !rtl {
				gap = minf(gap, c.a0-end)
			}
			// A space drawn after p counts when it lies before c: a
			// glyph drawn later into the gap before it (LibreOffice's
			// second pass) is not after the space.
			space := p.spaceAfter && i > idx[k-1] && spaceBefore(p, c, rtl)
			switch {
			case limit > 0:
				space = space || gap > limit
			default:
				space = space || gap > wordGap(p)
			}
			if space {
				b = append(b, ' ')
			}
		}
		b = append(b, c.text...)
		end = maxf(end, c.a1)
	}
	if rtl {
		return append(b[:start], reorderNumbers(string(b[start:]))...)
	}
	return b
}

func spaceBefore(p, c *placedGlyph, rtl bool) bool {
	if rtl {
		return true
	}
	return p.spaceAt <= c.a0+0.1*c.size
}

// composeAccents joins each spacing accent to the letter it is drawn over
// (its middle within the letter's extent), as a combining mark after it.
// Accents over nothing stay as they are.
func (l *layout) composeAccents(idx []int) []int {
	has := false
	for _, i := range idx {
		if l.g(i).accent {
			has = true
			break
		}
	}
	if !has {
		return idx
	}
	out := idx[:0:0]
	for k, i := range idx {
		a := l.g(i)
		if !a.accent {
			out = append(out, i)
			continue
		}
		mid := (a.a0 + a.a1) / 2
		base := -1
		for _, j := range []int{k - 1, k + 1} {
			if j < 0 || j >= len(idx) || l.g(idx[j]).accent {
				continue
			}
			c := l.g(idx[j])
			if mid >= c.a0-0.05*c.size && mid <= c.a1+0.05*c.size && unicode.IsLetter(firstRune(c.text)) {
				base = idx[j]
				break
			}
		}
		if base < 0 {
			if r, ok := spacingOf[firstRune(a.text)]; ok {
				a.text = string(r)
			}
			out = append(out, i)
			continue
		}
		l.g(base).text += a.text
		// The accent may come first in the stream: its spaceAfter belongs
		// to the pair.
		l.g(base).spaceAfter = l.g(base).spaceAfter || a.spaceAfter
	}
	return out
}

// spacingOf undoes combiningOf for accents over no letter.
var spacingOf = map[rune]rune{
	0x300: '`', 0x301: '´', 0x302: 'ˆ', 0x303: '˜', 0x304: '¯', 0x306: '˘', 0x307: '˙',
	0x308: '¨', 0x30A: '˚', 0x30B: '˝', 0x30C: 'ˇ', 0x327: '¸', 0x328: '˛',
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// rightToLeft reports whether most letters of the glyphs are of a
// right-to-left script.
func (l *layout) rightToLeft(idx []int) bool {
	rtl, ltr := 0, 0
	for _, i := range idx {
		for _, r := range l.g(i).text {
			if leftToRightLetter(r) {
				ltr++
				continue
			}
			if !unicode.IsLetter(r) {
				continue
			}
			p, _ := bidi.LookupRune(r)
			switch p.Class() {
			case bidi.R, bidi.AL:
				rtl++
			case bidi.L:
				ltr++
			}
		}
	}
	return rtl > ltr
}

// leftToRightLetter reports, without a look-up of its bidirectional class, a
// letter of the Latin blocks (Vietnamese's among them) before the modifier
// letters: all of them are of class L (TestLeftToRightLetter).
func leftToRightLetter(r rune) bool {
	return r >= 0x100 && r < 0x2B0 || vietnameseLetter(r) || r < 0x100 && unicode.IsLetter(r)
}

// reorderNumbers turns back the digit sequences of a line read right to
// left: numbers are written left to right in those scripts too.
func reorderNumbers(s string) string {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && (unicode.IsDigit(rs[j]) || ((rs[j] == '.' || rs[j] == ',') && j+1 < len(rs) && unicode.IsDigit(rs[j+1]))) {
			j++
		}
		slices.Reverse(rs[i:j])
		i = j
	}
	return string(rs)
}

// ligaturePrefix is the UTF-8 of U+FB00–U+FB3F, which the ligatures are in.
var ligaturePrefix = []byte("\xEF\xAC")

var ligatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi", "\uFB04", "ffl",
	"\uFB05", "st", "\uFB06", "st",
)

// cleanLine appends one line to dst, cleaned: ligatures spelled out, every
// kind of space (and tab, and line breaks a ToUnicode map produced) to one
// space, invisible characters (soft hyphen, zero-width, controls, U+FFFD and
// bytes that are not UTF-8) dropped. The caller normalises it to NFC; latin
// reports a line of vnenc.LatinStarter characters only, which is NFC already.
func cleanLine(dst, s []byte) (_ []byte, latin bool) {
	if bytes.Contains(s, ligaturePrefix) {
		s = []byte(ligatures.Replace(string(s)))
	}
	start := len(dst)
	space := false
	latin = true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		i += n
		switch {
		case visibleLetter(r):
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = true
			continue
		case invisible(r):
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		latin = latin && vnenc.LatinStarter(r)
		dst = utf8.AppendRune(dst, r)
	}
	return dst, latin
}

// invisible reports the characters cleanLine drops: soft hyphen, U+FFFD,
// zero-width and other format characters, controls and surrogates.
func invisible(r rune) bool {
	return r == '\u00AD' || r == '\uFFFD' || r == '\uFEFF' || (r >= '\u200B' && r <= '\u200F') ||
		(r >= '\u2060' && r <= '\u2064') || unicode.IsControl(r) || unicode.Is(unicode.Cs, r)
}

// visibleLetter reports, without table look-ups, printable ASCII and the
// letters of U+0100–U+02AF and of the Vietnamese block: neither white space
// nor invisible (TestVisibleLetter).
func visibleLetter(r rune) bool {
	return r > ' ' && r < 0x7F || r >= 0x100 && r < 0x2B0 || vietnameseLetter(r)
}

// minf and maxf are math.Min and math.Max (an infinity wins over NaN, -0 is
// less than +0), inlined: layout calls them for every pair of glyphs, and
// math's are calls to assembly.
func minf(x, y float64) float64 {
	switch {
	case x < -math.MaxFloat64: // -Inf
		return x
	case y < -math.MaxFloat64:
		return y
	}
	return min(x, y)
}

func maxf(x, y float64) float64 {
	switch {
	case x > math.MaxFloat64: // +Inf
		return x
	case y > math.MaxFloat64:
		return y
	}
	return max(x, y)
}
