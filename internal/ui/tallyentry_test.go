package ui

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/problem"
	"tinnhiem/minutes"
)

// publishedCounts is a 44-present session of the Bình Sơn round: cao, tín nhiệm, thấp,
// không hợp lệ for each person on the ballot.
var publishedCounts = map[string][4]string{
	"n01": {"30", "10", "4", "0"}, "n02": {"44", "0", "0", "0"}, "n03": {"43", "1", "0", "0"}, "n04": {"42", "2", "0", "0"},
	"n05": {"40", "3", "1", "0"}, "n06": {"26", "10", "8", "0"}, "n08": {"10", "10", "24", "0"}, "n09": {"20", "20", "4", "0"},
}

// validEntry is the form of one correct entry, as a browser sends it: three committee rows of
// which one is left empty, two absent rows of which one is empty, and some session details.
func validEntry(entry string) url.Values {
	v := url.Values{
		"entry": {entry}, "source": {sourceTable},
		"present": {"44"}, "issued": {"44"}, "collected": {"44"}, "invalid_ballots": {""},
		"absent_name": {"Võ Văn Ba", ""}, "absent_reason": {"đi công tác", ""},
		"member_name": {"Lưu Văn Sáng", "Kha Thị Hậu", ""}, "member_role": {minutes.RoleHead, minutes.RoleSecretary, ""},
		"session_name": {"Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 25"}, "chair": {"Trần Quốc Hùng"},
		"counting_opened_at": {"2028-12-15T09:40"}, "agenda": {"Lấy phiếu tín nhiệm\r\n\r\nTổng kết hội nghị"},
		"doc_number_bien-ban-kiem-phieu": {"05-BB/TU"}, "copies": {"3"},
	}
	for id, c := range publishedCounts {
		v.Set("cao_"+id, c[0])
		v.Set("tin_nhiem_"+id, c[1])
		v.Set("thap_"+id, c[2])
		v.Set("invalid_"+id, c[3])
	}
	return v
}

// postEntry sends the entry form as the page does (multipart, for the file box).
func postEntry(t *testing.T, b *browser, v url.Values, fileName string, file []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, x := range vs {
			if err := mw.WriteField(k, x); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	return b.post("/rounds/"+roundBinhSon+"/tally/entry", mw.FormDataContentType(), &buf, nil)
}

func mustNotStore(t *testing.T, ts *testSystem) {
	t.Helper()
	rec, _, err := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Entries) != 0 || len(rec.Versions) != 0 {
		t.Fatalf("something was stored: %d entries, %d versions", len(rec.Entries), len(rec.Versions))
	}
}

// near is the markup of the element with the given id, up to the end of its row or box.
func near(t *testing.T, page, id, end string) string {
	t.Helper()
	return between(t, page, `id="`+id+`"`, end)
}

