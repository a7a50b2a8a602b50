package main

// End-to-end tests of dossier tracking through the whole server: document events published as
// the ingest workers publish them, status through the API and the CLI, deadline alerts with
// real SMTP and webhook receivers, restarts across lead times.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// dzMail is a minimal SMTP server collecting messages.
type dzMail struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []*mail.Message
	raw  [][]byte
}

func startDZMail(t *testing.T) *dzMail {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &dzMail{ln: ln}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return m
}

func (m *dzMail) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	say := func(s string) { _, _ = io.WriteString(c, s+"\r\n") }
	say("220 mail.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(verb, "EHLO"), strings.HasPrefix(verb, "HELO"):
			say("250 mail.test")
		case strings.HasPrefix(verb, "MAIL"), strings.HasPrefix(verb, "RCPT"), verb == "RSET", verb == "NOOP":
			say("250 OK")
		case verb == "DATA":
			say("354 go on")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			msg, err := mail.ReadMessage(bytes.NewReader(data.Bytes()))
			if err != nil {
				say("554 bad message")
				continue
			}
			m.mu.Lock()
			m.msgs = append(m.msgs, msg)
			m.raw = append(m.raw, data.Bytes())
			m.mu.Unlock()
			say("250 queued")
		case verb == "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

// byAlert counts the mails received per alert id.
func (m *dzMail) byAlert() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for _, msg := range m.msgs {
		out[msg.Header.Get("X-Tinnhiem-Alert")]++
	}
	return out
}

// dzHook is a webhook receiver that checks each request's signature.
type dzHook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	ids    []string
	badSig int
}

func startDZHook(t *testing.T, secret string) *dzHook {
	h := &dzHook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		var a struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &a)
		h.mu.Lock()
		defer h.mu.Unlock()
		if r.Header.Get("X-Tinnhiem-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			h.badSig++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.ids = append(h.ids, a.ID)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *dzHook) received() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ids)
}

var dzNATSURL = regexp.MustCompile(`nats://127\.0\.0\.1:\d+`)

// dzConnect connects to the server's embedded NATS (started with --nats-listen 127.0.0.1:0),
// with the ops credentials the server wrote beside its data directory.
func dzConnect(t *testing.T, ts *testServer) jetstream.JetStream {
	t.Helper()
	u := dzNATSURL.FindAllString(ts.Log(), -1)
	if len(u) == 0 {
		t.Fatalf("no NATS URL in the server log:\n%s", ts.Log())
	}
	creds := bus.CredsFile(filepath.Join(filepath.Dir(ts.DataDir), defaultCredsDir), bus.RoleOps)
	_, js := bustest.ConnectAuth(t, u[len(u)-1], bus.ClientAuth{CredsFile: creds})
	return js
}

// dzPublish publishes a document event as the ingest workers do.
func dzPublish(t *testing.T, js jetstream.JetStream, typ string, d dossier.Document) {
	t.Helper()
	data, err := json.Marshal(dossier.DocumentEvent{Type: typ, Document: d})
	if err != nil {
		t.Fatal(err)
	}
	msg := &nats.Msg{Subject: dossier.DocumentSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("doc-%s-%d", d.ID, d.Revision))
	if _, err := js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

func dzDoc(round, id, nominee string, kind dossier.Kind, status string) dossier.Document {
	return dossier.Document{ID: id, Round: round, Nominee: nominee, Kind: kind, Status: status, ReceivedAt: time.Now().UTC(),
		Revision: 1, File: id + ".pdf", Uploader: "admin"}
}

type dzStatus struct {
	Nominee      string            `json:"nominee"`
	Name         string            `json:"name"`
	Exempt       string            `json:"exempt"`
	Documents    map[string]string `json:"documents"`
	Missing      []string          `json:"missing"`
	OpenRequests int               `json:"open_requests"`
	Complete     bool              `json:"complete"`
	Requests     []struct {
		DocumentID string `json:"document_id"`
		Requester  string `json:"requester"`
		State      string `json:"state"`
	} `json:"requests"`
}

// dzWait polls until ok holds, failing after the timeout.
func dzWait(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (ts *testServer) dzStatus(t *testing.T, round, token string) map[string]dzStatus {
	t.Helper()
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/dossiers", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status: HTTP %d %s", res.Status, res.Body)
	}
	var list []dzStatus
	res.decode(t, &list)
	out := map[string]dzStatus{}
	for _, s := range list {
		out[s.Nominee] = s
	}
	return out
}

