package initial

import "testing"

func TestCase(t *testing.T) {
	for _, c := range []struct{ in, upper, lower string }{
		{"", "", ""},
		{"báo cáo tự đánh giá", "Báo cáo tự đánh giá", "báo cáo tự đánh giá"},
		{"Đề nghị giải trình", "Đề nghị giải trình", "đề nghị giải trình"},
		{"ủy ban", "Ủy ban", "ủy ban"},
		{"1 người", "1 người", "1 người"},
		{"\xff bad", "\xff bad", "\xff bad"},
	} {
		if got := Upper(c.in); got != c.upper {
			t.Errorf("Upper(%q) = %q, want %q", c.in, got, c.upper)
		}
		if got := Lower(c.in); got != c.lower {
			t.Errorf("Lower(%q) = %q, want %q", c.in, got, c.lower)
		}
	}
}
