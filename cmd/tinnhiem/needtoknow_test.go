package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"
)

// textPDF renders lines of text as a PDF with a text layer.
func textPDF(t *testing.T, lines ...string) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.SetFont("serif", "", 12)
	pdf.AddPage()
	for _, l := range lines {
		pdf.MultiCell(0, 7, l, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pageClient logs a browser in through the login form and returns a function that fetches a
// page as it.
func pageClient(t *testing.T, ts *testServer, user, password string) func(path string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(url.Values{"username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("page login %s: %d", user, res.StatusCode)
	}
	return func(path string) (int, string) {
		res, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return res.StatusCode, b.String()
	}
}

// Need-to-know, role × field, through both faces: a real asset declaration, a request for
// explanation whose subject names a house, and a self-assessment naming someone on no roster
// go through the pipeline; then each role reads them through the API and the pages. What is
// read from a document — excerpt, the request's subject, names a message would quote — reaches
// only those who may download the original (organizer, admin); everyone sees kind, person,
// status and dates.
func TestNeedToKnowRoleByField(t *testing.T) {
	ts := startServer(t, t.TempDir())
	const org = "Tỉnh ủy Bình Sơn"
	pw := map[string]string{"admin": testAdminPassword, "to-chuc": "mật khẩu ban tổ chức", "kiem-phieu": "mật khẩu ban kiểm phiếu", "xem": "mật khẩu người xem"}
	ts.addUser(t, "to-chuc", pw["to-chuc"], []string{"organizer"}, org)
	ts.addUser(t, "kiem-phieu", pw["kiem-phieu"], []string{"counter"}, org)
	ts.addUser(t, "xem", pw["xem"], []string{"viewer"}, org)
	const round = "ntk"
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID(round))); err != nil {
		t.Fatal(err)
	}
	const subject = "nguồn gốc căn nhà số 45 phố Hàng Bạc"
	const stranger = "Vũ Đình Khoa"
	decl := uploadOne(t, ts, round, writeFile(t, "ke-khai.pdf", string(assetDeclaration(t))))
	if decl.Status != "accepted" {
		t.Fatalf("declaration: %+v", decl)
	}
	reqOut, err := ts.cli(t, "upload", "--round", round, "--kind", "explanation_request", "--nominee", "n02", "--timeout", "90s",
		writeFile(t, "de-nghi.pdf", string(textPDF(t, "PHIẾU ĐỀ NGHỊ GIẢI TRÌNH", "V/v đề nghị giải trình "+subject,
			"Kính gửi: đồng chí Nguyễn Thị Thanh Hà", "Đề nghị đồng chí giải trình "+subject+".", "Người đề nghị: Đại biểu Lê Văn Tám"))))
	if err != nil {
		t.Fatal(err)
	}
	var req uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(reqOut)), &req); err != nil || req.Kind != "explanation_request" {
		t.Fatalf("request: %v %s", err, reqOut)
	}
	selfOut, err := ts.cli(t, "upload", "--round", round, "--kind", "self_assessment", "--nominee", "n03", "--timeout", "90s",
		writeFile(t, "tu-danh-gia.pdf", string(textPDF(t, "BÁO CÁO TỰ ĐÁNH GIÁ", "Họ và tên: "+stranger, "Chức vụ: Phó Giám đốc Sở Tài chính",
			"1. Phẩm chất chính trị: giữ vững lập trường.", "2. Đạo đức, lối sống: giản dị."))))
	if err != nil {
		t.Fatal(err)
	}
	var self uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(selfOut)), &self); err != nil {
		t.Fatal(err)
	}
	docs := []string{decl.DocumentID, req.DocumentID, self.DocumentID}

	type view struct {
		api   map[string]string // document id → GET /api/v1/documents/{id}
		pages map[string]string // document id → the document page and its verdict JSON
		round string            // the dossiers (full JSON), the documents list and the round page
		files map[string]int    // document id → status of GET …/file
	}
	roles := []string{"admin", "to-chuc", "kiem-phieu", "xem"}
	views := map[string]view{}
	for _, u := range roles {
		tok := ts.token(t, u, pw[u])
		page := pageClient(t, ts, u, pw[u])
		v := view{api: map[string]string{}, pages: map[string]string{}, files: map[string]int{}}
		for _, id := range docs {
			res := ts.api(t, http.MethodGet, "/api/v1/documents/"+id, tok, nil)
			if res.Status != http.StatusOK {
				t.Fatalf("%s GET document %s: %d", u, id, res.Status)
			}
			v.api[id] = string(res.Body)
			code, html := page("/documents/" + id)
			_, verdict := page("/documents/" + id + "/verdict")
			if code != http.StatusOK {
				t.Fatalf("%s document page %s: %d", u, id, code)
			}
			v.pages[id] = html + verdict
			v.files[id] = ts.api(t, http.MethodGet, "/api/v1/documents/"+id+"/file", tok, nil).Status
		}
		full := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/dossiers?view=full", tok, nil)
		list := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/documents", tok, nil)
		csv := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/dossiers?format=csv", tok, nil)
		_, roundPage := page("/rounds/" + round)
		v.round = string(full.Body) + string(list.Body) + string(csv.Body) + roundPage
		views[u] = v
	}

	anyOf := func(s string, pieces ...string) bool {
		for _, p := range pieces {
			if strings.Contains(s, p) {
				return true
			}
		}
		return false
	}
	field := func(js, key string) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(js), &m)
		switch x := m[key].(type) {
		case string:
			return x
		case nil:
			return ""
		default:
			b, _ := json.Marshal(x)
			return string(b)
		}
	}
	// Each row: a field, whether the role's views show it; the roles that must ("a", "o", "c",
	// "v" for admin, organizer, counter, viewer).
	rows := []struct {
		field string
		shows func(v view) bool
		want  string
	}{
		{"personal data of the declaration (API)", func(v view) bool { return anyOf(v.api[decl.DocumentID], personalData...) }, "ao"},
		{"personal data of the declaration (page)", func(v view) bool { return anyOf(v.pages[decl.DocumentID], personalData...) }, "ao"},
		{"excerpt (API)", func(v view) bool { return field(v.api[decl.DocumentID], "excerpt") != "" }, "ao"},
		{"the request's subject (API)", func(v view) bool { return strings.Contains(v.api[req.DocumentID], "Hàng Bạc") }, "ao"},
		{"the request's subject (page)", func(v view) bool { return strings.Contains(v.pages[req.DocumentID], "Hàng Bạc") }, "ao"},
		{"the request's subject (dossiers, round page)", func(v view) bool { return strings.Contains(v.round, "Hàng Bạc") }, "ao"},
		{"personal data anywhere in the round's lists", func(v view) bool { return anyOf(v.round, personalData...) }, ""},
		{"a name read from a paper, in a message (API, pages)", func(v view) bool {
			return strings.Contains(field(v.api[self.DocumentID], "message"), stranger) || anyOf(v.pages[self.DocumentID], stranger)
		}, "ao"},
		{"a name read from a paper, in the round's lists", func(v view) bool { return anyOf(v.round, stranger) }, ""},
		{"any text of the papers (non-readers)", func(v view) bool {
			all := strings.Join([]string{v.api[decl.DocumentID], v.api[req.DocumentID], v.api[self.DocumentID],
				v.pages[decl.DocumentID], v.pages[req.DocumentID], v.pages[self.DocumentID]}, "")
			return anyOf(all, "Phẩm chất chính trị", "Quyền sử dụng thực tế", "Đề nghị đồng chí giải trình", "THÔNG TIN MÔ TẢ")
		}, "ao"},
		{"warnings (API)", func(v view) bool { return field(v.api[self.DocumentID], "warnings") != "[]" }, "ao"},
		{"download of the original", func(v view) bool { return v.files[decl.DocumentID] == http.StatusOK }, "ao"},
		{"kind (API)", func(v view) bool { return field(v.api[decl.DocumentID], "kind") == "asset_declaration" }, "aocv"},
		{"person (API)", func(v view) bool { return field(v.api[decl.DocumentID], "nominee") == "n01" }, "aocv"},
		{"status (API)", func(v view) bool { return field(v.api[decl.DocumentID], "status") == "accepted" }, "aocv"},
		{"received (API)", func(v view) bool { return field(v.api[decl.DocumentID], "received_at") != "" }, "aocv"},
		{"kind, person, status (page)", func(v view) bool {
			return anyOf(v.pages[decl.DocumentID], "Bản kê khai tài sản, thu nhập") && anyOf(v.pages[decl.DocumentID], "Trần Quốc Hùng") &&
				anyOf(v.pages[decl.DocumentID], "đã nhận, hợp lệ")
		}, "aocv"},
		{"the request's kind and person (page)", func(v view) bool {
			return anyOf(v.pages[req.DocumentID], "Đề nghị giải trình") && anyOf(v.pages[req.DocumentID], "Nguyễn Thị Thanh Hà")
		}, "aocv"},
	}
	for _, r := range rows {
		for _, u := range roles {
			want := strings.ContainsRune(r.want, rune(map[string]byte{"admin": 'a', "to-chuc": 'o', "kiem-phieu": 'c', "xem": 'v'}[u]))
			if got := r.shows(views[u]); got != want {
				t.Errorf("%s, %s: shown %v, want %v", r.field, u, got, want)
			}
		}
	}
	if t.Failed() {
		t.Logf("viewer's declaration: %s", views["xem"].api[decl.DocumentID])
		t.Logf("organizer's request: %s", views["to-chuc"].api[req.DocumentID])
		t.Logf("organizer's self-assessment: %s", views["to-chuc"].api[self.DocumentID])
	}
}
