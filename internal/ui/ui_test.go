package ui

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/worker"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

func TestLoggedOutIsSentToLogin(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	b := ts.browser()
	for _, path := range []string{"/", "/rounds/" + roundBinhSon, "/rounds/" + roundBinhSon + "/tally", "/import",
		"/documents/d0000000000000000000000000000", "/rounds/" + roundBinhSon + "/artifacts/bien-ban-kiem-phieu", "/khong-co"} {
		res := b.get(path)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("GET %s logged out: status %d, want 303", path, res.StatusCode)
			continue
		}
		want := "/login?next=" + url.QueryEscape(path)
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("GET %s logged out: Location %q, want %q", path, loc, want)
		}
	}
	// A form posted without a session is refused, not redirected: it cannot be replayed.
	res := b.postForm("/rounds/"+roundBinhSon+"/tally/seal", nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST seal logged out: status %d, want 401", res.StatusCode)
	}
	// The JSON endpoint answers 401 in JSON.
	res = b.get("/documents/d0000000000000000000000000000/verdict")
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("verdict logged out: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// The API keeps its own bearer-token rule under the same server.
	if res := b.get("/api/v1/rounds"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("API without token: status %d, want 401", res.StatusCode)
	}
	if res := b.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz: status %d", res.StatusCode)
	}
}

