package dossier

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"tinnhiem/internal/problem"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// baseFile is a valid party-track round file as a tree, for tests to spoil one field at a time.
func baseFile() map[string]any {
	return map[string]any{
		"id":                  "binh-son-btv-2028",
		"track":               "party",
		"organization":        "Tỉnh ủy Bình Sơn",
		"parent_organization": "Đảng bộ tỉnh Bình Sơn",
		"title":               "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy",
		"place":               "Bình Sơn",
		"vote_date":           "2028-12-15",
		"summoned":            45,
		"nominees": []any{
			map[string]any{"id": "n01", "name": "Trần Quốc Hùng", "position": "Bí thư Tỉnh ủy", "appointed": "2021-10-01"},
			map[string]any{"id": "n02", "name": "Lê Thị Mai", "position": "Phó Bí thư Thường trực"},
		},
	}
}

// nominee returns the i-th nominee of a file tree built by baseFile.
func nominee(f map[string]any, i int) map[string]any {
	return f["nominees"].([]any)[i].(map[string]any)
}

func marshalYAML(t testing.TB, v any) []byte {
	t.Helper()
	data, err := yaml.Marshal(v)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	return data
}

func mustParse(t *testing.T, data []byte) Round {
	t.Helper()
	r, err := ParseRound(data)
	if err != nil {
		t.Fatalf("ParseRound refused a valid file: %v\n%s", err, data)
	}
	return r
}

// problemsOf asserts that err is a problem.List whose messages are fit to show people.
func problemsOf(t testing.TB, err error) []problem.Problem {
	t.Helper()
	var ve problem.List
	if !errors.As(err, &ve) {
		t.Fatalf("want problem.List, got %T: %v", err, err)
	}
	if len(ve) == 0 {
		t.Fatal("problem.List without problems")
	}
	for _, p := range ve {
		checkMessage(t, p)
	}
	return ve
}

// checkMessage: Vietnamese (at least one letter with a diacritic or đ), valid UTF-8, NFC.
func checkMessage(t testing.TB, p problem.Problem) {
	t.Helper()
	if !utf8.ValidString(p.Message) || !norm.NFC.IsNormalString(p.Message) || !utf8.ValidString(p.Path) {
		t.Errorf("problem %q: %q is not clean NFC UTF-8", p.Path, p.Message)
	}
	vietnamese := strings.ContainsFunc(p.Message, func(r rune) bool { return r > 0x7F && unicode.IsLetter(r) })
	if !vietnamese {
		t.Errorf("problem %q: message %q is not Vietnamese", p.Path, p.Message)
	}
}

func TestParseRoundGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/rounds/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range files {
		if strings.HasSuffix(in, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRound(data)
			var got any = r
			if err != nil {
				got = map[string]any{"problems": problemsOf(t, err)}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			golden := in + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("ParseRound(%s) differs from %s (run go test -update after checking the change):\n%s", in, golden, buf.String())
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d round files in testdata/rounds", n)
	}
}

// The files under testdata carry facts worth stating outright, not only in golden form.
func TestParseRoundExampleFiles(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata/rounds", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	t.Run("party", func(t *testing.T) {
		r := mustParse(t, read("party-binh-son.yaml"))
		if len(r.Nominees) != 10 || len(r.OnBallot()) != 7 {
			t.Fatalf("nominees %d, on ballot %d; want 10 and 7", len(r.Nominees), len(r.OnBallot()))
		}
		wantExempt := map[string]string{
			"n03": "Mới được bầu/bổ nhiệm trong năm 2028 (ngày 02/03/2028)",
			"n04": "Đã có thông báo nghỉ hưu / nghỉ chờ hưu",
			"n06": "Đang bị tạm đình chỉ công tác để xem xét kỷ luật",
		}
		for _, n := range r.Nominees {
			if n.ExemptReason != wantExempt[n.ID] {
				t.Errorf("%s: exempt reason %q, want %q", n.ID, n.ExemptReason, wantExempt[n.ID])
			}
		}
		if got := r.Deadlines.Explanation; got.At != time.Date(2028, 12, 12, 10, 0, 0, 0, time.UTC) || got.Source != "file" || got.Given != "2028-12-12T17:00" {
			t.Errorf("explanation deadline %+v", got)
		}
		if got := r.Notify.Emails; !slices.Equal(got, []string{"vanphong@binhson.example"}) {
			t.Errorf("emails %q", got)
		}
	})
	t.Run("state JSON with tabs", func(t *testing.T) {
		r := mustParse(t, read("state-hdnd.json"))
		if r.Track != TrackState || r.Rules != (Rules{Denominator: DenominatorPresent, BlankRow: BlankRowVoidBallot, AcceptLate: true}) {
			t.Errorf("track %q rules %+v", r.Track, r.Rules)
		}
		ids := []string{}
		for _, n := range r.Nominees {
			ids = append(ids, n.ID)
		}
		if want := []string{"ly-van-thanh", "trinh-thi-hanh", "mai-xuan-truong", "pct-ubnd"}; !slices.Equal(ids, want) {
			t.Errorf("derived ids %q, want %q", ids, want)
		}
		if len(r.OnBallot()) != 2 {
			t.Errorf("on ballot %d, want 2 (sick leave 7 months and appointed on the vote day are exempt)", len(r.OnBallot()))
		}
		// State track: reports filed 30 days before the session.
		if want := time.Date(2028, 11, 8, 16, 59, 59, 999999999, time.UTC); !r.Deadlines.Dossier.At.Equal(want) {
			t.Errorf("dossier deadline %v, want %v", r.Deadlines.Dossier.At, want)
		}
		if len(r.Alerts) != 2 || r.Alerts[0].D != 72*time.Hour || r.Alerts[1].D != 90*time.Minute {
			t.Errorf("alerts %+v", r.Alerts)
		}
	})
	t.Run("everything wrong", func(t *testing.T) {
		_, err := ParseRound(read("invalid-everything.yaml"))
		paths := map[string]bool{}
		for _, p := range problemsOf(t, err) {
			paths[p.Path] = true
		}
		for _, want := range []string{
			"id", "track", "organization", "title", "timezone", "vote_date", "summoned",
			"deadlines.dossier", "deadlines.closing", "required[1]", "required[2]", "required[3]",
			"rules.denominator", "rules.blank_row", "alerts[1]", "alerts[2]", "alerts[3]",
			"notify.emails[0]", "notify.webhook", "nominees[0].name", "nominees[1].id",
			"nominees[1].appointed", "nominees[1].sick_leave_months", "nominees[2].id", "nominees[2].sick_leave_months",
		} {
			if !paths[want] {
				t.Errorf("no problem listed for %s", want)
			}
		}
	})
	t.Run("types", func(t *testing.T) {
		_, err := ParseRound(read("invalid-types.yaml"))
		got := map[string]string{}
		for _, p := range problemsOf(t, err) {
			got[p.Path] = p.Message
		}
		for path, frag := range map[string]string{
			"summoned":             "cần một số nguyên",
			"deadline":             "không được hỗ trợ",
			"rules.accept_late":    "true hoặc false",
			"alerts":               "cần một danh sách",
			"nominees[0].retiring": "true hoặc false",
			"nominees[0].birthday": "không được hỗ trợ",
			"nominees[1].name":     "cần một chuỗi ký tự, không phải một danh sách",
			"nominees[2].id":       "trùng với nominees[0]",
		} {
			if !strings.Contains(got[path], frag) {
				t.Errorf("%s: message %q, want it to mention %q", path, got[path], frag)
			}
		}
		// The mistyped summoned must not also be reported missing.
		if len(got) != 8 {
			t.Errorf("want exactly 8 problems, got %d: %v", len(got), got)
		}
	})
}

