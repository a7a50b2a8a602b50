package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tinnhiem/minutes"
)

// chromiumPath finds the browser. Without one the browser tests cannot run: in CI that is a
// failure (the CI script installs Chromium), elsewhere the tests are skipped.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("TINNHIEM_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "Chromium not found (/usr/bin/chromium or chromium on PATH, or TINNHIEM_CHROMIUM); " +
		"install it with `apt-get install -y chromium` (.ci/run does)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ": the browser tests must run in CI")
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns a tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	// Start the browser now, so that a failure to start is reported as such.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page when TINNHIEM_UI_SCREENSHOTS names a directory, for people to look
// at the pages; the round page also goes to docs/ui-round.png with -update.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TINNHIEM_UI_SCREENSHOTS")
	if dir == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "ingest", "pdftext", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return p
}

// TestBrowserUploadAndStatus drives the real pages in Chromium: log in, open a round, upload
// real PDFs through the form, watch each verdict appear, and read the dossier table.
func TestBrowserUploadAndStatus(t *testing.T) {
	ctx := newBrowser(t)
	ts := newTestSystem(t, systemOptions{workers: true})
	roundURL := ts.srv.URL + "/rounds/" + roundBinhSon

	// Logged out, the round page leads to the login form, and back after logging in.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	); err != nil {
		t.Fatalf("open round logged out: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login?next=") {
		t.Fatalf("logged out: at %q (%v), want the login page", loc, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "tochuc"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ho-so`)),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != roundURL {
		t.Errorf("after login at %q, want %q", loc, roundURL)
	}
	head, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil || head != "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy" {
		t.Errorf("round heading %q (%v)", head, err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#nguoi-n01`)))
	if err != nil || strings.Count(row, "còn thiếu") != 2 {
		t.Errorf("n01 before upload: %q (%v), want both kinds missing", row, err)
	}

	// Three real files: the self-assessment and the asset declaration of Trần Quốc Hùng, read
	// from their text, and an encrypted file that must be refused with its reason.
	files := []string{fixture(t, "gofpdf-bao-cao-tu-danh-gia.pdf"), fixture(t, "lo-ke-khai-tai-san.pdf"), fixture(t, "bad-encrypted-rc4.pdf")}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#tai-len input[type=file]`), files),
		chromedp.Click(chromedp.CSS(`#tai-len button[type=submit]`)),
	); err != nil {
		t.Fatalf("upload: %v", err)
	}
	done := `(() => { const li = [...document.querySelectorAll('#ket-qua-tai-len li.verdict')];
		return li.length === 3 && li.every(x => x.dataset.status && x.dataset.status !== 'pending' && x.querySelector('.detail, .reason')); })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](done, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#tai-len`)))
		list, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#ket-qua-tai-len`)))
		t.Fatalf("verdicts did not appear: %v\n%s\n%s", err, html, list)
	}
	results, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#ket-qua-tai-len`)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verdicts shown:\n%s", results)
	screenshot(t, ctx, "upload-verdicts")
	for _, want := range []string{
		"gofpdf-bao-cao-tu-danh-gia.pdf", "Báo cáo tự đánh giá — Trần Quốc Hùng",
		"lo-ke-khai-tai-san.pdf", "Bản kê khai tài sản, thu nhập — Trần Quốc Hùng",
		"bad-encrypted-rc4.pdf", "bị từ chối", "Lý do: tệp bị mã hóa hoặc đặt mật khẩu.",
	} {
		if !strings.Contains(results, want) {
			t.Errorf("verdict list lacks %q", want)
		}
	}
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#ket-qua-tai-len li.verdict')].map(li => li.dataset.status).sort()`))
	if err != nil || strings.Join(statuses, ",") != "accepted,accepted,rejected" {
		t.Errorf("verdict statuses %v (%v), want two accepted and one rejected", statuses, err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#tai-len .upload-status`))); !strings.Contains(status, "Đã nhận 3 tệp") {
		t.Errorf("upload status line %q", status)
	}

	// The dossier table, read again from the server, shows the person complete.
	if err := chromedp.Do(ctx, chromedp.Navigate(roundURL), chromedp.WaitVisible(chromedp.CSS(`#ho-so`))); err != nil {
		t.Fatal(err)
	}
	var cells []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		cells, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#nguoi-n01 td')].map(td => td.innerText.trim())`))
		if err == nil && len(cells) == 5 && cells[4] == "đủ" || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
		_ = chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ho-so`)))
	}
	want := []string{"1", "đã nộp", "đã nộp", "không có", "đủ"}
	if strings.Join(cells, "|") != strings.Join(want, "|") {
		t.Errorf("n01 row %q, want %q", cells, want)
	}
	other, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#nguoi-n02`)))
	if !strings.Contains(other, "còn thiếu") || !strings.Contains(other, "chưa đủ") {
		t.Errorf("n02 row %q: nothing was sent for this person", other)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`ul.summary`)))
	if !strings.Contains(summary, "1 đủ hồ sơ") || !strings.Contains(summary, "7 chưa đủ") {
		t.Errorf("summary %q", summary)
	}
	unassigned, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#tai-lieu-chua-xac-dinh`)))
	if !strings.Contains(unassigned, "bad-encrypted-rc4.pdf") {
		t.Errorf("the refused file is not listed among unassigned documents: %q", unassigned)
	}

	screenshot(t, ctx, "round")
	if os.Getenv("TINNHIEM_UI_SCREENSHOTS") != "" {
		// The same page on a telephone.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ho-so`))); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "round-narrow")
		shot, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`#ho-so`))); err != nil {
				return nil, err
			}
			return chromedp.Run(ctx, chromedp.CaptureScreenshot())
		})
		if err == nil {
			_ = os.WriteFile(filepath.Join(os.Getenv("TINNHIEM_UI_SCREENSHOTS"), "round-narrow-table.png"), shot, 0o644)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1265, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ho-so`))); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "ui-round.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The verdict page of the self-assessment, reached by its link in the table.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#nguoi-n01 td:nth-of-type(2) a`)),
		chromedp.WaitVisible(chromedp.CSS(`#ket-luan`)),
	); err != nil {
		t.Fatalf("open the document: %v", err)
	}
	screenshot(t, ctx, "document")
	verdict, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#ket-luan`)))
	facts, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#thong-tin`)))
	if !strings.Contains(verdict, "đã nhận, hợp lệ") {
		t.Errorf("verdict box %q", verdict)
	}
	for _, want := range []string{"Báo cáo tự đánh giá", "Trần Quốc Hùng", "Asia/Ho_Chi_Minh", "Mã SHA-256"} {
		if !strings.Contains(facts, want) {
			t.Errorf("document facts lack %q:\n%s", want, facts)
		}
	}

	if os.Getenv("TINNHIEM_UI_SCREENSHOTS") != "" {
		// For people to look at: the home page and a sealed tally.
		rd := mustRound(t, ts, roundBinhSon)
		sheet, err := minutes.ParseSheet(strings.NewReader("nominee,cao,tin_nhiem,thap,invalid\n" +
			"n01,44,1,0,0\nn02,42,2,1,0\nn03,40,3,2,0\nn04,26,10,9,0\nn05,10,11,24,0\nn06,5,10,30,0\nn08,30,10,5,0\nn09,20,20,5,0\n"))
		if err != nil {
			t.Fatal(err)
		}
		in := sheet.Input(minutes.Attendance{Summoned: 45, Present: 45, Issued: 45, Collected: 45},
			[]minutes.Member{{Name: "Lưu Văn Sáng", Role: minutes.RoleHead}, {Name: "Kha Thị Hậu", Role: minutes.RoleSecretary}})
		if _, err := ts.st.Tallies.Import(ts.ctx, rd, minutes.Entry{No: 1, Input: in, By: "kiemphieu"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.st.Tallies.Seal(ts.ctx, rd, "kiemphieu"); err != nil {
			t.Fatal(err)
		}
		for name, path := range map[string]string{"home": "/", "tally": "/rounds/" + roundBinhSon + "/tally"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
				t.Fatal(err)
			}
			screenshot(t, ctx, name)
		}
	}

	// Logging out ends the session in the browser too.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	); err != nil {
		t.Fatalf("log out: %v", err)
	}
}

