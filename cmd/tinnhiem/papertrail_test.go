package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"

	"tinnhiem/ingest/pdftext"
)

// paperRounds are a State round (public results) and a Party round of a district committee
// (internal results), both voting 60 days from now so that documents sent today are on time.
func paperRounds(t *testing.T) (state, party string) {
	vote := time.Now().AddDate(0, 0, 60).Format(time.DateOnly)
	state = `id: an-lac-hdnd
track: state
organization: Hội đồng nhân dân huyện An Lạc
parent_organization: Tỉnh Bình Sơn
title: Lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân huyện bầu
place: An Lạc
vote_date: ` + vote + `
summoned: 30
nominees:
  - {id: t01, name: Lý Thị Ngọc, position: Chủ tịch Hội đồng nhân dân huyện}
  - {id: t02, name: Châu Văn Phúc, position: Chủ tịch Ủy ban nhân dân huyện}
  - {id: t03, name: Trương Minh Quang, position: Phó Chủ tịch Ủy ban nhân dân huyện}
  - {id: t04, name: Hà Thị Thu, position: Trưởng Ban Pháp chế, retiring: true}
`
	party = `id: an-lac-hu
track: party
organization: Huyện ủy An Lạc
parent_organization: Đảng bộ tỉnh Bình Sơn
title: Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Huyện ủy
place: An Lạc
vote_date: ` + vote + `
summoned: 15
nominees:
  - {id: h01, name: Phan Văn Sơn, position: Bí thư Huyện ủy}
  - {id: h02, name: Mai Thị Hồng, position: Phó Bí thư Thường trực Huyện ủy}
`
	return writeFile(t, "state.yaml", state), writeFile(t, "party.yaml", party)
}

// selfAssessment renders a self-assessment of pages pages, each with its own sentence.
func selfAssessment(t *testing.T, name string, pages int) ([]byte, []string) {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes("serif", "B", liberationserifbold.TTF)
	var marks []string
	for i := 1; i <= pages; i++ {
		pdf.AddPage()
		if i == 1 {
			pdf.SetFont("serif", "B", 13)
			pdf.MultiCell(0, 7, "BÁO CÁO TỰ ĐÁNH GIÁ CỦA NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM", "", "C", false)
			pdf.SetFont("serif", "", 12)
			pdf.MultiCell(0, 7, "Họ và tên: "+name+". Về phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao.", "", "L", false)
		}
		mark := fmt.Sprintf("Nội dung riêng của trang %d: kết quả công tác quý %d được đánh giá đầy đủ", i, i)
		marks = append(marks, mark)
		pdf.SetFont("serif", "", 12)
		pdf.MultiCell(0, 7, mark+".", "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), marks
}

func pdfText(t *testing.T, data []byte) (string, int) {
	t.Helper()
	res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(res.Text), " "), res.Pages
}

// fetchMinutes waits for the minutes of the latest version and returns their text by file.
func fetchMinutes(t *testing.T, ts *testServer, round string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	var out string
	var err error
	for deadline := time.Now().Add(60 * time.Second); ; {
		out, err = ts.cli(t, "minutes", "fetch", "--round", round, "-o", dir)
		if err == nil && strings.Count(out, ".pdf") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("minutes of %s not ready: %v %s", round, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	texts := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)], _ = pdfText(t, data)
	}
	return texts
}

