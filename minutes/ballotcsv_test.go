package minutes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"tinnhiem/internal/problem"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func utf16LE(s string) string {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func TestParseSheetBallots(t *testing.T) {
	b, t2, l, x, e := MarkCao, MarkTinNhiem, MarkThap, MarkSpoiled, MarkBlank
	basic := &BallotSheet{Columns: []string{"n01", "n02"}, Rows: []BallotRow{
		{Number: 1, Line: 2, Marks: []Mark{b, t2}},
		{Number: 2, Line: 3, Marks: []Mark{l, e}},
		{Number: 3, Line: 4, Marks: []Mark{x, x}},
	}}
	tests := []struct {
		name string
		in   string
		want *BallotSheet
	}{
		{"plain", "ballot,n01,n02\n1,1,2\n2,3,\n3,x,X\n", basic},
		{"excel vi-VN: BOM, CRLF, semicolons, spaces, empty trailing cells and lines",
			"\uFEFFballot;n01;n02;\r\n 1 ; 1 ;2;\r\n2;3;;\r\n3; x ;X;\r\n;;;\r\n\r\n\r\n", basic},
		{"tabs", "ballot\tn01\tn02\n1\t1\t2\n2\t3\t\n3\tx\tX\n", basic},
		{"utf-16 with BOM", utf16LE("ballot\tn01\tn02\r\n1\t1\t2\r\n2\t3\t\r\n3\tx\tX\r\n"), basic},
		{"lone CR line ends", "ballot,n01,n02\r1,1,2\r2,3,\r3,x,X\r", basic},
		{"quoted cells", "\"ballot\",\"n01\",\"n02\"\n\"1\",\"1\",\"2\"\n2,3,\"\"\n3,x,X\n", basic},
		{"leading blank lines shift line numbers", "\n\nballot,n01,n02\n1,1,2\n",
			&BallotSheet{Columns: []string{"n01", "n02"}, Rows: []BallotRow{{Number: 1, Line: 4, Marks: []Mark{b, t2}}}}},
		{"invalid column anywhere after ballot", "Ballot,n01,INVALID,n02\n1,1,1,2\n02,2,,3\n3,3,0,\n",
			&BallotSheet{Columns: []string{"n01", "n02"}, Rows: []BallotRow{
				{Number: 1, Line: 2, Marks: []Mark{b, t2}, Invalid: true},
				{Number: 2, Line: 3, Marks: []Mark{t2, l}},
				{Number: 3, Line: 4, Marks: []Mark{l, e}},
			}}},
		{"header only", "ballot,n01\n", &BallotSheet{Columns: []string{"n01"}, Rows: []BallotRow{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSheet(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParseSheet: %v", err)
			}
			if s.Counts != nil || s.Nominees != nil {
				t.Errorf("ballot CSV parsed with counts %v %v", s.Counts, s.Nominees)
			}
			if !reflect.DeepEqual(s.Ballots, tt.want) {
				t.Errorf("got %+v\nwant %+v", s.Ballots, tt.want)
			}
		})
	}
}

func TestParseSheetCounts(t *testing.T) {
	want := map[string]Counts{
		"n01": {Cao: 40, TinNhiem: 3, Thap: 1, Invalid: 1, Valid: 44},
		"n02": {Cao: 0, TinNhiem: 10, Thap: 30, Invalid: 5, Valid: 40},
	}
	tests := []struct{ name, in string }{
		{"plain", "nominee,cao,tin_nhiem,thap,invalid\nn01,40,3,1,1\nn02,0,10,30,5\n"},
		{"excel vi-VN", "\uFEFFnominee;cao;tin_nhiem;thap;invalid\r\nn01;40;3;1;1\r\n n02 ; 0 ; 10 ; 30 ; 5 \r\n;;;;\r\n"},
		{"columns in another order, with valid", "NOMINEE,invalid,valid,thap,tin_nhiem,cao\nn01,1,44,1,3,40\nn02,5,40,30,10,0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSheet(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParseSheet: %v", err)
			}
			if s.Ballots != nil {
				t.Errorf("count CSV parsed as ballots")
			}
			if !reflect.DeepEqual(s.Counts, want) {
				t.Errorf("counts %+v, want %+v", s.Counts, want)
			}
			if !reflect.DeepEqual(s.Nominees, []string{"n01", "n02"}) {
				t.Errorf("order %v", s.Nominees)
			}
		})
	}
}

