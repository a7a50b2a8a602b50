package minutes

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

func roster45() []Candidate {
	return []Candidate{
		{ID: "n01", Name: "Trần Quốc Hùng", Position: "Bí thư Tỉnh ủy"},
		{ID: "n02", Name: "Lê Thị Mai", Position: "Phó Bí thư Thường trực Tỉnh ủy"},
		{ID: "n03", Name: "Nguyễn Văn Đức", Position: "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"},
		{ID: "n04", Name: "Phạm Minh Tuấn", Position: "Trưởng Ban Tổ chức Tỉnh ủy"},
		{ID: "n05", Name: "Võ Thị Hồng", Position: "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"},
		{ID: "n06", Name: "Đặng Văn Sơn", Position: "Trưởng Ban Tuyên giáo Tỉnh ủy", Exempt: "Mới được bổ nhiệm trong năm"},
	}
}

func committee3() []Member {
	return []Member{
		{Name: "Hoàng Văn Bình", Role: "Trưởng ban"},
		{Name: "Ngô Thị Lan", Role: "Thư ký"},
		{Name: "Bùi Quang Vinh", Role: "uỷ viên"},
	}
}

func parseFile(t testing.TB, name string) Sheet {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "tally", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ParseSheet(f)
	if err != nil {
		t.Fatalf("ParseSheet(%s): %v", name, err)
	}
	return s
}

// golden compares v, as indented JSON, with testdata/tally/<name>; -update rewrites it.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "tally", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestComputePublished45(t *testing.T) {
	att := Attendance{Summoned: 45, Present: 45, Issued: 45, Collected: 45}
	wantCao := []string{"100%", "97,78%", "93,33%", "88,89%", "57,78%"}
	wantCaoValue := []float64{100, 97.78, 93.33, 88.89, 57.78}
	for _, file := range []string{"bs45_ballots.csv", "bs45_counts.csv"} {
		t.Run(file, func(t *testing.T) {
			res, err := Compute(roster45(), Rules{}, parseFile(t, file).Input(att, committee3()))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Nominees) != 5 {
				t.Fatalf("%d nominees, want the 5 on the ballot", len(res.Nominees))
			}
			for i, n := range res.Nominees {
				if n.PercentText.Cao != wantCao[i] || n.Percent.Cao != wantCaoValue[i] {
					t.Errorf("%s cao = %s / %v, want %s / %v", n.Nominee, n.PercentText.Cao, n.Percent.Cao, wantCao[i], wantCaoValue[i])
				}
				if n.Denominator != 45 || n.Flags != (Flags{}) {
					t.Errorf("%s denominator %d flags %+v", n.Nominee, n.Denominator, n.Flags)
				}
			}
			if !res.QuorumMet || res.Denominator != dossier.DenominatorSummoned || res.BlankRow != dossier.BlankRowVoidRow {
				t.Errorf("quorum %v denominator %q blank row %q", res.QuorumMet, res.Denominator, res.BlankRow)
			}
			if len(res.Exempt) != 1 || res.Exempt[0].ID != "n06" {
				t.Errorf("exempt %+v", res.Exempt)
			}
			if res.Committee[2].Role != RoleMember {
				t.Errorf("role %q not normalised to %q", res.Committee[2].Role, RoleMember)
			}
			golden(t, strings.TrimSuffix(file, ".csv")+".golden.json", res)
		})
	}
}

