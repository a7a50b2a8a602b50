package ui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
)

var update = flag.Bool("update", false, "rewrite the golden files of rendered pages")

// goldenNow is the clock of the golden pages: four days before the dossier deadline of the
// Bình Sơn round, so every countdown form shows.
var goldenNow = time.Date(2028, 11, 21, 8, 30, 0, 0, time.UTC)

// renderGolden renders a page with fixed asset URLs (so that a CSS change does not touch every
// golden file) and compares it with testdata/<name>.golden.html.
func renderGolden(t *testing.T, page, name string, data any) string {
	t.Helper()
	pages, err := parsePages(func(n string) string { return "/static/" + n + "?v=golden" })
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		t.Fatalf("render %s: %v", page, err)
	}
	got := buf.String()
	path := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update after checking the change)\n%s", page, path, firstDifference(string(want), got))
	}
	checkVisibleText(t, name, got)
	return got
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

var (
	tagPattern  = regexp.MustCompile(`(?s)<script.*?</script>|<code[^>]*>.*?</code>|<[^>]*>`)
	codePattern = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)
)

// checkVisibleText: what a person reads is NFC and holds no API code (snake_case words such as
// needs_review or self_assessment) and none of the English status words. Identifiers set in
// <code> (a round id, a key of the round file a problem points at, a checksum) are exempt:
// they are shown so they can be found, not read.
func checkVisibleText(t *testing.T, name, page string) {
	t.Helper()
	if !norm.NFC.IsNormalString(page) {
		t.Errorf("%s: page is not NFC", name)
	}
	text := tagPattern.ReplaceAllString(page, " ")
	text = strings.ReplaceAll(text, "Asia/Ho_Chi_Minh", "")
	for _, m := range codePattern.FindAllString(text, -1) {
		t.Errorf("%s: code %q visible to people", name, m)
	}
	for _, w := range []string{"accepted", "rejected", "pending", "needs review", "missing", "late", "Submit", "Upload", "Login", "Logout", "Download", "Error"} {
		if regexp.MustCompile(`(?i)\b` + w + `\b`).MatchString(text) {
			t.Errorf("%s: English word %q visible to people", name, w)
		}
	}
}