// checkProblems asserts err is a problem.List holding the wanted problems (where — path, line,
// column, person — and code, in order, as a prefix) and that every message is fit to show.
func checkProblems(t *testing.T, err error, want ...Problem) problem.List {
	t.Helper()
	var ve problem.List
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T), want problem.List", err, err)
	}
	if len(ve) < len(want) {
		t.Fatalf("got %d problems %+v, want at least %+v", len(ve), ve, want)
	}
	for i, w := range want {
		p := ve[i]
		if place(p) != place(w) || p.Code != w.Code {
			t.Errorf("problem %d = {%s %q %q}, want %s code %q", i, place(p), p.Code, p.Message, place(w), w.Code)
		}
		if w.Message != "" && !strings.Contains(p.Message, w.Message) {
			t.Errorf("problem %d message %q does not contain %q", i, p.Message, w.Message)
		}
	}
	for _, p := range ve {
		checkMessage(t, p.Message)
	}
	return ve
}

// place is where a problem stands, by its structure.
func place(p Problem) string {
	return fmt.Sprintf("%s line=%d column=%q nominee=%q", p.Path, p.Line, p.Column, p.Nominee)
}

// cell is a problem wanted at a line, column and person of the sheet.
func cell(line int, column, nominee string, code string, msg ...string) Problem {
	return Problem{Path: "sheet", Line: line, Column: column, Nominee: nominee, Code: code, Message: strings.Join(msg, "")}
}

func checkMessage(t *testing.T, m string) {
	t.Helper()
	if m == "" || !utf8.ValidString(m) || !norm.NFC.IsNormalString(m) || strings.Contains(m, "%!") {
		t.Errorf("message %q is empty, not NFC UTF-8, or badly formatted", m)
	}
}

