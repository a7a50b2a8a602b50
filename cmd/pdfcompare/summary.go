package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// summary holds the figures printed at the end of a run.
type summary struct {
	files, popRead, ourRead, both int
	refused                       map[string]int // by our code
	refusedReadable               map[string]int // … of files pdftotext reads
	refusedGarbled                map[string]int // … of which pdftotext's text is mostly not text
	recalls                       []float64      // files both read
	splitRecalls                  []float64      // … crediting words pdftotext splits
	viet, greek                   letterTotals
	ourCPU, popCPU                time.Duration // all files
	ourWall, popWall              time.Duration
}

type letterTotals struct{ ours, pop, matched int }

func (t letterTotals) String() string {
	if t.pop == 0 {
		return fmt.Sprintf("none in pdftotext's output (ours %d)", t.ours)
	}
	return fmt.Sprintf("%d of pdftotext's %d found (%.2f %%); ours in all %d (%.2f %%)",
		t.matched, t.pop, pct(t.matched, t.pop), t.ours, pct(t.ours, t.pop))
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func summarizeRows(rows []row) summary {
	s := summary{refused: map[string]int{}, refusedReadable: map[string]int{}, refusedGarbled: map[string]int{}}
	for _, r := range rows {
		s.files++
		s.ourCPU += r.ourCPU
		s.popCPU += r.popCPU
		s.ourWall += r.ourWall
		s.popWall += r.popWall
		if r.popRead {
			s.popRead++
		}
		if r.ourCode != "" {
			s.refused[r.ourCode]++
			if r.popRead {
				s.refusedReadable[r.ourCode]++
				if r.popGarbled {
					s.refusedGarbled[r.ourCode]++
				}
			}
			continue
		}
		s.ourRead++
		if !r.popRead {
			continue
		}
		s.both++
		s.recalls = append(s.recalls, 100*r.recall())
		s.splitRecalls = append(s.splitRecalls, 100*r.splitRecall())
		add := func(t *letterTotals, keep func(rune) bool) {
			p, o := letters(r.popText, keep), letters(r.ourText, keep)
			t.pop += total(p)
			t.ours += total(o)
			t.matched += matched(p, o)
		}
		add(&s.viet, vietnamese)
		add(&s.greek, greek)
	}
	return s
}

func summarize(w io.Writer, rows []row, worst int) {
	s := summarizeRows(rows)
	fmt.Fprintf(w, "files: %d; pdftotext reads %d; we read %d; both %d\n", s.files, s.popRead, s.ourRead, s.both)
	var codes []string
	for c := range s.refused {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	n, nr, ng := 0, 0, 0
	var parts []string
	for _, c := range codes {
		n += s.refused[c]
		nr += s.refusedReadable[c]
		ng += s.refusedGarbled[c]
		parts = append(parts, fmt.Sprintf("%s %d (%d, %d garbled)", c, s.refused[c], s.refusedReadable[c], s.refusedGarbled[c]))
	}
	fmt.Fprintf(w, "refused by us: %d, of which pdftotext reads %d (its text garbled for %d): %s\n", n, nr, ng, strings.Join(parts, ", "))
	fmt.Fprintf(w, "crashes: %d; timeouts: %d\n", s.refused[codeCrash], s.refused[codeTimeout])
	if len(s.recalls) > 0 {
		mean := 0.0
		for _, x := range s.recalls {
			mean += x
		}
		mean /= float64(len(s.recalls))
		fmt.Fprintf(w, "word recall against pdftotext (%d files both read): median %.2f %%, p10 %.2f %%, mean %.2f %%\n",
			len(s.recalls), percentile(s.recalls, 50), percentile(s.recalls, 10), mean)
		fmt.Fprintf(w, "  crediting words pdftotext splits in two or three: median %.2f %%, p10 %.2f %%\n",
			percentile(s.splitRecalls, 50), percentile(s.splitRecalls, 10))
	}
	fmt.Fprintf(w, "Vietnamese letters: %v\n", s.viet)
	fmt.Fprintf(w, "Greek letters: %v\n", s.greek)
	fmt.Fprintf(w, "time (CPU, all files): ours %.2f s, pdftotext %.2f s, ratio %.2f; wall %.2f s vs %.2f s\n",
		s.ourCPU.Seconds(), s.popCPU.Seconds(), s.ourCPU.Seconds()/max(s.popCPU.Seconds(), 1e-9),
		s.ourWall.Seconds(), s.popWall.Seconds())
	if worst <= 0 {
		return
	}
	var low []row
	for _, r := range rows {
		if r.popRead && (r.ourCode != "" || r.recall() < 1) {
			low = append(low, r)
		}
	}
	slices.SortStableFunc(low, func(a, b row) int {
		ra, rb := a.recall(), b.recall()
		if a.ourCode != "" {
			ra = -1
		}
		if b.ourCode != "" {
			rb = -1
		}
		return cmp.Compare(ra, rb)
	})
	if len(low) > worst {
		low = low[:worst]
	}
	if len(low) > 0 {
		fmt.Fprintf(w, "lowest recall:\n")
	}
	for _, r := range low {
		fmt.Fprintf(w, "  %s\n", r.line())
		if r.ourCode != "" && r.ourDetail != "" {
			fmt.Fprintf(w, "      %s\n", firstLine(r.ourDetail))
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