func TestParseRoundProblems(t *testing.T) {
	long := func(n int) string { return strings.Repeat("Ă", n) }
	tests := []struct {
		name   string
		mutate func(f map[string]any)
		path   string
		msg    string // a fragment of the Vietnamese message
	}{
		{"organization missing", func(f map[string]any) { delete(f, "organization") }, "organization", "bắt buộc"},
		{"organization blank", func(f map[string]any) { f["organization"] = "  \t " }, "organization", "bắt buộc"},
		{"organization too long", func(f map[string]any) { f["organization"] = long(201) }, "organization", "dài quá 200"},
		{"organization control char", func(f map[string]any) { f["organization"] = "Tỉnh ủy\x07" }, "organization", "ký tự điều khiển"},
		{"parent organization too long", func(f map[string]any) { f["parent_organization"] = long(201) }, "parent_organization", "dài quá 200"},
		{"title missing", func(f map[string]any) { delete(f, "title") }, "title", "bắt buộc"},
		{"title too long", func(f map[string]any) { f["title"] = long(301) }, "title", "dài quá 300"},
		{"place too long", func(f map[string]any) { f["place"] = long(101) }, "place", "dài quá 100"},
		{"track unknown", func(f map[string]any) { f["track"] = "Party" }, "track", "party (Quy định 96-QĐ/TW) hoặc state"},
		{"timezone unknown", func(f map[string]any) { f["timezone"] = "Asia/Hanoi" }, "timezone", "múi giờ không hợp lệ"},
		{"vote date missing", func(f map[string]any) { delete(f, "vote_date") }, "vote_date", "bắt buộc"},
		{"vote date format", func(f map[string]any) { f["vote_date"] = "15/12/2028" }, "vote_date", "YYYY-MM-DD"},
		{"vote date impossible", func(f map[string]any) { f["vote_date"] = "2028-02-30" }, "vote_date", "ngày không hợp lệ"},
		{"id upper case", func(f map[string]any) { f["id"] = "Binh-Son" }, "id", "chữ thường không dấu"},
		{"id diacritics", func(f map[string]any) { f["id"] = "bình-sơn" }, "id", "chữ thường không dấu"},
		{"id leading dash", func(f map[string]any) { f["id"] = "-binh" }, "id", "tối đa 64"},
		{"id too long", func(f map[string]any) { f["id"] = strings.Repeat("a", 65) }, "id", "tối đa 64"},
		{"summoned missing", func(f map[string]any) { delete(f, "summoned") }, "summoned", "bắt buộc"},
		{"summoned zero", func(f map[string]any) { f["summoned"] = 0 }, "summoned", "lớn hơn 0"},
		{"summoned negative", func(f map[string]any) { f["summoned"] = -3 }, "summoned", "lớn hơn 0"},
		{"summoned text", func(f map[string]any) { f["summoned"] = "bốn lăm" }, "summoned", "số nguyên"},
		{"deadline unknown name", func(f map[string]any) { f["deadlines"] = map[string]any{"closing": "2028-12-01"} }, "deadlines.closing", "không được hỗ trợ"},
		{"deadline format", func(f map[string]any) { f["deadlines"] = map[string]any{"dossier": "25/11/2028"} }, "deadlines.dossier", "hạn không hợp lệ"},
		{"deadline on vote day", func(f map[string]any) { f["deadlines"] = map[string]any{"dossier": "2028-12-15"} }, "deadlines.dossier", "phải trước ngày lấy phiếu 15/12/2028"},
		{"deadline at vote midnight", func(f map[string]any) { f["deadlines"] = map[string]any{"explanation": "2028-12-15T00:00"} }, "deadlines.explanation", "phải trước ngày lấy phiếu"},
		{"deadline after vote", func(f map[string]any) { f["deadlines"] = map[string]any{"explanation_request": "2029-01-02"} }, "deadlines.explanation_request", "phải trước ngày lấy phiếu"},
		{"deadline instant after local midnight", func(f map[string]any) {
			f["deadlines"] = map[string]any{"explanation": "2028-12-14T17:00:00Z"} // 00:00 on the 15th in Hà Nội
		}, "deadlines.explanation", "phải trước ngày lấy phiếu"},
		{"deadline checked despite bad vote date", func(f map[string]any) {
			f["vote_date"] = "soon"
			f["deadlines"] = map[string]any{"dossier": "yesterday"}
		}, "deadlines.dossier", "hạn không hợp lệ"},
		{"required unknown kind", func(f map[string]any) { f["required"] = []any{"selfie"} }, "required[0]", "loại tài liệu không hợp lệ"},
		{"required explanation", func(f map[string]any) { f["required"] = []any{"self_assessment", "explanation"} }, "required[1]", "không thể là tài liệu bắt buộc"},
		{"required explanation request", func(f map[string]any) { f["required"] = []any{"explanation_request"} }, "required[0]", "không thể là tài liệu bắt buộc"},
		{"required duplicate", func(f map[string]any) { f["required"] = []any{"other", "other"} }, "required[1]", "bị lặp"},
		{"denominator unknown", func(f map[string]any) { f["rules"] = map[string]any{"denominator": "voters"} }, "rules.denominator", "summoned, present, collected hoặc valid_for_person"},
		{"blank row unknown", func(f map[string]any) { f["rules"] = map[string]any{"blank_row": "skip"} }, "rules.blank_row", "void_row hoặc void_ballot"},
		{"accept late not bool", func(f map[string]any) { f["rules"] = map[string]any{"accept_late": "sometimes"} }, "rules.accept_late", "true hoặc false"},
		{"rules unknown field", func(f map[string]any) { f["rules"] = map[string]any{"quorum": "2/3"} }, "rules.quorum", "không được hỗ trợ"},
		{"alert garbage", func(f map[string]any) { f["alerts"] = []any{"72h", "soon"} }, "alerts[1]", "thời gian báo trước không hợp lệ"},
		{"alert negative", func(f map[string]any) { f["alerts"] = []any{"-2h"} }, "alerts[0]", "thời gian báo trước không hợp lệ"},
		{"alert zero", func(f map[string]any) { f["alerts"] = []any{"0s"} }, "alerts[0]", "thời gian báo trước không hợp lệ"},
		{"alert zero days", func(f map[string]any) { f["alerts"] = []any{"0d"} }, "alerts[0]", "thời gian báo trước không hợp lệ"},
		{"alert days padded", func(f map[string]any) { f["alerts"] = []any{"03d"} }, "alerts[0]", "thời gian báo trước không hợp lệ"},
		{"alert duplicate in another unit", func(f map[string]any) { f["alerts"] = []any{"72h", "3d"} }, "alerts[1]", "bị lặp"},
		{"alerts not a list", func(f map[string]any) { f["alerts"] = "72h" }, "alerts", "danh sách"},
		{"email invalid", func(f map[string]any) { f["notify"] = map[string]any{"emails": []any{"ok@example.org", "vanphong"}} }, "notify.emails[1]", "thư điện tử không hợp lệ"},
		{"webhook scheme", func(f map[string]any) { f["notify"] = map[string]any{"webhook": "ftp://example.org/x"} }, "notify.webhook", "URL http(s)"},
		{"webhook without host", func(f map[string]any) { f["notify"] = map[string]any{"webhook": "https:///x"} }, "notify.webhook", "URL http(s)"},
		{"unknown top-level field", func(f map[string]any) { f["vote_day"] = "2028-12-15" }, "vote_day", "không được hỗ trợ"},
		{"nominees missing", func(f map[string]any) { delete(f, "nominees") }, "nominees", "trống"},
		{"nominees empty", func(f map[string]any) { f["nominees"] = []any{} }, "nominees", "trống"},
		{"nominees not a list", func(f map[string]any) { f["nominees"] = "Trần Quốc Hùng" }, "nominees", "danh sách"},
		{"nominee name missing", func(f map[string]any) { delete(nominee(f, 1), "name") }, "nominees[1].name", "họ và tên"},
		{"nominee name too long", func(f map[string]any) { nominee(f, 1)["name"] = long(101) }, "nominees[1].name", "dài quá 100"},
		{"nominee name newline", func(f map[string]any) { nominee(f, 1)["name"] = "Lê Thị\nMai" }, "", ""}, // inner white space is folded: accepted
		{"nominee name tab control", func(f map[string]any) { nominee(f, 1)["name"] = "Lê\x00Mai" }, "nominees[1].name", "ký tự điều khiển"},
		{"nominee position too long", func(f map[string]any) { nominee(f, 0)["position"] = long(301) }, "nominees[0].position", "dài quá 300"},
		{"nominee exempt too long", func(f map[string]any) { nominee(f, 0)["exempt"] = long(301) }, "nominees[0].exempt", "dài quá 300"},
		{"nominee id invalid", func(f map[string]any) { nominee(f, 1)["id"] = "n 02" }, "nominees[1].id", "mã người"},
		{"nominee id too long", func(f map[string]any) { nominee(f, 1)["id"] = strings.Repeat("n", 33) }, "nominees[1].id", "tối đa 32"},
		{"nominee id duplicate", func(f map[string]any) { nominee(f, 1)["id"] = "n01" }, "nominees[1].id", "trùng với nominees[0]"},
		{"derived ids collide", func(f map[string]any) {
			f["nominees"] = []any{map[string]any{"name": "Nguyễn Văn An"}, map[string]any{"name": "Nguyễn  Văn  An"}}
		}, "nominees[1].id", "trùng với nominees[0]"},
		{"name without latin letters gives no id", func(f map[string]any) { nominee(f, 1)["name"] = "阮文安"; delete(nominee(f, 1), "id") }, "nominees[1].id", "mã người"},
		{"appointed format", func(f map[string]any) { nominee(f, 0)["appointed"] = "01/10/2021" }, "nominees[0].appointed", "YYYY-MM-DD"},
		{"appointed after the vote", func(f map[string]any) { nominee(f, 0)["appointed"] = "2028-12-16" }, "nominees[0].appointed", "sau ngày lấy phiếu"},
		{"retiring not bool", func(f map[string]any) { nominee(f, 0)["retiring"] = "sắp" }, "nominees[0].retiring", "true hoặc false"},
		{"sick leave negative", func(f map[string]any) { f["track"] = "state"; nominee(f, 0)["sick_leave_months"] = -1 }, "nominees[0].sick_leave_months", "không thể âm"},
		{"sick leave on party track", func(f map[string]any) { nominee(f, 0)["sick_leave_months"] = 8 }, "nominees[0].sick_leave_months", "track: state"},
		{"nominee unknown field", func(f map[string]any) { nominee(f, 1)["birthday"] = "1970-01-01" }, "nominees[1].birthday", "không được hỗ trợ"},
		{"everyone exempt", func(f map[string]any) {
			nominee(f, 0)["retiring"] = true
			nominee(f, 1)["exempt"] = "Chuyển công tác"
		}, "nominees", "không còn ai để lấy phiếu"},
		{"name above the BMP", func(f map[string]any) { nominee(f, 1)["name"] = "Lê Thị 𠀧" }, "nominees[1].name", "U+20027"},
		{"title with emoji", func(f map[string]any) { f["title"] = "Lấy phiếu 🗳" }, "title", "U+1F5F3"},
		{"exempt with emoji", func(f map[string]any) { nominee(f, 1)["exempt"] = "Nghỉ 🏖" }, "nominees[1].exempt", "không thể in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile()
			tc.mutate(f)
			data := marshalYAML(t, f)
			r, err := ParseRound(data)
			if tc.path == "" && tc.msg == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %+v\nfrom\n%s", r, data)
			}
			if !reflect.DeepEqual(r, Round{}) {
				t.Errorf("a refused file still returned a round: %+v", r)
			}
			ps := problemsOf(t, err)
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Errorf("want a problem at %q mentioning %q, got %+v", tc.path, tc.msg, ps)
		})
	}
}

