package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"tinnhiem/dossier"
	"tinnhiem/minutes"
)

func rawItems(t *testing.T, items ...string) []json.RawMessage {
	t.Helper()
	out := make([]json.RawMessage, len(items))
	for i, s := range items {
		if !json.Valid([]byte(s)) {
			t.Fatalf("test item %q is not JSON", s)
		}
		out[i] = json.RawMessage(s)
	}
	return out
}

func TestParseAbsentAndCommittee(t *testing.T) {
	tests := []struct {
		name           string
		absent, commit []string
		wantAbsent     []minutes.Absentee
		wantCommittee  []minutes.Member
		wantProblems   []dossier.Problem
	}{
		{name: "none"},
		{
			name:          "strings, spaces trimmed, no value",
			absent:        []string{`" Lê Văn Đức : đi công tác "`, `"Phạm Minh Tuấn"`},
			commit:        []string{`"Lưu Văn Sáng: Trưởng ban"`, `"Kha Thị Hậu:Thư ký"`},
			wantAbsent:    []minutes.Absentee{{Name: "Lê Văn Đức", Reason: "đi công tác"}, {Name: "Phạm Minh Tuấn"}},
			wantCommittee: []minutes.Member{{Name: "Lưu Văn Sáng", Role: "Trưởng ban"}, {Name: "Kha Thị Hậu", Role: "Thư ký"}},
		},
		{
			name:          "only the first colon splits",
			absent:        []string{`"Đỗ Thanh Tùng: ốm: có giấy"`},
			wantAbsent:    []minutes.Absentee{{Name: "Đỗ Thanh Tùng", Reason: "ốm: có giấy"}},
			commit:        []string{`"Lưu Văn Sáng: Ủy viên: kiêm thư ký"`},
			wantCommittee: []minutes.Member{{Name: "Lưu Văn Sáng", Role: "Ủy viên: kiêm thư ký"}},
		},
		{
			name:          "objects are taken as they are",
			absent:        []string{`{"name":"Lê Văn Đức","reason":"ốm"}`, `{"name":" Phạm Minh Tuấn "}`},
			commit:        []string{`{"name":"Kha Thị Hậu","role":"Thư ký"}`},
			wantAbsent:    []minutes.Absentee{{Name: "Lê Văn Đức", Reason: "ốm"}, {Name: " Phạm Minh Tuấn "}},
			wantCommittee: []minutes.Member{{Name: "Kha Thị Hậu", Role: "Thư ký"}},
		},
		{
			name:          "bad items are problems at their index, the good ones are kept",
			absent:        []string{`"Lê Văn Đức: ốm"`, `42`, `["x"]`},
			commit:        []string{`true`, `{"name":"Kha Thị Hậu","role":"Thư ký"}`},
			wantAbsent:    []minutes.Absentee{{Name: "Lê Văn Đức", Reason: "ốm"}},
			wantCommittee: []minutes.Member{{Name: "Kha Thị Hậu", Role: "Thư ký"}},
			wantProblems: []dossier.Problem{
				{Path: "absent[1]", Message: `phải là "Họ tên: lý do" hoặc {"name","reason"}`},
				{Path: "absent[2]", Message: `phải là "Họ tên: lý do" hoặc {"name","reason"}`},
				{Path: "committee[0]", Message: `phải là "Họ tên: vai trò" hoặc {"name","role"}`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps []dossier.Problem
			absent, committee := parseAbsentAndCommittee(rawItems(t, tc.absent...), rawItems(t, tc.commit...), &ps)
			if !reflect.DeepEqual(absent, tc.wantAbsent) {
				t.Errorf("absent = %#v, want %#v", absent, tc.wantAbsent)
			}
			if !reflect.DeepEqual(committee, tc.wantCommittee) {
				t.Errorf("committee = %#v, want %#v", committee, tc.wantCommittee)
			}
			if !reflect.DeepEqual(ps, tc.wantProblems) {
				t.Errorf("problems = %#v, want %#v", ps, tc.wantProblems)
			}
		})
	}
}
