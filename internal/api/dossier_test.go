package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/app/apptest"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
)

// dzAPI is an API server on a real nats-server with an organizer and a viewer of the round's
// organization, and one of another organization.
type dzAPI struct {
	srv    *Server
	st     *store.Stores
	http   *httptest.Server
	js     jetstream.JetStream
	round  dossier.Round
	tokens map[string]string
}

const dzRoundFile = `
id: dz-api
organization: Tỉnh ủy Bình Sơn
title: Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy
vote_date: 2028-12-15
deadlines: {dossier: 2028-11-25, explanation_request: 2028-12-05, explanation: "2028-12-12T17:00"}
summoned: 45
notify: {emails: [bantochuc@binhson.example], webhook: "https://hooks.example/tn", webhook_secret: "bí mật"}
nominees:
  - {id: n01, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực Tỉnh ủy}
  - {id: n02, name: Lê Văn Đức, position: "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"}
  - {id: n03, name: Đặng Quang Vinh, position: Bí thư Thành ủy, retiring: true}
`

func newDZAPI(t *testing.T, withDossiers bool) *dzAPI {
	t.Helper()
	env := apptest.Start(t, apptest.Options{TokenTTL: time.Hour})
	if !withDossiers {
		env.Stores.Dossiers = nil
	}
	a := &dzAPI{js: env.NS.JS, st: env.Stores, tokens: map[string]string{}}
	a.srv = &Server{App: env.App, Log: slog.New(slog.DiscardHandler), Ready: func(context.Context) error { return nil }}
	a.round = env.Round(t, dzRoundFile)
	for _, u := range []struct {
		name, role, org string
	}{{"bantochuc", auth.RoleOrganizer, "Tỉnh ủy Bình Sơn"}, {"xem", auth.RoleViewer, "Tỉnh ủy Bình Sơn"}, {"khac", auth.RoleOrganizer, "Tỉnh ủy Hòa Lạc"}} {
		_, a.tokens[u.name] = env.User(t, u.name, []string{u.role}, u.org)
	}
	a.http = httptest.NewServer(a.srv.Handler())
	t.Cleanup(a.http.Close)
	return a
}

func (a *dzAPI) startProjector(t *testing.T) {
	t.Helper()
	stop, err := worker.NewProjector(a.js, a.st.Dossiers, worker.ProjectorConfig{Audit: a.st.Audit}).Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stop(ctx)
	})
}

func (a *dzAPI) publish(t *testing.T, d dossier.Document) uint64 {
	t.Helper()
	d.Round, d.Revision = a.round.ID, 1
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = a.round.Deadlines.Dossier.At.Add(-time.Hour)
	}
	data, _ := json.Marshal(dossier.DocumentEvent{Type: dossier.EventVerdict, Document: d})
	msg := &nats.Msg{Subject: dossier.DocumentSubject(a.round.ID), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "doc-"+d.ID+"-1")
	ack, err := a.js.PublishMsg(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

func (a *dzAPI) do(t *testing.T, method, path, user string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, a.http.URL+path, rd)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

func (a *dzAPI) waitApplied(t *testing.T, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.st.Dossiers.WaitFor(ctx, a.round.ID, func(st *dossier.State) bool { return st.Seq >= seq }); err != nil {
		t.Fatal(err)
	}
}

func TestDossierStatusContract(t *testing.T) {
	a := newDZAPI(t, true)
	a.startProjector(t)
	a.publish(t, dossier.Document{ID: "d1", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted})
	a.publish(t, dossier.Document{ID: "d2", Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusLate,
		ReceivedAt: a.round.Deadlines.Dossier.At.Add(time.Minute)})
	a.publish(t, dossier.Document{ID: "q1", Nominee: "n02", Kind: dossier.KindExplanationRequest, Status: dossier.StatusAccepted, Requester: "Đại biểu Trần Văn B"})
	a.waitApplied(t, a.publish(t, dossier.Document{ID: "u1", Kind: dossier.KindSelfAssessment, Status: dossier.StatusNeedsReview}))

	code, _, body := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers", "xem", nil)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d %s", code, body)
	}
	var list []map[string]any
	if err := json.Unmarshal(body, &list); err != nil || len(list) != 3 {
		t.Fatalf("not a JSON array of 3: %v %s", err, body)
	}
	for _, e := range list {
		for _, key := range []string{"nominee", "name", "exempt", "documents", "missing", "open_requests", "complete"} {
			if _, ok := e[key]; !ok {
				t.Errorf("%v lacks %q", e["nominee"], key)
			}
		}
		if _, ok := e["missing"].([]any); !ok {
			t.Errorf("%v: missing is %T, want an array", e["nominee"], e["missing"])
		}
	}
	n01, n02, n03 := list[0], list[1], list[2]
	if docs := n01["documents"].(map[string]any); docs["self_assessment"] != "accepted" || docs["asset_declaration"] != "late" ||
		len(n01["missing"].([]any)) != 1 || n01["complete"] != false {
		t.Errorf("n01 (late declaration, accept_late false): %v", n01)
	}
	if n02["open_requests"] != float64(1) || n02["exempt"] != "" {
		t.Errorf("n02: %v", n02)
	}
	if n03["exempt"] != "Đã có thông báo nghỉ hưu / nghỉ chờ hưu" || n03["complete"] != true || len(n03["missing"].([]any)) != 0 {
		t.Errorf("exempt n03: %v", n03)
	}
	if bytes.Contains(body, []byte("Trần Văn B")) {
		t.Error("a viewer sees who asked for an explanation")
	}
	if _, _, body := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers", "bantochuc", nil); !bytes.Contains(body, []byte("Trần Văn B")) {
		t.Error("the organizer does not see who asked")
	}

	var rep dossier.Report
	_, _, body = a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers?view=full", "xem", nil)
	if err := json.Unmarshal(body, &rep); err != nil || len(rep.Unassigned) != 1 || rep.Summary.Documents != 4 || rep.Summary.NeedsReview != 1 {
		t.Errorf("full view: %v %+v", err, rep.Summary)
	}
	if code, _, _ := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers?format=xml", "xem", nil); code != http.StatusBadRequest {
		t.Errorf("format=xml: HTTP %d", code)
	}
	if code, _, _ := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers", "khac", nil); code != http.StatusNotFound {
		t.Errorf("another organization: HTTP %d", code)
	}
	if code, _, _ := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers", "", nil); code != http.StatusUnauthorized {
		t.Errorf("no token: HTTP %d", code)
	}
}