func TestComputeThirtyThresholds(t *testing.T) {
	roster := make([]Candidate, 6)
	for i := range roster {
		roster[i] = Candidate{ID: fmt.Sprintf("n%02d", i+1), Name: fmt.Sprintf("Người thứ %d", i+1)}
	}
	att := Attendance{Summoned: 30, Present: 30, Issued: 30, Collected: 30}
	res, err := Compute(roster, Rules{Denominator: dossier.DenominatorSummoned}, parseFile(t, "thirty_counts.csv").Input(att, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		thap string
		f    Flags
	}{
		{"50%", Flags{}},                     // 15 of 30 is not more than half
		{"53,33%", Flags{OverHalfLow: true}}, // 16 of 30 is
		{"63,33%", Flags{OverHalfLow: true}}, // 19 of 30: over half, under 2/3
		{"66,67%", Flags{true, true}},        // 20 of 30 is exactly 2/3
		{"100%", Flags{true, true}},          // all
		{"0%", Flags{}},                      // none
	}
	for i, n := range res.Nominees {
		if n.PercentText.Thap != want[i].thap || n.Flags != want[i].f {
			t.Errorf("%s thấp %s flags %+v, want %s %+v", n.Nominee, n.PercentText.Thap, n.Flags, want[i].thap, want[i].f)
		}
	}
	golden(t, "thirty.golden.json", res)
}

func TestComputeBlankRowRules(t *testing.T) {
	roster := []Candidate{{ID: "n01", Name: "A"}, {ID: "n02", Name: "B"}, {ID: "n03", Name: "C"}}
	att := Attendance{Summoned: 7, Present: 6, Issued: 6, Collected: 6, Absent: []Absentee{{Name: "Lý Văn Tám", Reason: "Ốm"}}}
	sheet := parseFile(t, "blank.csv")
	tests := []struct {
		rule          string
		valid, void   int
		n01, n02, n03 Counts
		// why ballots were void: marked invalid, void for a bad row; rows void per person
		marked, badRow int
		blank, spoiled [3]int
	}{
		{dossier.BlankRowVoidRow, 5, 1,
			Counts{Cao: 3, TinNhiem: 1, Invalid: 2, Valid: 4},
			Counts{Cao: 1, TinNhiem: 3, Invalid: 2, Valid: 4},
			Counts{Cao: 1, TinNhiem: 1, Thap: 3, Invalid: 1, Valid: 5},
			1, 0, [3]int{0, 1, 0}, [3]int{1, 0, 0}},
		{dossier.BlankRowVoidBallot, 3, 3,
			Counts{Cao: 2, TinNhiem: 1, Invalid: 3, Valid: 3},
			Counts{Cao: 1, TinNhiem: 2, Invalid: 3, Valid: 3},
			Counts{Cao: 1, TinNhiem: 1, Thap: 1, Invalid: 3, Valid: 3},
			1, 2, [3]int{}, [3]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			res, err := Compute(roster, Rules{BlankRow: tt.rule}, sheet.Input(att, committee3()))
			if err != nil {
				t.Fatal(err)
			}
			if res.ValidBallots != tt.valid || res.InvalidBallots != tt.void {
				t.Errorf("ballots valid %d invalid %d, want %d %d", res.ValidBallots, res.InvalidBallots, tt.valid, tt.void)
			}
			for i, want := range []Counts{tt.n01, tt.n02, tt.n03} {
				if got := res.Nominees[i].Counts; got != want {
					t.Errorf("%s counts %+v, want %+v", res.Nominees[i].Nominee, got, want)
				}
				if n := res.Nominees[i]; n.BlankRows != tt.blank[i] || n.SpoiledRows != tt.spoiled[i] {
					t.Errorf("%s rows void for the person: %d blank %d spoiled, want %d %d", n.Nominee, n.BlankRows, n.SpoiledRows, tt.blank[i], tt.spoiled[i])
				}
			}
			if res.VoidMarked != tt.marked || res.VoidBadRow != tt.badRow {
				t.Errorf("void ballots: %d marked, %d for a bad row; want %d, %d", res.VoidMarked, res.VoidBadRow, tt.marked, tt.badRow)
			}
			golden(t, "blank_"+tt.rule+".golden.json", res)
		})
	}
}