func TestParseRoundWholeFileProblems(t *testing.T) {
	tests := []struct {
		name string
		in   string
		msg  string
	}{
		{"empty", "", "trống"},
		{"only white space", " \n\t\n", "trống"},
		{"too large", "title: x\n" + strings.Repeat("#", MaxRoundFileSize), "quá lớn"},
		{"a list", "- id: a\n- id: b\n", "một bảng các trường"},
		{"a scalar", "\"Tỉnh ủy\"", "một bảng các trường"},
		{"JSON array", `[{"id":"a"}]`, "một bảng các trường"},
		{"only a comment", "# nothing here\n", "một bảng các trường"},
		{"syntax", "id: a\n  title: [\n", "lỗi cú pháp"},
		{"JSON syntax", `{"id": "a", "title": "T"`, "lỗi cú pháp"},
		{"two documents", "id: a\n---\nid: b\n", "chỉ được chứa một đợt"},
		{"invalid UTF-8", "organization: T\xffnh\n", "lỗi cú pháp"},
		{"duplicate key", "id: a\nid: b\n", "bị lặp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRound([]byte(tc.in))
			ps := problemsOf(t, err)
			if !strings.Contains(ps[0].Message, tc.msg) {
				t.Errorf("message %q, want it to mention %q", ps[0].Message, tc.msg)
			}
		})
	}
}