func TestTallyEntryStoresValidEntry(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")
	form := counter.get("/rounds/" + roundBinhSon + "/tally/entry")
	if form.StatusCode != http.StatusOK {
		t.Fatalf("entry form: %d", form.StatusCode)
	}
	mustContain(t, "form", form.Body, "Nhập số liệu kiểm phiếu", "Lần nhập 1: chưa có", `value="1" checked`, "Cần ít nhất <strong>30</strong> người có mặt",
		`name="cao_n01"`, `name="invalid_n09"`, "Trần Quốc Hùng", "Ngô Văn Hưng", `name="absent_name"`, `name="member_role"`, "Trưởng ban", "Thư ký", "Ủy viên",
		"Thông tin phiên họp (không bắt buộc)", `name="counting_opened_at"`, "Số của biên bản kiểm phiếu", `enctype="multipart/form-data"`)
	// The exempt are not on the ballot, so not in the table.
	mustNotContain(t, "form", form.Body, `name="cao_n07"`, `name="cao_n10"`)

	res := postEntry(t, counter, validEntry("1"), "", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rounds/"+roundBinhSon+"/tally?ok=entered-1#ban-nhap" {
		t.Fatalf("valid entry: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	rec, _, err := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if err != nil {
		t.Fatal(err)
	}
	e := rec.Entries[1]
	if e == nil || rec.Entries[2] != nil {
		t.Fatalf("entries after one entry: %+v", rec.Entries)
	}
	in := e.Input
	if e.By != "kiemphieu" || in.Present != 44 || in.Issued != 44 || in.Collected != 44 || in.Summoned != 45 || in.Ballots != nil {
		t.Errorf("stored attendance: %+v by %s", in.Attendance, e.By)
	}
	if len(in.Absent) != 1 || in.Absent[0] != (minutes.Absentee{Name: "Võ Văn Ba", Reason: "đi công tác"}) {
		t.Errorf("stored absentees: %+v", in.Absent)
	}
	if len(in.Committee) != 2 || in.Committee[0] != (minutes.Member{Name: "Lưu Văn Sáng", Role: minutes.RoleHead}) || in.Committee[1].Role != minutes.RoleSecretary {
		t.Errorf("stored committee: %+v", in.Committee)
	}
	if len(in.Counts) != len(publishedCounts) {
		t.Errorf("stored %d rows of counts, want %d", len(in.Counts), len(publishedCounts))
	}
	for id, c := range publishedCounts {
		got := in.Counts[id]
		if want := strings.Join(c[:], " "); fmt.Sprint(got.Cao, got.TinNhiem, got.Thap, got.Invalid) != want {
			t.Errorf("%s: stored %+v, want %s", id, got, want)
		}
	}
	s := e.Session
	if s.Name != "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 25" || s.Chair != "Trần Quốc Hùng" || s.CountingOpenedAt != "2028-12-15T09:40" ||
		strings.Join(s.Agenda, "|") != "Lấy phiếu tín nhiệm|Tổng kết hội nghị" || s.DocNumbers["bien-ban-kiem-phieu"] != "05-BB/TU" || s.Copies != 3 || s.Venue != "" {
		t.Errorf("stored session: %+v", s)
	}

	page := counter.get(res.Header.Get("Location"))
	mustContain(t, "draft", page.Body, "Đã lưu lần nhập 1", "đã nhập 1 lần", "Lần nhập 1: kiemphieu", "97,78%", "95,56%", "53,33%",
		"Tín nhiệm thấp trên 1/2 đến dưới 2/3", "Võ Văn Ba (đi công tác)", "Lưu Văn Sáng — Trưởng ban", "Niêm phong kết quả", "Nhập lần 2 để đối chiếu")
	// The form for the second entry starts from entry 2, with entry 1's session details kept and
	// none of its figures.
	form = counter.get("/rounds/" + roundBinhSon + "/tally/entry")
	mustContain(t, "second form", form.Body, "Lần nhập 1: đã có — kiemphieu", `value="2" checked`, `value="Trần Quốc Hùng"`, `value="05-BB/TU"`, "<details class=\"card\" id=\"f-session\">")
	mustNotContain(t, "second form", form.Body, `value="Lưu Văn Sáng"`, `name="cao_n02" value="44"`)
	// An organizer may enter too.
	if res := ts.login("tochuc").get("/rounds/" + roundBinhSon + "/tally/entry"); res.StatusCode != http.StatusOK {
		t.Errorf("organizer entry form: %d", res.StatusCode)
	}
}

func TestTallyEntryRefusesWithEveryProblem(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")

	// A box that is not a number, found by the page, and problems only the tally's rules find,
	// all shown at once.
	v := validEntry("1")
	v["collected"] = []string{"45"}
	v["absent_name"], v["absent_reason"] = []string{"", ""}, []string{"", "ốm"}
	v["member_name"], v["member_role"] = []string{"Trần Quốc Hùng", "Kha Thị Hậu"}, []string{minutes.RoleHead, ""}
	v.Set("cao_n03", "bốn ba")
	v.Set("cao_n05", "45")
	v.Set("counting_closed_at", "15/12/2028 10:45")
	res := postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid entry: %d\n%s", res.StatusCode, res.Body)
	}
	mustNotStore(t, ts)
	page := res.Body
	mustContain(t, "summary", page, "chưa có gì được lưu", `href="#f-collected"`, `href="#f-count-n03"`, `href="#f-committee-0"`, `href="#f-absent-1"`)
	mustContain(t, "collected box", near(t, page, "f-collected", "</div>"), "Số phiếu thu vào (45) lớn hơn số phiếu phát ra (44)")
	mustContain(t, "absent row 2", near(t, page, "f-absent-1", "</tr>"), "Người vắng mặt thứ 1 chưa có họ tên")
	mustContain(t, "committee row 1", near(t, page, "f-committee-0", "</tr>"), "là người được lấy phiếu tín nhiệm nên không được tham gia ban kiểm phiếu")
	mustContain(t, "committee row 2", near(t, page, "f-committee-1", "</tr>"), "chưa có chức danh")
	mustContain(t, "n03 row", near(t, page, "f-count-n03", "</tr>"), "Ô “Tín nhiệm cao”: “bốn ba” không phải số nguyên", `value="bốn ba"`, `aria-invalid="true"`)
	mustContain(t, "n05 row", near(t, page, "f-count-n05", "</tr>"), "vượt số phiếu thu vào")
	mustNotContain(t, "n04 row", near(t, page, "f-count-n04", "</tr>"), "field-error")
	// What was typed comes back as typed.
	mustContain(t, "kept", page, `value="Kha Thị Hậu"`, `value="ốm"`, `value="45"`, `value="Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 25"`)
	checkVisibleText(t, "refused entry", page)

	// Every box a number: the API's own check refuses, and its problems come back beside the boxes.
	v = validEntry("1")
	v.Set("cao_n05", "41")
	v.Set("counting_closed_at", "15/12/2028 10:45")
	res = postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("entry over the ballots collected: %d\n%s", res.StatusCode, res.Body)
	}
	mustNotStore(t, ts)
	mustContain(t, "n05 row from the API", near(t, res.Body, "f-count-n05", "</tr>"), "Tổng số phiếu của Hoàng Thị Lan (n05) là 45", "vượt số phiếu thu vào (44)")
	// The session is checked once the figures are right.
	v.Set("cao_n05", "40")
	res = postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("entry with a bad time: %d\n%s", res.StatusCode, res.Body)
	}
	mustNotStore(t, ts)
	mustContain(t, "session time", near(t, res.Body, "f-counting_closed_at", "</div>"), "không hợp lệ (dạng YYYY-MM-DDTHH:MM)")
	mustContain(t, "session open", res.Body, `<details class="card" id="f-session" open>`)

	// A table left empty is one problem, not one per box.
	v = validEntry("1")
	for id := range publishedCounts {
		for _, k := range []string{"cao_", "tin_nhiem_", "thap_", "invalid_"} {
			v.Set(k+id, "")
		}
	}
	res = postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Count(res.Body, `class="field-error"`) != 1 {
		t.Errorf("empty table: %d, %d problems shown, want 1", res.StatusCode, strings.Count(res.Body, `class="field-error"`))
	}
	mustContain(t, "empty table", res.Body, "Chưa nhập số phiếu của người nào")
	mustNotStore(t, ts)
}

