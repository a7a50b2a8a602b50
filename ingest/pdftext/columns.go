package pdftext

import (
	"cmp"
	"math"
	"slices"
)

// Columns. A page set in two columns is drawn, by many producers, line by
// line across the page: the lines of both columns on one baseline become
// one line. They are told apart from a table by the gutter: an empty
// stretch that no line crosses over a run of at least minColumnLines lines,
// with text lines (several words, most of those on the left reaching the
// gutter) on both sides. A table of labels and values has the gutter but not
// the full lines, and stays one line per row.

const (
	minGutter       = 0.8 // em: the narrowest gutter
	minColumnLines  = 5   // lines that must have text on both sides
	fullLineReach   = 3.0 // em: a left line ending this close to the longest one is full
	fullLineShare   = 0.5 // of the left lines: this many must be full
	minColumnWords  = 5.0 // median words of a line on each side
	columnSearchCap = 4   // gutters looked for per page
)

// fragment is the part of a line on one side of a gutter.
type fragment struct {
	ln    *line
	first int // stream index of its first glyph, for ordering
}

// columnOrder returns the lines in reading order: stream order, with each
// region set in columns read column by column.
func columnOrder(lines []*line) []*line {
	out := lines
	for i := 0; i < columnSearchCap; i++ {
		next, ok := splitColumns(out)
		if !ok {
			break
		}
		out = next
	}
	return out
}

func lineFirst(ln *line) int {
	f := math.MaxInt
	for _, r := range ln.runs {
		f = min(f, r.first)
	}
	return f
}

// splitColumns finds one gutter and reorders its region.
func splitColumns(lines []*line) ([]*line, bool) {
	// Candidate gutters: wide gaps between the runs of horizontal lines.
	type gapAt struct {
		g0, g1 float64
		size   float64
	}
	var gaps []gapAt
	var rs []*run // a line's runs along it, one buffer for all
	for _, ln := range lines {
		if ln.dir.x < sameDir || len(ln.runs) < 2 {
			continue
		}
		rs = append(rs[:0], ln.runs...)
		slices.SortFunc(rs, func(a, b *run) int { return cmp.Compare(a.a0, b.a0) })
		for k := 1; k < len(rs); k++ {
			if g := rs[k].a0 - rs[k-1].a1; g >= minGutter*ln.size {
				gaps = append(gaps, gapAt{rs[k-1].a1, rs[k].a0, ln.size})
			}
		}
	}
	if len(gaps) < minColumnLines {
		return nil, false
	}
	// The stretch most gaps share: try each gap's middle as the gutter.
	slices.SortFunc(gaps, func(a, b gapAt) int { return cmp.Compare((a.g0+a.g1)/2, (b.g0+b.g1)/2) })
	tried := map[int]bool{}
	var sc splitScratch
	for _, cand := range gaps {
		x := (cand.g0 + cand.g1) / 2
		key := int(x / 4)
		if tried[key] {
			continue
		}
		tried[key] = true
		if out, ok := splitAt(lines, x, &sc); ok {
			return out, true
		}
	}
	return nil, false
}

// splitEntry is a line and its runs on either side of a gutter tried.
type splitEntry struct {
	ln          *line
	left, right []*run
}

// splitScratch is the memory splitAt reuses from one gutter tried to the
// next (a page of tables tries many); what a successful try returns holds on
// to it.
type splitScratch struct {
	hs                    []splitEntry
	sides                 []*run
	leftWords, rightWords []float64
}

