package main

// Issue 14, points 1 and 3, from outside: the metrics on --metrics-listen and never on the
// public listener, the verdict counter adding up to the uploads, and one upload's request id
// in every log line of the work it caused — in one process and across separate ones.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinnhiem/internal/bus"
)

// opsFile is one file of a test upload.
type opsFile struct {
	name string
	data []byte
}

// uploadWithID posts files to a round through the API with the given X-Request-Id and returns
// the answer's request id and document ids.
func uploadWithID(t *testing.T, ts *testServer, round, requestID string, files []opsFile) (string, []string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/rounds/"+round+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+ts.token(t, "admin", ts.adminPassword(t)))
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	res, err := ts.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: HTTP %d %s", res.StatusCode, data)
	}
	var out struct {
		Documents []struct {
			DocumentID string `json:"document_id"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range out.Documents {
		ids = append(ids, d.DocumentID)
	}
	if len(ids) != len(files) {
		t.Fatalf("%d documents answered for %d files: %s", len(ids), len(files), data)
	}
	return res.Header.Get("X-Request-Id"), ids
}

// waitVerdicts waits until no document of ids is pending and returns their statuses.
func waitVerdicts(t *testing.T, ts *testServer, ids []string) map[string]string {
	t.Helper()
	admin := ts.token(t, "admin", ts.adminPassword(t))
	got := map[string]string{}
	for _, id := range ids {
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			res := ts.api(t, http.MethodGet, "/api/v1/documents/"+id, admin, nil)
			var d struct {
				Status, Reason string
			}
			res.decode(t, &d)
			if d.Status != "pending" && d.Status != "" {
				got[id] = d.Status + " " + d.Reason
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("document %s still %q", id, d.Status)
			}
		}
	}
	return got
}

// scrapeMetrics reads a Prometheus text page into series → value ("name{labels}" as written).
func scrapeMetrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics on %s: HTTP %d", addr, res.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// sum adds the series of a metric whose labels contain every one of match.
func sum(series map[string]float64, name string, match ...string) (float64, int) {
	total, n := 0.0, 0
	for k, v := range series {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for _, m := range match {
			ok = ok && strings.Contains(k, m)
		}
		if ok {
			total += v
			n++
		}
	}
	return total, n
}

// logLines parses the JSON lines of a log (other lines are skipped).
func logLines(s string) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(s, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// findLog returns the lines with msg (and every key=value of kv).
func findLog(lines []map[string]any, msg string, kv ...string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] != msg {
			continue
		}
		ok := true
		for i := 0; i+1 < len(kv); i += 2 {
			ok = ok && fmt.Sprint(l[kv[i]]) == kv[i+1]
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// The whole system in one process: five uploads (accepted, another accepted, not a PDF, the
// same bytes again, one over --max-upload) counted once each on receipt and once each by
// verdict; the contract's metrics on --metrics-listen, none on the public listener; the upload's
// request id answered and carried into every log line of its work — the API's, the ingest
// worker's verdicts and the dossier projector's.
func TestMetricsAndRequestIDInOneProcess(t *testing.T) {
	metricsAddr := freeAddr(t)
	ts := startServer(t, t.TempDir(), "--metrics-listen", metricsAddr, "--log-format", "json", "--max-upload", "200000")
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID("ops"))); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("../../ingest/pdftext/testdata/gofpdf-bao-cao-tu-danh-gia.pdf")
	if err != nil {
		t.Fatal(err)
	}
	asset := assetDeclaration(t)
	files := []opsFile{
		{"ke-khai.pdf", asset}, {"bao-cao.pdf", self}, {"ghi-chu.pdf", []byte("không phải PDF")},
		{"ke-khai-lan-2.pdf", asset}, {"qua-lon.pdf", randomBytes(300_000)},
	}
	const reqID = "ops-upload-0001"
	answered, ids := uploadWithID(t, ts, "ops", reqID, files)
	if answered != reqID {
		t.Errorf("X-Request-Id answered %q, want the client's %q", answered, reqID)
	}
	verdicts := waitVerdicts(t, ts, ids)
	t.Logf("verdicts: %v", verdicts)

	// The counters: as many verdicts as uploads, each file received once.
	var series map[string]float64
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		series = scrapeMetrics(t, metricsAddr)
		received, _ := sum(series, "tinnhiem_documents_received_total")
		judged, _ := sum(series, "tinnhiem_verdicts_total")
		pending, n := sum(series, "tinnhiem_consumer_pending_messages", `consumer="ingest"`)
		if received == 5 && judged == 5 && n == 1 && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %v, verdicts %v, ingest pending %v (%d series); want 5, 5, 0", received, judged, pending, n)
		}
	}
	for _, c := range []struct {
		name  string
		match []string
		want  float64
	}{
		{"tinnhiem_verdicts_total", []string{`status="rejected"`, `reason="too_large"`}, 1},
		{"tinnhiem_verdicts_total", []string{`status="rejected"`, `reason="not_pdf"`}, 1},
		{"tinnhiem_verdicts_total", []string{`status="accepted"`}, 2},
		{"tinnhiem_verdicts_total", []string{`reason="duplicate"`}, 1},
		{"tinnhiem_ingest_duration_seconds_count", nil, 4},  // the file too large never entered the pipeline
		{"tinnhiem_extract_duration_seconds_count", nil, 4}, // the duplicate is read before it is found one
		{"tinnhiem_http_requests_total", []string{`route="POST /api/v1/rounds/{round}/documents"`, `code="202"`}, 1},
		{"tinnhiem_http_request_duration_seconds_count", []string{`route="POST /api/v1/rounds/{round}/documents"`}, 1},
		{"tinnhiem_consumer_messages_total", []string{`consumer="ingest"`, `action="ack"`}, 4},
	} {
		if got, _ := sum(series, c.name, c.match...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.match, got, c.want)
		}
	}
	for _, name := range []string{
		"tinnhiem_consumer_redeliveries_total", "tinnhiem_consumer_give_ups_total", "tinnhiem_consumer_ack_pending_messages",
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if _, n := sum(series, name); n == 0 {
			t.Errorf("no %s on the metrics listener", name)
		}
	}
	for _, c := range []string{"ingest", "dossier-projector", "minutes", "publish"} {
		if _, n := sum(series, "tinnhiem_consumer_pending_messages", `consumer="`+c+`"`); n != 1 {
			t.Errorf("no backlog gauge of consumer %s", c)
		}
	}
	// Routes are patterns: no series names a document id or a round.
	for k := range series {
		if strings.HasPrefix(k, "tinnhiem_http_") && (strings.Contains(k, ids[0]) || strings.Contains(k, "/ops/")) {
			t.Errorf("a raw path in a route label: %s", k)
		}
	}

	// /metrics on the public listener is not the metrics, logged in or not.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	for _, token := range []string{"", ts.token(t, "admin", testAdminPassword)} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK || bytes.Contains(body, []byte("tinnhiem_")) || bytes.Contains(body, []byte("go_goroutines")) {
			t.Errorf("GET /metrics on the public listener: HTTP %d %.200s", res.StatusCode, body)
		}
		if !requestidOK(res.Header.Get("X-Request-Id")) {
			t.Errorf("no request id made for a request without one: %q", res.Header.Get("X-Request-Id"))
		}
	}

	// A CLI error names its request, which the server's log has.
	_, cliErr := ts.cli(t, "round", "show", "khong-co-dot-nay")
	m := regexp.MustCompile(`mã yêu cầu ([0-9a-f]{32})`).FindStringSubmatch(fmt.Sprint(cliErr))
	if m == nil {
		t.Errorf("a failed command names no request id: %v", cliErr)
	}

	// The request, followed through the log.
	lines := logLines(ts.Log())
	if m != nil && len(findLog(lines, "http request", "request_id", m[1], "status", "404")) != 1 {
		t.Errorf("the failed command's request %s is not in the server's log", m[1])
	}
	if got := findLog(lines, "http request", "request_id", reqID, "route", "POST /api/v1/rounds/{round}/documents", "status", "202"); len(got) != 1 {
		t.Errorf("%d API log lines of the upload, want 1", len(got))
	}
	if got := findLog(lines, "document received", "request_id", reqID); len(got) != 5 {
		t.Errorf("%d 'document received' lines with the request id, want 5", len(got))
	}
	if got := findLog(lines, "ingest: verdict", "request_id", reqID, "worker", "ingest"); len(got) != 4 {
		t.Errorf("%d ingest verdict lines with the request id, want 4 (the fifth was refused on receipt)", len(got))
	}
	if got := findLog(lines, "dossier: event applied", "request_id", reqID, "worker", "dossier"); len(got) == 0 {
		t.Error("no dossier projector line with the request id")
	}
	// Every line about one of these documents carries the request id.
	for _, l := range lines {
		for _, id := range ids {
			if l["document_id"] == id && l["request_id"] != reqID {
				t.Errorf("a log line of document %s without its request id: %v", id, l)
			}
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%v", series)
	}

	// A seal, followed: the minutes worker renders with the seal's id, the publish worker checks
	// with it; the renderings are timed.
	csv := "nominee,cao,tin_nhiem,thap,invalid\nn01,45,0,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\nn06,30,10,5,0\n"
	if _, err := ts.cli(t, "tally", "import", "--round", "ops", "--present", "45", "--issued", "45", "--collected", "45", writeFile(t, "c.csv", csv)); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/rounds/ops/tally/seal", nil)
	req.Header.Set("Authorization", "Bearer "+ts.token(t, "admin", testAdminPassword))
	req.Header.Set("X-Request-Id", "ops-seal-0001")
	res, err := ts.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("seal: HTTP %d", res.StatusCode)
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		lines = logLines(ts.Log())
		if len(findLog(lines, "publish: artifacts verified", "request_id", "ops-seal-0001", "worker", "publish")) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no publish line with the seal's request id")
		}
	}
	if got := findLog(lines, "minutes: rendered", "request_id", "ops-seal-0001", "worker", "minutes"); len(got) != 1 {
		t.Errorf("%d minutes lines with the seal's request id, want 1", len(got))
	}
	series = scrapeMetrics(t, metricsAddr)
	if n, _ := sum(series, "tinnhiem_minutes_render_seconds_count"); n < 3 {
		t.Errorf("%v minutes renderings timed, want the 3 documents", n)
	}
}

func requestidOK(id string) bool { return len(id) == 32 && strings.Trim(id, "0123456789abcdef") == "" }

// Separate processes, each with its own NATS role: the request id crosses NATS from the HTTP
// front to the ingest worker and on to the dossier worker; each worker serves its own metrics
// with its own consumer's backlog (read with no more than its role's permissions), and the
// verdicts it counted add up to the uploads the front counted.
func TestMetricsAndRequestIDAcrossProcesses(t *testing.T) {
	root := t.TempDir()
	natsAddr, frontMetrics := freeAddr(t), freeAddr(t)
	// The front takes its metrics address from the environment, the workers from the flag.
	front := startServerEnv(t, filepath.Join(root, "data"), map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword, "TINNHIEM_METRICS_LISTEN": frontMetrics},
		"--nats-listen", natsAddr, "--workers", "none", "--log-format", "json")
	creds := filepath.Join(root, "nats-creds")
	var wl workerLogs
	workerMetrics := map[string]string{}
	for _, kind := range []string{"ingest", "dossier"} {
		workerMetrics[kind] = freeAddr(t)
		startWorker(t, &wl, kind, "--nats-url", "nats://"+natsAddr, "--nats-creds", bus.CredsFile(creds, kind),
			"--metrics-listen", workerMetrics[kind], "--log-format", "json")
	}
	if _, err := front.cli(t, "round", "import", writeFile(t, "round.yaml", roundWithID("procs"))); err != nil {
		t.Fatal(err)
	}
	const reqID = "0b9c2d7e-5f1a-4c3b-9e8d-7a6b5c4d3e2f"
	_, ids := uploadWithID(t, front, "procs", reqID, []opsFile{{"ke-khai.pdf", assetDeclaration(t)}, {"x.pdf", []byte("không phải PDF")}})
	waitVerdicts(t, front, ids)

	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		fm, im, dm := scrapeMetrics(t, frontMetrics), scrapeMetrics(t, workerMetrics["ingest"]), scrapeMetrics(t, workerMetrics["dossier"])
		received, _ := sum(fm, "tinnhiem_documents_received_total")
		judged, _ := sum(im, "tinnhiem_verdicts_total")
		_, ingestGauge := sum(im, "tinnhiem_consumer_pending_messages", `consumer="ingest"`)
		_, dossierGauge := sum(dm, "tinnhiem_consumer_pending_messages", `consumer="dossier-projector"`)
		infoErrors, _ := sum(im, "tinnhiem_consumer_info_errors_total")
		dInfoErrors, _ := sum(dm, "tinnhiem_consumer_info_errors_total")
		_, frontGauges := sum(fm, "tinnhiem_consumer_pending_messages")
		applied, _ := sum(dm, "tinnhiem_consumer_messages_total", `consumer="dossier-projector"`, `action="ack"`)
		if received == 2 && judged == 2 && ingestGauge == 1 && dossierGauge == 1 && infoErrors == 0 && dInfoErrors == 0 && frontGauges == 0 && applied >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("front received %v; ingest worker verdicts %v, its gauge %d, info errors %v; dossier gauge %d, info errors %v, applied %v; front gauges %d",
				received, judged, ingestGauge, infoErrors, dossierGauge, dInfoErrors, applied, frontGauges)
		}
	}

	wl.mu.Lock()
	ingestLog, dossierLog := wl.logs["ingest"].String(), wl.logs["dossier"].String()
	wl.mu.Unlock()
	if got := findLog(logLines(front.Log()), "document received", "request_id", reqID); len(got) != 2 {
		t.Errorf("%d front lines of the upload with its id, want 2", len(got))
	}
	if got := findLog(logLines(ingestLog), "ingest: verdict", "request_id", reqID); len(got) != 2 {
		t.Errorf("%d ingest worker verdict lines with the id, want 2:\n%s", len(got), ingestLog)
	}
	if got := findLog(logLines(dossierLog), "dossier: event applied", "request_id", reqID); len(got) == 0 {
		t.Errorf("no dossier worker line with the id:\n%s", dossierLog)
	}
	for who, log := range map[string]string{"ingest": ingestLog, "dossier": dossierLog} {
		if strings.Contains(log, "Permissions Violation") {
			t.Errorf("the %s worker was refused a subject:\n%s", who, log)
		}
	}
}