func goldenRound(t *testing.T) dossier.Round {
	t.Helper()
	data, err := os.ReadFile("testdata/round-binh-son.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := dossier.ParseRound(data)
	if err != nil {
		t.Fatal(err)
	}
	rd.Version, rd.UpdatedBy, rd.UpdatedAt = 3, "tochuc", time.Date(2028, 11, 1, 2, 0, 0, 0, time.UTC)
	return rd
}

// goldenState is a projection with one document in every state.
func goldenState(t *testing.T, rd dossier.Round) *dossier.State {
	t.Helper()
	st := dossier.NewState(rd.ID)
	at := time.Date(2028, 11, 20, 2, 15, 0, 0, time.UTC)
	docs := []dossier.Document{
		{ID: "d0000000000010000000000000001", Nominee: "n02", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, File: "ha-tu-danh-gia.pdf"},
		{ID: "d0000000000010000000000000002", Nominee: "n02", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusAccepted, File: "ha-ke-khai.pdf"},
		{ID: "d0000000000010000000000000003", Nominee: "n03", Kind: dossier.KindSelfAssessment, Status: dossier.StatusLate, File: "duc.pdf"},
		{ID: "d0000000000010000000000000004", Nominee: "n04", Kind: dossier.KindSelfAssessment, Status: dossier.StatusNeedsReview, File: "tuan-scan.pdf", Reason: "no_text_layer"},
		{ID: "d0000000000010000000000000005", Nominee: "n05", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusRejected, File: "lan.pdf", Reason: "encrypted"},
		{ID: "d0000000000010000000000000006", Nominee: "n06", Kind: dossier.KindExplanationRequest, Status: dossier.StatusAccepted, File: "de-nghi-khoa.pdf",
			RequestRef: "Số 12/ĐNGT", Requester: "Đại biểu Nguyễn Văn An"},
		{ID: "d0000000000010000000000000007", Nominee: "n08", Kind: dossier.KindExplanationRequest, Status: dossier.StatusLate, File: "de-nghi-mai.pdf"},
		{ID: "d0000000000010000000000000008", Status: dossier.StatusRejected, File: "khong-ro.pdf", Reason: ingest.ReasonUnknownNominee},
		{ID: "d0000000000010000000000000009", Nominee: "n07", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, File: "vinh.pdf"},
	}
	for i, d := range docs {
		d.Round, d.ReceivedAt, d.Revision = rd.ID, at.Add(time.Duration(i)*time.Hour), 1
		if d.Status == dossier.StatusLate {
			d.ReceivedAt = time.Date(2028, 11, 26, 1, 0, 0, 0, time.UTC)
		}
		if _, err := st.ApplyDocument(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: d}, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

var (
	goldenOrganizer = auth.Principal{Username: "tochuc", Roles: []string{auth.RoleOrganizer}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}
	goldenViewer    = auth.Principal{Username: "xem", Roles: []string{auth.RoleViewer}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}
	goldenAdmin     = auth.Principal{Username: "admin", Roles: []string{auth.RoleAdmin}}
)

func TestRoundPageGolden(t *testing.T) {
	rd := goldenRound(t)
	rep := dossier.Status(rd, goldenState(t, rd), goldenNow)
	for _, c := range []struct {
		name string
		p    auth.Principal
	}{{"round-organizer", goldenOrganizer}, {"round-viewer", goldenViewer}} {
		t.Run(c.name, func(t *testing.T) {
			pg := buildRoundPage(rd, rep, nil, c.p, goldenNow)
			pg.User = newUserView(c.p)
			page := renderGolden(t, "round", c.name, pg)
			mustContain(t, c.name, page, "còn 4 ngày", "còn 14 ngày", "23:59 25/11/2028", "17:00 12/12/2028")
			if c.p.Has(auth.RoleOrganizer) {
				mustContain(t, c.name, page, "Đại biểu Nguyễn Văn An", "data-upload", `action="/import"`)
			} else {
				mustNotContain(t, c.name, page, "Đại biểu Nguyễn Văn An", "data-upload", `action="/import"`, "/decision")
			}
		})
	}
	// After the deadline the same page says so.
	after := time.Date(2028, 11, 26, 0, 0, 0, 0, time.UTC)
	pg := buildRoundPage(rd, dossier.Status(rd, goldenState(t, rd), after), nil, goldenViewer, after)
	if pg.Deadlines[0].Left != "đã quá hạn" || pg.Deadlines[0].Class != "bad" {
		t.Errorf("dossier deadline after it passed: %+v", pg.Deadlines[0])
	}
	var overdue int
	for _, p := range pg.People {
		if p.Dossier.Label == "còn thiếu, đã quá hạn" {
			overdue++
		}
	}
	if overdue != 7 {
		t.Errorf("%d persons overdue, want 7 (all on the ballot but Nguyễn Thị Thanh Hà)", overdue)
	}
}

// goldenAlerts are the alerts the deadline watcher raises for the dossier deadline of the golden
// round, each at its moment (72 h, 24 h and 2 h before it, and once it has passed), with their
// deliveries in each state a person can see.
func goldenAlerts(t *testing.T, rd dossier.Round, st *dossier.State) []dossier.Alert {
	t.Helper()
	dl, _ := rd.Deadline(dossier.DeadlineDossier)
	var out []dossier.Alert
	raised := map[string]bool{} // as the watcher's create-if-absent: each lead once
	for _, at := range []time.Time{dl.At.Add(-72 * time.Hour), dl.At.Add(-24 * time.Hour), dl.At.Add(-2 * time.Hour), dl.At.Add(time.Hour)} {
		for _, due := range dossier.DueAlerts(rd, at) {
			if due.Deadline != dossier.DeadlineDossier || raised[due.Lead] {
				continue
			}
			raised[due.Lead] = true
			a := dossier.NewAlert(rd, st, due, at, "watcher-1")
			for i := range a.Deliveries {
				d := &a.Deliveries[i]
				d.Attempts, d.LastAttemptAt = 1, at.Add(2*time.Second)
				d.State, d.SentAt = dossier.DeliverySent, d.LastAttemptAt
			}
			out = append(out, a)
		}
	}
	if len(out) != 4 {
		t.Fatalf("%d alerts raised, want 4", len(out))
	}
	// The overdue alert's mail bounced for good; the 2-hour one waits for a retry.
	last := &out[3].Deliveries[1]
	last.State, last.Attempts, last.SentAt, last.LastError = dossier.DeliveryFailed, 5, time.Time{}, "550 5.1.1 mailbox unavailable"
	retry := &out[2].Deliveries[1]
	retry.State, retry.SentAt, retry.LastError, retry.NextAt = dossier.DeliveryPending, time.Time{}, "dial tcp 10.0.0.25:25: i/o timeout", retry.LastAttemptAt.Add(time.Minute)
	return out
}

func TestRoundAlertsGolden(t *testing.T) {
	rd := goldenRound(t)
	st := goldenState(t, rd)
	now := time.Date(2028, 11, 26, 1, 30, 0, 0, time.UTC)
	alerts := goldenAlerts(t, rd, st)
	pg := buildRoundPage(rd, dossier.Status(rd, st, now), alerts, goldenOrganizer, now)
	pg.User = newUserView(goldenOrganizer)
	page := renderGolden(t, "round", "round-alerts-organizer", pg)
	section := between(t, page, `id="canh-bao"`, "</section>")
	// Newest first: the overdue alert, open, then the three leads.
	order := []string{"đã quá hạn", "trước hạn 2 giờ", "trước hạn 1 ngày", "trước hạn 3 ngày"}
	last := -1
	for _, w := range order {
		i := strings.Index(section, w)
		if i < 0 || i < last {
			t.Errorf("alert %q missing or out of order", w)
		}
		last = i
	}
	mustContain(t, "alerts", section, "Hạn nộp hồ sơ", "23:59 25/11/2028", "phát lúc 00:59 26/11/2028", "phát lúc 23:59 22/11/2028",
		"7 người chưa đủ hồ sơ", "Trần Quốc Hùng", "còn thiếu Báo cáo tự đánh giá; Bản kê khai tài sản, thu nhập",
		"Võ Đình Khoa", "1 đề nghị giải trình chưa trả lời", "Thư điện tử", "bantochuc@binhson.example", "không gửi được", "550 5.1.1 mailbox unavailable",
		"đang chờ gửi", "gửi lại lúc", "đã gửi", "<details class=\"alert\" open>")
	if strings.Count(section, "<details class=\"alert\" open>") != 1 {
		t.Error("only the newest alert should be open")
	}
	// Viewers see who misses what, not where alerts go or why a sending failed.
	pg = buildRoundPage(rd, dossier.Status(rd, st, now), alerts, goldenViewer, now)
	var buf bytes.Buffer
	pages, err := parsePages(func(n string) string { return "/static/" + n })
	if err != nil {
		t.Fatal(err)
	}
	if err := pages["round"].ExecuteTemplate(&buf, "layout", pg); err != nil {
		t.Fatal(err)
	}
	viewer := between(t, buf.String(), `id="canh-bao"`, "</section>")
	mustContain(t, "viewer alerts", viewer, "đã quá hạn", "Trần Quốc Hùng", "còn thiếu Báo cáo tự đánh giá")
	mustNotContain(t, "viewer alerts", viewer, "bantochuc@binhson.example", "mailbox", "Thư điện tử", "đã gửi", "không gửi được")
	// The words of the empty list say when alerts will come.
	pg = buildRoundPage(rd, dossier.Status(rd, st, goldenNow), nil, goldenViewer, goldenNow)
	if pg.AlertLeads != "3 ngày, 1 ngày, 2 giờ" {
		t.Errorf("alert leads %q", pg.AlertLeads)
	}
}

// between is the part of s from the first from to the next to after it.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q in the page", from)
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		t.Fatalf("no %q after %q", to, from)
	}
	return s[i : i+j]
}

func TestDocumentPageGolden(t *testing.T) {
	rd := goldenRound(t)
	d := dossier.Document{ID: "d0000000000010000000000000004", Round: rd.ID, File: "Báo cáo tự đánh giá - Phạm Minh Tuấn.pdf", Size: 183_500,
		SHA256: strings.Repeat("3f", 32), ReceivedAt: time.Date(2028, 11, 20, 5, 15, 0, 0, time.UTC), Uploader: "tochuc",
		DeclaredNominee: "n04", Status: dossier.StatusNeedsReview, Kind: dossier.KindSelfAssessment, KindConfidence: 0.42, Nominee: "n04",
		Reason: ingest.ReasonKindUncertain, Message: "Không chắc đây là loại tài liệu gì (đoán: Báo cáo tự đánh giá); cần người xác nhận.",
		Warnings: []string{ingest.WarnKindUncertain, ingest.WarnMissingCriterion + ingest.CriterionFamily}, Pages: 4,
		Excerpt: "BÁO CÁO TỰ ĐÁNH GIÁ của người được lấy phiếu tín nhiệm Họ và tên: Phạm Minh Tuấn …", Deadline: dossier.DeadlineDossier,
		VerdictAt: time.Date(2028, 11, 20, 5, 15, 3, 0, time.UTC), Revision: 1}
	versions := []ingest.Version{ // newest first, as the core gives them
		{ID: d.ID, Status: d.Status, ReceivedAt: d.ReceivedAt, File: d.File},
		{ID: "d0000000000010000000000000003", Status: dossier.StatusRejected, ReceivedAt: time.Date(2028, 11, 19, 1, 0, 0, 0, time.UTC), File: "ban-cu.pdf"},
	}
	pg := buildDocumentPage(app.DocumentView{Document: d, Round: rd, Versions: versions, VersionsPage: 1, VersionsPages: 1, VersionsTotal: 2,
		MayReadText: true, MayDownload: true, MayReview: true})
	pg.User, pg.Zone = newUserView(goldenOrganizer), zoneLabel(rd, d.ReceivedAt)
	page := renderGolden(t, "document", "document-organizer", pg)
	mustContain(t, "document", page, "12:15 20/11/2028", "179 KB", "chưa chắc chắn", "Chưa chắc chắn về loại tài liệu",
		"Báo cáo tự đánh giá chưa đề cập: Trách nhiệm nêu gương", `<option value="n04" selected>`, "Hạn nộp hồ sơ: 23:59 25/11/2028")
}

func TestTallyPageGolden(t *testing.T) {
	rd := goldenRound(t)
	sheet, err := minutes.ParseSheet(strings.NewReader("nominee,cao,tin_nhiem,thap,invalid\n" +
		"n01,44,0,0,0\nn02,42,2,0,0\nn03,40,3,1,0\nn04,26,10,8,0\nn05,10,10,24,0\nn06,5,9,30,0\nn08,20,20,4,0\nn09,0,0,0,44\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := sheet.Input(minutes.Attendance{Summoned: 45, Present: 44, Issued: 44, Collected: 44, Absent: []minutes.Absentee{{Name: "Võ Văn Ba", Reason: "đi công tác"}}},
		[]minutes.Member{{Name: "Lưu Văn Sáng", Role: minutes.RoleHead}})
	res, err := minutes.Compute(minutes.RosterOf(rd), minutes.RulesOf(rd), in)
	if err != nil {
		t.Fatal(err)
	}
	v := newResultView(rd, res)
	pg := tallyPage{chrome: chrome{Title: "Kết quả kiểm phiếu — " + rd.Title, User: newUserView(goldenViewer), Back: "/rounds/" + rd.ID, BackLabel: rd.Title},
		RoundURL: "/rounds/" + rd.ID, Track: trackLabel(rd.Track), Sealed: &v, SealedVersion: 1, SealedAt: "16:05 15/12/2028", SealedBy: "kiemphieu",
		SealedSHA: strings.Repeat("9a", 32), Artifacts: []artifactRow{{Title: "Biên bản kiểm phiếu", Version: 1}}, CanDownload: true}
	page := renderGolden(t, "tally", "tally-viewer", pg)
	mustContain(t, "tally", page, "97,78%", "93,33%", "88,89%", "57,78%", "53,33%", "66,67%",
		"Tín nhiệm thấp trên 1/2 đến dưới 2/3", "Tín nhiệm thấp từ 2/3 trở lên", "Xem xét miễn nhiệm", "Võ Văn Ba (đi công tác)", "Biên bản kiểm phiếu")
	// Sealed, but not for this account: no figure, no document, and the rule said.
	hidden := renderGolden(t, "tally", "tally-hidden", tallyPage{chrome: pg.chrome, RoundURL: pg.RoundURL, Track: pg.Track, ResultsHidden: true})
	mustContain(t, "hidden", hidden, "tài khoản của bạn không được tải về", "không được xem số liệu")
	mustNotContain(t, "hidden", hidden, "97,78%", "Biên bản kiểm phiếu</a>")
}

func TestOtherPagesRender(t *testing.T) {
	pages := []struct {
		page string
		data any
	}{
		{"login", loginPage{chrome: chrome{Title: "Đăng nhập"}, Next: "/", Error: "Sai tên đăng nhập hoặc mật khẩu."}},
		{"error", errorPage{chrome: chrome{Title: "Không tìm thấy", User: newUserView(goldenViewer)}, Status: 404, Message: "Không có trang này.",
			Items: []problemView{{Field: "Ngày lấy phiếu", Path: "vote_date", Message: "Ngày không hợp lệ"}}}},
		{"error", errorPage{chrome: chrome{Title: "Lỗi hệ thống", User: newUserView(goldenViewer)}, Status: 500, Message: "Lỗi hệ thống; thao tác chưa được thực hiện.",
			RequestID: "0b9c2d7e5f1a4c3b9e8d7a6b5c4d3e2f"}},
		{"import", importPage{chrome: chrome{Title: "Nhập đợt lấy phiếu", User: newUserView(goldenOrganizer)}, Form: importForm{ID: "nhap", Content: "id: x\n<script>"}, Message: "Tệp có các lỗi"}},
		{"home", homePage{chrome: chrome{Title: "Các đợt lấy phiếu tín nhiệm", User: newUserView(goldenOrganizer)}, CanImport: true,
			Rounds: []roundRow{{ID: "x", URL: "/rounds/x", VoteDate: "15/12/2028", Organization: "Tỉnh ủy Bình Sơn", Title: "Lấy phiếu", Track: trackLabel("party"),
				OnBallot: 8, Exempt: 2, Summary: "1/8 người đủ hồ sơ", SummaryClass: "warn", OpenRequests: 2}}}},
		{"uploads", uploadsPage{chrome: chrome{Title: "Tài liệu vừa tải lên", User: newUserView(goldenOrganizer)}, Pending: true,
			Docs: []verdictView{{DocumentID: "d1", URL: "/documents/d1", File: "a.pdf", StatusLabel: "đang xử lý", StatusClass: "info"}}}},
		{"users", usersPage{chrome: chrome{Title: "Tài khoản", User: newUserView(goldenAdmin)}, Add: accountForm{Username: "<script>", Roles: roleOptions(nil)},
			Users:   []userRow{newUserRow(auth.User{Username: "xem", Roles: []string{"viewer"}, Organizations: []string{"Tỉnh ủy Bình Sơn"}, Disabled: true}, "admin")},
			Message: "Có các lỗi dưới đây; chưa có gì được lưu.", Items: []problemView{{Field: "Mật khẩu", Message: "Mật khẩu phải có ít nhất 10 ký tự"}}}},
		{"user", userPage{chrome: chrome{Title: "Tài khoản xem", User: newUserView(goldenAdmin)}, U: newUserRow(auth.User{Username: "xem", Roles: []string{"viewer"}}, "admin"),
			Form: accountForm{Roles: roleOptions([]string{"viewer"})}, Problems: map[string]string{"password": "Mật khẩu phải có ít nhất 10 ký tự"}}},
		{"password", passwordPage{chrome: chrome{Title: "Đổi mật khẩu", User: newUserView(goldenViewer)}, Message: "Mật khẩu chưa được đổi.",
			Problems: map[string]string{"current_password": "Mật khẩu hiện tại không đúng"}}},
	}
	all, err := parsePages(func(n string) string { return "/static/" + n })
	if err != nil {
		t.Fatal(err)
	}
	for name := range all {
		found := false
		for _, p := range pages {
			found = found || p.page == name
		}
		if !found && name != "round" && name != "document" && name != "tally" && name != "tallyentry" && name != "public" {
			t.Errorf("page %s has no render test", name)
		}
	}
	for _, p := range pages {
		var buf bytes.Buffer
		if err := all[p.page].ExecuteTemplate(&buf, "layout", p.data); err != nil {
			t.Errorf("render %s: %v", p.page, err)
			continue
		}
		checkVisibleText(t, p.page, buf.String())
		if strings.Contains(buf.String(), "<script>") {
			t.Errorf("%s: text reached the page unescaped", p.page)
		}
	}
}
