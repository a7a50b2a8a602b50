package document

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tinnhiem/ingest/pdftext"
)

func tallyHash(m Model) string {
	sum := sha256.Sum256(m.TallyJSON)
	return hex.EncodeToString(sum[:])
}

// pageLines gives each page's extracted lines without the page number and the footer.
func pageLines(res pdftext.Result, hash string) [][]string {
	out := make([][]string, len(res.PageTexts))
	for i, p := range res.PageTexts {
		for j, l := range strings.Split(p, "\n") {
			if j == 0 && i > 0 && l == strconv.Itoa(i+1) || strings.Contains(l, hash) || strings.TrimSpace(l) == "" {
				continue
			}
			out[i] = append(out[i], l)
		}
	}
	return out
}

// pageOf is the first page (0-based) with a line containing sub, or -1.
func pageOf(pages [][]string, sub string) int {
	for i, p := range pages {
		for _, l := range p {
			if strings.Contains(l, sub) {
				return i
			}
		}
	}
	return -1
}

// shifted are variants of the fixtures whose text before the end grows line by line, so page
// breaks fall at every place in the closing parts of the documents.
func shifted(track Track, n, k int) Model {
	m := fixture(track, n)
	for i := range k {
		m.Irregularities = append(m.Irregularities, fmt.Sprintf("Ban kiểm phiếu ghi nhận sự việc thứ %d trong quá trình kiểm phiếu", i+1))
		m.Excluded = append(m.Excluded, Exclusion{Name: personName(300 + i), Position: positions[i%len(positions)], Reason: "đã có thông báo nghỉ hưu"})
	}
	m.TallyJSON = tallyJSON(m)
	return m
}

// isSectionHeading tells a section heading line, "III. KẾT QUẢ KIỂM PHIẾU", by its roman
// number and its capitals.
func isSectionHeading(line string) bool {
	num, title, ok := strings.Cut(line, ". ")
	return ok && slices.Contains(romans, num) && title == strings.ToUpper(title) && strings.ToLower(title) != title
}

// TestKeptTogether renders documents whose page breaks fall everywhere in their second half and
// checks what must never be separated: the signatures start on the page of the closing
// paragraph; no page ends with a section heading; a table header is followed by a row.
func TestKeptTogether(t *testing.T) {
	if testing.Short() {
		t.Skip("renders many documents")
	}
	closing := map[Kind]string{
		KindCounting: "Việc kiểm phiếu kết thúc vào",
		KindSession:  "kết thúc vào hồi",
		KindReport:   "Kết quả lấy phiếu tín nhiệm được",
	}
	// Every count of extra lines from 0 to 23 moves the page breaks through the closing parts;
	// under the race detector every third one is enough to run the code paths.
	step := 1
	if raceEnabled {
		step = 3
	}
	for _, track := range []Track{TrackParty, TrackState} {
		for _, n := range []int{3, 15} {
			t.Run(fmt.Sprintf("%s/%d", track, n), func(t *testing.T) {
				t.Parallel()
				keptTogether(t, track, n, step, closing)
			})
		}
	}
}

// keptTogether checks the documents of one track and size, k extra lines at a time.
func keptTogether(t *testing.T, track Track, n, step int, closing map[Kind]string) {
	for k := 0; k < 24; k += step {
		m := shifted(track, n, k)
		for _, kind := range Kinds() {
			b, err := Render(kind, m)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%d notes/%s", k, kind)
			pages := pageLines(extract(t, b), tallyHash(m))
			sign := -1
			switch kind {
			case KindCounting:
				for i, p := range pages {
					if slices.Contains(p, "BAN KIỂM PHIẾU") {
						sign = i
					}
				}
			case KindSession:
				sign = pageOf(pages, "THƯ KÝ "+upper(docOf(m).meeting()))
			case KindReport:
				sign = pageOf(pages, "Nơi nhận:")
			}
			if c := pageOf(pages, closing[kind]); sign < 0 || c != sign {
				t.Errorf("%s: signatures on page %d, the closing paragraph starts on page %d", name, sign+1, c+1)
			}
			for i, p := range pages {
				if len(p) == 0 {
					t.Errorf("%s: page %d is empty", name, i+1)
					continue
				}
				last := p[len(p)-1]
				if isSectionHeading(last) {
					t.Errorf("%s: page %d ends with the heading %q", name, i+1, last)
				}
				if strings.HasPrefix(last, "STT Họ và tên") || strings.HasSuffix(last, "Tỷ lệ") {
					t.Errorf("%s: page %d ends with the table header", name, i+1)
				}
			}
		}
	}
}

// docOf is a doc around m, for the wording helpers.
func docOf(m Model) *doc { return &doc{m: m} }