func TestParseRoundDefaults(t *testing.T) {
	f := map[string]any{
		"organization": "Đảng ủy phường Bến Nghé",
		"title":        "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ",
		"vote_date":    "2028-12-15",
		"summoned":     15,
		"nominees":     []any{map[string]any{"name": "Trần Quốc Hùng"}},
	}
	r := mustParse(t, marshalYAML(t, f))
	if r.Track != TrackParty || r.Timezone != DefaultTimezone {
		t.Errorf("track %q timezone %q", r.Track, r.Timezone)
	}
	if !slices.Equal(r.Required, []Kind{KindSelfAssessment, KindAssetDeclaration}) {
		t.Errorf("required %q", r.Required)
	}
	if r.Rules != (Rules{Denominator: DenominatorSummoned, BlankRow: BlankRowVoidRow}) {
		t.Errorf("rules %+v", r.Rules)
	}
	var leads []string
	for _, l := range r.Alerts {
		leads = append(leads, fmt.Sprint(l.D))
	}
	if want := []string{"72h0m0s", "24h0m0s", "2h0m0s"}; !slices.Equal(leads, want) {
		t.Errorf("alerts %q, want %q", leads, want)
	}
	if want := GenerateID(f["organization"].(string), f["title"].(string), "2028-12-15"); r.ID != want || !roundIDPattern.MatchString(r.ID) || !strings.HasPrefix(r.ID, "dang-uy-phuong-ben-nghe-2028-") {
		t.Errorf("generated id %q, want %q", r.ID, want)
	}
	if r.Nominees[0].ID != "tran-quoc-hung" {
		t.Errorf("derived nominee id %q", r.Nominees[0].ID)
	}
	for _, name := range r.DeadlineNames() {
		d, _ := r.Deadline(name)
		if d.Source != "default" || d.Given != "" {
			t.Errorf("%s: %+v, want a default", name, d)
		}
	}
	if got, want := r.DeadlineNames(), []string{DeadlineDossier, DeadlinePacket, DeadlineExplanationRequest, DeadlineExplanation}; !slices.Equal(got, want) {
		t.Errorf("party round tracks %v, want %v", got, want)
	}
	if r.Publication != PublicationInternal || r.IsPublic() || !slices.Equal(r.Packet, DefaultPacket()) || r.Basis != nil || r.Report.CombinedShare {
		t.Errorf("party defaults: publication %q packet %v basis %v report %+v", r.Publication, r.Packet, r.Basis, r.Report)
	}

	// An explicit empty list means nothing is required, which differs from leaving it out.
	f["required"] = []any{}
	f["alerts"] = []any{}
	r = mustParse(t, marshalYAML(t, f))
	if r.Required == nil || len(r.Required) != 0 || len(r.Alerts) != 0 {
		t.Errorf("required %#v alerts %#v, want both empty", r.Required, r.Alerts)
	}
	// A very long name still gets an id the pattern accepts.
	f["nominees"] = []any{map[string]any{"name": "Tôn Nữ Thị Hoàng Phương Thảo Nguyên Khánh Linh"}}
	r = mustParse(t, marshalYAML(t, f))
	if id := r.Nominees[0].ID; len(id) > 32 || !nomineeIDPattern.MatchString(id) || !strings.HasPrefix(id, "ton-nu-thi-hoang") {
		t.Errorf("derived id %q", id)
	}
}