// TestBrowserTallyEntryAndSeal drives the counting committee's work in Chromium: a counter types
// the attendance, the committee and the counts into the entry form (the page script adds a
// committee row and sums each person's valid votes), sees the draft, seals it, and finds the
// minutes listed once the minutes worker has rendered them.
func TestBrowserTallyEntryAndSeal(t *testing.T) {
	ctx := newBrowser(t)
	ts := newTestSystem(t, systemOptions{minutes: true})
	tallyURL := ts.srv.URL + "/rounds/" + roundBinhSon + "/tally"

	if err := chromedp.Do(ctx,
		chromedp.Navigate(tallyURL),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "kiemphieu"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ban-nhap`)),
		chromedp.Click(chromedp.CSS(`#nhap-so-lieu`)),
		chromedp.WaitVisible(chromedp.CSS(`#nhap-kiem-phieu`)),
	); err != nil {
		t.Fatalf("open the entry form: %v", err)
	}
	// Only the typed table shows; the file part is hidden and disabled by the script.
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-source-part="file"]').hidden`)); err != nil || !hidden {
		t.Errorf("file part hidden: %v (%v)", hidden, err)
	}
	type box struct{ sel, value string }
	boxes := []box{
		{`#f-present`, "44"}, {`#f-issued`, "44"}, {`#f-collected`, "44"},
		{`#f-absent-0 input[name=absent_name]`, "Võ Văn Ba"}, {`#f-absent-0 input[name=absent_reason]`, "đi công tác"},
		{`#f-committee-0 input[name=member_name]`, "Lưu Văn Sáng"},
	}
	for _, id := range []string{"n01", "n02", "n03", "n04", "n05", "n06", "n08", "n09"} {
		c := publishedCounts[id]
		boxes = append(boxes, box{`input[name=cao_` + id + `]`, c[0]}, box{`input[name=tin_nhiem_` + id + `]`, c[1]},
			box{`input[name=thap_` + id + `]`, c[2]}, box{`input[name=invalid_` + id + `]`, c[3]})
	}
	for _, b := range boxes {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(b.sel), b.value)); err != nil {
			t.Fatalf("type %q into %s: %v", b.value, b.sel, err)
		}
	}
	// A committee row is added in place, without sending the form.
	rows := `document.querySelectorAll('tbody[data-rows="committee"] tr').length`
	before, _ := chromedp.Run(ctx, chromedp.Evaluate[int](rows))
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#f-committee-0 select`), minutes.RoleHead),
		chromedp.Click(chromedp.CSS(`[data-add-row="committee"]`)),
	); err != nil {
		t.Fatal(err)
	}
	after, _ := chromedp.Run(ctx, chromedp.Evaluate[int](rows))
	if after != before+1 {
		t.Fatalf("committee rows %d → %d after “Thêm thành viên”", before, after)
	}
	last := `tbody[data-rows="committee"] tr:last-child`
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(last+` input`), "Kha Thị Hậu"),
		chromedp.SetValue(chromedp.CSS(last+` select`), minutes.RoleSecretary),
		// The session details are folded away until asked for.
		chromedp.Click(chromedp.CSS(`#f-session > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#f-chair`), "Trần Quốc Hùng"),
		chromedp.SendKeys(chromedp.CSS(`#f-venue`), "Hội trường Tỉnh ủy Bình Sơn"),
	); err != nil {
		t.Fatal(err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#f-count-n08 output`))); v != "44" {
		t.Errorf("valid votes of n08 summed by the page: %q, want 44", v)
	}
	// Below 2/3 is flagged as soon as it is typed; back to 44 it goes away.
	warning := `document.querySelector('[data-quorum-warning]')`
	typePresent := func(n string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#f-present').value = '', true)`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#f-present`), n)); err != nil {
			t.Fatal(err)
		}
	}
	typePresent("29")
	if txt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](warning+`.hidden ? "" : `+warning+`.textContent`)); !strings.Contains(txt, "không đủ 2/3") {
		t.Errorf("29 present: warning %q", txt)
	}
	typePresent("44")
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](warning+`.hidden`)); !hidden {
		t.Error("44 present: the quorum warning stays")
	}
	// One figure wrong: the page comes back with everything as typed and the problem in words
	// beside the box, and nothing is stored.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#f-collected').value = '45', true)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.entry-form .actions button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#loi-nhap`)),
	); err != nil {
		t.Fatalf("send a wrong entry: %v", err)
	}
	note, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#f-collected-note`)))
	if !strings.Contains(note, "Số phiếu thu vào (45) lớn hơn số phiếu phát ra (44)") {
		t.Errorf("problem beside the collected box: %q", note)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector('input[name=cao_n02]').value,
		document.querySelector('tbody[data-rows="committee"] tr:last-child input').value, document.querySelector('#f-chair').value,
		String(document.querySelector('#f-session').open)]`))
	if strings.Join(kept, "|") != "44|Kha Thị Hậu|Trần Quốc Hùng|true" {
		t.Errorf("after the refusal the form holds %q", kept)
	}
	if rec, _, _ := ts.st.Tallies.Get(ts.ctx, roundBinhSon); len(rec.Entries) != 0 {
		t.Fatal("a refused entry was stored")
	}
	// The picture for people: the form with its one problem, the session details folded.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#f-session').open = false, true)`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "tally-entry")
	if os.Getenv("TINNHIEM_UI_SCREENSHOTS") != "" {
		// The same form on a telephone.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "tally-entry-narrow")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "ui-tally.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#f-collected').value = '44', true)`)); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.entry-form .actions button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#ban-nhap`)),
	); err != nil {
		t.Fatalf("save the entry: %v", err)
	}
	draft, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := ts.st.Tallies.Get(ts.ctx, roundBinhSon)
	if e := rec.Entries[1]; err != nil || e == nil || e.Session.Chair != "Trần Quốc Hùng" || e.Session.Venue != "Hội trường Tỉnh ủy Bình Sơn" || len(e.Input.Committee) != 2 {
		t.Errorf("stored entry: %+v (%v)", e, err)
	}
	for _, want := range []string{"Đã lưu lần nhập 1", "đã nhập 1 lần", "97,78%", "53,33%", "Tín nhiệm thấp trên 1/2 đến dưới 2/3",
		"Lưu Văn Sáng — Trưởng ban", "Kha Thị Hậu — Thư ký", "Võ Văn Ba (đi công tác)"} {
		if !strings.Contains(draft, want) {
			t.Errorf("draft lacks %q", want)
		}
	}
	screenshot(t, ctx, "tally-draft")

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/tally/seal"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ket-qua`)),
	); err != nil {
		t.Fatalf("seal: %v", err)
	}
	// The minutes worker renders three PDFs; the page lists them once they are stored.
	var links []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		links, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#tai-lieu-ket-qua a')].map(a => a.textContent.trim())`))
		if err == nil && len(links) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
		_ = chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ket-qua`)))
	}
	if strings.Join(links, "|") == "" || len(links) != 3 || !slices.Contains(links, "Biên bản kiểm phiếu") {
		t.Fatalf("minutes listed: %q (%v)", links, err)
	}
	screenshot(t, ctx, "tally-sealed")
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#tai-lieu-ket-qua a').href)
		.then(r => r.arrayBuffer()).then(b => String.fromCharCode(...new Uint8Array(b.slice(0, 5))))`, chromedp.EvalAwaitPromise))
	if err != nil || head != "%PDF-" {
		t.Errorf("the first minutes link gives %q (%v), want a PDF", head, err)
	}
}
