package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/jung-kurt/gofpdf"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// runOps runs a subcommand as main does, with env as the environment.
func runOps(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	return run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), stdout, stderr)
}

// Personal data of an asset declaration: none of it may be readable on disk or in a backup.
var personalData = []string{"12/03/1961", "079061001234", "số 12 đường Lý Thường Kiệt", "Nguyễn Thị Ánh Tuyết"}

// assetDeclaration renders an asset declaration of n01 carrying personalData.
func assetDeclaration(t *testing.T) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("serif", "", liberationserifregular.TTF)
	pdf.SetFont("serif", "", 12)
	pdf.AddPage()
	for _, line := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
		"BẢN KÊ KHAI TÀI SẢN, THU NHẬP", "(Kê khai lần đầu, áp dụng cho kỳ kê khai năm 2028)",
		"I. THÔNG TIN CHUNG",
		"1. Người kê khai tài sản, thu nhập: Trần Quốc Hùng",
		"Ngày sinh: " + personalData[0] + ". Số CCCD: " + personalData[1] + ".",
		"Chức vụ: Bí thư Tỉnh ủy. Nơi thường trú: " + personalData[2] + ", phường Hưng Bình.",
		"2. Vợ hoặc chồng của người kê khai: " + personalData[3] + ", giáo viên.",
		"II. THÔNG TIN MÔ TẢ VỀ TÀI SẢN",
		"1. Quyền sử dụng thực tế đối với đất: đất ở 120 m², giá trị 2.400.000.000 đồng.",
	} {
		pdf.MultiCell(0, 7, line, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readable lists which of personalData and of the PDF's byte runs occur in data.
func readable(data, pdf []byte) []string {
	var found []string
	for _, p := range personalData {
		if bytes.Contains(data, []byte(p)) {
			found = append(found, p)
		}
	}
	const n = 24
	for _, at := range []int{0, len(pdf) / 5, len(pdf) / 3, len(pdf) / 2, 3 * len(pdf) / 4, len(pdf) - n} {
		if bytes.Contains(data, pdf[at:at+n]) {
			found = append(found, fmt.Sprintf("PDF bytes %d..%d", at, at+n))
		}
	}
	return found
}

func uploadOne(t *testing.T, ts *testServer, round, path string) uploadLine {
	t.Helper()
	out, err := ts.cli(t, "upload", "--round", round, "--timeout", "90s", path)
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	var u uploadLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &u); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return u
}

func roundWithID(id string) string {
	return strings.Replace(strings.Replace(round45, "vote_date: 2028-12-15", "vote_date: 2099-12-15", 1), "id: btv-45", "id: "+id, 1)
}

// The acceptance check of issue 9: after an asset declaration is uploaded through the server,
// no byte run of the file and none of its personal data occurs in any file under --data; the
// key was created beside the data directory, readable by its owner only.
func TestUploadedDataEncryptedOnDisk(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	ts := startServer(t, data)
	keyFile := filepath.Join(root, bus.KeyFileName)
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v %v, want mode 0600", keyFile, fi, err)
	}
	if !strings.Contains(ts.Log(), keyFile) {
		t.Errorf("the key's path is not logged:\n%s", ts.Log())
	}
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID("enc"))); err != nil {
		t.Fatal(err)
	}
	pdf := assetDeclaration(t)
	if u := uploadOne(t, ts, "enc", writeFile(t, "ke-khai.pdf", string(pdf))); u.Status != "accepted" || u.Kind != "asset_declaration" || u.Nominee != "n01" {
		t.Fatalf("upload: %+v", u)
	}
	ts.Stop()

	files := 0
	err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if found := readable(b, pdf); len(found) > 0 {
			t.Errorf("%s holds in clear: %v", p, found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files under %s", files, data)
	}
	if _, err := os.Stat(filepath.Join(data, bus.KeyFileName)); err == nil {
		t.Error("a key file inside the data directory")
	}
}

// workerLogs collects the logs of the separate worker processes of a test.
type workerLogs struct {
	mu   sync.Mutex
	logs map[string]*lockedBuffer
}

// startWorker runs `tinnhiem worker kind` with the given flags until the test ends.
func startWorker(t *testing.T, wl *workerLogs, kind string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logBuf := &lockedBuffer{}
	wl.mu.Lock()
	if wl.logs == nil {
		wl.logs = map[string]*lockedBuffer{}
	}
	wl.logs[kind] = logBuf
	wl.mu.Unlock()
	go func() {
		done <- run(ctx, append([]string{"worker", kind}, args...),
			func(k string) string { return map[string]string{"TINNHIEM_BCRYPT_COST": "4"}[k] }, strings.NewReader(""), io.Discard, logBuf)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker %s: %v\n%s", kind, err, logBuf.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("worker %s did not stop", kind)
		}
	})
}