// The paper trail from outside (issue 12): the ballot lists exactly the persons on the ballot
// with the three levels; the packet carries the text and every page of an accepted
// self-assessment; its sending is recorded and kept across a restart and a rebuild; the sealing
// warnings go into the minutes when confirmed; a district committee's header names the
// district; no "bãi nhiệm" in State minutes; the public page is 404 before publishing and for
// a Party round, and shows names and figures once the State round is published.
func TestPaperTrailFromOutside(t *testing.T) {
	data := t.TempDir()
	ts := startServer(t, data)
	statePath, partyPath := paperRounds(t)
	for _, p := range []string{statePath, partyPath} {
		if out, err := ts.cli(t, "round", "import", p); err != nil {
			t.Fatalf("import: %v %s", err, out)
		}
	}
	dir := t.TempDir()

	// The ballot: the three persons on it, not the retiring one, the three levels.
	ballot := filepath.Join(dir, "phieu.pdf")
	if out, err := ts.cli(t, "ballot", "--round", "an-lac-hdnd", "-o", ballot); err != nil {
		t.Fatalf("ballot: %v %s", err, out)
	}
	raw, err := os.ReadFile(ballot)
	if err != nil {
		t.Fatal(err)
	}
	text, pages := pdfText(t, raw)
	if pages != 1 {
		t.Errorf("one ballot of three persons takes %d pages", pages)
	}
	for _, want := range []string{"PHIẾU LẤY PHIẾU TÍN NHIỆM", "Lý Thị Ngọc", "Châu Văn Phúc", "Trương Minh Quang", "Tín nhiệm cao", "Tín nhiệm thấp", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"} {
		if !strings.Contains(text, want) {
			t.Errorf("ballot: %q missing: %s", want, text)
		}
	}
	if strings.Contains(text, "Hà Thị Thu") {
		t.Error("the ballot lists a person who is not on it")
	}
	numbered := filepath.Join(dir, "phieu-3.pdf")
	if out, err := ts.cli(t, "ballot", "--round", "an-lac-hdnd", "-o", numbered, "--copies", "3"); err != nil {
		t.Fatalf("ballot --copies: %v %s", err, out)
	}
	raw, _ = os.ReadFile(numbered)
	if text, pages := pdfText(t, raw); pages != 3 || !strings.Contains(text, "Phiếu số 3/3") {
		t.Errorf("3 numbered copies: %d pages: %s", pages, text)
	}

	// A three-page self-assessment of t01, accepted, travels whole in the packet.
	sa, marks := selfAssessment(t, "Lý Thị Ngọc", 3)
	if u := uploadOneAs(t, ts, "an-lac-hdnd", writeBytes(t, dir, "tu-danh-gia.pdf", sa), "t01", "self_assessment"); u.Status != "accepted" {
		t.Fatalf("upload: %+v", u)
	}
	packet := filepath.Join(dir, "ho-so.pdf")
	out, err := ts.cli(t, "packet", "--round", "an-lac-hdnd", "-o", packet)
	if err != nil || !strings.Contains(out, "1 tài liệu đã ghép") {
		t.Fatalf("packet: %v %s", err, out)
	}
	raw, _ = os.ReadFile(packet)
	text, pages = pdfText(t, raw)
	for _, m := range marks {
		if !strings.Contains(text, m) {
			t.Errorf("packet lacks the self-assessment's %q", m)
		}
	}
	// Cover and contents, three summaries, the three pages of the self-assessment.
	if pages != 2+3+3 {
		t.Errorf("packet of %d pages, want 8", pages)
	}
	for _, want := range []string{"BÁO CÁO GỬI ĐẠI BIỂU", "MỤC LỤC", "CHƯA CÓ TÀI LIỆU", "Trang 8/8"} {
		if !strings.Contains(text, want) {
			t.Errorf("packet: %q missing", want)
		}
	}

	// The packet went out yesterday; the record answers and is audited.
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	admin := ts.token(t, "admin", ts.adminPassword(t))
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds/an-lac-hdnd/packet/sent", admin, map[string]string{"sent_at": "2099-01-01", "channel": ""}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("a sending in the future and without channel: HTTP %d %s", res.Status, res.Body)
	}
	res := ts.api(t, http.MethodPost, "/api/v1/rounds/an-lac-hdnd/packet/sent", admin, map[string]string{"sent_at": yesterday, "channel": "Bản giấy qua Văn phòng HĐND"})
	if res.Status != http.StatusOK {
		t.Fatalf("record the sending: HTTP %d %s", res.Status, res.Body)
	}

	// Sealing warns of the persons whose dossiers are incomplete; without --confirm the minutes
	// do not print it. The Party round never recorded its packet: confirmed, the minutes say so.
	ballots := ballots([]string{"t01", "t02", "t03"}, map[string][3]int{"t01": {25, 3, 0}, "t02": {10, 2, 16}, "t03": {4, 4, 20}}, 28)
	if _, err := ts.cli(t, "tally", "import", "--round", "an-lac-hdnd", "--present", "28", "--issued", "28", "--collected", "28",
		"--absent", "Vũ Văn Nam: ốm", "--absent", "Đào Thị Lụa: công tác", writeFile(t, "s.csv", ballots)); err != nil {
		t.Fatal(err)
	}
	show, err := ts.cli(t, "tally", "show", "--round", "an-lac-hdnd")
	if err != nil || !strings.Contains(show, "Cảnh báo khi niêm phong") || !strings.Contains(show, "Châu Văn Phúc") {
		t.Errorf("tally show before the seal: %v\n%s", err, show)
	}
	if out, err := ts.cli(t, "tally", "seal", "--round", "an-lac-hdnd"); err != nil || !strings.Contains(out, "KHÔNG được ghi vào biên bản") {
		t.Fatalf("seal: %v %s", err, out)
	}
	stateMinutes := fetchMinutes(t, ts, "an-lac-hdnd")
	for name, text := range stateMinutes {
		if strings.Contains(strings.ToLower(text), "bãi nhiệm") {
			t.Errorf("%s: State minutes say “bãi nhiệm”", name)
		}
		if strings.Contains(text, "chưa đầy đủ") {
			t.Errorf("%s: an unconfirmed warning reached the minutes", name)
		}
		if strings.Contains(name, "kỳ họp") && !strings.Contains(text, "Bản giấy qua Văn phòng HĐND") {
			t.Errorf("%s: the session minutes do not give the packet's sending: %s", name, text)
		}
	}
	if _, err := ts.cli(t, "tally", "import", "--round", "an-lac-hu", "--present", "15", "--issued", "15", "--collected", "15",
		writeFile(t, "p.csv", "nominee,cao,tin_nhiem,thap,invalid\nh01,12,3,0,0\nh02,9,5,1,0\n")); err != nil {
		t.Fatal(err)
	}
	var sealed struct {
		Warnings  []struct{ Code string } `json:"warnings"`
		Confirmed bool                    `json:"confirmed"`
		Issues    []string                `json:"issues"`
	}
	res = ts.api(t, http.MethodPost, "/api/v1/rounds/an-lac-hu/tally/seal", admin, map[string]bool{"confirm": true})
	res.decode(t, &sealed)
	codes := fmt.Sprint(sealed.Warnings)
	if res.Status != http.StatusOK || !sealed.Confirmed || !strings.Contains(codes, "packet_not_recorded") || !strings.Contains(codes, "dossier_incomplete") {
		t.Fatalf("confirmed seal: HTTP %d %s", res.Status, res.Body)
	}
	for name, text := range fetchMinutes(t, ts, "an-lac-hu") {
		// A district committee under the province: its own header names the district.
		if !strings.Contains(text, "HUYỆN ỦY AN LẠC") || !strings.Contains(text, "ĐẢNG BỘ TỈNH BÌNH SƠN") {
			t.Errorf("%s: the header does not name the district committee: %.300s", name, text)
		}
		if strings.Contains(name, "kiểm phiếu") && !strings.Contains(text, "Không có ghi nhận về việc gửi hồ sơ") {
			t.Errorf("%s: the confirmed issue is not in the minutes: %s", name, text)
		}
	}

	// Public results: nothing before publishing, never for the Party round.
	for _, path := range []string{"/public/rounds/an-lac-hdnd", "/public/rounds/an-lac-hdnd.json", "/public/rounds/an-lac-hu", "/public/rounds/an-lac-hu.json", "/public/rounds/khong-co", "/public/rounds/an-lac-hdnd/thong-bao-ket-qua.pdf"} {
		if res := ts.api(t, http.MethodGet, path, "", nil); res.Status != http.StatusNotFound {
			t.Errorf("GET %s before publishing: HTTP %d", path, res.Status)
		}
	}
	unknown := ts.api(t, http.MethodGet, "/public/rounds/khong-co.json", "", nil)
	internal := ts.api(t, http.MethodGet, "/public/rounds/an-lac-hu.json", "", nil)
	if !bytes.Equal(unknown.Body, internal.Body) {
		t.Errorf("an internal round answers otherwise than an unknown one:\n%s\n%s", unknown.Body, internal.Body)
	}
	if out, err := ts.cli(t, "tally", "publish", "--round", "an-lac-hu"); err == nil || !strings.Contains(err.Error(), "not_public") {
		t.Errorf("publishing a Party round: %v %s", err, out)
	}
	if out, err := ts.cli(t, "tally", "publish", "--round", "an-lac-hdnd"); err != nil || !strings.Contains(out, "/public/rounds/an-lac-hdnd") {
		t.Fatalf("publish: %v %s", err, out)
	}
	page := ts.api(t, http.MethodGet, "/public/rounds/an-lac-hdnd", "", nil)
	body := string(page.Body)
	for _, want := range []string{"Lý Thị Ngọc", "Châu Văn Phúc", "Trương Minh Quang", "83,33%", "53,33%", "66,67%", "Tín nhiệm thấp từ 2/3 trở lên"} {
		if !strings.Contains(body, want) {
			t.Errorf("public page: %q missing", want)
		}
	}
	if page.Status != http.StatusOK || page.Header.Get("Content-Security-Policy") == "" || page.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("public page: HTTP %d, headers %v", page.Status, page.Header)
	}
	for _, secret := range []string{"Vũ Văn Nam", "Hà Thị Thu"} { // absentees' names, persons off the ballot
		if strings.Contains(body, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	var pub struct {
		Round   string `json:"round"`
		Version int    `json:"version"`
		Persons []struct {
			Name       string             `json:"name"`
			Counts     map[string]int     `json:"counts"`
			Percent    map[string]float64 `json:"percent"`
			Thresholds map[string]bool    `json:"thresholds"`
		} `json:"persons"`
	}
	pubRes := ts.api(t, http.MethodGet, "/public/rounds/an-lac-hdnd.json", "", nil)
	pubRes.decode(t, &pub)
	// Every field of the contract (README) is there, empty or not.
	var fields struct {
		Top     map[string]json.RawMessage
		Persons []map[string]json.RawMessage `json:"persons"`
	}
	if err := json.Unmarshal(pubRes.Body, &fields.Top); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(fields.Top["persons"], &fields.Persons)
	for _, k := range []string{"round", "title", "organization", "parent_organization", "track", "vote_date", "timezone", "version", "sealed_at", "published_at",
		"summoned", "present", "collected", "valid_ballots", "invalid_ballots", "denominator", "denominator_text", "combined_share", "persons"} {
		if _, ok := fields.Top[k]; !ok {
			t.Errorf("public JSON lacks %q", k)
		}
	}
	for _, p := range fields.Persons {
		for _, k := range []string{"order", "name", "position", "valid", "counts", "denominator", "percent", "percent_text", "thresholds", "threshold", "consequence"} {
			if _, ok := p[k]; !ok {
				t.Errorf("public JSON: a person lacks %q", k)
			}
		}
	}
	if pub.Round != "an-lac-hdnd" || pub.Version != 1 || len(pub.Persons) != 3 || pub.Persons[0].Percent["cao"] != 83.33 ||
		!pub.Persons[1].Thresholds["over_half_low"] || pub.Persons[1].Thresholds["two_thirds_low"] || !pub.Persons[2].Thresholds["two_thirds_low"] ||
		pub.Persons[2].Counts["thap"] != 20 {
		t.Errorf("public JSON: %+v", pub)
	}
	notice := ts.api(t, http.MethodGet, "/public/rounds/an-lac-hdnd/thong-bao-ket-qua.pdf", "", nil)
	if notice.Status != http.StatusOK || notice.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("notice: HTTP %d %s", notice.Status, notice.Header)
	}
	if text, _ := pdfText(t, notice.Body); !strings.Contains(text, "THÔNG BÁO") || !strings.Contains(text, "Trương Minh Quang") || strings.Contains(text, "Vũ Văn Nam") {
		t.Errorf("notice: %s", text)
	}

	// The sending's record is an event of the dossier stream: a restart keeps it and a rebuild
	// of the projection gives it back.
	ts.Stop()
	ts = startServer(t, data)
	admin = ts.token(t, "admin", ts.adminPassword(t))
	if out, err := ts.cli(t, "dossier", "rebuild", "--round", "an-lac-hdnd"); err != nil {
		t.Fatalf("rebuild: %v %s", err, out)
	}
	var sent struct {
		Recorded bool   `json:"recorded"`
		Channel  string `json:"channel"`
		OnTime   bool   `json:"on_time"`
	}
	ts.api(t, http.MethodGet, "/api/v1/rounds/an-lac-hdnd/packet/sent", admin, nil).decode(t, &sent)
	if !sent.Recorded || sent.Channel != "Bản giấy qua Văn phòng HĐND" || !sent.OnTime {
		t.Errorf("after a restart and a rebuild the record reads %+v", sent)
	}
	audit, err := ts.cli(t, "audit", "--round", "an-lac-hdnd", "--json")
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"ballot.print", "packet.build", "packet.sent", "results.publish"} {
		if !strings.Contains(audit, `"`+action+`"`) {
			t.Errorf("%s not audited", action)
		}
	}
}