func TestComputeDenominators(t *testing.T) {
	roster := []Candidate{{ID: "n01", Name: "A"}}
	att := Attendance{Summoned: 30, Present: 24, Issued: 23, Collected: 22}
	counts := map[string]Counts{"n01": {Cao: 6, TinNhiem: 2, Thap: 12, Invalid: 2}}
	tests := []struct {
		rule, thap string
		den        int
		f          Flags
		words      string
	}{
		{"", "40%", 30, Flags{}, "tổng số người được triệu tập"},
		{dossier.DenominatorSummoned, "40%", 30, Flags{}, "tổng số người được triệu tập"},
		{dossier.DenominatorPresent, "50%", 24, Flags{}, "tổng số người có mặt"},
		{dossier.DenominatorCollected, "54,55%", 22, Flags{OverHalfLow: true}, "tổng số phiếu thu vào"},
		{" Valid_For_Person ", "60%", 20, Flags{OverHalfLow: true}, "tổng số phiếu hợp lệ đối với từng người"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			res, err := Compute(roster, Rules{Denominator: tt.rule}, Input{Attendance: att, Counts: counts})
			if err != nil {
				t.Fatal(err)
			}
			n := res.Nominees[0]
			if n.PercentText.Thap != tt.thap || n.Denominator != tt.den || n.Flags != tt.f || res.DenominatorText != tt.words {
				t.Errorf("thấp %s of %d flags %+v words %q; want %s of %d %+v %q", n.PercentText.Thap, n.Denominator, n.Flags, res.DenominatorText, tt.thap, tt.den, tt.f, tt.words)
			}
			if n.Counts.Valid != 20 || res.ValidBallots != 22 || res.InvalidBallots != 0 {
				t.Errorf("valid %d, ballots %d/%d", n.Counts.Valid, res.ValidBallots, res.InvalidBallots)
			}
		})
	}
	// A person nobody voted for validly must not divide by zero.
	res, err := Compute(roster, Rules{Denominator: dossier.DenominatorValidForPerson}, Input{Attendance: att, Counts: map[string]Counts{"n01": {Invalid: 22}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Nominees[0]; n.Percent != (Percent{}) || n.PercentText.Cao != "0%" || n.Flags != (Flags{}) {
		t.Errorf("zero valid votes gave %+v", n)
	}
}

func ballotsOf(cols []string, rows ...string) *BallotSheet {
	s := &BallotSheet{Columns: cols}
	for i, r := range rows {
		row := BallotRow{Number: i + 1, Marks: make([]Mark, len(r))}
		for j, c := range r {
			switch c {
			case '-':
				row.Marks[j] = MarkBlank
			case '!':
				row.Invalid = true
				row.Marks = row.Marks[:j]
			default:
				m, ok := parseMark(string(c))
				if !ok {
					panic(string(c))
				}
				row.Marks[j] = m
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

func TestComputeQuorum(t *testing.T) {
	roster := []Candidate{{ID: "n01", Name: "A"}}
	for _, tt := range []struct {
		summoned, present int
		ok                bool
	}{
		{45, 29, false}, {45, 30, true}, {3, 1, false}, {3, 2, true}, {30, 19, false}, {30, 20, true}, {1, 0, false}, {1, 1, true},
	} {
		rows := make([]string, tt.present)
		for i := range rows {
			rows[i] = "1"
		}
		in := Input{
			Attendance: Attendance{Summoned: tt.summoned, Present: tt.present, Issued: tt.present, Collected: tt.present},
			Ballots:    ballotsOf([]string{"n01"}, rows...),
		}
		res, err := Compute(roster, Rules{}, in)
		if tt.ok {
			if err != nil || !res.QuorumMet {
				t.Errorf("%d of %d: %v, quorum %v; want quorum met", tt.present, tt.summoned, err, res.QuorumMet)
			}
			continue
		}
		if !BelowQuorum(err) {
			t.Errorf("%d of %d: %v, want BelowQuorum", tt.present, tt.summoned, err)
			continue
		}
		checkProblems(t, err, Problem{Path: "present", Code: CodeBelowQuorum, Message: "2/3"})
		if res.Nominees != nil || res.QuorumMet {
			t.Errorf("a failed tally returned a result %+v", res)
		}
	}
}

// validInput is a correct small tally that each case of TestComputeProblems breaks once.
func validInput() ([]Candidate, Rules, Input) {
	roster := []Candidate{
		{ID: "n01", Name: "Trần Văn An", Position: "Chủ tịch"},
		{ID: "n02", Name: "Lê Thị Bích", Position: "Phó Chủ tịch"},
		{ID: "n03", Name: "Phan Văn Cường", Exempt: "Đã có thông báo nghỉ hưu"},
	}
	in := Input{
		Attendance: Attendance{Summoned: 10, Present: 9, Issued: 9, Collected: 9, Absent: []Absentee{{Name: "Đỗ Văn Dũng"}}},
		Committee:  committee3(),
		Ballots:    ballotsOf([]string{"n01", "n02"}, "11", "12", "13", "21", "22", "23", "31", "x-", "11!"),
	}
	return roster, Rules{}, in
}

func TestComputeValidInput(t *testing.T) {
	roster, rules, in := validInput()
	res, err := Compute(roster, rules, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.ValidBallots != 8 || res.InvalidBallots != 1 {
		t.Errorf("ballots %d/%d", res.ValidBallots, res.InvalidBallots)
	}
	want := []Counts{{Cao: 3, TinNhiem: 3, Thap: 1, Invalid: 2, Valid: 7}, {Cao: 3, TinNhiem: 2, Thap: 2, Invalid: 2, Valid: 7}}
	for i, w := range want {
		if res.Nominees[i].Counts != w {
			t.Errorf("%s %+v, want %+v", res.Nominees[i].Nominee, res.Nominees[i].Counts, w)
		}
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %+v", res.Warnings)
	}
	if r := res.Absent[0].ReasonText(); r != "không có lý do" {
		t.Errorf("reason text %q", r)
	}
}

func TestComputeProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(roster *[]Candidate, rules *Rules, in *Input)
		want   []Problem
	}{
		{"summoned zero", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Summoned = 0
		}, []Problem{Problem{Path: "summoned", Code: CodeAttendance}}},
		{"negative figure", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Present = -1
			in.Issued, in.Collected, in.Absent, in.Ballots.Rows = 0, 0, nil, nil
		}, []Problem{Problem{Path: "present", Code: CodeAttendance, Message: "số âm"}}},
		{"present over summoned", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Present, in.Absent = 11, nil
		}, []Problem{Problem{Path: "present", Code: CodeAttendance, Message: "(11)"}}},
		{"issued over present", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Issued = 10
		}, []Problem{Problem{Path: "issued", Code: CodeAttendance}}},
		{"collected over issued", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Issued = 8
		}, []Problem{Problem{Path: "collected", Code: CodeAttendance}}},
		{"rows differ from collected", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Rows = in.Ballots.Rows[:8]
		}, []Problem{Problem{Path: "ballots", Code: CodeRowCount, Message: "8 phiếu"}}},
		{"unknown person's column", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Columns[1] = "n99"
		}, []Problem{cell(0, "n99", "n99", CodeUnknownNominee), cell(0, "n02", "n02", CodeMissingNominee)}},
		{"exempt person on the ballot", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Columns = append(in.Ballots.Columns, "n03")
			for i := range in.Ballots.Rows {
				in.Ballots.Rows[i].Marks = append(in.Ballots.Rows[i].Marks, MarkCao)
			}
		}, []Problem{cell(0, "n03", "n03", CodeExemptOnBallot, "nghỉ hưu")}},
		{"person missing from the ballot", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Columns = in.Ballots.Columns[:1]
			for i := range in.Ballots.Rows {
				in.Ballots.Rows[i].Marks = in.Ballots.Rows[i].Marks[:1]
			}
		}, []Problem{cell(0, "n02", "n02", CodeMissingNominee, "Lê Thị Bích")}},
		{"repeated column", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Columns[1] = "n01"
		}, []Problem{cell(0, "n01", "n01", CodeDuplicateNominee), cell(0, "n02", "n02", CodeMissingNominee)}},
		{"duplicate ballot number", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Rows[4].Number = 2
		}, []Problem{cell(0, "", "", CodeDuplicateBallot)}},
		{"malformed cell", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Rows[3].Marks[1] = Mark(7)
		}, []Problem{cell(0, "n02", "n02", CodeBadCell)}},
		{"short row", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Rows[3].Marks = in.Ballots.Rows[3].Marks[:1]
		}, []Problem{cell(0, "", "", CodeBadCell)}},
		{"ballot without number", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots.Rows[3].Number = 0
		}, []Problem{cell(0, "", "", CodeBadCell)}},
		{"invalid ballots disagree with the sheet", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.InvalidBallots = 2
		}, []Problem{Problem{Path: "invalid_ballots", Code: CodeAttendance}}},
		{"ballots and counts", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Counts = map[string]Counts{}
		}, []Problem{Problem{Path: "sheet", Code: CodeNoData}}},
		{"no data", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Ballots = nil
		}, []Problem{Problem{Path: "sheet", Code: CodeNoData}}},
		{"bad denominator", func(_ *[]Candidate, r *Rules, _ *Input) {
			r.Denominator = "voters"
		}, []Problem{Problem{Path: "rules.denominator", Code: CodeRules}}},
		{"bad blank-row rule", func(_ *[]Candidate, r *Rules, _ *Input) {
			r.BlankRow = "ignore"
		}, []Problem{Problem{Path: "rules.blank_row", Code: CodeRules}}},
		{"absent list does not match", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Absent = append(in.Absent, Absentee{Name: "Mai Văn Em", Reason: "Đi công tác"})
		}, []Problem{Problem{Path: "absent", Code: CodeAbsent, Message: "10 − 9 = 1"}}},
		{"absentee without name", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Absent[0].Name = "  "
		}, []Problem{Problem{Path: "absent[0].name", Code: CodeAbsent}}},
		{"absentee twice", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Present, in.Issued, in.Collected = 8, 8, 8
			in.Ballots.Rows = in.Ballots.Rows[:8]
			in.Absent = append(in.Absent, Absentee{Name: "đỗ  văn dũng"})
		}, []Problem{Problem{Path: "absent[1].name", Code: CodeAbsent}}},
		{"absentee name beyond the BMP", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Absent[0].Name = "Nguyễn Văn \U00020B9F"
		}, []Problem{Problem{Path: "absent[0].name", Code: CodeText, Message: "U+20B9F"}}},
		{"reason beyond the BMP", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Absent[0].Reason = "Ốm 🤒"
		}, []Problem{Problem{Path: "absent[0].reason", Code: CodeText, Message: "phông chữ"}}},
		{"control character in a name", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[0].Name = "Hoàng\nVăn Bình"
		}, []Problem{Problem{Path: "committee[0].name", Code: CodeText}}},
		{"not UTF-8", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[0].Position = "Ch\xff tịch"
		}, []Problem{Problem{Path: "roster[0].position", Code: CodeText}}},
		{"roster name beyond the BMP", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[1].Name = "Lê Thị \U0002A6A5"
		}, []Problem{Problem{Path: "roster[1].name", Code: CodeText}}},
		{"committee role unknown", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[2].Role = "Phó ban"
		}, []Problem{Problem{Path: "committee[2].role", Code: CodeCommittee, Message: "Phó ban"}}},
		{"committee role missing", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[2].Role = ""
		}, []Problem{Problem{Path: "committee[2].role", Code: CodeCommittee}}},
		{"committee member without name", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[1].Name = ""
		}, []Problem{Problem{Path: "committee[1].name", Code: CodeCommittee}}},
		{"person on the ballot counts votes", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[2].Name = "TRẦN VĂN AN"
		}, []Problem{Problem{Path: "committee[2].name", Code: CodeCommittee, Message: "n01"}}},
		{"two heads", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee[1].Role = "trưởng ban"
		}, []Problem{Problem{Path: "committee", Code: CodeCommittee}}},
		{"member twice", func(_ *[]Candidate, _ *Rules, in *Input) {
			in.Committee = append(in.Committee, Member{Name: "Ngô Thị Lan", Role: "Ủy viên"})
		}, []Problem{Problem{Path: "committee[3].name", Code: CodeCommittee}}},
		{"empty roster", func(roster *[]Candidate, _ *Rules, _ *Input) {
			*roster = nil
		}, []Problem{Problem{Path: "roster", Code: CodeRoster}, cell(0, "n01", "n01", CodeUnknownNominee), cell(0, "n02", "n02", CodeUnknownNominee)}},
		{"roster id missing", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[2].ID = ""
		}, []Problem{Problem{Path: "roster[2].id", Code: CodeRoster}}},
		{"roster id twice", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[2].ID = "n01"
		}, []Problem{Problem{Path: "roster[2].id", Code: CodeRoster}}},
		{"roster id is a column name", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[2].ID = "Invalid"
		}, []Problem{Problem{Path: "roster[2].id", Code: CodeRoster}}},
		{"roster name missing", func(roster *[]Candidate, _ *Rules, _ *Input) {
			(*roster)[0].Name = ""
		}, []Problem{Problem{Path: "roster[0].name", Code: CodeRoster}}},
		{"every problem, not just the first", func(_ *[]Candidate, r *Rules, in *Input) {
			r.BlankRow = "?"
			in.Issued = 10
			in.Ballots.Columns[0] = "n42"
			in.Ballots.Rows[0].Number = 3
		}, []Problem{
			Problem{Path: "rules.blank_row", Code: CodeRules},
			Problem{Path: "issued", Code: CodeAttendance},
			cell(0, "n42", "n42", CodeUnknownNominee),
			cell(0, "n01", "n01", CodeMissingNominee),
			cell(0, "", "", CodeDuplicateBallot),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roster, rules, in := validInput()
			tt.change(&roster, &rules, &in)
			res, err := Compute(roster, rules, in)
			ve := checkProblems(t, err, tt.want...)
			if len(ve) != len(tt.want) {
				t.Errorf("got %d problems %+v, want %d", len(ve), ve, len(tt.want))
			}
			if BelowQuorum(err) {
				t.Errorf("not a quorum problem but BelowQuorum says so")
			}
			if res.Nominees != nil {
				t.Errorf("a failed tally returned a result")
			}
		})
	}
}