func TestParseRoundDefaultDeadlines(t *testing.T) {
	endOfDay := func(loc string, y int, m time.Month, d int) time.Time {
		l, err := time.LoadLocation(loc)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(y, m, d, 23, 59, 59, 999999999, l).UTC()
	}
	tests := []struct {
		track, tz, vote         string
		dossier, request, expla time.Time
		packet, list, front     time.Time // list and front: State track only
	}{
		{"party", "Asia/Ho_Chi_Minh", "2028-12-15",
			endOfDay("Asia/Ho_Chi_Minh", 2028, 11, 25), endOfDay("Asia/Ho_Chi_Minh", 2028, 12, 5), endOfDay("Asia/Ho_Chi_Minh", 2028, 12, 12),
			endOfDay("Asia/Ho_Chi_Minh", 2028, 11, 30), time.Time{}, time.Time{}},
		{"state", "Asia/Ho_Chi_Minh", "2028-12-15",
			endOfDay("Asia/Ho_Chi_Minh", 2028, 11, 15), endOfDay("Asia/Ho_Chi_Minh", 2028, 12, 5), endOfDay("Asia/Ho_Chi_Minh", 2028, 12, 12),
			endOfDay("Asia/Ho_Chi_Minh", 2028, 11, 25), endOfDay("Asia/Ho_Chi_Minh", 2028, 10, 31), endOfDay("Asia/Ho_Chi_Minh", 2028, 11, 20)},
		{"", "Asia/Tokyo", "2028-03-02", // leap year: 20 days before 2 March is 11 February
			endOfDay("Asia/Tokyo", 2028, 2, 11), endOfDay("Asia/Tokyo", 2028, 2, 21), endOfDay("Asia/Tokyo", 2028, 2, 28),
			endOfDay("Asia/Tokyo", 2028, 2, 16), time.Time{}, time.Time{}},
		{"state", "America/New_York", "2028-11-10", // across the end of daylight saving time (5 Nov 2028)
			endOfDay("America/New_York", 2028, 10, 11), endOfDay("America/New_York", 2028, 10, 31), endOfDay("America/New_York", 2028, 11, 7),
			endOfDay("America/New_York", 2028, 10, 21), endOfDay("America/New_York", 2028, 9, 26), endOfDay("America/New_York", 2028, 10, 16)},
		{"party", "America/New_York", "2028-03-20", // across its start (12 Mar 2028)
			endOfDay("America/New_York", 2028, 2, 29), endOfDay("America/New_York", 2028, 3, 10), endOfDay("America/New_York", 2028, 3, 17),
			endOfDay("America/New_York", 2028, 3, 5), time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.track+" "+tc.tz+" "+tc.vote, func(t *testing.T) {
			f := baseFile()
			f["track"], f["timezone"], f["vote_date"] = tc.track, tc.tz, tc.vote
			delete(nominee(f, 0), "appointed")
			r := mustParse(t, marshalYAML(t, f))
			for name, want := range map[string]time.Time{DeadlineDossier: tc.dossier, DeadlineExplanationRequest: tc.request, DeadlineExplanation: tc.expla,
				DeadlinePacket: tc.packet, DeadlineList: tc.list, DeadlineFrontOpinions: tc.front} {
				d, _ := r.Deadline(name)
				if want.IsZero() {
					if !d.At.IsZero() {
						t.Errorf("%s: %v on a %s round, want none", name, d.At, r.Track)
					}
					continue
				}
				if !d.At.Equal(want) || d.At.Location() != time.UTC {
					t.Errorf("%s: %v, want %v (UTC)", name, d.At, want)
				}
			}
		})
	}
}

