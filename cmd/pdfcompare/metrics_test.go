package main

import (
	"testing"
)

func TestWords(t *testing.T) {
	got := wordList("Đề nghị, (2028) giải-trình\u00a0cho Ủy ban.")
	want := []string{"Đề", "nghị", "2028", "giải", "trình", "cho", "Ủy", "ban"}
	if len(got) != len(want) {
		t.Fatalf("%q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("word %d: %q, want %q", i, got[i], want[i])
		}
	}
	// Decomposed input is counted as its NFC form.
	if w := wordList("nghi\u0323"); len(w) != 1 || w[0] != "nghị" {
		t.Errorf("NFD: %q", w)
	}
}

func TestRecallCounts(t *testing.T) {
	pop := wordList("a b a c nhi ệm Th ường x")
	ours := words("a a b nhiệm Thường y")
	if got := matched(bag(pop), ours); got != 3 { // a, a, b
		t.Errorf("matched %d, want 3", got)
	}
	// The two split words count, as four pieces; c and x stay missing.
	if got := splitMatched(pop, ours); got != 7 {
		t.Errorf("splitMatched %d, want 7", got)
	}
	// A whole word is used once: the second split copy finds none left.
	if got := splitMatched(wordList("nhi ệm nhi ệm"), words("nhiệm")); got != 2 {
		t.Errorf("splitMatched %d, want 2", got)
	}
}

func TestLetterClasses(t *testing.T) {
	for _, r := range "đĐăâêôơưẠạẢảẤấỳỹỵ" {
		if !vietnamese(r) {
			t.Errorf("%c not Vietnamese", r)
		}
	}
	for _, r := range "aZçñüøßéè" {
		if vietnamese(r) && r != 'é' && r != 'è' {
			t.Errorf("%c counted as Vietnamese", r)
		}
	}
	if !greek('α') || !greek('Ω') || greek('a') || greek('∆') {
		t.Error("greek")
	}
}

func TestGarbled(t *testing.T) {
	if garbled("Báo cáo tự đánh giá\n\f") || garbled("\u202b يبيبَح\u202c") {
		t.Error("text taken for garbage")
	}
	if !garbled("\x02\x03\x04 \uE001\uE002 ab") {
		t.Error("control and private-use characters taken for text")
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{50, 10, 40, 30, 20, 100, 90, 80, 70, 60}
	for _, c := range []struct{ p, want float64 }{{50, 50}, {10, 10}, {100, 100}, {0, 10}, {91, 100}} {
		if got := percentile(xs, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}
