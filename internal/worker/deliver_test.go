package worker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/notify"
)

// smtpSink is a minimal SMTP server for tests: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
// It can refuse a recipient a number of times with a temporary error.
type smtpSink struct {
	t        *testing.T
	ln       net.Listener
	mu       sync.Mutex
	msgs     []smtpMsg
	failRcpt map[string]int
	wg       sync.WaitGroup
}

type smtpMsg struct {
	from string
	to   []string
	data []byte
}

func startSMTP(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{t: t, ln: ln, failRcpt: map[string]int{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *smtpSink) addr() string { return s.ln.Addr().String() }

func (s *smtpSink) messages() []smtpMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMsg(nil), s.msgs...)
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = io.WriteString(c, line+"\r\n") }
	say("220 sink.test ESMTP")
	var cur smtpMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(verb, "EHLO"):
			say("250-sink.test")
			say("250 8BITMIME")
		case strings.HasPrefix(verb, "HELO"):
			say("250 sink.test")
		case strings.HasPrefix(verb, "MAIL FROM:"):
			cur = smtpMsg{from: strings.Trim(line[len("MAIL FROM:"):], "<> ")}
			if i := strings.Index(cur.from, ">"); i >= 0 {
				cur.from = cur.from[:i]
			}
			say("250 2.1.0 OK")
		case strings.HasPrefix(verb, "RCPT TO:"):
			to := strings.Trim(line[len("RCPT TO:"):], "<> ")
			s.mu.Lock()
			fail := s.failRcpt[to] > 0
			if fail {
				s.failRcpt[to]--
			}
			s.mu.Unlock()
			if fail {
				say("451 4.3.0 mailbox busy, try later")
				continue
			}
			cur.to = append(cur.to, to)
			say("250 2.1.5 OK")
		case verb == "DATA":
			if len(cur.to) == 0 {
				say("503 5.5.1 no recipients")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
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
			cur.data = data.Bytes()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = smtpMsg{}
			say("250 2.0.0 queued")
		case verb == "RSET":
			cur = smtpMsg{}
			say("250 OK")
		case verb == "NOOP":
			say("250 OK")
		case verb == "QUIT":
			say("221 bye")
			return
		default:
			say("502 5.5.2 not implemented")
		}
	}
}

// hookSink is a webhook receiver answering 500 to the first `fail` requests.
type hookSink struct {
	srv    *httptest.Server
	mu     sync.Mutex
	fail   int
	bodies [][]byte
	heads  []http.Header
}