// A deadline written as a date lasts until the last instant of that day in the round's zone.
func TestDeadlineBoundary(t *testing.T) {
	tests := []struct {
		tz, vote, given string
		wantUTC         string // the deadline instant, RFC 3339 in UTC
		onTime, late    string // local wall-clock instants "2006-01-02 15:04:05"
	}{
		{"Asia/Ho_Chi_Minh", "2028-12-15", "2028-11-28", "2028-11-28T16:59:59.999999999Z", "2028-11-28 23:59:59", "2028-11-29 00:00:00"},
		{"Asia/Tokyo", "2028-12-15", "2028-11-28", "2028-11-28T14:59:59.999999999Z", "2028-11-28 23:59:59", "2028-11-29 00:00:00"},
		{"America/New_York", "2028-12-15", "2028-11-28", "2028-11-29T04:59:59.999999999Z", "2028-11-28 23:59:59", "2028-11-29 00:00:00"},
		{"America/New_York", "2028-07-20", "2028-07-01", "2028-07-02T03:59:59.999999999Z", "2028-07-01 23:59:59", "2028-07-02 00:00:00"},
		// The day daylight saving ends has 25 hours: its end is in standard time.
		{"America/New_York", "2028-11-20", "2028-11-05", "2028-11-06T04:59:59.999999999Z", "2028-11-05 23:59:59", "2028-11-06 00:00:00"},
		// The day it starts has 23 hours.
		{"America/New_York", "2028-03-20", "2028-03-12", "2028-03-13T03:59:59.999999999Z", "2028-03-12 23:59:59", "2028-03-13 00:00:00"},
		{"UTC", "2028-12-15", "2028-12-14", "2028-12-14T23:59:59.999999999Z", "2028-12-14 23:59:59", "2028-12-15 00:00:00"},
		// A local time is that minute in the round's zone.
		{"Asia/Tokyo", "2028-12-15", "2028-12-12T17:00", "2028-12-12T08:00:00Z", "2028-12-12 17:00:00", "2028-12-12 17:00:01"},
		{"Asia/Ho_Chi_Minh", "2028-12-15", "2028-12-12 17:00:30", "2028-12-12T10:00:30Z", "2028-12-12 17:00:30", "2028-12-12 17:00:31"},
		// An instant with an offset keeps its offset, whatever the round's zone.
		{"Asia/Tokyo", "2028-12-15", "2028-12-12T17:00:00+07:00", "2028-12-12T10:00:00Z", "2028-12-12 19:00:00", "2028-12-12 19:00:01"},
		// The last minute before a vote at midnight is still before the vote.
		{"America/New_York", "2028-12-15", "2028-12-14T23:59", "2028-12-15T04:59:00Z", "2028-12-14 23:59:00", "2028-12-14 23:59:01"},
	}
	for _, tc := range tests {
		t.Run(tc.tz+" "+tc.given, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.tz)
			if err != nil {
				t.Fatal(err)
			}
			f := baseFile()
			f["timezone"], f["vote_date"] = tc.tz, tc.vote
			delete(nominee(f, 0), "appointed")
			f["deadlines"] = map[string]any{"dossier": tc.given}
			r := mustParse(t, marshalYAML(t, f))
			d := r.Deadlines.Dossier
			if got := d.At.Format(time.RFC3339Nano); got != tc.wantUTC {
				t.Errorf("deadline %s, want %s", got, tc.wantUTC)
			}
			if d.Given != tc.given || d.Source != "file" {
				t.Errorf("given %q source %q", d.Given, d.Source)
			}
			at := func(s string) time.Time {
				tm, err := time.ParseInLocation(time.DateTime, s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return tm
			}
			if !d.OnTime(at(tc.onTime)) {
				t.Errorf("%s %s must be on time for %s", tc.onTime, tc.tz, d.At)
			}
			if d.OnTime(at(tc.late)) {
				t.Errorf("%s %s must be late for %s", tc.late, tc.tz, d.At)
			}
			// What applies to a self-assessment is the dossier deadline.
			if dk, ok := r.DeadlineFor(KindSelfAssessment); !ok || dk != d {
				t.Errorf("DeadlineFor(self_assessment) = %+v %v", dk, ok)
			}
		})
	}
}

func TestParseRoundExemption(t *testing.T) {
	tests := []struct {
		name   string
		track  string
		vote   string
		n      map[string]any
		reason string // "" = on the ballot
	}{
		{"appointed years ago", "party", "2028-12-15", map[string]any{"appointed": "2021-10-01"}, ""},
		{"appointed on the last day of the year before", "party", "2028-12-15", map[string]any{"appointed": "2027-12-31"}, ""},
		{"appointed on 1 January of the vote year", "party", "2028-12-15", map[string]any{"appointed": "2028-01-01"}, "Mới được bầu/bổ nhiệm trong năm 2028 (ngày 01/01/2028)"},
		{"appointed on the vote day", "state", "2028-12-15", map[string]any{"appointed": "2028-12-15"}, "Mới được bầu/bổ nhiệm trong năm 2028 (ngày 15/12/2028)"},
		{"early vote, appointed a week before", "party", "2028-01-20", map[string]any{"appointed": "2028-01-13"}, "Mới được bầu/bổ nhiệm trong năm 2028 (ngày 13/01/2028)"},
		{"retiring", "party", "2028-12-15", map[string]any{"retiring": true}, "Đã có thông báo nghỉ hưu / nghỉ chờ hưu"},
		{"not retiring", "party", "2028-12-15", map[string]any{"retiring": false}, ""},
		{"state: six months sick", "state", "2028-12-15", map[string]any{"sick_leave_months": 6}, "Ốm đau phải điều trị có xác nhận, nghỉ làm việc 6 tháng liên tục"},
		{"state: five months sick", "state", "2028-12-15", map[string]any{"sick_leave_months": 5}, ""},
		{"manual reason", "party", "2028-12-15", map[string]any{"exempt": "  Đang bị tạm đình chỉ công tác  "}, "Đang bị tạm đình chỉ công tác"},
		{"manual reason in NFD", "party", "2028-12-15", map[string]any{"exempt": norm.NFD.String("Chuyển công tác")}, "Chuyển công tác"},
		{"blank manual reason", "party", "2028-12-15", map[string]any{"exempt": "   "}, ""},
		{"several reasons", "party", "2028-12-15", map[string]any{"appointed": "2028-06-01", "retiring": true, "exempt": "Xin thôi"},
			"Mới được bầu/bổ nhiệm trong năm 2028 (ngày 01/06/2028); Đã có thông báo nghỉ hưu / nghỉ chờ hưu; Xin thôi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile()
			f["track"], f["vote_date"] = tc.track, tc.vote
			person := map[string]any{"id": "x", "name": "Người Thứ Ba"}
			for k, v := range tc.n {
				person[k] = v
			}
			delete(nominee(f, 0), "appointed")
			f["nominees"] = append(f["nominees"].([]any), person)
			r := mustParse(t, marshalYAML(t, f))
			n, ok := r.Nominee("x")
			if !ok {
				t.Fatal("nominee x lost")
			}
			if n.ExemptReason != tc.reason {
				t.Errorf("exempt reason %q, want %q", n.ExemptReason, tc.reason)
			}
			if n.OnBallot() != (tc.reason == "") {
				t.Errorf("OnBallot %v with reason %q", n.OnBallot(), n.ExemptReason)
			}
			if !norm.NFC.IsNormalString(n.ExemptReason) {
				t.Errorf("reason not NFC: %q", n.ExemptReason)
			}
			onBallot := slices.ContainsFunc(r.OnBallot(), func(o Nominee) bool { return o.ID == "x" })
			if onBallot != (tc.reason == "") {
				t.Errorf("Round.OnBallot lists x: %v", onBallot)
			}
		})
	}
}