// TestTableStartsWhereItFits: a results table starts on the current page when its header and
// two rows fit there, rather than leaving the space empty; when not even the header and one row
// fit, it moves on whole with its caption.
func TestTableStartsWhereItFits(t *testing.T) {
	const intro = "Kết quả cụ thể như sau:"
	for _, tc := range []struct {
		name      string
		rows      float64 // rows of room under the header (fractions: part of the next row)
		samePage  bool
		wantShown int // rows expected on page 1
	}{
		{"room for two rows", 2.05, true, 2},
		{"room for three rows", 3.05, true, 3},
		{"room for half a row", 0.5, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(TrackParty, 15)
			fonts := fontFaces()
			covers := make([]*coverage, len(fonts))
			for i, f := range fonts {
				c, err := parseCoverage(f)
				if err != nil {
					t.Fatal(err)
				}
				covers[i] = c
			}
			m, err := clean(m, covers)
			if err != nil {
				t.Fatal(err)
			}
			s := &sheet{pdf: newPDF(fonts)}
			doc := &doc{m: m, s: s, kind: KindCounting, loc: vietnam}
			s.pdf.AddPage()
			marks, _ := doc.markers()
			tb, body := resultTable(s, m.Rows, marks, false)
			need := s.height(intro, bodyText)
			for _, h := range tb.headRows(s) {
				need += h
			}
			s.font("", tb.size)
			for i := 0; float64(i) < tc.rows; i++ {
				cells := make([][]string, len(body[i]))
				for j, c := range body[i] {
					cells[j] = s.wrap(c, tb.widths[j]-2*padH)
				}
				h := rowHeight(cells, lineHeight(tb.size))
				need += h * min(1, tc.rows-float64(i))
			}
			s.setY(bottomY - need)
			doc.results(intro, false)
			out := &strings.Builder{}
			if err := s.pdf.Output(out); err != nil {
				t.Fatal(err)
			}
			res := extract(t, []byte(out.String()))
			page1 := res.PageTexts[0]
			if got := strings.Contains(page1, "STT Họ và tên"); got != tc.samePage {
				t.Errorf("table header on page 1: %v, want %v", got, tc.samePage)
			}
			if got := strings.Contains(page1, intro); got != tc.samePage {
				t.Errorf("caption on page 1: %v, want %v (it goes with the table)", got, tc.samePage)
			}
			shown := 0
			for _, l := range strings.Split(page1, "\n") {
				for _, r := range m.Rows {
					if strings.HasPrefix(l, strconv.Itoa(r.Order)+" ") && strings.Contains(l, r.CaoPct) {
						shown++
					}
				}
			}
			if shown != tc.wantShown {
				t.Errorf("%d rows on page 1, want %d", shown, tc.wantShown)
			}
		})
	}
}

// TestLegendOnceUnderTable: the legend of the note marks is printed once, on the page of the
// table's last row and under it, never between two parts of a table that goes on; each
// threshold is named with its consequence.
func TestLegendOnceUnderTable(t *testing.T) {
	for _, n := range []int{5, 60, 90} {
		m := fixture(TrackParty, n)
		m.Rows = append([]Row(nil), m.Rows...)
		for i := range m.Rows {
			m.Rows[i].Flag, m.Rows[i].Threshold = "", ""
			switch {
			case i%17 == 8 || i == n-1:
				m.Rows[i].Flag, m.Rows[i].Threshold = flagTwoThird, thresholdTwoThird
			case i%11 == 4:
				m.Rows[i].Flag, m.Rows[i].Threshold = flagHalf, thresholdHalf
			}
		}
		m.TallyJSON = tallyJSON(m)
		_, notes := docOf(m).markers()
		last := m.Rows[n-1]
		for _, kind := range Kinds() {
			t.Run(fmt.Sprintf("%d/%s", n, kind), func(t *testing.T) {
				b, err := Render(kind, m)
				if err != nil {
					t.Fatal(err)
				}
				pages := pageLines(extract(t, b), tallyHash(m))
				legendPages, lastRowPage := 0, -1
				for i, p := range pages {
					text := flat(strings.Join(p, "\n"))
					for _, l := range p {
						if strings.HasPrefix(l, strconv.Itoa(last.Order)+" ") && strings.Contains(l, last.ThapPct) {
							lastRowPage = i
						}
					}
					if c := strings.Count(text, legendTitle); c > 0 {
						legendPages++
						if c > 1 {
							t.Errorf("page %d has the legend %d times", i+1, c)
						}
						if lastRowPage != i {
							t.Errorf("legend on page %d, the table's last row on page %d", i+1, lastRowPage+1)
						}
						for k, note := range notes {
							if line := flat(legendLine(k, note)); !strings.Contains(text, line) {
								t.Errorf("page %d: legend lacks %q", i+1, line)
							}
						}
						if !strings.Contains(text, "Tín nhiệm thấp từ 2/3") {
							t.Errorf("page %d: the legend does not name the threshold reached", i+1)
						}
					}
				}
				if legendPages != 1 {
					t.Errorf("legend on %d pages, want 1", legendPages)
				}
			})
		}
	}
}

// The signer's line of a body with a long name breaks before its place, as the header does:
// "TM. HỘI ĐỒNG NHÂN DÂN" / "HUYỆN AN LẠC", never "… NHÂN" / "DÂN HUYỆN …".
func TestSignerTitleBreaksBeforeThePlace(t *testing.T) {
	m := fixture(TrackState, 5)
	m.Organization = "Hội đồng nhân dân huyện An Lạc"
	m.Signer = Signer{Name: "Nguyễn Văn Quyết"}
	m.TallyJSON = tallyJSON(m)
	for _, kind := range []Kind{KindReport, KindNotice} {
		b, err := Render(kind, m)
		if err != nil {
			t.Fatal(err)
		}
		if *dump != "" {
			_ = os.WriteFile(filepath.Join(*dump, "signer-"+string(kind)+".pdf"), b, 0o644)
		}
		pages := pageLines(extract(t, b), tallyHash(m))
		var title, place bool
		for _, l := range pages[len(pages)-1] {
			title = title || strings.HasSuffix(l, "TM. HỘI ĐỒNG NHÂN DÂN")
			place = place || strings.HasSuffix(l, "HUYỆN AN LẠC") && !strings.Contains(l, "NHÂN DÂN")
		}
		if !title || !place {
			t.Errorf("%s: signer's lines %q", kind, pages[len(pages)-1])
		}
	}
}