func (ts *testServer) dzAlerts(t *testing.T, round string) []dossier.Alert {
	t.Helper()
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+round+"/alerts", ts.token(t, "admin", testAdminPassword), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("alerts: HTTP %d %s", res.Status, res.Body)
	}
	var as []dossier.Alert
	res.decode(t, &as)
	return as
}

func findAlert(as []dossier.Alert, deadline, lead string) (dossier.Alert, bool) {
	for _, a := range as {
		if a.Deadline == deadline && a.Lead == lead {
			return a, true
		}
	}
	return dossier.Alert{}, false
}

func personsOf(a dossier.Alert) string {
	var out []string
	for _, p := range a.Persons {
		var miss []string
		for _, k := range p.Missing {
			miss = append(miss, string(k))
		}
		out = append(out, fmt.Sprintf("%s[%s]%d", p.Nominee, strings.Join(miss, ","), p.OpenRequests))
	}
	return strings.Join(out, " ")
}

const dzRoundTemplate = `id: %s
organization: Đảng ủy Phường Thử Nghiệm
title: Lấy phiếu tín nhiệm đối với Ban Thường vụ Đảng ủy phường
timezone: Asia/Ho_Chi_Minh
vote_date: %s
deadlines: {dossier: %q, explanation_request: %q, explanation: %q}
summoned: 9
alerts: [%s]
notify: {emails: [bantochuc@phuong.example], webhook: %q, webhook_secret: "bí mật webhook"}
nominees:
  - {id: n01, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực}
  - {id: n02, name: Lê Văn Đức, position: Chủ tịch UBND phường}
  - {id: n03, name: Đặng Quang Vinh, position: Bí thư Đảng ủy, retiring: true}
%s`

