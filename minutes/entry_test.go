package minutes

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	base := func() Input {
		sheet, err := ParseSheet(strings.NewReader("ballot,n01,n02,n03,invalid\n1,1,2,3,\n2,1,,x,\n3,3,3,3,1\n17,1,1,1,\n"))
		if err != nil {
			panic(err)
		}
		return sheet.Input(Attendance{Summoned: 5, Present: 4, Issued: 4, Collected: 4,
			Absent: []Absentee{{Name: "Lý Văn Tám", Reason: "Ốm"}}}, committee3())
	}
	tests := []struct {
		name   string
		change func(b *Input)
		want   []Difference
	}{
		{"identical", func(*Input) {}, nil},
		{"same ballots in another order, columns reordered, names in other case", func(b *Input) {
			s, _ := ParseSheet(strings.NewReader("ballot;n03;invalid;n02;n01\r\n17;1;;1;1\r\n3;3;1;3;3\r\n2;x;;;1\r\n1;3;;2;1\r\n"))
			b.Ballots = s.Ballots
			b.Absent[0].Name = "lý văn  tám"
			b.Committee[0], b.Committee[2] = b.Committee[2], b.Committee[0]
			b.Committee[0].Role = "Ủy viên"
		}, nil},
		{"attendance", func(b *Input) {
			b.Present, b.Collected = 3, 5
		}, []Difference{{"present", "4", "3"}, {"collected", "4", "5"}}},
		{"one cell", func(b *Input) {
			b.Ballots.Rows[3].Marks[2] = MarkThap
		}, []Difference{{"ballot 17, cột n03", "1", "3"}}},
		{"blank against a mark, spoiled against blank", func(b *Input) {
			b.Ballots.Rows[1].Marks[1] = MarkCao
			b.Ballots.Rows[1].Marks[2] = MarkBlank
		}, []Difference{{"ballot 2, cột n02", "(trống)", "1"}, {"ballot 2, cột n03", "x", "(trống)"}}},
		{"invalid flag", func(b *Input) {
			b.Ballots.Rows[2].Invalid = false
		}, []Difference{{"ballot 3, cột invalid", "1", "(trống)"}}},
		{"ballot numbered differently", func(b *Input) {
			b.Ballots.Rows[3].Number = 4
		}, []Difference{{"ballot 4", "(không có)", "(có)"}, {"ballot 17", "(có)", "(không có)"}}},
		{"column only in one", func(b *Input) {
			b.Ballots.Columns[1] = "n09"
			b.Ballots.Rows[0].Marks[0] = MarkTinNhiem
		}, []Difference{{"cột n02", "(có)", "(không có)"}, {"cột n09", "(không có)", "(có)"}, {"ballot 1, cột n01", "1", "2"}}},
		{"absentee reason and committee role", func(b *Input) {
			b.Absent[0].Reason = ""
			b.Committee[1].Role = "Ủy viên"
		}, []Difference{{"absent: Lý Văn Tám", "Ốm", "không có lý do"}, {"committee: Ngô Thị Lan", "Thư ký", "Ủy viên"}}},
		{"different people", func(b *Input) {
			b.Absent[0].Name = "Lý Văn Tâm"
			b.Committee = b.Committee[:2]
		}, []Difference{
			{"absent: Lý Văn Tám", "Ốm", "(không có)"},
			{"absent: Lý Văn Tâm", "(không có)", "Ốm"},
			{"committee: Bùi Quang Vinh", "Ủy viên", "(không có)"},
		}},
		{"ballots against counts", func(b *Input) {
			b.Ballots, b.Counts = nil, map[string]Counts{}
		}, []Difference{{"sheet", "bảng phiếu", "bảng tổng hợp"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(&b)
			if got := Compare(a, b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Compare =\n%v\nwant\n%v", got, tt.want)
			}
			// Swapping the entries swaps the values, nothing else.
			back := Compare(b, a)
			if len(back) != len(tt.want) {
				t.Errorf("reverse comparison found %d differences, want %d: %v", len(back), len(tt.want), back)
			}
		})
	}
}

func TestCompareCounts(t *testing.T) {
	a := Input{Attendance: Attendance{Summoned: 30, Present: 30, Issued: 30, Collected: 30},
		Counts: map[string]Counts{"n01": {Cao: 20, TinNhiem: 5, Thap: 5}, "n02": {Cao: 10, TinNhiem: 10, Thap: 9, Invalid: 1}}}
	b := a
	b.Counts = map[string]Counts{"n01": {Cao: 19, TinNhiem: 5, Thap: 6, Valid: 30}, "n03": {}}
	want := []Difference{
		{"nominee n01, cột cao", "20", "19"},
		{"nominee n01, cột thap", "5", "6"},
		{"nominee n02", "(có)", "(không có)"},
		{"nominee n03", "(không có)", "(có)"},
	}
	if got := Compare(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("Compare =\n%v\nwant\n%v", got, want)
	}
	if got := Compare(a, a); len(got) != 0 {
		t.Errorf("an entry differs from itself: %v", got)
	}
}

// Both entries of the published case, typed once per ballot and once as counts by two
// people, agree with themselves after a parse round trip.
func TestCompareParsedEntries(t *testing.T) {
	first := parseFile(t, "bs45_ballots.csv").Input(Attendance{Summoned: 45, Present: 45, Issued: 45, Collected: 45}, nil)
	second := parseFile(t, "bs45_ballots.csv").Input(Attendance{Summoned: 45, Present: 45, Issued: 45, Collected: 45}, nil)
	second.Ballots.Rows[10].Marks[4] = MarkSpoiled
	got := Compare(first, second)
	if len(got) != 1 || got[0].Field != "ballot 11, cột n05" || got[0].Second != "x" {
		t.Errorf("Compare = %v", got)
	}
}