func TestParseSheetProblems(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Problem
	}{
		{"empty", "", []Problem{cell(0, "", "", CodeFormat)}},
		{"only blank lines and separators", "\uFEFF\r\n;;;\r\n\r\n", []Problem{cell(0, "", "", CodeFormat)}},
		{"unknown header", "name,a,b\n1,2,3\n", []Problem{cell(1, "", "", CodeBadHeader, "ballot")}},
		{"no nominee column", "ballot,invalid\n1,\n", []Problem{cell(1, "", "", CodeBadHeader)}},
		{"repeated nominee column", "ballot,n01,n02,n01\n", []Problem{cell(1, "n01", "n01", CodeDuplicateNominee)}},
		{"empty header cell", "ballot,n01,,n02\n", []Problem{cell(1, "3", "", CodeBadHeader)}},
		{"two invalid columns", "ballot,invalid,n01,invalid\n", []Problem{cell(1, "4", "", CodeBadHeader)}},
		{"id beyond the BMP", "ballot,n01,n\U00020000\n", []Problem{cell(1, "3", "", CodeText, "U+20000")}},
		{"bad mark names ballot and column", "ballot,n01,n02,n03\n16,1,2,3\n17,1,2,4\n",
			[]Problem{cell(3, "n03", "n03", CodeBadCell, "Phiếu số 17 (dòng 3), cột n03: giá trị “4”")}},
		{"every bad mark is listed", "ballot,n01,n02\n1,0,v\n2,11,1\n", []Problem{
			cell(2, "n01", "n01", CodeBadCell),
			cell(2, "n02", "n02", CodeBadCell),
			cell(3, "n01", "n01", CodeBadCell),
		}},
		{"ballot number not a number", "ballot,n01\nabc,1\n", []Problem{cell(2, "ballot", "", CodeBadCell)}},
		{"ballot number zero", "ballot,n01\n0,1\n", []Problem{cell(2, "ballot", "", CodeBadCell)}},
		{"ballot number negative", "ballot,n01\n-3,1\n", []Problem{cell(2, "ballot", "", CodeBadCell)}},
		{"ballot number decimal", "ballot,n01\n1.5,1\n", []Problem{cell(2, "ballot", "", CodeBadCell)}},
		{"ballot number missing, bad mark named by line", "ballot,n01\n,7\n", []Problem{
			cell(2, "ballot", "", CodeBadCell),
			cell(2, "n01", "n01", CodeBadCell, "Dòng 2, cột n01"),
		}},
		{"duplicate ballot number", "ballot,n01\n5,1\n6,2\n05,3\n", []Problem{cell(4, "ballot", "", CodeDuplicateBallot, "dòng 2 và dòng 4")}},
		{"short row", "ballot,n01,n02\n1,1,2\n2,1\n", []Problem{cell(3, "", "", CodeFormat)}},
		{"content beyond the header", "ballot,n01\n1,1,2\n", []Problem{cell(2, "", "", CodeFormat)}},
		{"bad invalid cell", "ballot,n01,invalid\n1,1,yes\n", []Problem{cell(2, "invalid", "", CodeBadCell)}},
		{"stray quote", "ballot,n01\n1,\"1\"2\n", []Problem{cell(2, "", "", CodeFormat)}},
		{"not UTF-8 (Windows-1258)", "ballot,n01\n1,1\n\xd0\xe3\n", []Problem{cell(0, "", "", CodeFormat, "UTF-8")}},
		{"count: missing column", "nominee,cao,tin_nhiem,invalid\nn01,1,2,3\n", []Problem{cell(1, "", "", CodeBadHeader, "thap")}},
		{"count: unknown column", "nominee,cao,tin_nhiem,thap,invalid,ghi_chu\n", []Problem{cell(1, "6", "", CodeBadHeader)}},
		{"count: repeated column", "nominee,cao,cao,tin_nhiem,thap,invalid\n", []Problem{cell(1, "3", "", CodeBadHeader)}},
		{"count: empty cell", "nominee,cao,tin_nhiem,thap,invalid\nn01,1,2,,0\n", []Problem{cell(2, "thap", "n01", CodeBadCell, "ghi 0")}},
		{"count: negative", "nominee,cao,tin_nhiem,thap,invalid\nn01,1,-2,3,0\n", []Problem{cell(2, "tin_nhiem", "n01", CodeBadCell)}},
		{"count: too large", "nominee,cao,tin_nhiem,thap,invalid\nn01,1,2,99999999,0\n", []Problem{cell(2, "thap", "n01", CodeBadCell)}},
		{"count: text", "nominee,cao,tin_nhiem,thap,invalid\nn01,1,2,ba,0\n", []Problem{cell(2, "thap", "n01", CodeBadCell)}},
		{"count: no nominee", "nominee,cao,tin_nhiem,thap,invalid\n,1,2,3,0\n", []Problem{cell(2, "nominee", "", CodeBadCell)}},
		{"count: duplicate nominee", "nominee,cao,tin_nhiem,thap,invalid\nn01,1,2,3,0\nn01,1,2,3,0\n", []Problem{cell(3, "nominee", "n01", CodeDuplicateNominee)}},
		{"count: valid disagrees", "nominee,cao,tin_nhiem,thap,invalid,valid\nn01,1,2,3,0,7\n", []Problem{cell(2, "valid", "n01", CodeBadCell)}},
		{"count: no rows", "nominee,cao,tin_nhiem,thap,invalid\n", []Problem{cell(0, "", "", CodeFormat)}},
		{"count: name beyond the BMP", "nominee,cao,tin_nhiem,thap,invalid\n\U0001F600,1,2,3,0\n", []Problem{cell(2, "nominee", "", CodeText)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSheet(strings.NewReader(tt.in))
			if s.Ballots != nil || s.Counts != nil {
				t.Errorf("a failed parse returned data: %+v", s)
			}
			ve := checkProblems(t, err, tt.want...)
			if len(ve) != len(tt.want) {
				t.Errorf("got %d problems %+v, want %d", len(ve), ve, len(tt.want))
			}
		})
	}
}

func TestParseSheetLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("ballot,n01\n")
	for i := 1; i <= 500; i++ {
		b.WriteString(strconv.Itoa(i) + ",9\n")
	}
	_, err := ParseSheet(strings.NewReader(b.String()))
	ve := checkProblems(t, err)
	if len(ve) != maxProblems+1 || ve[maxProblems].Code != CodeTooMany {
		t.Errorf("got %d problems, last %+v; want %d and a too_many_problems note", len(ve), ve[len(ve)-1], maxProblems+1)
	}

	huge := strings.Repeat("ballot,n01\n", maxSheetBytes/11+1)
	_, err = ParseSheet(strings.NewReader(huge))
	checkProblems(t, err, cell(0, "", "", CodeFormat))
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseSheetReadError(t *testing.T) {
	_, err := ParseSheet(failingReader{})
	var ve problem.List
	if err == nil || errors.As(err, &ve) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read failure gave %v, want it wrapped as is", err)
	}
}