// Issue 9's NATS promise, end to end: the embedded server listens only for credentials; an
// HTTP front and each kind of worker run in their own "process" with their own role's
// credentials, and together they take a round from upload to minutes — no permission refused
// on the way — while none of those credentials can delete the AUDIT stream.
func TestRolesDoTheirJobsWithTheirCredentials(t *testing.T) {
	root := t.TempDir()
	natsAddr := freeAddr(t)
	natsURL := "nats://" + natsAddr
	startServer(t, filepath.Join(root, "data"), "--nats-listen", natsAddr, "--workers", "none")
	creds := filepath.Join(root, "nats-creds")
	for _, role := range bus.Roles {
		if fi, err := os.Stat(bus.CredsFile(creds, role)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("credentials of %s: %v %v", role, fi, err)
		}
	}
	if nc, err := nats.Connect(natsURL, nats.MaxReconnects(0)); err == nil {
		nc.Close()
		t.Fatal("an anonymous client connected to --nats-listen")
	}

	front := startServerEnv(t, "", map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword},
		"--nats-url", natsURL, "--nats-creds", bus.CredsFile(creds, bus.RoleHTTP), "--workers", "none")
	var wl workerLogs
	for _, kind := range []string{"ingest", "dossier", "minutes", "publish"} {
		startWorker(t, &wl, kind, "--nats-url", natsURL, "--nats-creds", bus.CredsFile(creds, kind))
	}

	if _, err := front.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID("roles"))); err != nil {
		t.Fatal(err)
	}
	if u := uploadOne(t, front, "roles", writeFile(t, "ke-khai.pdf", string(assetDeclaration(t)))); u.Status != "accepted" || u.Nominee != "n01" {
		t.Fatalf("upload through the ingest and dossier roles: %+v", u)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, err := front.cli(t, "status", "--round", "roles", "--json")
		if err == nil && strings.Contains(out, `"asset_declaration": "accepted"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dossier projection did not take the verdict: %v %s", err, out)
		}
	}
	csv := "nominee,cao,tin_nhiem,thap,invalid\nn01,45,0,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\nn06,30,10,5,0\n"
	if _, err := front.cli(t, "tally", "import", "--round", "roles", "--present", "45", "--issued", "45", "--collected", "45", writeFile(t, "c.csv", csv)); err != nil {
		t.Fatal(err)
	}
	if _, err := front.cli(t, "tally", "seal", "--round", "roles"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		out, err := front.cli(t, "minutes", "fetch", "--round", "roles", "-o", dir)
		if err == nil && strings.Count(out, ".pdf") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("minutes not rendered by the minutes role: %v %s", err, out)
		}
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		out, err := front.cli(t, "audit", "--round", "roles", "--json")
		if err == nil && strings.Contains(out, `"artifacts.ready"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the publish role recorded no publication: %v %s", err, out)
		}
	}
	if out, err := front.cli(t, "dossier", "rebuild", "--round", "roles", "--check"); err != nil {
		t.Errorf("dossier rebuild through the HTTP role: %v %s", err, out)
	}
	// A round whose dossier deadline is a day away: the dossier role's watcher raises its
	// alerts, the HTTP role lists them.
	soon := strings.NewReplacer("vote_date: 2099-12-15", "vote_date: "+time.Now().AddDate(0, 0, 21).Format("2006-01-02"),
		"appointed: 2028-03-01", "appointed: 2020-03-01").Replace(roundWithID("soon"))
	if _, err := front.cli(t, "round", "import", writeFile(t, "soon.yaml", soon)); err != nil {
		t.Fatal(err)
	}
	admin := front.token(t, "admin", testAdminPassword)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		res := front.api(t, http.MethodGet, "/api/v1/rounds/soon/alerts", admin, nil)
		if res.Status == http.StatusOK && strings.Contains(string(res.Body), `"lead"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no alert raised by the dossier role: HTTP %d %s", res.Status, res.Body)
		}
	}
	// The web pages run on the HTTP role too: log in with the form, read the pages.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	form := url.Values{"username": {"admin"}, "password": {testAdminPassword}, "next": {"/"}}
	req, _ := http.NewRequest(http.MethodPost, front.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", front.URL)
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, page := range []string{"/", "/rounds/roles", "/rounds/soon", "/rounds/roles/tally"} {
		resp, err := browser.Get(front.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Trần Quốc Hùng") && page != "/" {
			t.Errorf("page %s through the HTTP role: HTTP %d", page, resp.StatusCode)
		}
	}

	// Nothing was refused on the way: a missing permission shows as a violation in some log.
	logs := map[string]string{"http front": front.Log()}
	for k, b := range wl.logs {
		logs[k] = b.String()
	}
	for who, log := range logs {
		if strings.Contains(log, "Permissions Violation") {
			t.Errorf("%s was refused a subject:\n%s", who, log)
		}
	}

	// And none of these credentials deletes the audit trail.
	ctx := context.Background()
	for _, role := range bus.Roles {
		if role == bus.RoleOps {
			continue
		}
		nc, err := bus.DialAuth(natsURL, "test-"+role, slog.New(slog.DiscardHandler), bus.ClientAuth{CredsFile: bus.CredsFile(creds, role)})
		if err != nil {
			t.Fatal(err)
		}
		js, _ := jetstream.New(nc)
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = js.DeleteStream(dctx, bus.StreamAudit)
		cancel()
		nc.Close()
		if err == nil {
			t.Errorf("role %s deleted the AUDIT stream", role)
		}
	}
	nc, err := bus.DialAuth(natsURL, "test-ops", slog.New(slog.DiscardHandler), bus.ClientAuth{CredsFile: bus.CredsFile(creds, bus.RoleOps)})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	st, err := js.Stream(ctx, bus.StreamAudit)
	if err != nil || st.CachedInfo().State.Msgs == 0 {
		t.Errorf("AUDIT after the attempts: %v", err)
	}
}

// systemFacts is what must be the same after a backup is restored, read through the API.
func systemFacts(t *testing.T, ts *testServer, round string) map[string]string {
	t.Helper()
	admin := ts.token(t, "admin", ts.adminPassword(t))
	facts := map[string]string{}
	for _, path := range []string{
		"/api/v1/rounds/" + round, "/api/v1/rounds/" + round + "/documents", "/api/v1/rounds/" + round + "/dossiers",
		"/api/v1/rounds/" + round + "/tally?version=1", "/api/v1/rounds/" + round + "/tally",
		"/api/v1/rounds/" + round + "/artifacts", "/api/v1/users", "/api/v1/rounds/" + round + "/alerts",
	} {
		res := ts.api(t, http.MethodGet, path, admin, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d %s", path, res.Status, res.Body)
		}
		facts[path] = string(res.Body)
	}
	var docs []struct {
		DocumentID string `json:"document_id"`
	}
	if err := json.Unmarshal([]byte(facts["/api/v1/rounds/"+round+"/documents"]), &docs); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		res := ts.api(t, http.MethodGet, "/api/v1/documents/"+d.DocumentID+"/file", admin, nil)
		facts["file "+d.DocumentID] = fmt.Sprintf("%d %x", res.Status, sha256.Sum256(res.Body))
	}
	for _, v := range []string{"1", "2"} {
		for _, kind := range []string{"bien-ban-kiem-phieu", "bien-ban-hoi-nghi", "bao-cao-ket-qua"} {
			res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/artifacts/"+kind+"?version="+v, admin, nil)
			facts["pdf "+kind+" v"+v] = fmt.Sprintf("%d %x", res.Status, sha256.Sum256(res.Body))
		}
	}
	// The audit trail: every event recorded before the backup, in order. (Events recorded since,
	// such as the downloads of this very check, come after them.)
	for _, path := range []string{"/api/v1/audit", "/api/v1/rounds/" + round + "/audit"} {
		res := ts.api(t, http.MethodGet, path, admin, nil)
		var events []map[string]any
		if err := json.Unmarshal(res.Body, &events); err != nil {
			t.Fatalf("%s: %v %s", path, err, res.Body)
		}
		for i, ev := range events {
			facts[fmt.Sprintf("audit %s %03d", path, i)] = fmt.Sprint(ev["id"], " ", ev["action"], " ", ev["actor"], " ", ev["at"], " ", ev["seq"])
		}
	}
	return facts
}

// Issue 14's promise: backup → a fresh data directory → restore → the same documents,
// dossiers, tally versions, minutes (sha256), audit trail and accounts; no personal data
// readable in the backup file; a non-empty directory and a wrong key refused; and a restore
// with a new store key (the key rotation the README describes).
func TestBackupRestoreWholeSystem(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	natsAddr := freeAddr(t)
	ts := startServer(t, data, "--nats-listen", natsAddr)
	keyFile := filepath.Join(root, bus.KeyFileName)
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID("bk"))); err != nil {
		t.Fatal(err)
	}
	ts.addUser(t, "bantochuc", "mat-khau-dai-1", []string{"organizer"}, "Tỉnh ủy Bình Sơn")
	pdf := assetDeclaration(t)
	uploadOne(t, ts, "bk", writeFile(t, "ke-khai.pdf", string(pdf)))
	self, err := os.ReadFile("../../ingest/pdftext/testdata/gofpdf-bao-cao-tu-danh-gia.pdf")
	if err != nil {
		t.Fatal(err)
	}
	uploadOne(t, ts, "bk", writeFile(t, "bao-cao.pdf", string(self)))
	common := []string{"tally", "import", "--round", "bk", "--present", "45", "--issued", "45", "--collected", "45"}
	for i, csv := range []string{
		"nominee,cao,tin_nhiem,thap,invalid\nn01,45,0,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\nn06,30,10,5,0\n",
		"nominee,cao,tin_nhiem,thap,invalid\nn01,44,1,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\nn06,30,10,5,0\n",
	} {
		args := common
		if i == 1 {
			args = append(append([]string(nil), common...), "--reason", "Rà soát lại phiếu")
		}
		if _, err := ts.cli(t, append(args, writeFile(t, fmt.Sprintf("c%d.csv", i), csv))...); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.cli(t, "tally", "seal", "--round", "bk"); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(250 * time.Millisecond) {
			out, err := ts.cli(t, "minutes", "fetch", "--round", "bk", "--version", fmt.Sprint(i+1), "-o", t.TempDir())
			if err == nil && strings.Count(out, ".pdf") == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("minutes v%d: %v %s", i+1, err, out)
			}
		}
	}
	// The publish worker's last audit event is in before the facts are read.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		out, _ := ts.cli(t, "audit", "--round", "bk", "--json")
		if strings.Count(out, `"artifacts.ready"`) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("publications not recorded")
		}
	}
	before := systemFacts(t, ts, "bk")
	// The comparison below means something only if there was something to compare.
	pdfs, files, events := 0, 0, 0
	for k, v := range before {
		switch {
		case strings.HasPrefix(k, "pdf ") && strings.HasPrefix(v, "200 "):
			pdfs++
		case strings.HasPrefix(k, "file ") && strings.HasPrefix(v, "200 "):
			files++
		case strings.HasPrefix(k, "audit "):
			events++
		}
	}
	if pdfs != 6 || files != 2 || events < 10 || !strings.Contains(before["/api/v1/users"], "bantochuc") {
		t.Fatalf("before the backup: %d minutes PDFs, %d originals, %d audit events: %v", pdfs, files, events, before)
	}

	// The online backup, as GET /api/v1/backup serves it from the running server.
	file := filepath.Join(t.TempDir(), "tinnhiem.tnbackup")
	env := map[string]string{"TINNHIEM_SERVER": ts.URL, "TINNHIEM_TOKEN": ts.token(t, "admin", ts.adminPassword(t))}
	var out, errOut bytes.Buffer
	if err := runOps(context.Background(), []string{"backup", "-o", file}, env, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "sha256") {
		t.Errorf("backup summary: %s", out.String())
	}
	backupBytes, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if found := readable(backupBytes, pdf); len(found) > 0 {
		t.Errorf("readable in the backup file: %v", found)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600", fi.Mode().Perm())
	}
	// An organizer may not take the whole system home.
	orgEnv := map[string]string{"TINNHIEM_SERVER": ts.URL, "TINNHIEM_TOKEN": ts.token(t, "bantochuc", "mat-khau-dai-1")}
	if err := runOps(context.Background(), []string{"backup", "-o", file + ".2"}, orgEnv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("organizer backup: %v", err)
	}
	if _, err := os.Stat(file + ".2"); err == nil {
		t.Error("a refused backup left a file")
	}
	// Nightly backups into a directory keep the newest only.
	nightly := filepath.Join(t.TempDir(), "nightly") + "/"
	for range 2 {
		if err := runOps(context.Background(), []string{"backup", "-o", nightly, "--keep", "1", "--quiet"}, env, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // file names carry the second
	}
	if kept, _ := filepath.Glob(nightly + "tinnhiem-*.tnbackup"); len(kept) != 1 {
		t.Errorf("nightly directory holds %v, want the newest backup only", kept)
	}
	ts.Stop()

	restore := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runOps(context.Background(), append([]string{"restore"}, args...), map[string]string{}, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := restore("--data", data, "--encryption-key-file", keyFile, file); err == nil || !strings.Contains(err.Error(), "không trống") {
		t.Errorf("restore into the live data directory: %v %s", err, out)
	}
	wrongKey := writeFile(t, "wrong.key", strings.Repeat("w", 64))
	data2 := filepath.Join(t.TempDir(), "data")
	if out, err := restore("--data", data2, "--encryption-key-file", wrongKey, file); err == nil || !strings.Contains(err.Error(), "khóa") {
		t.Errorf("restore with a wrong key: %v %s", err, out)
	}
	if entries, _ := os.ReadDir(data2); len(entries) > 0 {
		t.Errorf("a refused restore wrote into %s", data2)
	}
	if out, err := restore("--data", data2, "--encryption-key-file", keyFile, file); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	ts2 := startServer(t, data2, "--encryption-key-file", keyFile)
	after := systemFacts(t, ts2, "bk")
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s differs after restore:\nbefore %s\nafter  %s", k, v, after[k])
		}
	}
	if _, err := ts2.cliAs(t, "bantochuc", "mat-khau-dai-1", "round", "list"); err != nil {
		t.Errorf("a restored account cannot log in: %v", err)
	}
	ts2.Stop()

	// Into a NATS server (a cluster's place): with the backup's key, once; a second time the
	// streams exist and nothing is written.
	plain, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true, MaxPayload: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	go plain.Start()
	defer func() { plain.Shutdown(); plain.WaitForShutdown() }()
	if !plain.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	all := len(bus.Streams()) + len(bus.Buckets()) + len(bus.ObjectStores())
	if out, err := restore("--nats-url", plain.ClientURL(), "--backup-key-file", keyFile, "--replicas", "1", file); err != nil || !strings.Contains(out, fmt.Sprintf("Đã khôi phục %d luồng", all)) {
		t.Errorf("restore into a NATS server: %v\n%s", err, out)
	}
	if out, err := restore("--nats-url", plain.ClientURL(), "--backup-key-file", keyFile, file); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("restore over existing streams: %v\n%s", err, out)
	}

	// A key rotation: the same backup into another directory under a new key.
	root3 := t.TempDir()
	newKey := filepath.Join(root3, "moi.key")
	data3 := filepath.Join(root3, "data")
	if out, err := restore("--data", data3, "--backup-key-file", keyFile, "--encryption-key-file", newKey, file); err != nil {
		t.Fatalf("restore under a new key: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var oldKeyLog bytes.Buffer
	err = run(ctx, []string{"serve", "--data", data3, "--http", freeAddr(t), "--encryption-key-file", keyFile},
		func(string) string { return "" }, strings.NewReader(""), io.Discard, &oldKeyLog)
	if err == nil || !strings.Contains(err.Error(), "khóa mã hóa không mở được") {
		t.Errorf("serve with the old key on the store restored under the new one: %v", err)
	}
	ts3 := startServer(t, data3, "--encryption-key-file", newKey)
	for _, k := range []string{"/api/v1/rounds/bk/documents", "pdf bien-ban-kiem-phieu v2", "/api/v1/users"} {
		if got := systemFacts(t, ts3, "bk")[k]; got != before[k] {
			t.Errorf("under the new key, %s differs", k)
		}
	}
}

// Dated backups in a directory: the server's file name when it is one of ours, never a name
// that could escape the directory; pruning keeps the newest and touches nothing else.
func TestBackupNamesAndPruning(t *testing.T) {
	now := time.Date(2028, 12, 1, 1, 30, 0, 0, time.UTC)
	for disp, want := range map[string]string{
		`attachment; filename="tinnhiem-20281201-013000.tnbackup"`: "tinnhiem-20281201-013000.tnbackup",
		`attachment; filename="../../etc/passwd"`:                  "tinnhiem-20281201-013000.tnbackup",
		`attachment; filename="tinnhiem-x.tnbackup"`:               "tinnhiem-20281201-013000.tnbackup",
		``: "tinnhiem-20281201-013000.tnbackup",
	} {
		if got := backupName(disp, now); got != want {
			t.Errorf("backupName(%q) = %q, want %q", disp, got, want)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"tinnhiem-20281128-013000.tnbackup", "tinnhiem-20281129-013000.tnbackup", "tinnhiem-20281130-013000.tnbackup", "tinnhiem-20281201-013000.tnbackup", "ghi-chu.txt", "tinnhiem-khac.tnbackup"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := pruneBackups(dir, 2)
	if err != nil || len(removed) != 2 {
		t.Fatalf("pruned %v, %v", removed, err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"ghi-chu.txt", "tinnhiem-20281130-013000.tnbackup", "tinnhiem-20281201-013000.tnbackup", "tinnhiem-khac.tnbackup"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", left, want)
	}
}