// Who may: the board prints ballots, assembles and records the packet and publishes; a
// counter or a viewer may not.
func TestPaperTrailPermissions(t *testing.T) {
	ts := startServer(t, t.TempDir())
	statePath, _ := paperRounds(t)
	if _, err := ts.cli(t, "round", "import", statePath); err != nil {
		t.Fatal(err)
	}
	const org = "Hội đồng nhân dân huyện An Lạc"
	ts.addUser(t, "kiemphieu", "mat-khau-kiem-phieu", []string{"counter"}, org)
	ts.addUser(t, "xem", "mat-khau-chi-xem-1", []string{"viewer"}, org)
	ts.addUser(t, "khac", "mat-khau-to-chuc-khac", []string{"organizer"}, "Huyện ủy Tân Lập")
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/rounds/an-lac-hdnd/ballot"},
		{http.MethodGet, "/api/v1/rounds/an-lac-hdnd/packet"},
		{http.MethodPost, "/api/v1/rounds/an-lac-hdnd/packet/sent"},
		{http.MethodPost, "/api/v1/rounds/an-lac-hdnd/publish"},
	} {
		body := any(nil)
		if c.method == http.MethodPost {
			body = map[string]string{}
		}
		for _, u := range []struct{ user, pass string }{{"kiemphieu", "mat-khau-kiem-phieu"}, {"xem", "mat-khau-chi-xem-1"}} {
			if res := ts.api(t, c.method, c.path, ts.token(t, u.user, u.pass), body); res.Status != http.StatusForbidden {
				t.Errorf("%s %s as %s: HTTP %d", c.method, c.path, u.user, res.Status)
			}
		}
		if res := ts.api(t, c.method, c.path, ts.token(t, "khac", "mat-khau-to-chuc-khac"), body); res.Status != http.StatusNotFound {
			t.Errorf("%s %s by another organization: HTTP %d", c.method, c.path, res.Status)
		}
	}
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/an-lac-hdnd/ballot?copies=abc", ts.token(t, "admin", ts.adminPassword(t)), nil)
	if res.Status != http.StatusBadRequest {
		t.Errorf("copies=abc: HTTP %d", res.Status)
	}
	res = ts.api(t, http.MethodGet, "/api/v1/rounds/an-lac-hdnd/ballot?copies=99999", ts.token(t, "admin", ts.adminPassword(t)), nil)
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("copies=99999: HTTP %d", res.Status)
	}
	res = ts.api(t, http.MethodPost, "/api/v1/rounds/an-lac-hdnd/publish", ts.token(t, "admin", ts.adminPassword(t)), nil)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "not_sealed") {
		t.Errorf("publish before any seal: HTTP %d %s", res.Status, res.Body)
	}
}

func writeBytes(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// uploadOneAs uploads a file declaring its person and kind and returns its verdict line.
func uploadOneAs(t *testing.T, ts *testServer, round, path, nominee, kind string) uploadLine {
	t.Helper()
	out, err := ts.cli(t, "upload", "--round", round, "--nominee", nominee, "--kind", kind, "--timeout", "90s", path)
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	var u uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &u); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return u
}