func startHook(t *testing.T, fail int) *hookSink {
	h := &hookSink{fail: fail}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.bodies = append(h.bodies, body)
		h.heads = append(h.heads, r.Header.Clone())
		if h.fail > 0 {
			h.fail--
			http.Error(w, "receiver down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) setFail(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = n
}

func (h *hookSink) requests() ([][]byte, []http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...), append([]http.Header(nil), h.heads...)
}

// raiseTestAlert stores the test round with the given notify settings and raises its 2h alert.
func raiseTestAlert(t *testing.T, env *dzEnv, notify dossier.Notify) (dossier.Round, dossier.Alert) {
	t.Helper()
	r := dossiertest.Round(t)
	r.Notify = notify
	r.Alerts = slices.DeleteFunc(slices.Clone(r.Alerts), func(l dossier.Lead) bool { return l.Text != "2h" }) // one alert due
	r = env.saveRound(t, r)
	st := dossiertest.NewBuilder(t, r.ID).Doc("c", "n02", dossier.KindSelfAssessment, dossier.StatusAccepted).Req("q", "n02", dossier.StatusAccepted, "").State
	if _, err := env.store.Save(context.Background(), st, 0); err != nil {
		t.Fatal(err)
	}
	as, err := NewWatcher(env.store, WatcherConfig{Owner: "w"}).Raise(context.Background(), []dossier.Round{r}, r.Deadlines.Dossier.At.Add(-90*time.Minute))
	if err != nil || len(as) != 1 {
		t.Fatalf("raise: %+v %v", as, err)
	}
	return r, as[0]
}

func (e *dzEnv) alert(t *testing.T, key string) dossier.Alert {
	t.Helper()
	a, _, err := e.store.Alert(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *dzEnv) waitDelivered(t *testing.T, key string, done func(dossier.Alert) bool) dossier.Alert {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := e.alert(t, key)
		if done(a) {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not done in time: %+v", a.Deliveries)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func allSent(a dossier.Alert) bool {
	for _, d := range a.Deliveries {
		if d.State != dossier.DeliverySent {
			return false
		}
	}
	return true
}

func runDeliverer(t *testing.T, env *dzEnv, cfg DelivererConfig) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewDeliverer(env.store, env.rounds, cfg).Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func fastBackoff(int) time.Duration { return 30 * time.Millisecond }

func TestDeliveryRetriesUntilSent(t *testing.T) {
	env := newDZEnv(t)
	smtpSrv := startSMTP(t)
	smtpSrv.failRcpt["vanphong@binhson.example"] = 1
	hook := startHook(t, 1)
	const secret = "khóa-bí-mật"
	_, a := raiseTestAlert(t, env, dossier.Notify{Emails: []string{"bantochuc@binhson.example", "vanphong@binhson.example"}, Webhook: hook.srv.URL + "/tn", WebhookSecret: secret})

	runDeliverer(t, env, DelivererConfig{Owner: "d1", Interval: 20 * time.Millisecond, Backoff: fastBackoff,
		SMTP: notify.SMTP{Addr: smtpSrv.addr(), From: "tinnhiem@binhson.example"}})
	got := env.waitDelivered(t, a.ID, allSent)

	attempts := map[string]int{}
	for _, d := range got.Deliveries {
		attempts[d.Channel+" "+d.Target] = d.Attempts
		if d.SentAt.IsZero() || d.LastError != "" || d.LeaseOwner != "" {
			t.Errorf("delivery record %+v", d)
		}
	}
	want := map[string]int{
		"subject tn.alert.dz-test.dossier.7200s": 1,
		"webhook " + hook.srv.URL + "/tn":        2,
		"email bantochuc@binhson.example":        1,
		"email vanphong@binhson.example":         2,
	}
	for k, n := range want {
		if attempts[k] != n {
			t.Errorf("%s: %d attempts, want %d", k, attempts[k], n)
		}
	}

	// Webhook: the failed attempt and the good one, signed with the round's secret.
	bodies, heads := hook.requests()
	if len(bodies) != 2 {
		t.Fatalf("webhook got %d requests", len(bodies))
	}
	body, h := bodies[1], heads[1]
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if sig := h.Get("X-Tinnhiem-Signature"); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q does not verify", sig)
	}
	if ts, err := strconv.ParseInt(h.Get("X-Tinnhiem-Timestamp"), 10, 64); err != nil || time.Since(time.Unix(ts, 0)) > time.Minute {
		t.Errorf("timestamp header %q", h.Get("X-Tinnhiem-Timestamp"))
	}
	if h.Get("X-Tinnhiem-Delivery") != a.ID || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("headers %v", h)
	}
	var payload struct {
		ID      string `json:"id"`
		Persons []struct {
			Name          string   `json:"name"`
			MissingLabels []string `json:"missing_labels"`
		} `json:"persons"`
	}
	if err := json.Unmarshal(body, &payload); err != nil || payload.ID != a.ID || len(payload.Persons) != 2 || payload.Persons[1].Name != "Lê Văn Đức" {
		t.Errorf("webhook payload %s (%v)", body, err)
	}

	// Mail: one message per address, Vietnamese subject and body.
	msgs := smtpSrv.messages()
	if len(msgs) != 2 {
		t.Fatalf("SMTP got %d messages", len(msgs))
	}
	for _, m := range msgs {
		if m.from != "tinnhiem@binhson.example" || len(m.to) != 1 {
			t.Errorf("envelope from %q to %v", m.from, m.to)
		}
		pm, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
		text, _ := io.ReadAll(quotedprintable.NewReader(pm.Body))
		if !strings.Contains(subject, "Còn 2 giờ đến hạn nộp hồ sơ") || pm.Header.Get("To") != m.to[0] {
			t.Errorf("subject %q to %q", subject, pm.Header.Get("To"))
		}
		for _, want := range []string{"Nguyễn Thị Thanh Hà", "Lê Văn Đức", "Báo cáo tự đánh giá", "Bản kê khai tài sản, thu nhập", "Chưa giải trình: 1"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("mail to %v lacks %q", m.to, want)
			}
		}
	}

	// Subject: published once on the ALERTS stream, with the alert as body.
	ctx := context.Background()
	cons, err := env.js.OrderedConsumer(ctx, bus.StreamAlerts, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"tn.alert.dz-test.>"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ev dossier.Alert
	if err := json.Unmarshal(m.Data(), &ev); err != nil || ev.ID != a.ID || len(ev.Persons) != 2 || len(ev.Deliveries) != 0 {
		t.Errorf("published alert %s (%v)", m.Data(), err)
	}
	if m.Headers().Get(jetstream.MsgIDHeader) != "alert-"+a.ID {
		t.Errorf("Nats-Msg-Id %q", m.Headers().Get(jetstream.MsgIDHeader))
	}
	if _, err := cons.Next(jetstream.FetchMaxWait(300 * time.Millisecond)); err == nil {
		t.Error("the alert was published twice")
	}
}

func TestDeliverySurvivesRestartAndGivesUp(t *testing.T) {
	env := newDZEnv(t)
	hook := startHook(t, 1000)
	// No SMTP configured: the mail waits, recorded, instead of being dropped.
	_, a := raiseTestAlert(t, env, dossier.Notify{Emails: []string{"bantochuc@binhson.example"}, Webhook: hook.srv.URL})
	stop := runDeliverer(t, env, DelivererConfig{Owner: "first", Interval: 20 * time.Millisecond, Backoff: fastBackoff})
	failing := env.waitDelivered(t, a.ID, func(a dossier.Alert) bool { return a.Deliveries[1].Attempts >= 2 && a.Deliveries[2].Attempts >= 2 })
	stop()
	if d := failing.Deliveries[1]; d.State != dossier.DeliveryPending || !strings.Contains(d.LastError, "HTTP 500") || d.NextAt.IsZero() {
		t.Errorf("failing webhook record %+v", d)
	}
	if d := failing.Deliveries[2]; d.State != dossier.DeliveryPending || !strings.Contains(d.LastError, "TINNHIEM_SMTP_ADDR") {
		t.Errorf("unconfigured mail record %+v", d)
	}

	// Restarted with the receiver repaired and mail configured: everything goes out.
	hook.setFail(0)
	smtpSrv := startSMTP(t)
	runDeliverer(t, env, DelivererConfig{Owner: "second", Interval: 20 * time.Millisecond, Backoff: fastBackoff, SMTP: notify.SMTP{Addr: smtpSrv.addr()}})
	env.waitDelivered(t, a.ID, allSent)
	if n := len(smtpSrv.messages()); n != 1 {
		t.Errorf("%d mails after restart", n)
	}

	// A receiver that never recovers: the delivery is marked failed after MaxAttempts, and kept.
	env2 := newDZEnv(t)
	dead := startHook(t, 1000)
	_, b := raiseTestAlert(t, env2, dossier.Notify{Webhook: dead.srv.URL})
	runDeliverer(t, env2, DelivererConfig{Owner: "x", Interval: 20 * time.Millisecond, Backoff: fastBackoff, MaxAttempts: 3})
	gaveUp := env2.waitDelivered(t, b.ID, func(a dossier.Alert) bool { return a.Deliveries[1].State == dossier.DeliveryFailed })
	time.Sleep(150 * time.Millisecond)
	if n, _ := dead.requests(); len(n) != 3 || gaveUp.Deliveries[1].Attempts != 3 || gaveUp.Deliveries[1].LastError == "" {
		t.Errorf("gave up after %d requests: %+v", len(n), gaveUp.Deliveries[1])
	}
}

func TestDeliveryLease(t *testing.T) {
	env := newDZEnv(t)
	hook := startHook(t, 0)
	_, a := raiseTestAlert(t, env, dossier.Notify{Webhook: hook.srv.URL})
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }

	// Another replica claimed everything and died: its lease holds the deliveries back …
	claimed, rev, err := env.store.Alert(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range claimed.Deliveries {
		claimed.Deliveries[i].LeaseOwner, claimed.Deliveries[i].LeaseUntil = "ghost", now.Add(time.Minute)
	}
	if err := env.store.UpdateAlert(ctx, a.ID, claimed, rev); err != nil {
		t.Fatal(err)
	}
	d := NewDeliverer(env.store, env.rounds, DelivererConfig{Owner: "live", Now: clock})
	if n, err := d.Deliver(ctx, a.ID); err != nil || n != 0 {
		t.Fatalf("delivered under another replica's lease: %d %v", n, err)
	}
	// … until it expires.
	now = now.Add(2 * time.Minute)
	if n, err := d.Deliver(ctx, a.ID); err != nil || n != 2 {
		t.Fatalf("after the lease: %d %v", n, err)
	}
	if !allSent(env.alert(t, a.ID)) {
		t.Errorf("not sent: %+v", env.alert(t, a.ID).Deliveries)
	}
	if reqs, _ := hook.requests(); len(reqs) != 1 {
		t.Errorf("webhook got %d requests", len(reqs))
	}
	// Nothing left to do.
	if n, _ := d.Deliver(ctx, a.ID); n != 0 {
		t.Errorf("sent again: %d", n)
	}
}

func TestDeliveryReplicasSendOnce(t *testing.T) {
	env := newDZEnv(t)
	smtpSrv := startSMTP(t)
	hook := startHook(t, 0)
	r := dossiertest.Round(t)
	r.Notify = dossier.Notify{Emails: []string{"bantochuc@binhson.example"}, Webhook: hook.srv.URL}
	r.Alerts = slices.DeleteFunc(slices.Clone(r.Alerts), func(l dossier.Lead) bool { return l.Text != "2h" })
	r = env.saveRound(t, r)
	// Every alert of the round at once: a lead alert for each deadline, raised at different times.
	w := NewWatcher(env.store, WatcherConfig{Owner: "w"})
	var keys []string
	for _, now := range []time.Time{r.Deadlines.Dossier.At.Add(-time.Hour), r.Deadlines.Dossier.At.Add(time.Hour),
		r.Deadlines.ExplanationRequest.At.Add(-time.Hour), r.Deadlines.Explanation.At.Add(-time.Hour)} {
		as, err := w.Raise(context.Background(), []dossier.Round{r}, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			keys = append(keys, a.ID)
		}
	}
	// Five lead and overdue alerts of the documents, and the packet step overdue (its default,
	// 15 days before the vote, has passed by the third moment).
	if len(keys) != 6 {
		t.Fatalf("raised %d alerts: %v", len(keys), keys)
	}
	for i := range 3 {
		runDeliverer(t, env, DelivererConfig{Owner: "replica-" + strconv.Itoa(i), Interval: 5 * time.Millisecond, Backoff: fastBackoff,
			SMTP: notify.SMTP{Addr: smtpSrv.addr()}})
	}
	for _, k := range keys {
		env.waitDelivered(t, k, allSent)
	}
	time.Sleep(100 * time.Millisecond)
	bodies, heads := hook.requests()
	perAlert := map[string]int{}
	for i := range bodies {
		perAlert[heads[i].Get("X-Tinnhiem-Delivery")]++
	}
	mails := map[string]int{}
	for _, m := range smtpSrv.messages() {
		pm, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		mails[pm.Header.Get("X-Tinnhiem-Alert")]++
	}
	for _, k := range keys {
		if perAlert[k] != 1 || mails[k] != 1 {
			t.Errorf("alert %s: %d webhook posts, %d mails; want 1 each", k, perAlert[k], mails[k])
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 4: 40 * time.Second, 10: 30 * time.Minute, 100: 30 * time.Minute} {
		if got := DefaultBackoff(n); got != want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", n, got, want)
		}
	}
}