// People go to the API as JSON objects, so a name with a colon is stored whole.
func TestTallyEntryNameWithColon(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")
	v := validEntry("1")
	v["absent_name"] = []string{"Võ Văn Ba: Phó ban", ""}
	v["member_name"] = []string{"Lưu Văn Sáng", "Kha Thị Hậu: thư ký hội nghị", ""}
	res := postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("entry with a colon in a name: %d\n%s", res.StatusCode, res.Body)
	}
	rec, _, err := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if err != nil || rec.Entries[1] == nil {
		t.Fatalf("nothing stored: %v", err)
	}
	in := rec.Entries[1].Input
	if len(in.Absent) != 1 || in.Absent[0].Name != "Võ Văn Ba: Phó ban" || in.Absent[0].Reason != "đi công tác" {
		t.Errorf("absent stored as %+v", in.Absent)
	}
	if len(in.Committee) != 2 || in.Committee[1].Name != "Kha Thị Hậu: thư ký hội nghị" || in.Committee[1].Role != minutes.RoleSecretary {
		t.Errorf("committee stored as %+v", in.Committee)
	}
}

func TestTallyEntryBelowQuorum(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")
	v := validEntry("1")
	v["present"], v["issued"], v["collected"] = []string{"20"}, []string{"20"}, []string{"20"}
	v["absent_name"], v["absent_reason"] = nil, nil
	for id := range publishedCounts {
		v.Set("cao_"+id, "10")
		v.Set("tin_nhiem_"+id, "5")
		v.Set("thap_"+id, "5")
		v.Set("invalid_"+id, "0")
	}
	res := postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("below quorum: %d\n%s", res.StatusCode, res.Body)
	}
	mustNotStore(t, ts)
	banner := near(t, res.Body, "khong-du-2-3", "</div>")
	mustContain(t, "banner", banner, "Không đủ 2/3 số người được triệu tập có mặt: có mặt 20 trên 45 người, cần ít nhất 30",
		"không lập biên bản có giá trị", "không được lưu")
	mustContain(t, "present box", near(t, res.Body, "f-present", "</div>"), "chưa đủ 2/3 số người được triệu tập (45; cần ít nhất 30 người)")
	// One short of 2/3 is below; exactly 2/3 is enough (30 of 45).
	v["present"], v["issued"], v["collected"] = []string{"29"}, []string{"29"}, []string{"20"}
	if res := postEntry(t, counter, v, "", nil); !strings.Contains(res.Body, "khong-du-2-3") {
		t.Error("29 of 45 present: no below-quorum banner")
	}
	mustNotStore(t, ts)
	v["present"], v["issued"] = []string{"30"}, []string{"30"}
	if res := postEntry(t, counter, v, "", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("30 of 45 present: %d, want the entry stored\n%s", res.StatusCode, res.Body)
	}
}

