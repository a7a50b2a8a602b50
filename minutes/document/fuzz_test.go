package document

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseCoverage: the cmap reader meets only the embedded fonts in production, but it is a
// parser of binary tables all the same: any input gives a result or an error, never a panic.
func FuzzParseCoverage(f *testing.F) {
	for _, face := range fontFaces() {
		f.Add(face)
	}
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00cmap\x00\x00\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCoverage(data)
		if err != nil {
			return
		}
		for _, r := range []rune{0, 'A', 'ễ', 0xFFFF, 0x10000, -1} {
			_ = c.has(r)
		}
	})
}

// FuzzRender: whatever text a caller puts in the names, positions, percentages and consequence,
// Render returns a PDF or a refusal naming the text, never a panic caught by its guard.
func FuzzRender(f *testing.F) {
	f.Add("Nguyễn Văn Hùng", "Bí thư Tỉnh ủy", "97,78%", "")
	f.Add("Trần 😀", "𠀋", "100%", "x")
	f.Add("\xff\xfe", "\u0000\u200b", "", "\n\n\t")
	f.Add("Ngô "+string(make([]byte, 0))+"Bảo\u0301 Châu", "Phó Chủ tịch\u00a0Ủy ban nhân dân tỉnh kiêm nhiệm rất nhiều chức vụ khác nhau trong hệ thống chính trị", "1,5%", "Có trên 1/2")
	f.Add("王小明", "Директор", "%", "(1)")
	base := fixture(TrackParty, 3)
	f.Fuzz(func(t *testing.T, name, position, pct, flag string) {
		m := base
		m.Rows = append([]Row(nil), base.Rows...)
		m.Rows[1].Name, m.Rows[1].Position, m.Rows[1].ThapPct, m.Rows[1].Flag = name, position, pct, flag
		m.Absent = []Absentee{{Name: name, Reason: flag}}
		// The same text as an issue, a void reason and a correction's reason: whatever it ends
		// with, the documents add their own punctuation to it.
		m.Irregularities = []string{flag, position}
		m.InvalidReasons = []string{pct}
		m.Version, m.CorrectionReason = 2, position
		b, err := Render(KindReport, m)
		if errors.Is(err, ErrRender) {
			t.Fatalf("internal failure for %q %q %q %q: %v", name, position, pct, flag, err)
		}
		if err != nil {
			if !errors.Is(err, ErrUnsupportedText) && !errors.Is(err, ErrInvalidModel) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
			t.Fatalf("not a complete PDF (%d bytes)", len(b))
		}
		if !utf8.ValidString(name) {
			t.Fatal("invalid UTF-8 rendered instead of refused")
		}
		if _, err := Render(KindCounting, m); err != nil {
			t.Fatalf("the report rendered but the counting minutes did not: %v", err)
		}
	})
}

// FuzzEndWith: whatever an item ends with, endWith ends it with at most one mark of its own,
// never a stop or semicolon after another.
func FuzzEndWith(f *testing.F) {
	for _, s := range []string{"", "Có.", "Có;", "Có..", "Có...", "Có…", "Vì sao?", " . ; ", "a,:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, mark := range []string{".", ";"} {
			got := endWith(s, mark)
			if got == "" {
				continue
			}
			if mark == "." && (strings.HasSuffix(got, "...") || strings.ContainsAny(lastRune(got), "…?!")) {
				continue // an ellipsis, "?" or "!" takes no full stop after it
			}
			body, ok := strings.CutSuffix(got, mark)
			if !ok {
				t.Fatalf("endWith(%q, %q) = %q: the mark is missing", s, mark, got)
			}
			if strings.HasSuffix(body, "...") {
				continue
			}
			if r := lastRune(body); r != "" && strings.Contains(".;,:", r) {
				t.Fatalf("endWith(%q, %q) = %q: doubled punctuation", s, mark, got)
			}
		}
	})
}