func TestDossierStatusCSV(t *testing.T) {
	a := newDZAPI(t, true)
	a.startProjector(t)
	a.publish(t, dossier.Document{ID: "d1", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted})
	a.waitApplied(t, a.publish(t, dossier.Document{ID: "d2", Nominee: "n02", Kind: dossier.KindSelfAssessment, Status: dossier.StatusRejected}))
	// n02 is taken off the roster; their row stays, marked.
	next := a.round
	next.Nominees = []dossier.Nominee{a.round.Nominees[0], a.round.Nominees[2]}
	if _, _, err := a.st.Rounds.Save(context.Background(), next, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	code, h, body := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/dossiers?format=csv", "xem", nil)
	if code != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(h.Get("Content-Disposition"), "ho-so-dz-api.csv") {
		t.Fatalf("HTTP %d %v", code, h)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Mã", "Họ và tên", "Chức vụ", "Lấy phiếu", "Báo cáo tự đánh giá", "Bản kê khai tài sản, thu nhập", "Còn thiếu", "Đề nghị giải trình chưa trả lời", "Đủ hồ sơ", "Quá hạn"},
		{"n01", "Nguyễn Thị Thanh Hà", "Phó Bí thư Thường trực Tỉnh ủy", "Có", "đã nhận", "chưa nộp", "Bản kê khai tài sản, thu nhập", "0", "Không", ""},
		{"n03", "Đặng Quang Vinh", "Bí thư Thành ủy", "Không — Đã có thông báo nghỉ hưu / nghỉ chờ hưu", "", "", "", "0", "Có", "Không"},
		{"n02", "Lê Văn Đức", "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh", "Đã rút khỏi danh sách", "bị từ chối", "", "", "0", "Có", "Không"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	for i := range want {
		// The overdue column depends on today's date against 2028; check it is Có or Không.
		got := rows[i]
		if i == 1 && (got[9] == "Có" || got[9] == "Không") {
			got[9] = ""
		}
		if strings.Join(got, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, got, want[i])
		}
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Error("rows must end with CRLF for Excel")
	}
}

func TestDossierDecisionAndRebuildHandlers(t *testing.T) {
	a := newDZAPI(t, true)
	// No projector yet: the decision is accepted into the stream and answered 202.
	seq := a.publish(t, dossier.Document{ID: "late", Nominee: "n01", Kind: dossier.KindExplanationRequest, Status: dossier.StatusLate,
		ReceivedAt: a.round.Deadlines.ExplanationRequest.At.Add(time.Hour)})
	st, err := a.st.Dossiers.Replay(context.Background(), a.round.ID)
	if err != nil || st.Seq != seq {
		t.Fatal(err)
	}
	// No projector yet: the round's events are replayed, the late request is found and the
	// decision goes into the stream, answered 202 (not yet applied).
	if code, _, body := a.do(t, http.MethodPost, "/api/v1/rounds/dz-api/requests/late/decision", "bantochuc", map[string]string{"decision": "accept"}); code != http.StatusAccepted {
		t.Fatalf("before projection: HTTP %d %s", code, body)
	}
	a.startProjector(t)
	a.waitApplied(t, seq)
	if code, _, _ := a.do(t, http.MethodPost, "/api/v1/rounds/dz-api/requests/late/decision", "bantochuc", map[string]string{"decision": "accept", "extra": "x"}); code != http.StatusBadRequest {
		t.Errorf("unknown field: HTTP %d", code)
	}
	code, _, body := a.do(t, http.MethodPost, "/api/v1/rounds/dz-api/requests/late/decision", "bantochuc", map[string]string{"decision": "set_aside", "note": "Gửi quá muộn"})
	var ans decisionAnswer
	if err := json.Unmarshal(body, &ans); err != nil || code != http.StatusOK || !ans.Applied || ans.State != dossier.RequestSetAside || ans.By != "bantochuc" || ans.Nominee != "n01" {
		t.Fatalf("decision: HTTP %d %s", code, body)
	}
	events, err := a.st.Audit.List(context.Background(), a.round.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.Action == "request.decision" && e.Target == "late" && e.Details["decision"] == "set_aside" && e.Actor == "bantochuc" {
			found = true
		}
	}
	if !found {
		t.Errorf("decision not audited: %+v", events)
	}

	code, _, body = a.do(t, http.MethodPost, "/api/v1/rounds/dz-api/dossiers/rebuild", "bantochuc", nil)
	var res store.RebuildResult
	if err := json.Unmarshal(body, &res); err != nil || code != http.StatusOK || !res.Equal || res.Decisions != 1 || res.Documents != 1 {
		t.Errorf("rebuild: HTTP %d %s", code, body)
	}
	if code, _, _ := a.do(t, http.MethodPost, "/api/v1/rounds/dz-api/dossiers/rebuild", "xem", nil); code != http.StatusForbidden {
		t.Errorf("viewer rebuild: HTTP %d", code)
	}
}

func TestDossierAlertsHandler(t *testing.T) {
	a := newDZAPI(t, true)
	w := worker.NewWatcher(a.st.Dossiers, worker.WatcherConfig{Owner: "test"})
	if _, err := w.Raise(context.Background(), []dossier.Round{a.round}, a.round.Deadlines.Dossier.At.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	code, _, body := a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/alerts", "bantochuc", nil)
	var list []map[string]any
	// An hour before the deadline the 72h, 24h and 2h moments have all come: three alerts.
	if err := json.Unmarshal(body, &list); err != nil || code != http.StatusOK || len(list) != 3 {
		t.Fatalf("HTTP %d %s", code, body)
	}
	var al map[string]any
	for _, x := range list {
		if x["lead"] == "2h" {
			al = x
		}
	}
	if al == nil {
		t.Fatalf("no 2h alert: %s", body)
	}
	if al["deadline"] != "dossier" || al["lead"] != "2h" || al["raised_at"] == nil {
		t.Errorf("alert: %v", al)
	}
	persons := al["persons"].([]any)
	if len(persons) != 2 {
		t.Fatalf("persons: %v", persons)
	}
	p := persons[0].(map[string]any)
	if p["nominee"] != "n01" || len(p["missing"].([]any)) != 2 || p["open_requests"] != float64(0) {
		t.Errorf("person: %v", p)
	}
	if !bytes.Contains(body, []byte("bantochuc@binhson.example")) {
		t.Error("the organizer does not see where the alert goes")
	}
	_, _, body = a.do(t, http.MethodGet, "/api/v1/rounds/dz-api/alerts", "xem", nil)
	if bytes.Contains(body, []byte("bantochuc@binhson.example")) || bytes.Contains(body, []byte("hooks.example")) {
		t.Errorf("a viewer sees delivery targets: %s", body)
	}
}

func TestDossiersUnavailable(t *testing.T) {
	a := newDZAPI(t, false)
	for _, path := range []string{"/api/v1/rounds/dz-api/dossiers", "/api/v1/rounds/dz-api/alerts"} {
		if code, _, _ := a.do(t, http.MethodGet, path, "xem", nil); code != http.StatusServiceUnavailable {
			t.Errorf("%s without the dossier store: HTTP %d", path, code)
		}
	}
}