func TestTallyEntryDoubleEntryDifferences(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	first, second := ts.login("kiemphieu"), ts.login("tochuc")
	if res := postEntry(t, first, validEntry("1"), "", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("entry 1: %d\n%s", res.StatusCode, res.Body)
	}
	v := validEntry("2")
	v.Set("cao_n03", "42")
	v.Set("tin_nhiem_n03", "2")
	v["absent_reason"] = []string{"đi học", ""}
	res := postEntry(t, second, v, "", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=entered-2") {
		t.Fatalf("entry 2: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page := second.get(res.Header.Get("Location")).Body
	diffs := near(t, page, "khac-nhau", "</table>")
	rows := strings.Split(diffs, "<tr>")[2:] // after the header row
	want := [][]string{
		{"Người vắng mặt Võ Văn Ba (lý do)", "đi công tác", "đi học"},
		{"Lê Văn Đức — tín nhiệm cao", "43", "42"},
		{"Lê Văn Đức — tín nhiệm", "1", "2"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d differences shown, want %d:\n%s", len(rows), len(want), diffs)
	}
	for i, w := range want {
		mustContain(t, fmt.Sprintf("difference %d", i+1), rows[i], "<th scope=\"row\" data-label=\"Ô\">"+w[0], "<mark>"+w[1]+"</mark></td><td data-label=\"Lần nhập 2\"><mark>"+w[2]+"</mark>")
	}
	mustContain(t, "differences", page, "đã nhập 2 lần (nhập kép)", "Hai lần nhập khác nhau ở 3 ô", "Lần nhập 2: tochuc")
	mustNotContain(t, "differences", page, ">Niêm phong kết quả<")
	checkVisibleText(t, "differences", page)

	// The second person corrects their entry; the entries agree and the tally can be sealed.
	if res := postEntry(t, second, validEntry("2"), "", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("entry 2 again: %d", res.StatusCode)
	}
	page = second.get("/rounds/" + roundBinhSon + "/tally").Body
	mustContain(t, "agreeing", page, ">Niêm phong kết quả<")
	mustNotContain(t, "agreeing", page, `id="khac-nhau"`)
	if res := first.postForm("/rounds/"+roundBinhSon+"/tally/seal", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("seal: %d\n%s", res.StatusCode, res.Body)
	}
	mustContain(t, "sealed", first.get("/rounds/"+roundBinhSon+"/tally").Body, "Sửa kết quả đã niêm phong")
	mustContain(t, "sealed form", first.get("/rounds/"+roundBinhSon+"/tally/entry").Body, "Lý do sửa (bắt buộc)", `name="reason" value="" aria-describedby="f-reason-note" required`)

	// A sealed tally is corrected only with a reason.
	v = validEntry("1")
	v.Set("thap_n08", "23")
	v.Set("invalid_n08", "1")
	res = postEntry(t, first, v, "", nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("correction without a reason: %d, want 409\n%s", res.StatusCode, res.Body)
	}
	mustContain(t, "reason box", near(t, res.Body, "f-reason", "</div>"), "muốn sửa phải ghi lý do sửa")
	v.Set("reason", "Kiểm lại phiếu của bà Mai")
	if res := postEntry(t, first, v, "", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("correction with a reason: %d\n%s", res.StatusCode, res.Body)
	}
	page = first.get("/rounds/" + roundBinhSon + "/tally").Body
	mustContain(t, "correction", page, "phiên bản 1", "lý do sửa: Kiểm lại phiếu của bà Mai")
	rec, _, _ := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if len(rec.Versions) != 1 || rec.Entries[1] == nil || rec.Entries[1].Reason != "Kiểm lại phiếu của bà Mai" || rec.Entries[1].Input.Counts["n08"].Thap != 23 {
		t.Errorf("after the correction: %d versions, entry 1 %+v", len(rec.Versions), rec.Entries[1])
	}
}

func TestTallyEntryFromFile(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")
	ids := []string{"n01", "n02", "n03", "n04", "n05", "n06", "n08", "n09"}
	var csv strings.Builder
	csv.WriteString("ballot," + strings.Join(ids, ",") + ",invalid\r\n")
	for b := 1; b <= 44; b++ {
		marks := make([]string, len(ids))
		for i := range ids {
			marks[i] = fmt.Sprint(1 + (b+i)%3)
		}
		invalid := ""
		if b == 7 {
			invalid = "1"
		}
		fmt.Fprintf(&csv, "%d,%s,%s\r\n", b, strings.Join(marks, ","), invalid)
	}
	v := validEntry("1")
	v.Set("source", sourceFile)
	res := postEntry(t, counter, v, "phieu.csv", []byte(csv.String()))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ballot file: %d\n%s", res.StatusCode, res.Body)
	}
	rec, _, _ := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if e := rec.Entries[1]; e == nil || e.Input.Ballots == nil || len(e.Input.Ballots.Rows) != 44 || e.Input.Counts != nil {
		t.Fatalf("stored from the file: %+v", e)
	}
	page := counter.get("/rounds/" + roundBinhSon + "/tally").Body
	mustContain(t, "draft from ballots", page, "<dt>Phiếu không hợp lệ</dt><dd>1</dd>", "<dt>Phiếu hợp lệ</dt><dd>43</dd>")

	// A bad cell in the file, and a figure typed wrong beside it: both at once, the file's
	// problem with the cell it names.
	lines := strings.Split(csv.String(), "\r\n")
	cells := strings.Split(lines[3], ",") // ballot 3
	cells[2] = "7"                        // the column of n02
	lines[3] = strings.Join(cells, ",")
	bad := strings.Join(lines, "\r\n")
	v.Set("collected", "45")
	v.Set("entry", "2")
	res = postEntry(t, counter, v, "phieu-sai.csv", []byte(bad))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d\n%s", res.StatusCode, res.Body)
	}
	sheet := near(t, res.Body, "f-sheet", "</fieldset>")
	mustContain(t, "file problem", sheet, "cột n02: giá trị “7” không hợp lệ")
	mustContain(t, "summary", res.Body, "<code>phiếu số 3, cột n02</code>", "Tệp đã chọn lần trước: <strong>phieu-sai.csv</strong>", `value="file" checked`)
	mustContain(t, "collected box", near(t, res.Body, "f-collected", "</div>"), "lớn hơn số phiếu phát ra")
	if rec, _, _ := ts.st.Tallies.Get(ts.ctx, roundBinhSon); rec.Entries[2] != nil {
		t.Error("a refused file was stored as entry 2")
	}
	// No file chosen.
	v.Set("collected", "44")
	res = postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no file: %d", res.StatusCode)
	}
	mustContain(t, "no file", near(t, res.Body, "f-sheet", "</fieldset>"), "Chưa chọn tệp")
}

