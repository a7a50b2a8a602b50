package dossier_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"

	"golang.org/x/text/unicode/norm"
)

// dzAlert is the alert of the test round 90 minutes before its dossier deadline: n01 misses
// both documents, n02 the asset declaration and owes an explanation.
func dzAlert(t testing.TB) (dossier.Round, dossier.Alert) {
	t.Helper()
	r := dossiertest.Round(t)
	r.Notify = dossier.Notify{Emails: []string{"bantochuc@binhson.example", "vanphong@binhson.example"}, Webhook: "https://hooks.example/tn", WebhookSecret: "s"}
	b := dossiertest.NewBuilder(t, r.ID).Doc("c", "n02", dossier.KindSelfAssessment, dossier.StatusAccepted).Req("q", "n02", dossier.StatusAccepted, "")
	now := r.Deadlines.Dossier.At.Add(-90 * time.Minute)
	dues := dossier.DueAlerts(r, now) // 72h, 24h and 2h have all come: the test reads the 2h one
	if len(dues) == 0 || dues[len(dues)-1].Lead != "2h" {
		t.Fatalf("due: %+v", dues)
	}
	return r, dossier.NewAlert(r, b.State, dues[len(dues)-1], now, "test")
}

func TestNewAlert(t *testing.T) {
	r, a := dzAlert(t)
	if a.ID != dzKey(r, "7200s") || a.Lead != "2h" || a.LeadSeconds != 7200 || a.DeadlineLocal != "23:59 25/11/2028" {
		t.Errorf("alert header: %+v", a)
	}
	if len(a.Persons) != 2 || a.Persons[0].Nominee != "n01" || len(a.Persons[0].Missing) != 2 ||
		a.Persons[1].Nominee != "n02" || a.Persons[1].OpenRequests != 1 || len(a.Persons[1].Missing) != 1 {
		t.Errorf("persons: %+v", a.Persons)
	}
	var channels []string
	for _, d := range a.Deliveries {
		channels = append(channels, d.Channel+" "+d.Target+" "+d.State)
	}
	want := []string{
		"subject tn.alert.dz-test.dossier.7200s pending",
		"webhook https://hooks.example/tn pending",
		"email bantochuc@binhson.example pending",
		"email vanphong@binhson.example pending",
	}
	if strings.Join(channels, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(channels, "\n"), strings.Join(want, "\n"))
	}
	if a.NATSSubject() != "tn.alert.dz-test.dossier.7200s" {
		t.Errorf("subject %s", a.NATSSubject())
	}

	// Everyone complete: recorded and published, not mailed nor posted.
	st := dossiertest.NewBuilder(t, r.ID).
		Doc("1", "n01", dossier.KindSelfAssessment, dossier.StatusAccepted).Doc("2", "n01", dossier.KindAssetDeclaration, dossier.StatusAccepted).
		Doc("3", "n02", dossier.KindSelfAssessment, dossier.StatusAccepted).Doc("4", "n02", dossier.KindAssetDeclaration, dossier.StatusAccepted).State
	due := dossier.DueAlerts(r, r.Deadlines.Dossier.At.Add(time.Second))[0]
	done := dossier.NewAlert(r, st, due, r.Deadlines.Dossier.At.Add(time.Second), "")
	if len(done.Persons) != 0 || len(done.Deliveries) != 1 || done.Deliveries[0].Channel != dossier.ChannelSubject {
		t.Errorf("complete round's alert: %+v", done)
	}
	if !strings.Contains(done.Headline(), "Đã quá hạn nộp hồ sơ: đủ hồ sơ") {
		t.Errorf("headline %q", done.Headline())
	}
	if done.NATSSubject() != "tn.alert.dz-test.dossier.overdue" {
		t.Errorf("overdue subject %s", done.NATSSubject())
	}
}

func dzKey(r dossier.Round, lead string) string {
	return r.ID + ".dossier." + strconv.FormatInt(r.Deadlines.Dossier.At.Unix(), 10) + "." + lead
}