func TestParseRoundNFC(t *testing.T) {
	f := baseFile()
	f["organization"] = norm.NFD.String("Tỉnh ủy Bình Sơn")
	f["title"] = norm.NFD.String("Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy")
	nominee(f, 0)["name"] = "  " + norm.NFD.String("Trần   Quốc Hùng") + " "
	nominee(f, 0)["position"] = norm.NFD.String("Bí thư Tỉnh ủy")
	nominee(f, 1)["exempt"] = norm.NFD.String("Đã chuyển công tác")
	// Decomposed input really is different bytes, or this test proves nothing.
	if f["organization"] == "Tỉnh ủy Bình Sơn" {
		t.Fatal("norm.NFD did not decompose")
	}
	r := mustParse(t, marshalYAML(t, f))
	for got, want := range map[string]string{
		r.Organization:         "Tỉnh ủy Bình Sơn",
		r.Title:                "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy",
		r.Nominees[0].Name:     "Trần Quốc Hùng",
		r.Nominees[0].Position: "Bí thư Tỉnh ủy",
		r.Nominees[1].Exempt:   "Đã chuyển công tác",
	} {
		if got != want {
			t.Errorf("stored %q (% x), want NFC %q", got, got, want)
		}
	}
	// NFD and NFC spellings of the same round produce the same id.
	g := baseFile()
	delete(f, "id")
	delete(g, "id")
	if a, b := mustParse(t, marshalYAML(t, f)).ID, mustParse(t, marshalYAML(t, g)).ID; a != b {
		t.Errorf("generated ids differ between NFD %q and NFC %q", a, b)
	}
}

func TestParseRoundAboveBMPInJSONEscapes(t *testing.T) {
	// A surrogate pair in a JSON escape is a character above U+FFFF, which the PDF font lacks.
	in := `{"organization":"Tỉnh ủy","title":"Lấy phiếu \ud83d\ude00","vote_date":"2028-12-15","summoned":3,"nominees":[{"name":"An"}]}`
	_, err := ParseRound([]byte(in))
	if err == nil {
		t.Fatal("accepted a title with a character above U+FFFF")
	}
	problemsOf(t, err)
}

func TestParseRoundJSONMatchesYAML(t *testing.T) {
	f := baseFile()
	f["deadlines"] = map[string]any{"dossier": "2028-11-25", "explanation": "2028-12-12T17:00"}
	f["alerts"] = []any{"48h", "1d"}
	f["required"] = []any{"self_assessment"}
	f["rules"] = map[string]any{"accept_late": true}
	fromYAML := mustParse(t, marshalYAML(t, f))
	js, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	fromJSON := mustParse(t, js)
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Errorf("JSON and YAML of the same file differ:\nYAML %+v\nJSON %+v", fromYAML, fromJSON)
	}
	// With a byte-order mark, as some editors save JSON.
	bom := mustParse(t, append([]byte("\xef\xbb\xbf"), js...))
	if !reflect.DeepEqual(bom, fromJSON) {
		t.Error("a byte-order mark changed the result")
	}
	// JSON mistakes are listed like YAML ones.
	f["summoned"] = "45 người"
	f["title"] = ""
	js, _ = json.Marshal(f)
	_, err = ParseRound(js)
	paths := []string{}
	for _, p := range problemsOf(t, err) {
		paths = append(paths, p.Path)
	}
	if !slices.Equal(paths, []string{"summoned", "title"}) {
		t.Errorf("problem paths %q, want summoned and title", paths)
	}
}