func TestDossierAlertsEndToEnd(t *testing.T) {
	smtpSink := startDZMail(t)
	hook := startDZHook(t, "bí mật webhook")
	dir := t.TempDir()
	env := map[string]string{
		"TINNHIEM_ADMIN_PASSWORD": testAdminPassword, "TINNHIEM_ALERT_INTERVAL": "100ms", "TINNHIEM_DELIVERY_INTERVAL": "50ms",
		"TINNHIEM_SMTP_ADDR": smtpSink.ln.Addr().String(), "TINNHIEM_SMTP_FROM": "tinnhiem@phuong.example",
	}
	ts := startServerEnv(t, dir, env, "--nats-listen", "127.0.0.1:0")
	js := dzConnect(t, ts)
	admin := ts.token(t, "admin", testAdminPassword)

	// Deadlines seconds away, one lead time of 4s before each.
	t0 := time.Now()
	at := func(d time.Duration) string { return t0.Add(d).UTC().Format(time.RFC3339) }
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	vote := t0.In(loc).AddDate(0, 0, 2).Format(time.DateOnly)
	dossierAt, explAt := 10*time.Second, 26*time.Second
	round := fmt.Sprintf(dzRoundTemplate, "dz-e2e", vote, at(dossierAt), at(11*time.Second), at(explAt), "4s", hook.srv.URL, "")
	mustCLI(t, ts, "round", "import", writeFile(t, "round.yaml", round))

	const r = "dz-e2e"
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n01-sa", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted))
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n01-ad", "n01", dossier.KindAssetDeclaration, dossier.StatusAccepted))
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n02-sa", "n02", dossier.KindSelfAssessment, dossier.StatusAccepted))
	req := dzDoc(r, "rq1", "n01", dossier.KindExplanationRequest, dossier.StatusAccepted)
	req.Requester = "Đại biểu Trần Văn B"
	dzPublish(t, js, dossier.EventVerdict, req)
	dzWait(t, "the projection", 10*time.Second, func() bool { return ts.dzStatus(t, r, admin)["n01"].OpenRequests == 1 })

	st := ts.dzStatus(t, r, admin)
	if s := st["n02"]; s.Complete || !slices.Equal(s.Missing, []string{"asset_declaration"}) || s.Documents["self_assessment"] != "accepted" {
		t.Errorf("n02 before the alert: %+v", s)
	}
	if s := st["n03"]; s.Exempt == "" || !s.Complete || len(s.Missing) != 0 {
		t.Errorf("exempt n03: %+v", s)
	}

	// The lead-time alert names exactly who misses what.
	var lead dossier.Alert
	dzWait(t, "the dossier 4s alert", 15*time.Second, func() bool {
		var ok bool
		lead, ok = findAlert(ts.dzAlerts(t, r), dossier.DeadlineDossier, "4s")
		return ok
	})
	if got := personsOf(lead); got != "n01[]1 n02[asset_declaration]0" {
		t.Errorf("dossier 4s alert persons: %s", got)
	}
	if lead.RaisedAt.After(t0.Add(dossierAt)) || lead.RaisedAt.Before(t0.Add(dossierAt-4*time.Second-time.Second)) {
		t.Errorf("lead alert raised at %v, deadline %v", lead.RaisedAt, t0.Add(dossierAt))
	}
	dzWait(t, "mail and webhook of the lead alert", 15*time.Second, func() bool {
		return smtpSink.byAlert()[lead.ID] == 1 && slices.Contains(hook.received(), lead.ID)
	})

	// The missing declaration arrives: the dossier is complete.
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n02-ad", "n02", dossier.KindAssetDeclaration, dossier.StatusAccepted))
	dzWait(t, "n02 complete", 10*time.Second, func() bool { return ts.dzStatus(t, r, admin)["n02"].Complete })
	out := mustCLI(t, ts, "status", "--round", r, "--json")
	var cliList []dzStatus
	if err := json.Unmarshal([]byte(out), &cliList); err != nil || len(cliList) != 3 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}

	// Past the deadline: the overdue alert names only who still owes something.
	var overdue dossier.Alert
	dzWait(t, "the dossier overdue alert", 20*time.Second, func() bool {
		var ok bool
		overdue, ok = findAlert(ts.dzAlerts(t, r), dossier.DeadlineDossier, dossier.LeadOverdue)
		_, ok2 := findAlert(ts.dzAlerts(t, r), dossier.DeadlineExplanationRequest, dossier.LeadOverdue)
		return ok && ok2
	})
	if got := personsOf(overdue); got != "n01[]1" {
		t.Errorf("overdue persons: %s", got)
	}

	// Stopped before the explanation's lead time, started again inside it: raised once on start.
	ts.Stop()
	before := len(ts.dzAlertsOffline(t, dir, env))
	time.Sleep(time.Until(t0.Add(explAt - 4*time.Second + 500*time.Millisecond)))
	restart := time.Now()
	ts = startServerEnv(t, dir, env, "--nats-listen", "127.0.0.1:0")
	js = dzConnect(t, ts)
	var expl dossier.Alert
	dzWait(t, "the explanation 4s alert after restart", 10*time.Second, func() bool {
		var ok bool
		expl, ok = findAlert(ts.dzAlerts(t, r), dossier.DeadlineExplanation, "4s")
		return ok
	})
	if expl.RaisedAt.Before(restart) || personsOf(expl) != "n01[]1" {
		t.Errorf("explanation alert raised %v (restart %v), persons %s", expl.RaisedAt, restart, personsOf(expl))
	}
	if n := len(ts.dzAlerts(t, r)); n != before+1 {
		t.Errorf("%d alerts after restart, want %d", n, before+1)
	}

	// n01 explains; after the explanation deadline the overdue alert finds everyone complete.
	ex := dzDoc(r, "ex1", "n01", dossier.KindExplanation, dossier.StatusAccepted)
	ex.AnswersRequest = "rq1"
	dzPublish(t, js, dossier.EventVerdict, ex)
	dzWait(t, "n01 complete", 10*time.Second, func() bool { return ts.dzStatus(t, r, admin)["n01"].Complete })
	var last dossier.Alert
	dzWait(t, "the explanation overdue alert", 20*time.Second, func() bool {
		var ok bool
		last, ok = findAlert(ts.dzAlerts(t, r), dossier.DeadlineExplanation, dossier.LeadOverdue)
		return ok
	})
	if len(last.Persons) != 0 || len(last.Deliveries) != 1 {
		t.Errorf("all-complete overdue alert: persons %s, deliveries %+v", personsOf(last), last.Deliveries)
	}
	dzWait(t, "every delivery", 15*time.Second, func() bool {
		for _, a := range ts.dzAlerts(t, r) {
			if a.Pending() {
				return false
			}
		}
		return true
	})

	// Another restart sends nothing twice.
	ts.Stop()
	ts = startServerEnv(t, dir, env, "--nats-listen", "127.0.0.1:0")
	time.Sleep(time.Second) // ten watcher ticks
	all := ts.dzAlerts(t, r)
	seen := map[string]bool{}
	for _, a := range all {
		key := a.Deadline + "/" + a.Lead
		if seen[key] {
			t.Errorf("alert %s raised twice", key)
		}
		seen[key] = true
		want := 0
		if len(a.Persons) > 0 {
			want = 1
		}
		if got := smtpSink.byAlert()[a.ID]; got != want {
			t.Errorf("alert %s mailed %d times, want %d", key, got, want)
		}
	}
	for _, key := range []string{"dossier/4s", "dossier/overdue", "explanation_request/4s", "explanation_request/overdue", "explanation/4s", "explanation/overdue"} {
		if !seen[key] {
			t.Errorf("alert %s missing; have %v", key, seen)
		}
	}
	if hook.badSig != 0 {
		t.Errorf("%d webhook requests with a bad signature", hook.badSig)
	}
	if out := mustCLI(t, ts, "dossier", "rebuild", "--round", r); !strings.Contains(out, "Trùng khớp") {
		t.Errorf("rebuild: %s", out)
	}
	if out := mustCLI(t, ts, "dossier", "alerts", "--round", r); !strings.Contains(out, "hạn nộp hồ sơ") || !strings.Contains(out, "đã quá hạn") {
		t.Errorf("dossier alerts:\n%s", out)
	}
}