func TestDurationLabel(t *testing.T) {
	for d, want := range map[time.Duration]string{
		72 * time.Hour:                       "3 ngày",
		24 * time.Hour:                       "1 ngày",
		26 * time.Hour:                       "26 giờ",
		2 * time.Hour:                        "2 giờ",
		90 * time.Minute:                     "1 giờ 30 phút",
		time.Minute:                          "1 phút",
		45 * time.Second:                     "45 giây",
		0:                                    "0 giây",
		-2 * time.Hour:                       "2 giờ",
		time.Hour + 30*time.Second:           "1 giờ 30 giây",
		2*time.Minute + 500*time.Millisecond: "2 phút",
	} {
		if got := dossier.DurationLabel(d); got != want {
			t.Errorf("DurationLabel(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestAlertEmailGolden checks the mail byte for byte, then reads it back as a mail client would.
func TestAlertEmailGolden(t *testing.T) {
	_, a := dzAlert(t)
	now := time.Date(2028, 11, 25, 15, 30, 0, 0, time.UTC)
	msg, err := a.Email("tinnhiem@binhson.example", "bantochuc@binhson.example", now)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "alert-mail.golden", msg)

	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if subject != a.Headline() || !strings.Contains(subject, "Còn 2 giờ đến hạn nộp hồ sơ: 2 người chưa đủ hồ sơ") {
		t.Errorf("subject %q", subject)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	if text != a.Text() {
		t.Errorf("decoded body differs from the text:\n%s", text)
	}
	for _, want := range []string{
		"1. Nguyễn Thị Thanh Hà (mã n01) — Phó Bí thư Thường trực Tỉnh ủy",
		"Còn thiếu: Báo cáo tự đánh giá; Bản kê khai tài sản, thu nhập",
		"2. Lê Văn Đức (mã n02) — Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh",
		"Chưa giải trình: 1 đề nghị giải trình",
		"Hạn nộp hồ sơ: 23:59 25/11/2028 (giờ Asia/Ho_Chi_Minh) — cảnh báo trước 2 giờ, còn khoảng 1 giờ 30 phút.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if strings.Contains(text, "Đặng Quang Vinh") {
		t.Error("the exempt person is named in the alert")
	}
	if !norm.NFC.IsNormalString(text) || !norm.NFC.IsNormalString(subject) {
		t.Error("mail text is not NFC")
	}
	head, bodyPart, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if len(line) > 90 {
			t.Errorf("header line of %d bytes: %q", len(line), line)
		}
	}
	for _, line := range bytes.Split(bodyPart, []byte("\r\n")) {
		if len(line) > 76 {
			t.Errorf("body line of %d bytes (quoted-printable allows 76): %q", len(line), line)
		}
	}
}

func TestAlertWebhookBody(t *testing.T) {
	_, a := dzAlert(t)
	body, err := a.WebhookBody(time.Date(2028, 11, 25, 15, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "alert-webhook.golden.json", body)
	var got struct {
		ID      string `json:"id"`
		Lead    string `json:"lead"`
		Persons []struct {
			Nominee       string   `json:"nominee"`
			Missing       []string `json:"missing"`
			MissingLabels []string `json:"missing_labels"`
			OpenRequests  int      `json:"open_requests"`
		} `json:"persons"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Lead != "2h" || len(got.Persons) != 2 || got.Persons[1].MissingLabels[0] != "Bản kê khai tài sản, thu nhập" {
		t.Errorf("webhook body: %s", body)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGoldens() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// updateGoldens reads the -update flag, which the package's internal tests define.
func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func dueString(ds []dossier.AlertDue) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Deadline+"/"+d.Lead)
	}
	return strings.Join(out, ",")
}

func TestDueAlertsBoundaries(t *testing.T) {
	r := dossiertest.Round(t)
	dossierAt := r.Deadlines.Dossier.At // 25/11 23:59:59.999999999 in Hanoi = 16:59:59.999999999Z
	explAt := r.Deadlines.Explanation.At
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"a nanosecond before the 72h window", dossierAt.Add(-72*time.Hour - time.Nanosecond), ""},
		{"72h window opens", dossierAt.Add(-72 * time.Hour), "dossier/72h"},
		{"a minute before the 24h window", dossierAt.Add(-24*time.Hour - time.Minute), "dossier/72h"},
		{"24h window opens", dossierAt.Add(-24 * time.Hour), "dossier/72h,dossier/24h"},
		{"2h window opens", dossierAt.Add(-2 * time.Hour), "dossier/72h,dossier/24h,dossier/2h"},
		{"the deadline instant is still on time", dossierAt, "dossier/72h,dossier/24h,dossier/2h"},
		{"a nanosecond after: overdue", dossierAt.Add(time.Nanosecond), "dossier/overdue"},
		{"local midnight after the deadline day", time.Date(2028, 11, 26, 0, 0, 0, 0, r.Location()), "dossier/overdue"},
		{"explanation deadline 17:00 local, 24h before", time.Date(2028, 12, 11, 17, 0, 0, 0, r.Location()),
			"dossier/overdue,packet/overdue,explanation_request/overdue,explanation/72h,explanation/24h"},
		{"16:59 local on the explanation day", explAt.Add(-time.Minute), "dossier/overdue,packet/overdue,explanation_request/overdue,explanation/72h,explanation/24h,explanation/2h"},
		{"17:01 local", explAt.Add(time.Minute), "dossier/overdue,packet/overdue,explanation_request/overdue,explanation/overdue"},
		{"last minute of the vote day", time.Date(2028, 12, 15, 23, 59, 0, 0, r.Location()), "dossier/overdue,packet/overdue,explanation_request/overdue,explanation/overdue"},
		{"after the vote day nothing", time.Date(2028, 12, 16, 0, 0, 0, 0, r.Location()), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dueString(dossier.DueAlerts(r, tt.now)); got != tt.want {
				t.Errorf("DueAlerts at %s = %q, want %q", tt.now.In(r.Location()).Format(time.RFC3339Nano), got, tt.want)
			}
		})
	}
}

func TestDueAlertsTimeZones(t *testing.T) {
	// The same round file in two time zones: "2028-11-25" ends at 16:59:59Z in Hanoi and at
	// 23:59:59Z in UTC, so at 17:00Z one is overdue and the other still has its 24h alert due.
	now := time.Date(2028, 11, 25, 17, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ tz, want string }{
		{"Asia/Ho_Chi_Minh", "dossier/overdue"},
		{"UTC", "dossier/24h"},
		{"America/New_York", "dossier/24h"}, // ends 04:59:59Z on the 26th
	} {
		r, err := dossier.ParseRound([]byte(strings.Replace(dossiertest.RoundYAML, "Asia/Ho_Chi_Minh", tt.tz, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := dueString(dossier.DueAlerts(r, now)); !strings.HasSuffix(got, tt.want) {
			t.Errorf("%s: %q, want %q last", tt.tz, got, tt.want)
		}
	}
}

func TestAlertKeys(t *testing.T) {
	at := time.Date(2028, 11, 25, 16, 59, 59, 999999999, time.UTC)
	tests := []struct {
		due  dossier.AlertDue
		want string
	}{
		{dossier.AlertDue{Deadline: "dossier", At: at, Lead: "24h", LeadD: 24 * time.Hour}, "r.dossier.1858784399.86400s"},
		{dossier.AlertDue{Deadline: "dossier", At: at, Lead: "1d", LeadD: 24 * time.Hour}, "r.dossier.1858784399.86400s"},
		{dossier.AlertDue{Deadline: "dossier", At: at, Lead: "1.5s", LeadD: 1500 * time.Millisecond}, "r.dossier.1858784399.1500ms"},
		{dossier.AlertDue{Deadline: "explanation", At: at.Add(time.Hour), Lead: dossier.LeadOverdue}, "r.explanation.1858787999.overdue"},
	}
	for _, tt := range tests {
		if got := tt.due.Key("r"); got != tt.want {
			t.Errorf("Key = %q, want %q", got, tt.want)
		}
	}
}
