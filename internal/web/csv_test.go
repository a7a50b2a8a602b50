package web

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCSVCellsNeutralised(t *testing.T) {
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","Bấm")`, `'=HYPERLINK("http://evil.example","Bấm")`},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝1+1", "'＝1+1"},
		{"Trần Quốc Hùng", "Trần Quốc Hùng"},
		{"a=b", "a=b"},
		{"", ""},
		{"12", "12"},
	}
	for _, c := range cases {
		if got := CSVCell(c.in); got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	in := []string{"=cmd|' /C calc'!A0", "Nguyễn Thị Thanh Hà", "-"}
	if err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	rec, err := csv.NewReader(&buf).Read()
	if err != nil {
		t.Fatal(err)
	}
	if rec[0] != "'=cmd|' /C calc'!A0" || rec[1] != in[1] || rec[2] != "'-" {
		t.Errorf("written %q", rec)
	}
	if in[0] != "=cmd|' /C calc'!A0" {
		t.Error("the caller's record was changed")
	}
}