// dzAlertsOffline reads the alerts of a stopped server by starting it HTTP-only for a moment.
func (ts *testServer) dzAlertsOffline(t *testing.T, dir string, env map[string]string) []dossier.Alert {
	t.Helper()
	tmp := startServerEnv(t, dir, env, "--workers", "none")
	defer tmp.Stop()
	return tmp.dzAlerts(t, "dz-e2e")
}

func TestDossierStatusDecisionsAndRoster(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir, "--nats-listen", "127.0.0.1:0")
	js := dzConnect(t, ts)
	admin := ts.token(t, "admin", testAdminPassword)
	const org = "Đảng ủy Phường Thử Nghiệm"
	ts.addUser(t, "bantochuc", "mật khẩu ban tổ chức", []string{"organizer"}, org)
	ts.addUser(t, "xem", "mật khẩu người xem", []string{"viewer"}, org)
	organizer := ts.token(t, "bantochuc", "mật khẩu ban tổ chức")
	viewer := ts.token(t, "xem", "mật khẩu người xem")

	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	now := time.Now().In(loc)
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	const r = "dz-roster"
	// Requests for explanation closed yesterday: one came in before, one after.
	file := writeFile(t, "round.yaml", fmt.Sprintf(dzRoundTemplate, r, day(30), day(10), day(-1), day(27), "72h", "http://127.0.0.1:1/unused", ""))
	mustCLI(t, ts, "round", "import", file)

	late := dzDoc(r, "rq-late", "n01", dossier.KindExplanationRequest, dossier.StatusLate)
	late.Requester = "Đại biểu Nguyễn Văn A"
	dzPublish(t, js, dossier.EventVerdict, late)
	onTime := dzDoc(r, "rq-ok", "n02", dossier.KindExplanationRequest, dossier.StatusAccepted)
	onTime.ReceivedAt = time.Now().AddDate(0, 0, -3)
	dzPublish(t, js, dossier.EventVerdict, onTime)
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n02-sa", "n02", dossier.KindSelfAssessment, dossier.StatusAccepted))
	dzPublish(t, js, dossier.EventVerdict, dzDoc(r, "n04-sa", "n04", dossier.KindSelfAssessment, dossier.StatusAccepted))
	dzWait(t, "the projection", 10*time.Second, func() bool { return ts.dzStatus(t, r, admin)["n02"].OpenRequests == 1 })

	// Who asked is shown to the board, not to viewers.
	if rq := ts.dzStatus(t, r, organizer)["n01"].Requests; len(rq) != 1 || rq[0].Requester != "Đại biểu Nguyễn Văn A" || rq[0].State != "awaiting_decision" {
		t.Errorf("organizer sees requests %+v", rq)
	}
	res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/dossiers?view=full", viewer, nil)
	if res.Status != http.StatusOK || bytes.Contains(res.Body, []byte("Nguyễn Văn A")) {
		t.Errorf("viewer: HTTP %d, requester visible: %v", res.Status, bytes.Contains(res.Body, []byte("Nguyễn Văn A")))
	}

	// CSV for Excel: UTF-8 with a byte order mark, Vietnamese headers.
	res = ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/dossiers?format=csv", viewer, nil)
	if !bytes.HasPrefix(res.Body, []byte("\xef\xbb\xbfMã,Họ và tên,Chức vụ,Lấy phiếu,Báo cáo tự đánh giá,\"Bản kê khai tài sản, thu nhập\"")) ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !bytes.Contains(res.Body, []byte("n02,Lê Văn Đức")) {
		t.Errorf("CSV: %s %q", res.Header.Get("Content-Type"), res.Body)
	}
	if out := mustCLI(t, ts, "status", "--round", r, "--csv"); !strings.HasPrefix(out, "\ufeffMã,") {
		t.Errorf("status --csv: %q", out)
	}
	if out := mustCLI(t, ts, "status", "--round", r); !strings.Contains(out, "HỌ VÀ TÊN") || !strings.Contains(out, "rq-late") ||
		!strings.Contains(out, "không lấy phiếu: Đã có thông báo nghỉ hưu") {
		t.Errorf("status table:\n%s", out)
	}

	// Board decisions on late requests: organizers only, late requests only, audited.
	path := "/api/v1/rounds/" + r + "/requests/rq-late/decision"
	if res := ts.api(t, http.MethodPost, path, viewer, map[string]string{"decision": "accept"}); res.Status != http.StatusForbidden {
		t.Errorf("viewer decision: HTTP %d", res.Status)
	}
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds/"+r+"/requests/rq-ok/decision", organizer, map[string]string{"decision": "accept"}); res.Status != http.StatusConflict {
		t.Errorf("decision on an on-time request: HTTP %d %s", res.Status, res.Body)
	}
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds/"+r+"/requests/nope/decision", organizer, map[string]string{"decision": "accept"}); res.Status != http.StatusNotFound {
		t.Errorf("decision on an unknown request: HTTP %d", res.Status)
	}
	if res := ts.api(t, http.MethodPost, path, organizer, map[string]string{"decision": "maybe"}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad decision: HTTP %d %s", res.Status, res.Body)
	}
	out, _, err := ts.cliWith(t, cliOpts{User: "bantochuc", Password: "mật khẩu ban tổ chức"},
		"dossier", "decide", "--round", r, "--request", "rq-late", "--decision", "accept", "--note", "Hội nghị đồng ý xem xét")
	if err != nil || !strings.Contains(out, "chấp nhận") {
		t.Fatalf("dossier decide: %v\n%s", err, out)
	}
	if s := ts.dzStatus(t, r, admin)["n01"]; s.OpenRequests != 1 || s.Requests[0].State != "open" {
		t.Errorf("after accepting: %+v", s)
	}
	res = ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/audit", admin, nil)
	if !bytes.Contains(res.Body, []byte(`"request.decision"`)) || !bytes.Contains(res.Body, []byte("Hội nghị đồng ý xem xét")) {
		t.Errorf("decision not audited: %s", res.Body)
	}

	// The roster changes: n02 off the list, n04 added after their document arrived.
	roster := fmt.Sprintf(dzRoundTemplate, r, day(30), day(10), day(-1), day(27), "72h", "http://127.0.0.1:1/unused",
		"  - {id: n04, name: Bùi Thị Mai, position: Phó Chủ tịch UBND phường}\n")
	roster = strings.Replace(roster, "  - {id: n02, name: Lê Văn Đức, position: Chủ tịch UBND phường}\n", "", 1)
	mustCLI(t, ts, "round", "import", writeFile(t, "round2.yaml", roster))
	st := ts.dzStatus(t, r, admin)
	if _, still := st["n02"]; still || st["n04"].Documents["self_assessment"] != "accepted" || len(st) != 3 {
		t.Errorf("after the roster change: %+v", st)
	}
	var full dossier.Report
	ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/dossiers?view=full", admin, nil).decode(t, &full)
	if len(full.Removed) != 1 || full.Removed[0].Nominee != "n02" || full.Removed[0].Documents[dossier.KindSelfAssessment] != "accepted" || full.Summary.Documents != 4 {
		t.Errorf("removed person's documents: %+v (summary %+v)", full.Removed, full.Summary)
	}

	if out := mustCLI(t, ts, "dossier", "rebuild", "--round", r, "--check"); !strings.Contains(out, "Trùng khớp") || !strings.Contains(out, "4 tài liệu, 1 quyết định") {
		t.Errorf("rebuild --check: %s", out)
	}
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds/"+r+"/dossiers/rebuild", viewer, nil); res.Status != http.StatusForbidden {
		t.Errorf("viewer rebuild: HTTP %d", res.Status)
	}
	// Imported after its request deadline: that deadline's overdue alert, and only that, at once.
	res = ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/alerts", viewer, nil)
	var as []dossier.Alert
	res.decode(t, &as)
	if len(as) != 1 || as[0].Deadline != dossier.DeadlineExplanationRequest || as[0].Lead != dossier.LeadOverdue ||
		bytes.Contains(res.Body, []byte("unused")) || bytes.Contains(res.Body, []byte("bantochuc@")) {
		t.Errorf("alerts as a viewer: %s", res.Body)
	}
	// Another organization's round is not found.
	ts.addUser(t, "khac", "mật khẩu tổ chức khác", []string{"organizer"}, "Tổ chức khác")
	other := ts.token(t, "khac", "mật khẩu tổ chức khác")
	for _, p := range []string{"/dossiers", "/alerts"} {
		if res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+p, other, nil); res.Status != http.StatusNotFound {
			t.Errorf("other organization GET %s: HTTP %d", p, res.Status)
		}
	}
}