// splitAt tries x as a gutter. The region is the longest sequence of
// horizontal lines, in baseline order, none of which crosses x, with
// minColumnLines or more having text on both sides.
func splitAt(lines []*line, x float64, sc *splitScratch) ([]*line, bool) {
	hs := sc.hs[:0]
	// The sides of every line are slices of one array, which holds them all
	// (made large enough first: the slices must not move).
	total := 0
	for _, ln := range lines {
		total += len(ln.runs)
	}
	sides := sc.sides[:0]
	if cap(sides) < total {
		sides = make([]*run, 0, total)
	}
	sc.sides = sides
	for _, ln := range lines {
		if ln.dir.x < sameDir {
			continue
		}
		e := splitEntry{ln: ln}
		crosses := false
		for _, r := range ln.runs {
			if r.a1 > x && r.a0 < x {
				crosses = true
				break
			}
		}
		if !crosses {
			start := len(sides)
			for _, r := range ln.runs {
				if r.a1 <= x {
					sides = append(sides, r)
				}
			}
			mid := len(sides)
			for _, r := range ln.runs {
				if r.a1 > x && r.a0 >= x {
					sides = append(sides, r)
				}
			}
			if mid > start {
				e.left = sides[start:mid:mid]
			}
			if end := len(sides); end > mid {
				e.right = sides[mid:end:end]
			}
		}
		// A line with text on both sides must leave a gutter's width
		// there: a word gap that happens to fall on x is no gutter.
		if !crosses && len(e.left) > 0 && len(e.right) > 0 {
			end, start := math.Inf(-1), math.Inf(1)
			for _, r := range e.left {
				end = maxf(end, r.a1)
			}
			for _, r := range e.right {
				start = minf(start, r.a0)
			}
			crosses = start-end < minGutter*ln.size
		}
		if crosses {
			e.left, e.right = nil, nil
		}
		hs = append(hs, e)
	}
	sc.hs = hs
	// Top to bottom (baseline offset b grows upwards for dir (1,0)).
	slices.SortStableFunc(hs, func(a, b splitEntry) int { return cmp.Compare(b.ln.b, a.ln.b) })
	bestLo, bestHi, bestBoth := 0, -1, 0
	for lo := 0; lo < len(hs); {
		if hs[lo].left == nil && hs[lo].right == nil {
			lo++
			continue
		}
		hi, both := lo, 0
		for hi < len(hs) && (hs[hi].left != nil || hs[hi].right != nil) {
			if len(hs[hi].left) > 0 && len(hs[hi].right) > 0 {
				both++
			}
			hi++
		}
		if both > bestBoth {
			bestLo, bestHi, bestBoth = lo, hi-1, both
		}
		lo = hi
	}
	if bestBoth < minColumnLines {
		return nil, false
	}
	region := hs[bestLo : bestHi+1]
	// Text columns, not a table: several words a line on both sides, and
	// most left lines reaching the gutter.
	leftWords, rightWords := sc.leftWords[:0], sc.rightWords[:0]
	full, leftLines := 0, 0
	edge := math.Inf(-1) // the gutter's left edge: where the longest left lines end
	for _, e := range region {
		for _, r := range e.left {
			edge = maxf(edge, r.a1)
		}
	}
	for _, e := range region {
		if len(e.left) > 0 {
			leftLines++
			leftWords = append(leftWords, float64(len(e.left)))
			end := math.Inf(-1)
			for _, r := range e.left {
				end = maxf(end, r.a1)
			}
			if edge-end <= fullLineReach*e.ln.size {
				full++
			}
		}
		if len(e.right) > 0 {
			rightWords = append(rightWords, float64(len(e.right)))
		}
	}
	sc.leftWords, sc.rightWords = leftWords, rightWords
	if median(leftWords) < minColumnWords || median(rightWords) < minColumnWords || float64(full) < fullLineShare*float64(leftLines) {
		return nil, false
	}
	// Columns of comparable width: a narrow side is a margin of labels or
	// bullets, not a column.
	lo, mid1, mid2, hi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, e := range region {
		for _, r := range e.left {
			lo, mid1 = minf(lo, r.a0), maxf(mid1, r.a1)
		}
		for _, r := range e.right {
			mid2, hi = minf(mid2, r.a0), maxf(hi, r.a1)
		}
	}
	if w1, w2 := mid1-lo, hi-mid2; w1 < 0.25*(hi-lo) || w2 < 0.25*(hi-lo) {
		return nil, false
	}
	// Each side a line of text, not cells: no other wide gap inside it.
	split := 0
	for _, e := range region {
		if gapped(e.left, e.ln.size) || gapped(e.right, e.ln.size) {
			split++
		}
	}
	if float64(split) > 0.2*float64(len(region)) {
		return nil, false
	}
	// Rebuild: the region's lines, split, left column first; the rest of
	// the page in stream order, the region where its first line was.
	inRegion := map[*line]bool{}
	var left, right []fragment
	for _, e := range region {
		inRegion[e.ln] = true
		if len(e.left) > 0 {
			ln := &line{dir: e.ln.dir, b: e.ln.b, size: e.ln.size, runs: e.left, column: true}
			left = append(left, fragment{ln, lineFirst(ln)})
		}
		if len(e.right) > 0 {
			ln := &line{dir: e.ln.dir, b: e.ln.b, size: e.ln.size, runs: e.right, column: true}
			right = append(right, fragment{ln, lineFirst(ln)})
		}
	}
	byTop := func(a, b fragment) int { return cmp.Compare(b.ln.b, a.ln.b) }
	slices.SortStableFunc(left, byTop)
	slices.SortStableFunc(right, byTop)
	var out []*line
	placed := false
	for _, ln := range lines {
		if !inRegion[ln] {
			out = append(out, ln)
			continue
		}
		if placed {
			continue
		}
		placed = true
		for _, f := range left {
			out = append(out, f.ln)
		}
		for _, f := range right {
			out = append(out, f.ln)
		}
	}
	return out, true
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// gapped reports whether runs of one line leave a gap as wide as a gutter.
func gapped(rs []*run, size float64) bool {
	if len(rs) < 2 {
		return false
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b *run) int { return cmp.Compare(a.a0, b.a0) })
	for k := 1; k < len(s); k++ {
		if s[k].a0-s[k-1].a1 >= minGutter*size {
			return true
		}
	}
	return false
}
