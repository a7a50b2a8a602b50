package ingest

import "testing"

// A size limit is never shown rounded up, nor rounded down to a whole unit it is far from.
func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{50 << 20, "50 MB"},
		{3_000_000, "2,86 MB (3.000.000 byte)"},
		{1<<20 + 1, "1 MB (1.048.577 byte)"},
		{5 << 19, "2,5 MB (2.621.440 byte)"},
		{2<<20 - 1, "1,99 MB (2.097.151 byte)"},
		{4 << 10, "4 KB"},
		{1500, "1,46 KB (1.500 byte)"},
		{1023, "1.023 byte"},
		{0, "0 byte"},
	}
	for _, tc := range tests {
		if got := humanBytes(tc.n); got != tc.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
