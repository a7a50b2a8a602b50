package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"tinnhiem/ingest/pdftext"
)

// ballots builds a ballot CSV: for each nominee, how many ballots mark cao, tín nhiệm and
// thấp (the rest of the rows are left blank for that person).
func ballots(ids []string, marks map[string][3]int, rows int) string {
	var b strings.Builder
	b.WriteString("ballot," + strings.Join(ids, ",") + "\n")
	for r := 0; r < rows; r++ {
		fmt.Fprintf(&b, "%d", r+1)
		for _, id := range ids {
			m := marks[id]
			cell := ""
			switch {
			case r < m[0]:
				cell = "1"
			case r < m[0]+m[1]:
				cell = "2"
			case r < m[0]+m[1]+m[2]:
				cell = "3"
			}
			b.WriteString("," + cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const round45 = `id: btv-45
track: party
organization: Tỉnh ủy Bình Sơn
parent_organization: Đảng bộ tỉnh Bình Sơn
title: Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy
place: Bình Sơn
vote_date: 2028-12-15
summoned: 45
nominees:
  - {id: n01, name: Trần Quốc Hùng, position: Bí thư Tỉnh ủy}
  - {id: n02, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực Tỉnh ủy}
  - {id: n03, name: Lê Văn Đức, position: "Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh"}
  - {id: n04, name: Phạm Minh Tuấn, position: Trưởng Ban Tổ chức Tỉnh ủy}
  - {id: n05, name: Hoàng Thị Lan, position: Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy}
  - {id: n06, name: Đỗ Thanh Tùng, position: Giám đốc Công an tỉnh, appointed: 2028-03-01}
`

// The Tally issue's "done when": a 45-member ballot file gives the published percentages in
// the JSON and in the PDF text; the minutes can be fetched only after sealing.
func TestTallyAndMinutesFlow(t *testing.T) {
	ts := startServer(t, t.TempDir())
	dir := t.TempDir()
	imported, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", round45))
	if err != nil {
		t.Fatal(err)
	}
	// The import names every step the round tracks, the packet included, and no
	// step of the State track (a Party round has no list or Front opinions).
	for _, want := range []string{"Hạn nộp hồ sơ:", "Hạn gửi hồ sơ đến người tham gia lấy phiếu:", "Hạn nhận đề nghị giải trình:", "Hạn nộp báo cáo giải trình:"} {
		if !strings.Contains(imported, want) {
			t.Errorf("round import does not name %q:\n%s", want, imported)
		}
	}
	if strings.Contains(imported, "Mặt trận") {
		t.Errorf("a Party round shows a Front step:\n%s", imported)
	}
	ids := []string{"n01", "n02", "n03", "n04", "n05"}
	csv := ballots(ids, map[string][3]int{"n01": {45, 0, 0}, "n02": {44, 1, 0}, "n03": {42, 2, 1}, "n04": {40, 5, 0}, "n05": {26, 10, 9}}, 45)
	csvPath := writeFile(t, "phieu.csv", csv)

	// Nothing to download before the seal.
	if out, err := ts.cli(t, "minutes", "fetch", "--round", "btv-45", "-o", filepath.Join(dir, "early")); err == nil {
		t.Fatalf("minutes fetched before the seal: %s", out)
	}
	common := []string{"tally", "import", "--round", "btv-45", "--present", "45", "--issued", "45", "--collected", "45",
		"--committee", "Nguyễn Văn An: Trưởng ban", "--committee", "Lê Thị Bình: Thư ký", "--committee", "Phạm Văn Cường: Ủy viên"}
	if _, err := ts.cli(t, append(common, csvPath)...); err != nil {
		t.Fatal(err)
	}
	// A second entry with one cell different blocks the seal until it is put right.
	typo := strings.Replace(csv, "\n7,1,1,1,1,1\n", "\n7,1,1,1,1,2\n", 1)
	if typo == csv {
		t.Fatal("test bug: typo not applied")
	}
	if _, err := ts.cli(t, append(append(common, "--entry", "2"), writeFile(t, "phieu2.csv", typo))...); err != nil {
		t.Fatal(err)
	}
	if out, err := ts.cli(t, "tally", "seal", "--round", "btv-45"); err == nil || !strings.Contains(err.Error(), "entries_differ") || !strings.Contains(err.Error(), "n05") {
		t.Fatalf("seal with differing entries: %v %s", err, out)
	}
	if _, err := ts.cli(t, append(append(common, "--entry", "2"), csvPath)...); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.cli(t, "tally", "seal", "--round", "btv-45"); err != nil {
		t.Fatal(err)
	}
	out, err := ts.cli(t, "tally", "show", "--round", "btv-45", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var tally struct {
		Summoned  int    `json:"summoned"`
		QuorumMet bool   `json:"quorum_met"`
		Sealed    bool   `json:"sealed"`
		Denom     string `json:"denominator"`
		Nominees  []struct {
			Nominee string                     `json:"nominee"`
			Counts  map[string]int             `json:"counts"`
			Percent map[string]float64         `json:"percent"`
			Flags   map[string]bool            `json:"flags"`
			Extra   map[string]json.RawMessage `json:"-"`
		} `json:"nominees"`
	}
	if err := json.Unmarshal([]byte(out), &tally); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	wantCao := []float64{100, 97.78, 93.33, 88.89, 57.78}
	if !tally.Sealed || !tally.QuorumMet || tally.Summoned != 45 || tally.Denom != "summoned" || len(tally.Nominees) != 5 {
		t.Fatalf("tally: %s", out)
	}
	for i, n := range tally.Nominees {
		if n.Percent["cao"] != wantCao[i] || n.Counts["valid"] != 45 {
			t.Errorf("%s: cao %v%% valid %d, want %v%% and 45", n.Nominee, n.Percent["cao"], n.Counts["valid"], wantCao[i])
		}
	}

	// The minutes are rendered by the workers; fetch retries while they work.
	outDir := filepath.Join(dir, "bienban")
	var fetched string
	for deadline := time.Now().Add(60 * time.Second); ; {
		fetched, err = ts.cli(t, "minutes", "fetch", "--round", "btv-45", "-o", outDir)
		if err == nil && strings.Count(fetched, ".pdf") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("minutes not ready after 60s: %v %s", err, fetched)
		}
		time.Sleep(200 * time.Millisecond)
	}
	files, _ := filepath.Glob(filepath.Join(outDir, "*.pdf"))
	if len(files) != 3 {
		t.Fatalf("fetched %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		text := strings.Join(strings.Fields(res.Text), " ")
		for _, want := range []string{"100%", "97,78%", "93,33%", "88,89%", "57,78%", "Trần Quốc Hùng", "Hoàng Thị Lan"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q missing from the PDF text", filepath.Base(f), want)
			}
		}
	}
	// Each download was audited.
	audit, err := ts.cli(t, "audit", "--round", "btv-45", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(audit, `"artifact.download"`); n < 3 {
		t.Errorf("%d downloads audited, want at least 3", n)
	}
	// A viewer of the organization may not download Party results.
	ts.addUser(t, "xem", "mat-khau-xem-1", []string{"viewer"}, "Tỉnh ủy Bình Sơn")
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/btv-45/artifacts/bien-ban-kiem-phieu", ts.token(t, "xem", "mat-khau-xem-1"), nil)
	if res.Status != http.StatusForbidden {
		t.Errorf("viewer download: HTTP %d", res.Status)
	}
	// Nor read the figures or the list of papers through the API.
	for _, path := range []string{"/api/v1/rounds/btv-45/tally", "/api/v1/rounds/btv-45/artifacts"} {
		if res := ts.api(t, http.MethodGet, path, ts.token(t, "xem", "mat-khau-xem-1"), nil); res.Status != http.StatusForbidden {
			t.Errorf("viewer GET %s of a Party round: HTTP %d %s", path, res.Status, res.Body)
		}
	}

	// Parameters are checked and a missing document says why.
	admin := ts.token(t, "admin", ts.adminPassword(t))
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/rounds/btv-45/artifacts/bien-ban-kiem-phieu?version=abc", http.StatusBadRequest, "bad_version"},
		{"/api/v1/rounds/btv-45/artifacts/bien-ban-kiem-phieu?version=0", http.StatusBadRequest, "bad_version"},
		{"/api/v1/rounds/btv-45/artifacts/bien-ban-khac", http.StatusNotFound, "unknown_kind"},
		{"/api/v1/rounds/btv-45/artifacts/bien-ban-kiem-phieu?version=9", http.StatusNotFound, "no_version"},
		{"/api/v1/rounds/btv-45/tally?version=x", http.StatusBadRequest, "bad_version"},
		{"/api/v1/rounds/btv-45/tally?version=2", http.StatusNotFound, "no_version"},
	} {
		res := ts.api(t, http.MethodGet, c.path, admin, nil)
		var e struct{ Error struct{ Code string } }
		_ = json.Unmarshal(res.Body, &e)
		if res.Status != c.status || e.Error.Code != c.code {
			t.Errorf("GET %s: HTTP %d %s, want %d %s", c.path, res.Status, res.Body, c.status, c.code)
		}
	}

	// A correction makes version 2; version 1 stays readable as it was sealed.
	fix := ballots(ids, map[string][3]int{"n01": {44, 1, 0}, "n02": {44, 1, 0}, "n03": {42, 2, 1}, "n04": {40, 5, 0}, "n05": {26, 10, 9}}, 45)
	if _, err := ts.cli(t, append(append(common, "--reason", "Rà soát lại phiếu số 3"), writeFile(t, "phieu-sua.csv", fix))...); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.cli(t, "tally", "seal", "--round", "btv-45"); err != nil {
		t.Fatal(err)
	}
	var v1, v2 struct {
		Version  int    `json:"version"`
		SealedAt string `json:"sealed_at"`
		Nominees []struct {
			Percent map[string]float64 `json:"percent"`
		} `json:"nominees"`
	}
	for _, c := range []struct {
		path string
		into any
	}{{"/api/v1/rounds/btv-45/tally?version=1", &v1}, {"/api/v1/rounds/btv-45/tally", &v2}} {
		res := ts.api(t, http.MethodGet, c.path, admin, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d %s", c.path, res.Status, res.Body)
		}
		if err := json.Unmarshal(res.Body, c.into); err != nil {
			t.Fatal(err)
		}
	}
	if v1.Version != 1 || v1.Nominees[0].Percent["cao"] != 100 || v2.Version != 2 || v2.Nominees[0].Percent["cao"] != 97.78 {
		t.Errorf("versions: v1 %+v, v2 %+v", v1, v2)
	}
	if out, err := ts.cli(t, "tally", "show", "--round", "btv-45", "--version", "1"); err != nil || !strings.Contains(out, "Phiên bản 1") || !strings.Contains(out, "100%") {
		t.Errorf("tally show --version 1: %v\n%s", err, out)
	}
	if _, err := time.Parse(time.RFC3339, v1.SealedAt); err != nil || !strings.HasSuffix(v1.SealedAt, "Z") {
		t.Errorf("sealed_at %q is not RFC 3339 UTC", v1.SealedAt)
	}
	// Version 2's papers say they correct version 1, when it was sealed and why.
	v2Dir := filepath.Join(dir, "v2")
	if out, err := ts.cli(t, "minutes", "fetch", "--round", "btv-45", "--version", "2", "-o", v2Dir); err != nil {
		t.Fatalf("fetch v2: %v %s", err, out)
	}
	v1At, _ := time.Parse(time.RFC3339, v1.SealedAt)
	replaced := v1At.In(time.FixedZone("ICT", 7*3600)).Format("02/01/2006")
	v2Files, _ := filepath.Glob(filepath.Join(v2Dir, "*.pdf"))
	if len(v2Files) != 3 {
		t.Fatalf("fetched v2: %v", v2Files)
	}
	for _, f := range v2Files {
		data, _ := os.ReadFile(f)
		res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(res.Text), " ")
		for _, want := range []string{"Bản đính chính", "phiên bản số 2", "Rà soát lại phiếu số 3", replaced, "97,78%"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s v2: %q missing", filepath.Base(f), want)
			}
		}
	}
}

// A 30-member case flags the more-than-half and the two-thirds persons on exact fractions.
func TestTallyThresholds(t *testing.T) {
	ts := startServer(t, t.TempDir())
	round := `id: hdnd-30
track: state
organization: Hội đồng nhân dân tỉnh Bình Sơn
title: Lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân tỉnh bầu
place: Bình Sơn
vote_date: 2028-12-10
summoned: 30
nominees:
  - {id: a, name: Nguyễn Văn A}
  - {id: b, name: Trần Thị B}
  - {id: c, name: Lê Văn C}
  - {id: d, name: Phạm Thị D}
`
	if _, err := ts.cli(t, "round", "import", writeFile(t, "r.yaml", round)); err != nil {
		t.Fatal(err)
	}
	csv := "nominee,cao,tin_nhiem,thap,invalid\na,10,5,15,0\nb,10,4,16,0\nc,5,5,20,0\nd,20,9,1,0\n"
	if _, err := ts.cli(t, "tally", "import", "--round", "hdnd-30", "--present", "30", "--issued", "30", "--collected", "30", writeFile(t, "c.csv", csv)); err != nil {
		t.Fatal(err)
	}
	out, err := ts.cli(t, "tally", "show", "--round", "hdnd-30", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var tally struct {
		Nominees []struct {
			Nominee string          `json:"nominee"`
			Flags   map[string]bool `json:"flags"`
		} `json:"nominees"`
	}
	if err := json.Unmarshal([]byte(out), &tally); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{"a": {false, false}, "b": {true, false}, "c": {true, true}, "d": {false, false}}
	for _, n := range tally.Nominees {
		if got := [2]bool{n.Flags["over_half_low"], n.Flags["two_thirds_low"]}; got != want[n.Nominee] {
			t.Errorf("%s: flags %v, want %v", n.Nominee, got, want[n.Nominee])
		}
	}
}

// Below quorum the tally is refused with a clear message and nothing is stored.
func TestTallyBelowQuorum(t *testing.T) {
	ts := startServer(t, t.TempDir())
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", round45)); err != nil {
		t.Fatal(err)
	}
	csv := "nominee,cao,tin_nhiem,thap,invalid\nn01,29,0,0,0\nn02,29,0,0,0\nn03,29,0,0,0\nn04,29,0,0,0\nn05,29,0,0,0\n"
	_, err := ts.cli(t, "tally", "import", "--round", "btv-45", "--present", "29", "--issued", "29", "--collected", "29", writeFile(t, "c.csv", csv))
	if err == nil || !strings.Contains(err.Error(), "2/3") || !strings.Contains(err.Error(), "below_quorum") {
		t.Fatalf("below quorum: %v", err)
	}
	// A sheet that cannot be read and wrong attendance figures: every problem is named at once.
	bad := "nominee,cao,tin_nhiem,thap,invalid\nn01,4x,0,0,0\nn02,29,0,0,0\nn03,29,0,0,0\nn04,29,0,0,0\nn05,29,0,0,0\n"
	_, err = ts.cli(t, "tally", "import", "--round", "btv-45", "--present", "50", "--issued", "40", "--collected", "41", writeFile(t, "bad.csv", bad))
	if err == nil || !strings.Contains(err.Error(), "4x") || !strings.Contains(err.Error(), "lớn hơn số người được triệu tập") ||
		!strings.Contains(err.Error(), "lớn hơn số phiếu phát ra") {
		t.Fatalf("bad sheet and attendance: %v", err)
	}
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/btv-45/tally", ts.token(t, "admin", ts.adminPassword(t)), nil)
	if res.Status != http.StatusNotFound {
		t.Fatalf("after a refused import the tally answers HTTP %d: %s", res.Status, res.Body)
	}
}

type uploadLine struct {
	File       string   `json:"file"`
	DocumentID string   `json:"document_id"`
	Status     string   `json:"status"`
	Kind       string   `json:"kind"`
	Nominee    string   `json:"nominee"`
	Reason     string   `json:"reason"`
	Warnings   []string `json:"warnings"`
}

// Documents through the CLI: the verdict lines, a scan confirmed by a person, the original
// downloaded back byte for byte, and a viewer refused.
func TestUploadFlow(t *testing.T) {
	ts := startServer(t, t.TempDir())
	dir := t.TempDir()
	round := strings.Replace(strings.Replace(round45, "vote_date: 2028-12-15", "vote_date: 2099-12-15", 1), "id: btv-45", "id: btv-up", 1)
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", round)); err != nil {
		t.Fatal(err)
	}
	asset, err := os.ReadFile("../../ingest/pdftext/testdata/lo-ke-khai-tai-san.pdf")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("../../ingest/pdftext/testdata/gofpdf-bao-cao-tu-danh-gia.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.Rect(20, 20, 100, 100, "F")
	var scan bytes.Buffer
	if err := pdf.Output(&scan); err != nil {
		t.Fatal(err)
	}
	files := []string{
		writeFile(t, "Bản kê khai tài sản.pdf", string(asset)),
		writeFile(t, "bao-cao.pdf", string(self)),
		writeFile(t, "anh-chup.pdf", string(scan.Bytes())),
		writeFile(t, "ghi-chu.pdf", "không phải PDF"),
	}
	out, err := ts.cli(t, append([]string{"upload", "--round", "btv-up"}, files...)...)
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 JSON lines, got:\n%s", out)
	}
	got := map[string]uploadLine{}
	for _, l := range lines {
		var u uploadLine
		if err := json.Unmarshal([]byte(l), &u); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got[filepath.Base(u.File)] = u
	}
	want := map[string][4]string{
		"Bản kê khai tài sản.pdf": {"accepted", "asset_declaration", "n01", ""},
		"bao-cao.pdf":             {"accepted", "self_assessment", "n01", ""},
		"anh-chup.pdf":            {"needs_review", "", "", "no_text_layer"},
		"ghi-chu.pdf":             {"rejected", "", "", "not_pdf"},
	}
	for name, w := range want {
		u := got[name]
		if u.Status != w[0] || u.Kind != w[1] || u.Nominee != w[2] || u.Reason != w[3] || u.DocumentID == "" || u.Warnings == nil {
			t.Errorf("%s: %+v, want %v", name, u, w)
		}
	}
	// A person confirms the scan; it then counts as accepted.
	scanID := got["anh-chup.pdf"].DocumentID
	// A confirmation naming a kind or a person that does not exist is refused, each problem named.
	bad := ts.api(t, http.MethodPost, "/api/v1/documents/"+scanID+"/review", ts.token(t, "admin", ts.adminPassword(t)),
		map[string]string{"kind": "bien_ban", "nominee": "n99"})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.Body), `"kind"`) || !strings.Contains(string(bad.Body), "n99") {
		t.Errorf("review with an unknown kind and person: HTTP %d %s", bad.Status, bad.Body)
	}
	if _, err := ts.cli(t, "document", "review", scanID, "--kind", "asset_declaration", "--nominee", "n02", "--note", "bản quét có chữ ký"); err != nil {
		t.Fatal(err)
	}
	show, err := ts.cli(t, "document", "show", scanID)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Status     string `json:"status"`
		Nominee    string `json:"nominee"`
		ReviewedBy string `json:"reviewed_by"`
		SHA256     string `json:"sha256"`
		Pages      int    `json:"pages"`
	}
	if err := json.Unmarshal([]byte(show), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "accepted" || doc.Nominee != "n02" || doc.ReviewedBy != "admin" || len(doc.SHA256) != 64 {
		t.Fatalf("after review: %s", show)
	}
	// The original comes back byte for byte.
	back := filepath.Join(dir, "back.pdf")
	if _, err := ts.cli(t, "document", "download", got["Bản kê khai tài sản.pdf"].DocumentID, "-o", back); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(back); !bytes.Equal(data, asset) {
		t.Fatal("downloaded original differs from the upload")
	}
	// Viewers may read verdicts but not upload.
	ts.addUser(t, "xem", "mat-khau-xem-1", []string{"viewer"}, "Tỉnh ủy Bình Sơn")
	if _, err := ts.cliAs(t, "xem", "mat-khau-xem-1", "upload", "--round", "btv-up", files[0]); err == nil {
		t.Fatal("a viewer uploaded a document")
	}
	// Every document of the round is listed, the refused one too, with the reviewed verdict.
	var listed []struct {
		DocumentID string `json:"document_id"`
		Status     string `json:"status"`
		Nominee    string `json:"nominee"`
		Reason     string `json:"reason"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out, err := ts.cli(t, "document", "list", "--round", "btv-up", "--json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &listed); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		byID := map[string]string{}
		for _, d := range listed {
			byID[d.DocumentID] = d.Status + "/" + d.Nominee + "/" + d.Reason
		}
		wantList := map[string]string{
			got["Bản kê khai tài sản.pdf"].DocumentID: "accepted/n01/", got["bao-cao.pdf"].DocumentID: "accepted/n01/",
			scanID: "accepted/n02/", got["ghi-chu.pdf"].DocumentID: "rejected//not_pdf",
		}
		if reflect.DeepEqual(byID, wantList) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("document list: %v, want %v", byID, wantList)
		}
	}
	table, err := ts.cli(t, "document", "list", "--round", "btv-up")
	if err != nil || !strings.Contains(table, "4 tài liệu") || !strings.Contains(table, "Bản kê khai tài sản.pdf") {
		t.Errorf("document list table: %v\n%s", err, table)
	}
}