// A JSON file on one line still reports each type problem at its own path.
func TestParseRoundTypeProblemsOnOneLine(t *testing.T) {
	in := `{"organization":"X","title":"T","vote_date":"2028-12-15","summoned":3,"nominees":[{"id":"a","name":"An","retiring":"no way"},{"id":"b","name":"Bình","retiring":"maybe","x":1}]}`
	_, err := ParseRound([]byte(in))
	var paths []string
	for _, p := range problemsOf(t, err) {
		paths = append(paths, p.Path)
	}
	if want := []string{"nominees[0].retiring", "nominees[1].retiring", "nominees[1].x"}; !slices.Equal(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
}

// roundFileOf writes a parsed round back as a round file, deadlines as exact instants.
func roundFileOf(r Round) map[string]any {
	f := map[string]any{
		"id": r.ID, "track": r.Track, "organization": r.Organization, "parent_organization": r.ParentOrganization,
		"title": r.Title, "place": r.Place, "timezone": r.Timezone, "vote_date": r.VoteDate, "summoned": r.Summoned,
		"rules": map[string]any{"denominator": r.Rules.Denominator, "blank_row": r.Rules.BlankRow, "accept_late": r.Rules.AcceptLate},
	}
	dl := map[string]any{}
	for _, name := range r.DeadlineNames() {
		d, _ := r.Deadline(name)
		dl[name] = d.At.Format(time.RFC3339Nano)
	}
	f["deadlines"] = dl
	req := []any{}
	for _, k := range r.Required {
		req = append(req, string(k))
	}
	f["required"] = req
	alerts := []any{}
	for _, l := range r.Alerts {
		alerts = append(alerts, l.Text)
	}
	f["alerts"] = alerts
	emails := []any{}
	for _, e := range r.Notify.Emails {
		emails = append(emails, e)
	}
	f["notify"] = map[string]any{"emails": emails, "webhook": r.Notify.Webhook, "webhook_secret": r.Notify.WebhookSecret}
	var ns []any
	for _, n := range r.Nominees {
		ns = append(ns, map[string]any{"id": n.ID, "name": n.Name, "position": n.Position, "appointed": n.Appointed,
			"retiring": n.Retiring, "sick_leave_months": n.SickLeaveMonths, "exempt": n.Exempt})
	}
	f["nominees"] = ns
	packet := []any{}
	for _, k := range r.Packet {
		packet = append(packet, string(k))
	}
	f["packet"] = packet
	f["publication"] = r.Publication
	basis := []any{}
	for _, b := range r.Basis {
		basis = append(basis, b)
	}
	f["basis"] = basis
	f["report"] = map[string]any{"combined_share": r.Report.CombinedShare}
	return f
}

// checkRound states what every accepted round must satisfy.
func checkRound(t testing.TB, r Round) {
	t.Helper()
	if !roundIDPattern.MatchString(r.ID) {
		t.Errorf("id %q does not match the pattern", r.ID)
	}
	if r.Track != TrackParty && r.Track != TrackState {
		t.Errorf("track %q", r.Track)
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		t.Errorf("timezone %q: %v", r.Timezone, err)
		return
	}
	vd, err := time.ParseInLocation(time.DateOnly, r.VoteDate, loc)
	if err != nil {
		t.Errorf("vote date %q: %v", r.VoteDate, err)
		return
	}
	want := 4 // dossier, packet, explanation_request, explanation
	if r.Track == TrackState {
		want = 6 // and the list and the Fatherland Front's opinions
	}
	if got := r.DeadlineNames(); len(got) != want {
		t.Errorf("track %s tracks deadlines %v", r.Track, got)
	}
	for _, name := range r.DeadlineNames() {
		d, _ := r.Deadline(name)
		if d.At.IsZero() || !d.At.Before(vd) || d.At.Location() != time.UTC {
			t.Errorf("deadline %s %v is not a UTC instant before the vote %v", name, d.At, vd)
		}
	}
	if r.Summoned < 1 || len(r.Nominees) == 0 || len(r.OnBallot()) == 0 {
		t.Errorf("summoned %d, %d nominees, %d on ballot", r.Summoned, len(r.Nominees), len(r.OnBallot()))
	}
	seen := map[string]bool{}
	for _, n := range r.Nominees {
		if seen[n.ID] || !nomineeIDPattern.MatchString(n.ID) {
			t.Errorf("nominee id %q repeated or invalid", n.ID)
		}
		seen[n.ID] = true
		for _, s := range []string{n.Name, n.Position, n.Exempt, n.ExemptReason} {
			if !norm.NFC.IsNormalString(s) || checkText(s, 1000) != "" {
				t.Errorf("nominee %s: text %q not NFC or not printable", n.ID, s)
			}
		}
		if n.Name == "" {
			t.Errorf("nominee %s without a name", n.ID)
		}
		if n.Exempt != "" && !strings.Contains(n.ExemptReason, n.Exempt) {
			t.Errorf("nominee %s: manual reason %q missing from %q", n.ID, n.Exempt, n.ExemptReason)
		}
		if n.Retiring && n.ExemptReason == "" {
			t.Errorf("nominee %s retiring but on the ballot", n.ID)
		}
	}
	for _, s := range []string{r.Organization, r.Title, r.ParentOrganization, r.Place} {
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("text %q not NFC", s)
		}
	}
}

func FuzzParseRound(f *testing.F) {
	files, _ := filepath.Glob("testdata/rounds/*")
	for _, name := range files {
		if strings.HasSuffix(name, ".golden") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(marshalYAML(f, baseFile()))
	f.Add([]byte("{}"))
	f.Add([]byte("nominees: [{name: a}, {name: a}]\nvote_date: 2028-01-01\norganization: o\ntitle: t\nsummoned: 1\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte(`{"organization":"X","title":"T","vote_date":"2028-12-15","summoned":"3","nominees":[{"id":"a","name":["A"],"retiring":"x","y":1}]}`))
	f.Add([]byte("base: &b {name: An}\nnominees:\n  - <<: *b\n    id: a\n  - *b\norganization: O\ntitle: T\nvote_date: 2028-12-15\nsummoned: 2\n"))
	f.Add([]byte("organization: O\ntitle: T\nvote_date: 2028-12-15\nsummoned: 2\ntimezone: America/New_York\ndeadlines: {dossier: 2028-11-05, explanation: '2028-12-14T23:59'}\nnominees: [{name: \"A\\u0301n\", exempt: \"\"}, {name: B, retiring: true}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		r, err := ParseRound(data)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("ParseRound took %v on %d bytes", d, len(data))
		}
		if err != nil {
			problemsOf(t, err)
			if !reflect.DeepEqual(r, Round{}) {
				t.Errorf("refused but returned a round")
			}
			return
		}
		checkRound(t, r)
		// Written back out, an accepted round must be accepted again as the same round.
		again, err := ParseRound(marshalYAML(t, roundFileOf(r)))
		if err != nil {
			t.Fatalf("an accepted round does not re-validate: %v\nround %+v", err, r)
		}
		for _, name := range AllDeadlines() {
			a, _ := r.Deadline(name)
			b, _ := again.Deadline(name)
			if !a.At.Equal(b.At) {
				t.Errorf("deadline %s changed: %v → %v", name, a.At, b.At)
			}
		}
		r.Deadlines, again.Deadlines = Deadlines{}, Deadlines{}
		if !reflect.DeepEqual(r, again) {
			t.Errorf("round changed when re-validated:\n%+v\n%+v", r, again)
		}
	})
}

func TestValidationErrorText(t *testing.T) {
	e := problem.List{{Path: "summoned", Message: "bắt buộc phải có"}, {Message: "tệp trống"}}
	want := "dữ liệu không hợp lệ:\n  - summoned: bắt buộc phải có\n  - tệp trống"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}