func TestTallyEntryAddRowWithoutScript(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	counter := ts.login("kiemphieu")
	v := validEntry("1")
	v.Set("action", "add-absent")
	v["absent_name"], v["absent_reason"] = []string{"Võ Văn Ba", "", ""}, []string{"đi công tác", "", ""}
	res := postEntry(t, counter, v, "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add a row: %d", res.StatusCode)
	}
	if n := strings.Count(res.Body, `name="absent_name"`); n != 4 {
		t.Errorf("%d absent rows after adding one to 3", n)
	}
	mustContain(t, "kept", res.Body, `value="Võ Văn Ba"`, `name="cao_n02" value="44"`)
	mustNotContain(t, "add row", res.Body, "field-error")
	v.Set("action", "add-member")
	if res := postEntry(t, counter, v, "", nil); strings.Count(res.Body, `name="member_name"`) != 4 {
		t.Errorf("%d committee rows after adding one to 3", strings.Count(res.Body, `name="member_name"`))
	}
	mustNotStore(t, ts)
}

func TestTallyEntryViewerRefused(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	viewer := ts.login("xem")
	if res := viewer.get("/rounds/" + roundBinhSon + "/tally/entry"); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer entry form: %d, want 403", res.StatusCode)
	}
	res := postEntry(t, viewer, validEntry("1"), "", nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer entry: %d, want 403", res.StatusCode)
	}
	mustContain(t, "viewer entry", res.Body, "không có quyền")
	mustNotStore(t, ts)
	mustNotContain(t, "viewer tally page", viewer.get("/rounds/"+roundBinhSon+"/tally").Body, "/tally/entry")
	// Another organization's counter does not learn the round exists.
	if res := ts.login("tanlap").get("/rounds/" + roundBinhSon + "/tally/entry"); res.StatusCode != http.StatusNotFound {
		t.Errorf("other organization: %d, want 404", res.StatusCode)
	}
	// A form sent from another site is refused before it is read.
	counter := ts.login("kiemphieu")
	counter.origin = "https://evil.example"
	if res := postEntry(t, counter, validEntry("1"), "", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin entry: %d, want 403", res.StatusCode)
	}
	mustNotStore(t, ts)
}

