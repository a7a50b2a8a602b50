package dossier

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestParseLead(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // 0 = refused
	}{
		{"72h", 72 * time.Hour},
		{"30m", 30 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{" 2h ", 2 * time.Hour},
		{"3d", 72 * time.Hour},
		{"1d", 24 * time.Hour},
		{"10d", 240 * time.Hour},
		{"0d", 0},
		{"-1d", 0},
		{"03d", 0},
		{"1.5d", 0},
		{"d", 0},
		{"2dd", 0},
		{"0s", 0},
		{"-2h", 0},
		{"72", 0},
		{"", 0},
		{"soon", 0},
	}
	for _, tc := range tests {
		got, err := ParseLead(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseLead(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLead(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestLeadJSONKeepsNotation(t *testing.T) {
	in := []Lead{{D: 72 * time.Hour, Text: "3d"}, {D: 90 * time.Minute, Text: "90m"}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `["3d","90m"]` {
		t.Errorf("marshalled %s", data)
	}
	var out []Lead
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip %+v → %+v", in, out)
	}
	if err := json.Unmarshal([]byte(`["soon"]`), &out); err == nil {
		t.Error("a bad lead was unmarshalled")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Trần Quốc Hùng":           "tran-quoc-hung",
		"Đặng Hữu Phước":           "dang-huu-phuoc",
		"  Tỉnh ủy   Bình Sơn  ":   "tinh-uy-binh-son",
		"Hội đồng nhân dân (HĐND)": "hoi-dong-nhan-dan-hdnd",
		"Ban Thường vụ 2025–2030":  "ban-thuong-vu-2025-2030",
		"阮文安":                      "",
		"":                         "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGenerateID(t *testing.T) {
	a := GenerateID("Tỉnh ủy Bình Sơn", "Lấy phiếu tín nhiệm", "2028-12-15")
	if !roundIDPattern.MatchString(a) {
		t.Fatalf("generated id %q does not match the round id pattern", a)
	}
	if a != GenerateID("  Tỉnh ủy Bình Sơn ", "Lấy phiếu tín nhiệm", "2028-12-15") {
		t.Error("surrounding space changes the id")
	}
	for _, other := range []string{
		GenerateID("Tỉnh ủy Bình Sơn", "Lấy phiếu tín nhiệm", "2028-12-16"),
		GenerateID("Tỉnh ủy Bình Sơn", "Lấy phiếu tín nhiệm HĐND", "2028-12-15"),
		GenerateID("Tỉnh ủy Bình Định", "Lấy phiếu tín nhiệm", "2028-12-15"),
	} {
		if other == a {
			t.Errorf("different rounds share the id %q", a)
		}
	}
	long := GenerateID("Ban Thường vụ Đảng ủy các cơ quan Đảng và đoàn thể chính trị tỉnh Bình Sơn", "T", "2028-12-15")
	if len(long) > 64 || !roundIDPattern.MatchString(long) {
		t.Errorf("long organization gives id %q", long)
	}
	if id := GenerateID("阮文安", "T", "2028-12-15"); !roundIDPattern.MatchString(id) {
		t.Errorf("non-Latin organization gives id %q", id)
	}
}

func testRound() Round {
	return Round{
		ID: "r1", Track: TrackParty, Organization: "Tỉnh ủy Bình Sơn", Title: "Lấy phiếu", Timezone: "Asia/Tokyo",
		VoteDate: "2028-12-15", Summoned: 5, Required: []Kind{KindSelfAssessment, KindAssetDeclaration, KindOther},
		Deadlines: Deadlines{
			Dossier:            Deadline{At: time.Date(2028, 11, 25, 14, 59, 59, 999999999, time.UTC), Source: "default"},
			ExplanationRequest: Deadline{At: time.Date(2028, 12, 5, 14, 59, 59, 999999999, time.UTC), Source: "default"},
			Explanation:        Deadline{At: time.Date(2028, 12, 12, 8, 0, 0, 0, time.UTC), Given: "2028-12-12T17:00", Source: "file"},
		},
		Alerts: []Lead{{D: 24 * time.Hour, Text: "24h"}},
		Nominees: []Nominee{
			{ID: "a", Name: "An"},
			{ID: "b", Name: "Bình", Retiring: true, ExemptReason: "Đã có thông báo nghỉ hưu / nghỉ chờ hưu"},
			{ID: "c", Name: "Cúc"},
		},
	}
}

func TestRoundAccessors(t *testing.T) {
	r := testRound()
	if n, ok := r.Nominee("b"); !ok || n.Name != "Bình" || n.OnBallot() {
		t.Errorf("Nominee(b) = %+v, %v", n, ok)
	}
	if _, ok := r.Nominee("z"); ok {
		t.Error("Nominee(z) found")
	}
	var ids []string
	for _, n := range r.OnBallot() {
		ids = append(ids, n.ID)
	}
	if !slices.Equal(ids, []string{"a", "c"}) {
		t.Errorf("OnBallot %q", ids)
	}
	for _, tc := range []struct {
		kind Kind
		want Deadline
		ok   bool
	}{
		{KindSelfAssessment, r.Deadlines.Dossier, true},
		{KindAssetDeclaration, r.Deadlines.Dossier, true},
		{KindExplanationRequest, r.Deadlines.ExplanationRequest, true},
		{KindExplanation, r.Deadlines.Explanation, true},
		{KindOther, r.Deadlines.Dossier, true}, // required in this round
		{Kind("selfie"), Deadline{}, false},
	} {
		got, ok := r.DeadlineFor(tc.kind)
		if got != tc.want || ok != tc.ok {
			t.Errorf("DeadlineFor(%s) = %+v %v", tc.kind, got, ok)
		}
	}
	r.Required = []Kind{KindSelfAssessment}
	if _, ok := r.DeadlineFor(KindOther); ok {
		t.Error("an unrequired 'other' document has a deadline")
	}
	for _, name := range AllDeadlines() {
		if _, ok := r.Deadline(name); !ok {
			t.Errorf("Deadline(%s) missing", name)
		}
	}
	if _, ok := r.Deadline("closing"); ok {
		t.Error("Deadline(closing) found")
	}
	if got := r.FormatTime(r.Deadlines.Explanation.At); got != "17:00 12/12/2028" {
		t.Errorf("FormatTime in Tokyo = %q", got)
	}
	if got := r.FormatTime(r.Deadlines.Dossier.At); got != "23:59 25/11/2028" {
		t.Errorf("FormatTime of an end of day = %q", got)
	}
	r.Timezone = "Nowhere/Atlantis"
	if r.Location() != time.UTC {
		t.Error("an unknown zone does not fall back to UTC")
	}
}

func TestRoundJSONRoundTrip(t *testing.T) {
	r := testRound()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Round
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("JSON round trip changed the round:\n%+v\n%+v", r, back)
	}
}