func TestDossierStatus5000(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir, "--nats-listen", "127.0.0.1:0")
	js := dzConnect(t, ts)
	admin := ts.token(t, "admin", testAdminPassword)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	now := time.Now().In(loc)
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	const r = "dz-big"
	var nominees strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&nominees, "  - {id: p%04d, name: Nguyễn Văn Người Thứ %d, position: Ủy viên}\n", i, i)
	}
	file := fmt.Sprintf(dzRoundTemplate, r, day(30), day(10), day(20), day(27), "72h", "http://127.0.0.1:1/unused", nominees.String())
	file = strings.Replace(file, "  - {id: n01, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực}\n  - {id: n02, name: Lê Văn Đức, position: Chủ tịch UBND phường}\n  - {id: n03, name: Đặng Quang Vinh, position: Bí thư Đảng ủy, retiring: true}\n", "", 1)
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds", admin, file); res.Status != http.StatusCreated {
		t.Fatalf("import: HTTP %d %s", res.Status, res.Body[:min(len(res.Body), 500)])
	}
	ctx := context.Background()
	n := 0
	for i := range 5000 {
		for _, k := range []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration} {
			if k == dossier.KindAssetDeclaration && i%10 == 0 {
				continue
			}
			d := dzDoc(r, fmt.Sprintf("p%04d-%s", i, k), fmt.Sprintf("p%04d", i), k, dossier.StatusAccepted)
			data, _ := json.Marshal(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: d})
			if _, err := js.PublishAsync(dossier.DocumentSubject(r), data, jetstream.WithMsgID("doc-"+d.ID+"-1")); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		t.Fatal("publishing 9,500 events took over a minute")
	}
	var body []byte
	kv, err := js.KeyValue(ctx, "tn_dossiers")
	if err != nil {
		t.Fatal(err)
	}
	dzWait(t, "9,500 documents projected", 90*time.Second, func() bool {
		e, err := kv.Get(ctx, r)
		if err != nil {
			return false
		}
		st, err := dossier.DecodeState(e.Value())
		return err == nil && len(st.Docs) == n
	})
	best := time.Hour
	for range 3 {
		start := time.Now()
		res := ts.api(t, http.MethodGet, "/api/v1/rounds/"+r+"/dossiers", admin, nil)
		best = min(best, time.Since(start))
		body = res.Body
	}
	var list []dzStatus
	if err := json.Unmarshal(body, &list); err != nil || len(list) != 5000 {
		t.Fatalf("%d entries (%v)", len(list), err)
	}
	incomplete := 0
	for _, s := range list {
		if !s.Complete {
			incomplete++
		}
	}
	if incomplete != 500 {
		t.Errorf("%d incomplete, want 500", incomplete)
	}
	// Its speed is measured by a benchmark, not asserted here: a loaded CI machine under the
	// race detector says nothing about it.
	t.Logf("GET status of 5,000 persons / %d documents: %v, %d bytes", n, best, len(body))
}