func TestTallyEntryPageGolden(t *testing.T) {
	rd := goldenRound(t)
	v := validEntry("2")
	v.Set("present", "44")
	v.Set("collected", "45")
	v.Set("cao_n03", "bốn ba")
	v["member_name"], v["member_role"] = []string{"Trần Quốc Hùng", "Kha Thị Hậu", ""}, []string{minutes.RoleHead, "", ""}
	r := httptest.NewRequest(http.MethodPost, "/rounds/"+rd.ID+"/tally/entry", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	o := app.TallyOverview{Round: rd, Entries: map[int]*minutes.Entry{1: {No: 1, By: "kiemphieu", At: goldenNow}}}
	pg := newTallyEntryPage(o, goldenOrganizer)
	pg.Form = readEntryForm(r, rd)
	sub := pg.Form.submission(rd)
	var ps []entryProblem
	for _, pr := range app.TallyProblems(rd, sub.entry, goldenNow) {
		ps = append(ps, sub.locate(pr))
	}
	pg.showProblems(rd, &sub, "", ps)
	page := renderGolden(t, "tallyentry", "tallyentry-problems", pg)
	mustContain(t, "golden entry", page, "Lần nhập 1: đã có — kiemphieu, 15:30 21/11/2028", "Số phiếu thu vào (45) lớn hơn số phiếu phát ra (44)",
		"“bốn ba” không phải số nguyên", "không được tham gia ban kiểm phiếu", "chưa có chức danh")
	if len(pg.Problems) != 4 {
		t.Errorf("%d problems, want 4: %+v", len(pg.Problems), pg.Problems)
	}
}

// TestLocateProblems: each problem the core names is put beside its part of the form, by its place.
func TestLocateProblems(t *testing.T) {
	table := entrySubmission{source: sourceTable, names: map[string]string{"n03": "Lê Văn Đức"}, absentRow: []int{0, 2}, memberRow: []int{1}}
	file := table
	file.source = sourceFile
	at := func(path string) problem.Problem { return problem.Problem{Path: path} }
	cell := func(line int, column, nominee, where string) problem.Problem {
		return problem.Problem{Path: "sheet", Line: line, Column: column, Nominee: nominee, Where: where}
	}
	cases := []struct {
		sub        entrySubmission
		pr         problem.Problem
		key, path2 string
	}{
		{table, at("present"), "present", ""},
		{table, at("invalid_ballots"), "invalid_ballots", ""},
		{table, at("absent"), "absent", ""},
		{table, at("absent[1].name"), "absent.2", ""},
		{table, at("absent[5].name"), "absent", ""},
		{table, at("committee[0].role"), "committee.1", ""},
		{table, at("entry"), "entry", ""},
		{table, at("session.chair"), "session.chair", ""},
		{table, at("session.agenda[2]"), "session.agenda", ""},
		{table, at("session.copies"), "session.copies", ""},
		{table, at("session.unknown"), "general", ""},
		{table, at("summoned"), "general", ""},
		{table, at("roster[3].id"), "general", ""},
		{table, cell(0, "", "n03", ""), "count.n03", ""},
		{table, cell(0, "cao", "n03", ""), "count.n03", ""},
		{table, cell(0, "n99", "n99", "cột n99"), "sheet", ""},
		{table, at("sheet"), "sheet", ""},
		{file, cell(4, "nominee", "n03", "dòng 4"), "sheet", "dòng 4"},
		{file, cell(3, "n03", "n03", "phiếu số 17, cột n03"), "sheet", "phiếu số 17, cột n03"},
		{file, cell(4, "cao", "n03", "dòng 4, cột cao"), "sheet", "dòng 4, cột cao"},
		{file, at("file"), "sheet", ""},
	}
	for _, c := range cases {
		got := c.sub.locate(c.pr)
		if got.key != c.key || got.path != c.path2 || got.where == "" {
			t.Errorf("%+v (%s): %+v, want key %q path %q", c.pr, c.sub.source, got, c.key, c.path2)
		}
	}
	for _, c := range []struct{ key, want string }{{"present", "f-present"}, {"absent.2", "f-absent-2"}, {"count.n03", "f-count-n03"},
		{"session.chair", "f-chair"}, {"general", "nhap-kiem-phieu"}, {"sheet", "f-sheet"}} {
		if got := anchorOf(c.key); got != c.want {
			t.Errorf("anchorOf(%q) = %q, want %q", c.key, got, c.want)
		}
	}
}

func TestParseCountBox(t *testing.T) {
	for _, c := range []struct {
		in       string
		required bool
		want     int
		ok       bool
	}{
		{"0", true, 0, true}, {"44", true, 44, true}, {"007", true, 7, true}, {"9999999", true, 9_999_999, true},
		{"", true, 0, false}, {"", false, 0, true}, {"-1", true, 0, false}, {"+3", true, 0, false}, {"4,5", true, 0, false},
		{"10000000", true, 0, false}, {"bốn", true, 0, false}, {"1e3", true, 0, false}, {"٣", true, 0, false},
	} {
		n, msg := parseCountBox(c.in, c.required)
		if (msg == "") != c.ok || n != c.want {
			t.Errorf("parseCountBox(%q, %v) = %d, %q", c.in, c.required, n, msg)
		}
	}
}

// FuzzEntryForm: whatever a form holds, reading it and checking it gives problems in words, each
// with a place on the form, never a panic; and a typed table that passes the page's own checks
// reaches the core with the numbers typed.
func FuzzEntryForm(f *testing.F) {
	f.Add("44", "44", "44", "30", "10", "4", "0", "Võ Văn Ba", "đi công tác", "Lưu Văn Sáng", "Trưởng ban", "1")
	f.Add("", "x", "-1", "bốn", "", "9999999", "10000000", "", "ốm", "A: B", "", "3")
	f.Add("20", "20", "20", "10", "5", "5", "0", "\x00", "\"", "Trần Quốc Hùng", "ủy viên", "2")
	f.Fuzz(func(t *testing.T, present, issued, collected, cao, tn, thap, invalid, absent, reason, member, role, entry string) {
		rd := dossier.Round{ID: "r", Summoned: 45, Track: dossier.TrackParty, VoteDate: "2028-12-15", Timezone: "Asia/Ho_Chi_Minh",
			Nominees: []dossier.Nominee{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}}
		v := url.Values{"present": {present}, "issued": {issued}, "collected": {collected}, "entry": {entry},
			"absent_name": {absent}, "absent_reason": {reason}, "member_name": {member}, "member_role": {role}}
		for _, id := range []string{"n01", "n02"} {
			v.Set("cao_"+id, cao)
			v.Set("tin_nhiem_"+id, tn)
			v.Set("thap_"+id, thap)
			v.Set("invalid_"+id, invalid)
		}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			return
		}
		form := readEntryForm(r, rd)
		sub := form.submission(rd)
		var ps []entryProblem
		for _, pr := range app.TallyProblems(rd, sub.entry, time.Date(2028, 12, 15, 10, 0, 0, 0, time.UTC)) {
			ep := sub.locate(pr)
			if ep.message == "" || ep.where == "" || ep.key == "" {
				t.Fatalf("problem without words or place: %+v from %+v", ep, pr)
			}
			ps = append(ps, ep)
		}
		form.attach(ps)
		for _, id := range []string{"n01", "n02"} {
			c, ok := sub.entry.Counts[id]
			if !ok {
				continue
			}
			want := []string{cao, tn, thap, invalid}
			for i, got := range []int{c.Cao, c.TinNhiem, c.Thap, c.Invalid} {
				if strconv.Itoa(got) != strings.TrimSpace(want[i]) {
					t.Fatalf("%s: typed %q, read %d", id, want[i], got)
				}
			}
		}
	})
}