func TestMarkJSON(t *testing.T) {
	s := BallotSheet{Columns: []string{"n01", "n02", "n03", "n04", "n05"}, Rows: []BallotRow{
		{Number: 7, Marks: []Mark{MarkBlank, MarkCao, MarkTinNhiem, MarkThap, MarkSpoiled}, Invalid: true},
	}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"columns":["n01","n02","n03","n04","n05"],"rows":[{"ballot":7,"marks":["","1","2","3","x"],"invalid":true}]}`
	if string(b) != want {
		t.Errorf("json %s\nwant %s", b, want)
	}
	var back BallotSheet
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("round trip gave %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"rows":[{"marks":["4"]}]}`), &back); err == nil {
		t.Errorf("mark 4 decoded without error")
	}
	if _, err := json.Marshal([]Mark{Mark(9)}); err == nil {
		t.Errorf("mark 9 encoded without error")
	}
}

// encodeSheet writes a parsed ballot sheet back as CSV, for round-trip checks.
func encodeSheet(s *BallotSheet) string {
	var b strings.Builder
	b.WriteString("ballot")
	for _, c := range s.Columns {
		b.WriteString("," + c)
	}
	b.WriteString(",invalid\n")
	for _, r := range s.Rows {
		b.WriteString(strconv.Itoa(r.Number))
		for _, m := range r.Marks {
			b.WriteString("," + m.String())
		}
		if r.Invalid {
			b.WriteString(",1")
		} else {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func FuzzParseSheet(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "tally", "*.csv"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"ballot,n01,n02\n1,1,2\n2,3,\n3,x,X\n",
		"\uFEFFballot;n01;invalid\r\n1;1;1\r\n",
		utf16LE("ballot\tn01\r\n1\t3\r\n"),
		"nominee,cao,tin_nhiem,thap,invalid,valid\nn01,1,2,3,0,6\n",
		"ballot,\"n\"\"01\"\n1,\"\n\"\n",
		"ballot,n01\r\r1,1\r",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSheet(strings.NewReader(in))
		if err != nil {
			var ve problem.List
			if !errors.As(err, &ve) || len(ve) == 0 {
				t.Fatalf("error %v is not a problem.List", err)
			}
			for _, p := range ve {
				if !utf8.ValidString(p.Message) || p.Message == "" {
					t.Fatalf("bad message %q", p.Message)
				}
			}
			return
		}
		if (s.Ballots == nil) == (s.Counts == nil) {
			t.Fatalf("want exactly one of ballots and counts: %+v", s)
		}
		if s.Counts != nil {
			if len(s.Counts) != len(s.Nominees) || len(s.Counts) == 0 {
				t.Fatalf("counts %v vs order %v", s.Counts, s.Nominees)
			}
			for id, c := range s.Counts {
				if id == "" || c.Cao < 0 || c.TinNhiem < 0 || c.Thap < 0 || c.Invalid < 0 || c.Valid != c.Cao+c.TinNhiem+c.Thap {
					t.Fatalf("bad counts %q %+v", id, c)
				}
			}
			return
		}
		seen := map[int]bool{}
		for _, r := range s.Ballots.Rows {
			if r.Number <= 0 || seen[r.Number] || len(r.Marks) != len(s.Ballots.Columns) {
				t.Fatalf("bad row %+v", r)
			}
			seen[r.Number] = true
			for _, m := range r.Marks {
				if m > MarkSpoiled {
					t.Fatalf("bad mark in %+v", r)
				}
			}
		}
		if strings.ContainsAny(strings.Join(s.Ballots.Columns, ""), ",\"\r\n") {
			return // ids that need quoting are not worth re-encoding here
		}
		again, err := ParseSheet(strings.NewReader(encodeSheet(s.Ballots)))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", encodeSheet(s.Ballots), err)
		}
		for i := range again.Ballots.Rows {
			again.Ballots.Rows[i].Line = s.Ballots.Rows[i].Line
		}
		if !reflect.DeepEqual(again.Ballots, s.Ballots) {
			t.Fatalf("round trip changed the sheet:\n%+v\n%+v", s.Ballots, again.Ballots)
		}
	})
}