func countsInput(counts map[string]Counts) ([]Candidate, Input) {
	roster, _, in := validInput()
	in.Ballots = nil
	in.Counts = counts
	return roster, in
}

func TestComputeCountProblems(t *testing.T) {
	ok := Counts{Cao: 5, TinNhiem: 2, Thap: 1, Invalid: 1}
	tests := []struct {
		name   string
		counts map[string]Counts
		void   int
		want   []Problem
	}{
		{"counts exceed the ballots", map[string]Counts{"n01": ok, "n02": {Cao: 5, TinNhiem: 2, Thap: 1, Invalid: 2}},
			0, []Problem{cell(0, "", "n02", CodeCountsExceed, "vượt số phiếu thu vào (9)")}},
		{"valid votes exceed the valid ballots", map[string]Counts{"n01": ok, "n02": ok},
			2, []Problem{cell(0, "", "n01", CodeCountsExceed), cell(0, "", "n02", CodeCountsExceed)}},
		{"void ballots exceed collected", map[string]Counts{"n01": {}, "n02": {}},
			10, []Problem{Problem{Path: "invalid_ballots", Code: CodeAttendance}}},
		{"unknown person", map[string]Counts{"n01": ok, "n02": ok, "x9": ok},
			0, []Problem{cell(0, "", "x9", CodeUnknownNominee)}},
		{"exempt person", map[string]Counts{"n01": ok, "n02": ok, "n03": ok},
			0, []Problem{cell(0, "", "n03", CodeExemptOnBallot)}},
		{"missing person", map[string]Counts{"n01": ok},
			0, []Problem{cell(0, "n02", "n02", CodeMissingNominee)}},
		{"negative", map[string]Counts{"n01": ok, "n02": {Cao: -1}},
			0, []Problem{cell(0, "", "n02", CodeBadCell)}},
		{"valid disagrees", map[string]Counts{"n01": ok, "n02": {Cao: 1, Valid: 3}},
			0, []Problem{cell(0, "", "n02", CodeBadCell)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roster, in := countsInput(tt.counts)
			in.InvalidBallots = tt.void
			_, err := Compute(roster, Rules{}, in)
			ve := checkProblems(t, err, tt.want...)
			if len(ve) != len(tt.want) {
				t.Errorf("got %d problems %+v, want %d", len(ve), ve, len(tt.want))
			}
		})
	}

	roster, in := countsInput(map[string]Counts{"n01": ok, "n02": {Cao: 7, Invalid: 2, Valid: 7}})
	in.InvalidBallots = 1
	res, err := Compute(roster, Rules{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.ValidBallots != 8 || res.InvalidBallots != 1 || res.Nominees[0].Counts != (Counts{Cao: 5, TinNhiem: 2, Thap: 1, Invalid: 1, Valid: 8}) {
		t.Errorf("count tally %+v", res)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %+v", res.Warnings)
	}

	roster, in = countsInput(map[string]Counts{"n01": ok, "n02": {Cao: 6, Thap: 1}})
	res, err = Compute(roster, Rules{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Nominee != "n02" || res.Warnings[0].Code != CodeCountsShort {
		t.Errorf("hand count short of the ballots collected: warnings %+v", res.Warnings)
	}
}

func TestComputeNormalisesText(t *testing.T) {
	roster, rules, in := validInput()
	nfd := norm.NFD.String("Trần Văn An")
	roster[0].Name = "  " + nfd + " "
	in.Absent[0].Reason = norm.NFD.String(" Ốm ")
	in.Absent = in.Absent[:1]
	res, err := Compute(roster, rules, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Nominees[0].Name != "Trần Văn An" || res.Absent[0].Reason != "Ốm" {
		t.Errorf("names not trimmed NFC: %q %q", res.Nominees[0].Name, res.Absent[0].Reason)
	}
}

func TestComputeWarnings(t *testing.T) {
	roster, rules, in := validInput()
	in.Absent, in.Committee = nil, nil
	res, err := Compute(roster, rules, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 2 || res.Warnings[0].Path != "absent" || res.Warnings[1].Path != "committee" {
		t.Errorf("warnings %+v", res.Warnings)
	}
	for _, w := range res.Warnings {
		checkMessage(t, w.Message)
	}
}

func TestResultJSONContract(t *testing.T) {
	roster, rules, in := validInput()
	res, err := Compute(roster, rules, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"summoned", "present", "issued", "collected", "quorum_met", "denominator", "sealed", "nominees"} {
		if _, ok := m[k]; !ok {
			t.Errorf("tally JSON lacks %q", k)
		}
	}
	n := m["nominees"].([]any)[0].(map[string]any)
	for _, k := range []string{"nominee", "name", "counts", "percent", "flags"} {
		if _, ok := n[k]; !ok {
			t.Errorf("nominee JSON lacks %q", k)
		}
	}
	for obj, keys := range map[string][]string{
		"counts":  {"cao", "tin_nhiem", "thap", "invalid", "valid"},
		"percent": {"cao", "tin_nhiem", "thap"},
		"flags":   {"over_half_low", "two_thirds_low"},
	} {
		sub := n[obj].(map[string]any)
		for _, k := range keys {
			if _, ok := sub[k].(float64); !ok && obj != "flags" {
				t.Errorf("%s.%s is %T, want a number", obj, k, sub[k])
			}
			if _, ok := sub[k].(bool); !ok && obj == "flags" {
				t.Errorf("%s.%s is %T, want a bool", obj, k, sub[k])
			}
		}
	}
	// The stored input round-trips through JSON (the lead keeps it in a KV bucket).
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back Input
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if d := Compare(in, back); len(d) != 0 {
		t.Errorf("input changed through JSON: %+v", d)
	}
}

func TestConsequence(t *testing.T) {
	none, half, two := Flags{}, Flags{OverHalfLow: true}, Flags{OverHalfLow: true, TwoThirdsLow: true}
	tests := []struct {
		track string
		f     Flags
		want  string
	}{
		{dossier.TrackParty, none, ""},
		{dossier.TrackParty, half, "Không quy hoạch lên chức vụ cao hơn; xem xét cho thôi giữ chức vụ, bố trí công tác khác hoặc từ chức"},
		{dossier.TrackParty, two, "Xem xét miễn nhiệm, không chờ hết nhiệm kỳ"},
		{dossier.TrackState, none, ""},
		{dossier.TrackState, half, "Có thể xin từ chức; nếu không xin từ chức, cơ quan hoặc người có thẩm quyền trình bỏ phiếu tín nhiệm"},
		{dossier.TrackState, two, "Cơ quan hoặc người có thẩm quyền trình miễn nhiệm, không chờ hết nhiệm kỳ"},
		{"other", two, ""},
	}
	for _, tt := range tests {
		got := Consequence(tt.track, tt.f)
		if got != tt.want {
			t.Errorf("Consequence(%q, %+v) = %q, want %q", tt.track, tt.f, got, tt.want)
		}
		if got != "" {
			checkMessage(t, got)
		}
		// A formal document: no recall of deputies where dismissal is meant, no slash.
		if strings.Contains(got, "bãi nhiệm") || strings.Contains(got, "/") {
			t.Errorf("Consequence(%q, %+v) = %q", tt.track, tt.f, got)
		}
	}
	for _, tt := range []struct {
		track, den string
		f          Flags
		want       string
	}{
		{dossier.TrackParty, dossier.DenominatorSummoned, half, "Tín nhiệm thấp trên 1/2 đến dưới 2/3 tổng số người được triệu tập"},
		{dossier.TrackState, dossier.DenominatorSummoned, two, "Tín nhiệm thấp từ 2/3 tổng số đại biểu được triệu tập trở lên"},
		{dossier.TrackState, dossier.DenominatorCollected, half, "Tín nhiệm thấp trên 1/2 đến dưới 2/3 tổng số phiếu thu vào"},
		{dossier.TrackParty, dossier.DenominatorSummoned, none, ""},
	} {
		if got := ThresholdText(tt.track, tt.den, tt.f); got != tt.want {
			t.Errorf("ThresholdText(%s, %s, %+v) = %q, want %q", tt.track, tt.den, tt.f, got, tt.want)
		}
	}
	for f, want := range map[Flags]string{none: "", half: "Tín nhiệm thấp trên 1/2 đến dưới 2/3", two: "Tín nhiệm thấp từ 2/3 trở lên"} {
		if got := ThresholdWords(f); got != want {
			t.Errorf("ThresholdWords(%+v) = %q, want %q", f, got, want)
		}
	}
	if Consequence(dossier.TrackParty, half) == Consequence(dossier.TrackParty, two) || Consequence(dossier.TrackState, half) == Consequence(dossier.TrackState, two) {
		t.Errorf("the two thresholds have the same consequence")
	}
}

func TestWords(t *testing.T) {
	for _, d := range []string{dossier.DenominatorSummoned, dossier.DenominatorPresent, dossier.DenominatorCollected, dossier.DenominatorValidForPerson} {
		checkMessage(t, DenominatorWords(d))
	}
	for _, r := range []string{dossier.BlankRowVoidRow, dossier.BlankRowVoidBallot} {
		checkMessage(t, BlankRowWords(r))
	}
	if DenominatorWords("x") != "" || BlankRowWords("x") != "" {
		t.Errorf("unknown settings described")
	}
}

func BenchmarkCompute(b *testing.B) {
	const persons, ballots = 200, 500
	roster := make([]Candidate, persons)
	cols := make([]string, persons)
	for i := range roster {
		cols[i] = "n" + strconv.Itoa(i+1)
		roster[i] = Candidate{ID: cols[i], Name: "Người " + strconv.Itoa(i+1), Position: "Ủy viên"}
	}
	var csv strings.Builder
	csv.WriteString("ballot," + strings.Join(cols, ",") + ",invalid\n")
	for r := 1; r <= ballots; r++ {
		csv.WriteString(strconv.Itoa(r))
		for c := range persons {
			csv.WriteString("," + []string{"1", "2", "3", "", "x", "1", "1"}[(r*7+c*13)%7])
		}
		if r%50 == 0 {
			csv.WriteString(",1\n")
		} else {
			csv.WriteString(",\n")
		}
	}
	data := csv.String()
	att := Attendance{Summoned: ballots, Present: ballots, Issued: ballots, Collected: ballots}
	b.Run("compute", func(b *testing.B) {
		sheet, err := ParseSheet(strings.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		in := sheet.Input(att, nil)
		b.ResetTimer()
		for b.Loop() {
			if _, err := Compute(roster, Rules{}, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+compute", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sheet, err := ParseSheet(strings.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Compute(roster, Rules{BlankRow: dossier.BlankRowVoidBallot}, sheet.Input(att, nil)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