// TestTallyEntrySecondBeforeFirst: two members may type at the same time; a second entry saved
// first waits, visibly, for the first. A plain (not multipart) form is read as well.
func TestTallyEntrySecondBeforeFirst(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	a, b := ts.login("kiemphieu"), ts.login("tochuc")
	res := b.postForm("/rounds/"+roundBinhSon+"/tally/entry", validEntry("2"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("entry 2 as a plain form: %d\n%s", res.StatusCode, res.Body)
	}
	page := a.get("/rounds/" + roundBinhSon + "/tally").Body
	mustContain(t, "waiting", page, "Lần nhập 2: tochuc", "Chờ lần nhập 1", ">Nhập lần 1<")
	mustNotContain(t, "waiting", page, ">Niêm phong kết quả<")
	mustContain(t, "form for the first", a.get("/rounds/"+roundBinhSon+"/tally/entry").Body, "Lần nhập 2: đã có — tochuc", `value="1" checked`)
	v := validEntry("1")
	v.Set("invalid_n09", "1")
	v.Set("thap_n09", "3")
	if res := postEntry(t, a, v, "", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("entry 1: %d\n%s", res.StatusCode, res.Body)
	}
	page = a.get("/rounds/" + roundBinhSon + "/tally").Body
	mustContain(t, "compared", page, "Ngô Văn Hưng — tín nhiệm thấp", "Ngô Văn Hưng — không hợp lệ", "Hai lần nhập khác nhau ở 2 ô")
}