func TestLoginSessionAndLogout(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	b := ts.browser()
	res := b.get("/login")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d", res.StatusCode)
	}
	mustContain(t, "login page", res.Body, `lang="vi"`, "Đăng nhập", `name="username"`, `name="password"`)

	res = b.postForm("/login", url.Values{"username": {"tochuc"}, "password": {"sai-mat-khau-roi"}, "next": {"/rounds/" + roundBinhSon}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d", res.StatusCode)
	}
	mustContain(t, "wrong password", res.Body, "Sai tên đăng nhập hoặc mật khẩu.")
	if len(res.Cookies) != 0 {
		t.Errorf("wrong password set cookies: %v", res.Cookies)
	}

	res = b.postForm("/login", url.Values{"username": {" ToChuc "}, "password": {testPassword}, "next": {"/rounds/" + roundBinhSon}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rounds/"+roundBinhSon {
		t.Fatalf("login: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	raw := res.Header.Get("Set-Cookie")
	for _, attr := range []string{sessionCookie + "=tn_", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(raw, attr) {
			t.Errorf("session cookie %q lacks %q", raw, attr)
		}
	}
	if strings.Contains(raw, "Secure") {
		t.Errorf("session cookie over plain HTTP is Secure (browsers would drop it): %q", raw)
	}

	res = b.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", res.StatusCode)
	}
	mustContain(t, "home", res.Body, "tochuc", "Ban tổ chức", orgBinhSon, "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy", "15/12/2028", "Đăng xuất")
	mustNotContain(t, "home of Bình Sơn organizer", res.Body, orgTanLap)
	// A logged-in visit to /login goes on to the page asked for.
	if res := b.get("/login?next=/import"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/import" {
		t.Errorf("login page when logged in: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}

	jar := b.client.Jar
	u, _ := url.Parse(ts.srv.URL)
	stolen := jar.Cookies(u)
	res = b.postForm("/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := b.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: status %d, want a redirect to login", res.StatusCode)
	}
	// The token behind the cookie is revoked, so a copy of the cookie is worthless.
	jar.SetCookies(u, stolen)
	if res := b.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("replayed cookie after logout: status %d, want a redirect to login", res.StatusCode)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	for _, next := range []string{"//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "evil", "/login"} {
		b := ts.browser()
		res := b.postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d → %q, want /", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestLoginThrottleSharedWithAPI(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	b := ts.browser()
	for i := 0; i < 5; i++ {
		res := b.postForm("/login", url.Values{"username": {"xem"}, "password": {"khong-dung"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, res.StatusCode)
		}
	}
	res := b.postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d (Retry-After %q), want 429", res.StatusCode, res.Header.Get("Retry-After"))
	}
	mustContain(t, "throttled login", res.Body, "Đăng nhập sai quá nhiều lần; hãy thử lại sau")
	// The API's token endpoint counts the same failures.
	body, _ := json.Marshal(map[string]string{"username": "xem", "password": testPassword})
	res = b.post("/api/v1/tokens", "application/json", bytes.NewReader(body), nil)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("API token after web failures: %d, want 429", res.StatusCode)
	}
}

func TestSessionCookieSecureOverTLS(t *testing.T) {
	ts := newTestSystem(t, systemOptions{tls: true})
	b := ts.browser()
	res := b.postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login over TLS: %d", res.StatusCode)
	}
	if raw := res.Header.Get("Set-Cookie"); !strings.Contains(raw, "Secure") || !strings.Contains(raw, "SameSite=Strict") {
		t.Errorf("cookie over TLS: %q", raw)
	}
	// The same, with the handler alone.
	req := httptest.NewRequest(http.MethodPost, "https://tinnhiem.example/login", strings.NewReader("username=xem&password="+testPassword))
	req.TLS = &tls.ConnectionState{}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://tinnhiem.example")
	rec := httptest.NewRecorder()
	ts.ui.Handler().ServeHTTP(rec, req)
	if !strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("handler over TLS: cookie %q", rec.Header().Get("Set-Cookie"))
	}
	// Behind a reverse proxy that ends TLS and forwards plain HTTP.
	req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/login", strings.NewReader("username=xem&password="+testPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://tinnhiem.example")
	req.Header.Set("X-Forwarded-Host", "tinnhiem.example")
	req.Header.Set("X-Forwarded-Proto", "https")
	rec = httptest.NewRecorder()
	ts.ui.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("behind a TLS proxy: %d, cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

func TestCrossOriginPostsRefused(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	org := ts.login("tochuc")
	upload := func(header http.Header) response {
		body, ct := multipartBody(t, map[string]string{"nominee": "n02"}, "file", "bao-cao.pdf", []byte("%PDF-1.4 không phải tệp thật"))
		return org.post("/rounds/"+roundBinhSon+"/documents", ct, body, header)
	}
	cases := []struct {
		name   string
		header http.Header
	}{
		{"other origin", http.Header{"Origin": {"https://evil.example"}}},
		{"origin null", http.Header{"Origin": {"null"}}},
		{"other referer, no origin", http.Header{"Origin": {""}, "Referer": {"https://evil.example/page"}}},
		{"neither origin nor referer", http.Header{"Origin": {""}}},
		{"same host but fetch says cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.header.Clone()
			if v, ok := h["Origin"]; ok && v[0] == "" {
				// http.Header cannot say "no Origin" by omission here: the browser helper sets one.
				h.Del("Origin")
				org.origin = ""
				defer func() { org.origin = ts.srv.URL }()
			}
			res := upload(h)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.StatusCode)
			}
			mustContain(t, "refusal", res.Body, "không được gửi từ chính trang của hệ thống")
		})
	}
	// Nothing was stored by the refused requests.
	if docs, err := ts.st.Documents.Pending(ts.ctx); err != nil || len(docs) != 0 {
		t.Errorf("documents pending after refused uploads: %v, %v", docs, err)
	}
	if _, rep, err := ts.ui.app.Status(ts.ctx, auth.Principal{Username: "admin", Roles: []string{auth.RoleAdmin}}, roundBinhSon); err != nil || rep.Summary.Documents != 0 {
		t.Errorf("documents after refused uploads: %+v, %v", rep.Summary, err)
	}
	// A login form posted from another site is refused too (login CSRF).
	b := ts.browser()
	b.origin = "https://evil.example"
	if res := b.postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: %d, want 403", res.StatusCode)
	}
	// The same-origin Referer is enough when a browser strips Origin.
	org.origin = ""
	res := org.postForm("/logout", nil)
	org.origin = ts.srv.URL
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without Origin or Referer: %d, want 403", res.StatusCode)
	}
	org.origin = ""
	res = org.post("/logout", "application/x-www-form-urlencoded", strings.NewReader(""), http.Header{"Referer": {ts.srv.URL + "/"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with same-origin Referer: %d, want 303", res.StatusCode)
	}
}

func mustRound(t *testing.T, ts *testSystem, id string) dossier.Round {
	t.Helper()
	rd, err := ts.st.Rounds.Get(ts.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

func multipartBody(t *testing.T, fields map[string]string, fileField, fileName string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileField != "" {
		fw, err := mw.CreateFormFile(fileField, fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestOtherOrganizationIsNotFound(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundTanLap)
	doc := ts.putDocument(dossier.Document{Round: rd.ID, File: "bao-cao-t01.pdf", ReceivedAt: time.Now().UTC(), Uploader: "tanlap",
		Status: dossier.StatusAccepted, Kind: dossier.KindSelfAssessment, Nominee: "t01", SHA256: strings.Repeat("ab", 32), Size: 10})
	org := ts.login("tochuc")
	for _, path := range []string{"/rounds/" + roundTanLap, "/rounds/" + roundTanLap + "/tally", "/rounds/" + roundTanLap + "/uploads?d=" + doc.ID,
		"/rounds/" + roundTanLap + "/artifacts/bien-ban-kiem-phieu", "/documents/" + doc.ID, "/documents/" + doc.ID + "/file", "/rounds/khong-co-dot-nay"} {
		res := org.get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s by another organization: %d, want 404", path, res.StatusCode)
		}
		mustNotContain(t, path, res.Body, orgTanLap, "Lý Thị Ngọc")
	}
	if res := org.get("/documents/" + doc.ID + "/verdict"); res.StatusCode != http.StatusNotFound {
		t.Errorf("verdict JSON of another organization: %d", res.StatusCode)
	}
	body, ct := multipartBody(t, nil, "file", "x.pdf", []byte("%PDF-1.4"))
	if res := org.post("/rounds/"+roundTanLap+"/documents", ct, body, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("upload into another organization's round: %d, want 404", res.StatusCode)
	}
	if res := org.postForm("/documents/"+doc.ID+"/review", url.Values{"kind": {"self_assessment"}, "nominee": {"t01"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("review of another organization's document: %d, want 404", res.StatusCode)
	}
	// The global admin sees both organizations.
	admin := ts.login("admin")
	home := admin.get("/")
	mustContain(t, "admin home", home.Body, orgBinhSon, orgTanLap, "mọi tổ chức")
	if res := admin.get("/documents/" + doc.ID); res.StatusCode != http.StatusOK {
		t.Errorf("admin GET document: %d", res.StatusCode)
	}
}

func TestViewerMayLookButNotChange(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundBinhSon)
	doc := ts.putDocument(dossier.Document{Round: rd.ID, File: "ban-quet.pdf", ReceivedAt: time.Now().UTC(), Uploader: "tochuc",
		Status: dossier.StatusNeedsReview, Reason: "no_text_layer", Message: "Tệp PDF không có lớp văn bản (có thể là bản quét); cần người kiểm tra.",
		SHA256: strings.Repeat("cd", 32), Size: 2048, Pages: 2})
	viewer := ts.login("xem")
	page := viewer.get("/rounds/" + roundBinhSon)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("viewer round page: %d", page.StatusCode)
	}
	mustContain(t, "viewer round page", page.Body, "Hồ sơ của người được lấy phiếu", "Nguyễn Thị Thanh Hà")
	mustNotContain(t, "viewer round page", page.Body, `data-upload`, `action="/import"`, "Tải tài liệu lên")
	docPage := viewer.get("/documents/" + doc.ID)
	mustContain(t, "viewer document page", docPage.Body, "chờ xác nhận", "không có lớp văn bản (bản quét)")
	mustNotContain(t, "viewer document page", docPage.Body, `action="/documents/`+doc.ID+`/review"`, "Tải tệp gốc")

	body, ct := multipartBody(t, nil, "file", "x.pdf", []byte("%PDF-1.4"))
	checks := []struct {
		name string
		res  response
	}{
		{"upload", viewer.post("/rounds/"+roundBinhSon+"/documents", ct, body, nil)},
		{"import", viewer.postForm("/import", url.Values{"content": {"id: x"}})},
		{"import form", viewer.get("/import")},
		{"review", viewer.postForm("/documents/"+doc.ID+"/review", url.Values{"kind": {"self_assessment"}, "nominee": {"n02"}})},
		{"download", viewer.get("/documents/" + doc.ID + "/file")},
		{"seal", viewer.postForm("/rounds/"+roundBinhSon+"/tally/seal", nil)},
		{"decision", viewer.postForm("/rounds/"+roundBinhSon+"/requests/"+doc.ID+"/decision", url.Values{"decision": {"accept"}})},
		{"party minutes", viewer.get("/rounds/" + roundBinhSon + "/artifacts/bien-ban-kiem-phieu?version=1")},
	}
	for _, c := range checks {
		if c.res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer %s: %d, want 403", c.name, c.res.StatusCode)
		}
		mustContain(t, "viewer "+c.name, c.res.Body, "không có quyền")
	}
	// The JSON upload path refuses in JSON.
	body, ct = multipartBody(t, nil, "file", "x.pdf", []byte("%PDF-1.4"))
	res := viewer.post("/rounds/"+roundBinhSon+"/documents", ct, body, http.Header{"Accept": {"application/json"}})
	if res.StatusCode != http.StatusForbidden || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("viewer JSON upload: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if d, _, _ := ts.st.Docs.Get(ts.ctx, doc.ID); d.Status != dossier.StatusNeedsReview {
		t.Errorf("viewer changed the document: %s", d.Status)
	}
}

func TestImportRoundThroughTheForm(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	org := ts.login("tochuc")
	form := org.get("/import")
	if form.StatusCode != http.StatusOK {
		t.Fatalf("import form: %d", form.StatusCode)
	}
	bad := "track: national\norganization: Tỉnh ủy Bình Sơn\nvote_date: 2028-13-01\nsummoned: 0\nnominees:\n  - {id: n01}\n"
	res := org.postForm("/import", url.Values{"content": {bad}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid round: %d, want 422", res.StatusCode)
	}
	mustContain(t, "problems", res.Body, "Tệp có các lỗi dưới đây; chưa có gì được lưu.", "Ngày lấy phiếu", "<code>vote_date</code>",
		"Khối", "Tên đợt", "Bắt buộc phải có", "Người được lấy phiếu", "track: national")
	// A file chosen in the form wins over the text area.
	data, err := os.ReadFile("testdata/round-binh-son.yaml")
	if err != nil {
		t.Fatal(err)
	}
	updated := strings.Replace(string(data), "summoned: 45", "summoned: 44", 1)
	body, ct := multipartBody(t, map[string]string{"content": ""}, "file", "round.yaml", []byte(updated))
	res = org.post("/import", ct, body, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rounds/"+roundBinhSon+"?ok=imported" {
		t.Fatalf("import: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if rd := mustRound(t, ts, roundBinhSon); rd.Summoned != 44 || rd.Version != 2 {
		t.Errorf("round after import: summoned %d version %d", rd.Summoned, rd.Version)
	}
	page := org.get("/rounds/" + roundBinhSon + "?ok=imported")
	mustContain(t, "round after import", page.Body, "Đã lưu đợt lấy phiếu.", "<dd>44</dd>")
	// An organizer cannot create a round of an organization they do not belong to.
	other := strings.Replace(string(data), "organization: Tỉnh ủy Bình Sơn", "organization: Tỉnh ủy Nam Hà", 1)
	other = strings.Replace(other, "id: binh-son-btv-2028", "id: nam-ha-2028", 1)
	res = org.postForm("/import", url.Values{"content": {other}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("import for another organization: %d, want 403", res.StatusCode)
	}
	mustContain(t, "foreign import", res.Body, "Bạn không thuộc tổ chức Tỉnh ủy Nam Hà")
	if res := org.postForm("/import", url.Values{"content": {"  "}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("empty import: %d, want 400", res.StatusCode)
	}
}

// TestRoundPageStates drives the dossier table through every state a document can have.
func TestRoundPageStates(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	ts.startWorkers(ts.st.Log)
	rd := mustRound(t, ts, roundBinhSon)
	at := time.Date(2028, 11, 20, 9, 0, 0, 0, time.UTC)
	late := time.Date(2028, 11, 27, 9, 0, 0, 0, time.UTC)
	put := func(nominee string, kind dossier.Kind, status string, received time.Time, extra func(*dossier.Document)) dossier.Document {
		d := dossier.Document{Round: rd.ID, File: nominee + "-" + string(kind) + ".pdf", ReceivedAt: received, Uploader: "tochuc",
			Status: status, Kind: kind, Nominee: nominee, SHA256: strings.Repeat("0", 64), Size: 1000}
		if extra != nil {
			extra(&d)
		}
		return ts.putDocument(d)
	}
	put("n02", dossier.KindSelfAssessment, dossier.StatusAccepted, at, nil)
	put("n02", dossier.KindAssetDeclaration, dossier.StatusAccepted, at, nil)
	lateDoc := put("n03", dossier.KindSelfAssessment, dossier.StatusLate, late, nil)
	put("n04", dossier.KindSelfAssessment, dossier.StatusNeedsReview, at, nil)
	put("n05", dossier.KindAssetDeclaration, dossier.StatusRejected, at, func(d *dossier.Document) { d.Reason = "encrypted" })
	req := put("n06", dossier.KindExplanationRequest, dossier.StatusAccepted, at, func(d *dossier.Document) {
		d.Requester = "Đại biểu Nguyễn Văn An"
		d.RequestRef = "Số 12/ĐNGT"
	})
	lateReq := put("n08", dossier.KindExplanationRequest, dossier.StatusLate, time.Date(2028, 12, 6, 9, 0, 0, 0, time.UTC), nil)
	put("", "", dossier.StatusRejected, at, func(d *dossier.Document) { d.Reason = "unknown_nominee" })

	org := ts.login("tochuc")
	var page response
	waitFor(t, "the projection of 8 documents", 10*time.Second, func() bool {
		page = org.get("/rounds/" + roundBinhSon)
		return strings.Contains(page.Body, "<strong>8</strong> người được lấy phiếu") && strings.Contains(page.Body, lateReq.ID)
	})
	row := func(nominee string) string {
		i := strings.Index(page.Body, `data-nominee="`+nominee+`"`)
		if i < 0 {
			t.Fatalf("no row for %s", nominee)
		}
		j := strings.Index(page.Body[i:], "</tr>")
		return page.Body[i : i+j]
	}
	mustContain(t, "n02 row", row("n02"), "Nguyễn Thị Thanh Hà", ">đã nộp<", ">đủ<")
	mustContain(t, "n03 row", row("n03"), ">nộp muộn<", "/documents/"+lateDoc.ID, ">còn thiếu<", "nộp sau hạn, không được tính là đủ")
	mustContain(t, "n04 row", row("n04"), ">chờ xác nhận<")
	mustContain(t, "n05 row", row("n05"), ">bị từ chối<")
	mustContain(t, "n06 row", row("n06"), "1 chờ giải trình", ">chưa đủ<")
	mustContain(t, "page", page.Body,
		"Không thuộc diện lấy phiếu", "Đặng Quang Vinh", "Đỗ Thanh Tùng",
		"Số 12/ĐNGT", "Đại biểu Nguyễn Văn An", "chờ giải trình", "đến muộn, chờ ban tổ chức quyết định",
		"Tài liệu chờ xác nhận người nộp hoặc loại", "không nhận ra người nộp",
		"Hạn nộp hồ sơ", "Hạn nhận đề nghị giải trình", "Hạn nộp báo cáo giải trình", "23:59 25/11/2028", "17:00 12/12/2028", "còn ",
		"Asia/Ho_Chi_Minh, UTC&#43;07:00", `data-upload`, `name="nominee"`, `name="kind"`, "Báo cáo tự đánh giá", "Bản kê khai tài sản, thu nhập")
	mustNotContain(t, "page", page.Body, "self_assessment<", ">accepted<", ">needs_review<", "missing")
	// Who asked for an explanation is for the board only; so is the letter's reference, text
	// read from the paper (need-to-know): a viewer sees the request, its person and state.
	viewer := ts.login("xem")
	vp := viewer.get("/rounds/" + roundBinhSon)
	mustContain(t, "viewer page", vp.Body, "chờ giải trình")
	mustNotContain(t, "viewer page", vp.Body, "Đại biểu Nguyễn Văn An", "/decision", "Số 12/ĐNGT")
	if d := viewer.get("/documents/" + req.ID); strings.Contains(d.Body, "Đại biểu Nguyễn Văn An") {
		t.Error("viewer sees the requester on the document page")
	}

	// The board accepts the late request: n08 then owes an explanation.
	res := org.postForm("/rounds/"+roundBinhSon+"/requests/"+lateReq.ID+"/decision", url.Values{"decision": {"accept"}, "note": {"Ban tổ chức đồng ý xem xét"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d\n%s", res.StatusCode, res.Body)
	}
	page = org.get("/rounds/" + roundBinhSon + "?ok=decided")
	mustContain(t, "after decision", page.Body, "Đã ghi quyết định", "Chấp nhận xem xét — tochuc", "Ban tổ chức đồng ý xem xét")
	mustContain(t, "n08 row", row("n08"), "1 chờ giải trình")
	// Only a late request can be decided on.
	if res := org.postForm("/rounds/"+roundBinhSon+"/requests/"+req.ID+"/decision", url.Values{"decision": {"accept"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("decision on an on-time request: %d, want 409", res.StatusCode)
	}
	if res := org.postForm("/rounds/"+roundBinhSon+"/requests/"+lateReq.ID+"/decision", url.Values{"decision": {"maybe"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown decision: %d, want 422", res.StatusCode)
	}

	// The home page sums it up.
	home := org.get("/")
	mustContain(t, "home", home.Body, "1/8 người đủ hồ sơ", "2 chờ giải trình", "1 chờ xác nhận")
}

// TestRoundPageWithoutProjector: with no dossier worker running, the page replays the stream
// itself rather than show an empty dossier.
func TestRoundPageWithoutProjector(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundBinhSon)
	ts.putDocument(dossier.Document{Round: rd.ID, File: "ha.pdf", ReceivedAt: time.Now().UTC(), Uploader: "tochuc",
		Status: dossier.StatusAccepted, Kind: dossier.KindSelfAssessment, Nominee: "n02", SHA256: strings.Repeat("1", 64), Size: 10})
	page := ts.login("xem").get("/rounds/" + roundBinhSon)
	mustContain(t, "page", page.Body, ">đã nộp<")
}

func TestReviewDocument(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundBinhSon)
	doc := ts.putDocument(dossier.Document{Round: rd.ID, File: "ban-quet-ha.pdf", ReceivedAt: time.Date(2028, 11, 24, 3, 0, 0, 0, time.UTC), Uploader: "tochuc",
		Status: dossier.StatusNeedsReview, Reason: "no_text_layer", Message: "Tệp PDF không có lớp văn bản (có thể là bản quét); cần người kiểm tra.",
		SHA256: strings.Repeat("ef", 32), Size: 4096, Pages: 3, Warnings: []string{"missing_criterion:family_example"}})
	org := ts.login("tochuc")
	page := org.get("/documents/" + doc.ID)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("document page: %d", page.StatusCode)
	}
	mustContain(t, "document page", page.Body, "ban-quet-ha.pdf", "chờ xác nhận", "không có lớp văn bản (bản quét)",
		"Tệp PDF không có lớp văn bản", "10:00 24/11/2028", strings.Repeat("ef", 32), "4 KB", "<dd>3</dd>",
		"Báo cáo tự đánh giá chưa đề cập: Trách nhiệm nêu gương của vợ (chồng), con trong chấp hành pháp luật",
		`action="/documents/`+doc.ID+`/review"`, "<details class=\"card no-print\" id=\"xac-nhan\" open>", "Tải tệp gốc")
	mustNotContain(t, "document page", page.Body, "no_text_layer<", "missing_criterion")

	res := org.postForm("/documents/"+doc.ID+"/review", url.Values{"kind": {"self_assessment"}, "nominee": {"n99"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("review with an unknown person: %d, want 422", res.StatusCode)
	}
	mustContain(t, "bad review", res.Body, "Hãy chọn một người trong danh sách của đợt.")

	res = org.postForm("/documents/"+doc.ID+"/review", url.Values{"kind": {"self_assessment"}, "nominee": {"n02"}, "note": {"Đã đối chiếu bản giấy"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/documents/"+doc.ID+"?ok=reviewed" {
		t.Fatalf("review: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	d, _, err := ts.st.Docs.Get(ts.ctx, doc.ID)
	if err != nil || d.Status != dossier.StatusAccepted || d.Nominee != "n02" || d.ReviewedBy != "tochuc" {
		t.Fatalf("after review: %+v %v", d, err)
	}
	page = org.get("/documents/" + doc.ID + "?ok=reviewed")
	mustContain(t, "reviewed page", page.Body, "Đã xác nhận loại tài liệu và người nộp.", "đã nhận, hợp lệ", "Nguyễn Thị Thanh Hà", "tochuc, ")
	// Rejected for a reason no person can fix: no form, and a direct POST is refused.
	enc := ts.putDocument(dossier.Document{Round: rd.ID, File: "ma-hoa.pdf", ReceivedAt: time.Now().UTC(), Uploader: "tochuc",
		Status: dossier.StatusRejected, Reason: "encrypted", Message: "Tệp PDF được mã hóa hoặc đặt mật khẩu; đề nghị nộp bản không mã hóa."})
	page = org.get("/documents/" + enc.ID)
	mustContain(t, "encrypted page", page.Body, "bị từ chối", "tệp bị mã hóa hoặc đặt mật khẩu", "không có (tệp không được lưu)")
	mustNotContain(t, "encrypted page", page.Body, "/review\"", "Tải tệp gốc")
	if res := org.postForm("/documents/"+enc.ID+"/review", url.Values{"kind": {"self_assessment"}, "nominee": {"n02"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("review of an encrypted file: %d, want 409 (as the API answers)", res.StatusCode)
	} else {
		mustContain(t, "encrypted review", res.Body, "Chưa xác nhận được", "trạng thái")
	}
}

func TestTallyPage(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundBinhSon)
	// The published 45-member case: 45, 44, 42, 40 and 26 "tín nhiệm cao" of 45 summoned, plus
	// a person over the 1/2 threshold of "tín nhiệm thấp".
	csv := "nominee,cao,tin_nhiem,thap,invalid\n" +
		"n01,30,10,5,0\nn02,45,0,0,0\nn03,44,1,0,0\nn04,42,2,1,0\nn05,40,3,2,0\nn06,26,10,9,0\nn08,10,11,24,0\nn09,20,20,5,0\n"
	sheet, err := minutes.ParseSheet(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	in := sheet.Input(minutes.Attendance{Summoned: 45, Present: 45, Issued: 45, Collected: 45},
		[]minutes.Member{{Name: "Lưu Văn Sáng", Role: minutes.RoleHead}, {Name: "Kha Thị Hậu", Role: minutes.RoleSecretary}})
	if _, err := ts.st.Tallies.Import(ts.ctx, rd, minutes.Entry{No: 1, Input: in, By: "kiemphieu"}); err != nil {
		t.Fatalf("import tally: %v", err)
	}

	counter := ts.login("kiemphieu")
	viewer := ts.login("xem")
	page := counter.get("/rounds/" + roundBinhSon + "/tally")
	mustContain(t, "counter draft", page.Body, "Số liệu đang nhập (chưa niêm phong)", "đã nhập 1 lần", "100%", "97,78%", "93,33%", "88,89%", "57,78%",
		"53,33%", "Tín nhiệm thấp trên 1/2 đến dưới 2/3", "Không quy hoạch lên chức vụ cao hơn", "Niêm phong kết quả", "Chưa có kết quả kiểm phiếu được niêm phong")
	vpage := viewer.get("/rounds/" + roundBinhSon + "/tally")
	mustNotContain(t, "viewer before sealing", vpage.Body, "97,78%", "Niêm phong kết quả")

	// A second entry that differs blocks sealing and shows where.
	in2 := in
	in2.Counts = map[string]minutes.Counts{}
	for k, v := range in.Counts {
		in2.Counts[k] = v
	}
	c := in2.Counts["n03"]
	c.Cao, c.TinNhiem = 43, 2
	in2.Counts["n03"] = c
	if _, err := ts.st.Tallies.Import(ts.ctx, rd, minutes.Entry{No: 2, Input: in2, By: "kiemphieu"}); err != nil {
		t.Fatalf("import entry 2: %v", err)
	}
	page = counter.get("/rounds/" + roundBinhSon + "/tally")
	mustContain(t, "differences", page.Body, "đã nhập 2 lần (nhập kép)", "Hai lần nhập khác nhau", "n03")
	mustNotContain(t, "differences", page.Body, ">Niêm phong kết quả<")
	res := counter.postForm("/rounds/"+roundBinhSon+"/tally/seal", nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("seal with differences: %d, want 409", res.StatusCode)
	}
	mustContain(t, "seal refused", res.Body, "Hai lần nhập khác nhau")

	if _, err := ts.st.Tallies.Import(ts.ctx, rd, minutes.Entry{No: 2, Input: in, By: "kiemphieu"}); err != nil {
		t.Fatalf("import entry 2 again: %v", err)
	}
	res = counter.postForm("/rounds/"+roundBinhSon+"/tally/seal", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rounds/"+roundBinhSon+"/tally?ok=sealed" {
		t.Fatalf("seal: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page = counter.get("/rounds/" + roundBinhSon + "/tally")
	mustContain(t, "counter after sealing", page.Body, "Kết quả đã niêm phong", "phiên bản 1", "97,78%", "57,78%", "kiemphieu",
		"đủ 2/3 số người được triệu tập", "Tỷ lệ phần trăm tính trên tổng số người được triệu tập", "Lưu Văn Sáng — Trưởng ban",
		"Chưa có biên bản")
	// Party results go to the conference and the managing level only: a viewer is told so and
	// sees no figure, as the API answers 403 to the same account.
	vpage = viewer.get("/rounds/" + roundBinhSon + "/tally")
	mustContain(t, "viewer after sealing", vpage.Body, "ket-qua-han-che", "không được xem số liệu")
	mustNotContain(t, "viewer after sealing", vpage.Body, "Số liệu đang nhập", "97,78%", "57,78%", "Kết quả đã niêm phong")

	// The minutes, once published, download with the cookie; Party minutes are not for viewers.
	pdf := []byte("%PDF-1.4\n% biên bản thử nghiệm\n%%EOF\n")
	a, err := ts.st.Artifacts.Put(ts.ctx, publish.Artifact{Round: rd.ID, Version: 1, Kind: "bien-ban-kiem-phieu", Title: "Biên bản kiểm phiếu",
		FileName: "Biên bản kiểm phiếu.pdf", CreatedAt: time.Now().UTC()}, pdf)
	if err != nil {
		t.Fatal(err)
	}
	page = counter.get("/rounds/" + roundBinhSon + "/tally")
	link := fmt.Sprintf("/rounds/%s/artifacts/bien-ban-kiem-phieu?version=1", roundBinhSon)
	mustContain(t, "artifacts", page.Body, "Biên bản kiểm phiếu", link, a.SHA256)
	dl := counter.get(link)
	if dl.StatusCode != http.StatusOK || dl.Body != string(pdf) || dl.Header.Get("Content-Type") != "application/pdf" || dl.Header.Get("X-Content-SHA256") != a.SHA256 {
		t.Errorf("download: %d %q %q", dl.StatusCode, dl.Header.Get("Content-Type"), dl.Body)
	}
	if cd := dl.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''Bi%C3%AAn") {
		t.Errorf("Content-Disposition %q", cd)
	}
	vpage = viewer.get("/rounds/" + roundBinhSon + "/tally")
	mustContain(t, "viewer artifacts", vpage.Body, "tài khoản của bạn không được tải về")
	mustNotContain(t, "viewer artifacts", vpage.Body, link)
	if res := viewer.get(link); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer download of Party minutes: %d, want 403", res.StatusCode)
	}
	if res := counter.get(fmt.Sprintf("/rounds/%s/artifacts/bao-cao-ket-qua?version=1", roundBinhSon)); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing artifact: %d, want 404", res.StatusCode)
	}
}

func TestStaticAndHeaders(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	b := ts.browser()
	login := b.get("/login")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if login.Header.Get(h) == "" {
			t.Errorf("login page lacks %s", h)
		}
	}
	if login.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q", login.Header.Get("Cache-Control"))
	}
	for name, ct := range map[string]string{"style.css": "text/css", "app.js": "text/javascript"} {
		u := ts.ui.assetURL(name)
		if !strings.Contains(login.Body, u) {
			t.Errorf("login page does not link %s", u)
		}
		res := b.get(u)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), ct) || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q %q", u, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
	}
	if res := b.get("/static/khong-co.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing static: %d", res.StatusCode)
	}
}

func TestUploadWithAndWithoutScript(t *testing.T) {
	ts := newTestSystem(t, systemOptions{}) // no workers: the documents stay pending
	org := ts.login("tochuc")
	pdf := []byte("%PDF-1.4\n% tài liệu thử\n%%EOF\n")

	// Without a script the form posts normally and lands on a page that refreshes itself.
	body, ct := multipartBody(t, map[string]string{"nominee": "n02", "kind": "self_assessment"}, "file", "Báo cáo của bà Hà.pdf", pdf)
	res := org.post("/rounds/"+roundBinhSon+"/documents", ct, body, nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/rounds/"+roundBinhSon+"/uploads?d=d") {
		t.Fatalf("upload: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/rounds/"+roundBinhSon+"/uploads?d=")
	d, _, err := ts.st.Docs.Get(ts.ctx, id)
	if err != nil || d.DeclaredNominee != "n02" || d.DeclaredKind != dossier.KindSelfAssessment || d.Uploader != "tochuc" || d.Size != int64(len(pdf)) {
		t.Fatalf("stored document: %+v (%v)", d, err)
	}
	page := org.get(res.Header.Get("Location"))
	mustContain(t, "uploads page", page.Body, `<meta http-equiv="refresh" content="2">`, "Báo cáo của bà Hà.pdf", "đang xử lý", "/documents/"+id)
	// Ids of other rounds, or made up, are not listed.
	other := ts.putDocument(dossier.Document{Round: roundTanLap, File: "khac.pdf", ReceivedAt: time.Now().UTC(), Status: dossier.StatusAccepted})
	page = org.get("/rounds/" + roundBinhSon + "/uploads?d=" + other.ID + "&d=khong-hop-le")
	mustNotContain(t, "uploads of others", page.Body, "khac.pdf", "refresh")
	mustContain(t, "uploads of others", page.Body, "Không có tài liệu nào.")

	// The page script asks for JSON and polls the verdict.
	body, ct = multipartBody(t, nil, "file", "hai.pdf", pdf)
	res = org.post("/rounds/"+roundBinhSon+"/documents", ct, body, http.Header{"Accept": {"application/json"}})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("JSON upload: %d %s", res.StatusCode, res.Body)
	}
	var ans struct {
		Documents []struct {
			DocumentID string `json:"document_id"`
			File       string `json:"file"`
			Status     string `json:"status"`
		} `json:"documents"`
	}
	if err := json.Unmarshal([]byte(res.Body), &ans); err != nil || len(ans.Documents) != 1 || ans.Documents[0].File != "hai.pdf" || ans.Documents[0].Status != "pending" {
		t.Fatalf("JSON upload answer %s (%v)", res.Body, err)
	}
	v := org.get("/documents/" + ans.Documents[0].DocumentID + "/verdict")
	var vv verdictView
	if err := json.Unmarshal([]byte(v.Body), &vv); err != nil || vv.Final || vv.StatusLabel != "đang xử lý" || vv.File != "hai.pdf" {
		t.Errorf("verdict JSON %s (%v)", v.Body, err)
	}
	// An upload with no file is refused in words.
	body, ct = multipartBody(t, map[string]string{"nominee": "n02"}, "", "", nil)
	res = org.post("/rounds/"+roundBinhSon+"/documents", ct, body, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("upload without a file: %d", res.StatusCode)
	}
	mustContain(t, "no file", res.Body, "Chưa tải lên được", "Hãy chọn ít nhất một tệp.")

	// The organizer downloads the file as received.
	dl := org.get("/documents/" + id + "/file")
	if dl.StatusCode != http.StatusOK || dl.Body != string(pdf) || dl.Header.Get("X-Content-SHA256") != d.SHA256 {
		t.Errorf("download: %d %q", dl.StatusCode, dl.Body)
	}
}

// TestRoundPageAlerts: the alerts the deadline watcher stored show on the round page, read
// from the store as the API's GET alerts reads them; where they were sent, for organizers only.
func TestRoundPageAlerts(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	rd := mustRound(t, ts, roundBinhSon)
	org, viewer := ts.login("tochuc"), ts.login("xem")
	mustContain(t, "before any alert", viewer.get("/rounds/"+roundBinhSon).Body, "Chưa có cảnh báo nào", "trước mỗi thời hạn 3 ngày, 1 ngày, 2 giờ")

	ts.startWorkers(ts.st.Log) // the watcher reads the projection
	doc := ts.putDocument(dossier.Document{Round: rd.ID, File: "ha.pdf", ReceivedAt: time.Date(2028, 11, 20, 2, 0, 0, 0, time.UTC), Uploader: "tochuc",
		Status: dossier.StatusAccepted, Kind: dossier.KindSelfAssessment, Nominee: "n02", SHA256: strings.Repeat("1", 64), Size: 10})
	ctx, cancel := context.WithTimeout(ts.ctx, 10*time.Second)
	defer cancel()
	if err := ts.dossiers.WaitFor(ctx, rd.ID, func(st *dossier.State) bool { _, ok := st.Docs[doc.ID]; return ok }); err != nil {
		t.Fatalf("projection of the document: %v", err)
	}
	dl, _ := rd.Deadline(dossier.DeadlineDossier)
	w := worker.NewWatcher(ts.dossiers, worker.WatcherConfig{Owner: "watcher-thu"})
	for _, at := range []time.Time{dl.At.Add(-23 * time.Hour), dl.At.Add(30 * time.Minute)} {
		if _, err := w.Raise(ts.ctx, []dossier.Round{rd}, at); err != nil {
			t.Fatalf("raise alerts at %s: %v", at, err)
		}
	}
	page := org.get("/rounds/" + roundBinhSon)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("round page: %d", page.StatusCode)
	}
	alerts := between(t, page.Body, `id="canh-bao"`, "</section>")
	mustContain(t, "organizer alerts", alerts, "Hạn nộp hồ sơ", "đã quá hạn", "trước hạn 1 ngày", "phát lúc 00:29 26/11/2028",
		"8 người chưa đủ hồ sơ", "Nguyễn Thị Thanh Hà", "còn thiếu Bản kê khai tài sản, thu nhập", "Thư điện tử", "bantochuc@binhson.example", "đang chờ gửi")
	if i, j := strings.Index(alerts, "đã quá hạn"), strings.Index(alerts, "trước hạn 1 ngày"); i < 0 || j < i {
		t.Error("the newest alert (overdue) should come first")
	}
	alerts = between(t, viewer.get("/rounds/"+roundBinhSon).Body, `id="canh-bao"`, "</section>")
	mustContain(t, "viewer alerts", alerts, "đã quá hạn", "Nguyễn Thị Thanh Hà")
	mustNotContain(t, "viewer alerts", alerts, "bantochuc@binhson.example", "Thư điện tử", "đang chờ gửi")
}
