package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"tinnhiem/internal/problem"
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
		wantProblems   []problem.Problem
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
			wantProblems: []problem.Problem{
				{Path: "absent[1]", Message: `phải là "Họ tên: lý do" hoặc {"name","reason"}`},
				{Path: "absent[2]", Message: `phải là "Họ tên: lý do" hoặc {"name","reason"}`},
				{Path: "committee[0]", Message: `phải là "Họ tên: vai trò" hoặc {"name","role"}`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps []problem.Problem
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

func TestDecodeSession(t *testing.T) {
	tests := []struct {
		name, raw    string
		want         minutes.Session
		wantProblems []problem.Problem
	}{
		{name: "absent", raw: ""},
		{name: "null", raw: "null"},
		{name: "fields", raw: `{"chair":"Trần Quốc Hùng","irregularities":["Phiếu số 20 bị rách góc."],"copies":3}`,
			want: minutes.Session{Chair: "Trần Quốc Hùng", Irregularities: []string{"Phiếu số 20 bị rách góc."}, Copies: 3}},
		{name: "a string where a list is wanted", raw: `{"irregularities":"Phiếu số 20 bị rách góc."}`,
			wantProblems: []problem.Problem{{Path: "session.irregularities", Message: "thông tin kỳ họp: trường irregularities phải là một danh sách (mỗi mục một dòng chữ), không phải một chuỗi chữ"}}},
		{name: "words where a number is wanted", raw: `{"copies":"hai"}`,
			wantProblems: []problem.Problem{{Path: "session.copies", Message: "thông tin kỳ họp: trường copies phải là một số nguyên, không phải một chuỗi chữ"}}},
		{name: "a misspelt field", raw: `{"chairman":"Trần Quốc Hùng"}`,
			wantProblems: []problem.Problem{{Path: "session.chairman", Message: `thông tin kỳ họp: không có trường "chairman" (viết sai tên trường?)`}}},
		{name: "broken JSON", raw: `{"chair":`,
			wantProblems: []problem.Problem{{Path: "session", Message: "thông tin kỳ họp: JSON sai cú pháp ở byte 9"}}},
		{name: "every problem at once", raw: `{"agenda":"Lấy phiếu","chari":"X","copies":"hai","venue":"Hội trường"}`,
			wantProblems: []problem.Problem{
				{Path: "session.agenda", Message: "thông tin kỳ họp: trường agenda phải là một danh sách (mỗi mục một dòng chữ), không phải một chuỗi chữ"},
				{Path: "session.chari", Message: `thông tin kỳ họp: không có trường "chari" (viết sai tên trường?)`},
				{Path: "session.copies", Message: "thông tin kỳ họp: trường copies phải là một số nguyên, không phải một chuỗi chữ"},
			}},
		{name: "the State track's name of the session minutes", raw: `{"doc_numbers":{"bien-ban-ky-hop":"06/BB-HĐND","bao-cao-ket-qua":"147/BC-HĐND"}}`,
			want: minutes.Session{DocNumbers: map[string]string{"bien-ban-hoi-nghi": "06/BB-HĐND", "bao-cao-ket-qua": "147/BC-HĐND"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps []problem.Problem
			got := decodeSession(json.RawMessage(tc.raw), &ps)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("session = %#v, want %#v", got, tc.want)
			}
			if !reflect.DeepEqual(ps, tc.wantProblems) {
				t.Errorf("problems = %#v, want %#v", ps, tc.wantProblems)
			}
		})
	}
}
