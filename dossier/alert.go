package dossier

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// LeadOverdue is the lead of the alert raised once a deadline has passed.
const LeadOverdue = "overdue"

// Delivery channels and states.
const (
	ChannelSubject = "subject" // tn.alert.<round>.<deadline>.<lead> on the ALERTS stream
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"

	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed" // gave up after the last attempt; kept for people to see
)

// Alert is one raised deadline alert, stored in tn_alerts under its Key. The record carries its
// own outbox (Deliveries), so that raising the alert and queuing every delivery is one atomic
// create: nothing raised can be left undelivered by a crash.
type Alert struct {
	ID            string        `json:"id"`
	Round         string        `json:"round"`
	Title         string        `json:"title"`
	Organization  string        `json:"organization"`
	Track         string        `json:"track,omitempty"` // the round's track, for the deadline's name
	Timezone      string        `json:"timezone"`
	Deadline      string        `json:"deadline"`
	DeadlineAt    time.Time     `json:"deadline_at"`
	DeadlineLocal string        `json:"deadline_local"`
	Lead          string        `json:"lead"` // the round's notation ("24h") or "overdue"
	LeadSeconds   int64         `json:"lead_seconds,omitempty"`
	DueAt         time.Time     `json:"due_at"`
	RaisedAt      time.Time     `json:"raised_at"`
	RaisedBy      string        `json:"raised_by,omitempty"`
	Persons       []AlertPerson `json:"persons"`
	Deliveries    []Delivery    `json:"deliveries,omitempty"`
}

// AlertPerson is a person with something missing or owed when the alert was raised.
type AlertPerson struct {
	Nominee      string `json:"nominee"`
	Name         string `json:"name"`
	Position     string `json:"position,omitempty"`
	Missing      []Kind `json:"missing"`
	OpenRequests int    `json:"open_requests"`
}

// Delivery is one channel of an alert and what happened to it.
type Delivery struct {
	Channel       string    `json:"channel"`
	Target        string    `json:"target"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	LastError     string    `json:"last_error,omitempty"`
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero"`
	NextAt        time.Time `json:"next_at,omitzero"`
	SentAt        time.Time `json:"sent_at,omitzero"`
	LeaseOwner    string    `json:"lease_owner,omitempty"`
	LeaseUntil    time.Time `json:"lease_until,omitzero"`
}

// AlertDue names an alert the watcher must raise: a lead time before a deadline, or the
// deadline's passing.
type AlertDue struct {
	Deadline string
	At       time.Time     // the deadline instant
	Lead     string        // the round's notation, or LeadOverdue
	LeadD    time.Duration // 0 for overdue
	DueAt    time.Time     // At−LeadD, or At for overdue
}

// Key is the alert's key in tn_alerts and its Nats-Msg-Id: one alert per (round, deadline,
// deadline instant, lead). The instant is part of it so that moving a deadline brings fresh
// alerts for the new one.
func (a AlertDue) Key(round string) string {
	return round + "." + a.Deadline + "." + strconv.FormatInt(a.At.Unix(), 10) + "." + a.leadToken()
}

func (a AlertDue) leadToken() string {
	if a.Lead == LeadOverdue {
		return LeadOverdue
	}
	if a.LeadD%time.Second == 0 {
		return strconv.FormatInt(int64(a.LeadD/time.Second), 10) + "s"
	}
	return strconv.FormatInt(a.LeadD.Milliseconds(), 10) + "ms"
}

// NewAlert builds the alert record: who is missing what at now, and one pending delivery per
// channel. An alert where nobody misses anything is recorded and published on the subject but
// not mailed nor sent to the webhook: the board asked to be warned, not to be told all is well.
func NewAlert(r Round, st *State, due AlertDue, now time.Time, owner string) Alert {
	a := Alert{
		ID: due.Key(r.ID), Round: r.ID, Title: r.Title, Organization: r.Organization, Track: r.Track, Timezone: r.Timezone,
		Deadline: due.Deadline, DeadlineAt: due.At.UTC(), DeadlineLocal: r.FormatTime(due.At),
		Lead: due.Lead, LeadSeconds: int64(due.LeadD / time.Second), DueAt: due.DueAt.UTC(),
		RaisedAt: now.UTC(), RaisedBy: owner, Persons: []AlertPerson{},
	}
	// A step of the board (the list, the Front's opinions) owes nothing person by person.
	if !boardStep(due.Deadline) {
		for _, ns := range Status(r, st, now).Nominees {
			if ns.Exempt != "" || ns.Complete {
				continue
			}
			a.Persons = append(a.Persons, AlertPerson{Nominee: ns.Nominee, Name: ns.Name, Position: ns.Position,
				Missing: ns.Missing, OpenRequests: ns.OpenRequests})
		}
	}
	// No NextAt: due at once, whatever the deliverer's clock says.
	pending := func(channel, target string) Delivery {
		return Delivery{Channel: channel, Target: target, State: DeliveryPending}
	}
	a.Deliveries = []Delivery{pending(ChannelSubject, a.NATSSubject())}
	// A step is a task of the board itself: it is worth a mail even when every dossier is in.
	if len(a.Persons) > 0 || Step(due.Deadline) {
		if r.Notify.Webhook != "" {
			a.Deliveries = append(a.Deliveries, pending(ChannelWebhook, r.Notify.Webhook))
		}
		for _, e := range r.Notify.Emails {
			a.Deliveries = append(a.Deliveries, pending(ChannelEmail, e))
		}
	}
	return a
}

// NATSSubject is where the alert is published: tn.alert.<round>.<deadline>.<lead>.
func (a Alert) NATSSubject() string {
	lead := LeadOverdue
	if a.Lead != LeadOverdue {
		lead = AlertDue{LeadD: time.Duration(a.LeadSeconds) * time.Second}.leadToken()
	}
	return "tn.alert." + a.Round + "." + a.Deadline + "." + lead
}

// Pending reports whether some delivery still waits.
func (a Alert) Pending() bool {
	for _, d := range a.Deliveries {
		if d.State == DeliveryPending {
			return true
		}
	}
	return false
}

// TrackDeadlineLabel is the Vietnamese name of a deadline on a track: the State track sends
// reports to the delegates, where a Party conference is sent dossiers.
func TrackDeadlineLabel(track, name string) string {
	if track == TrackState && name == DeadlinePacket {
		return "hạn gửi báo cáo đến đại biểu"
	}
	return DeadlineLabel(name)
}

// DeadlineLabel is the Vietnamese name of a deadline (on the Party track; TrackDeadlineLabel
// for a round's own words).
func DeadlineLabel(name string) string {
	switch name {
	case DeadlineDossier:
		return "hạn nộp hồ sơ"
	case DeadlineExplanationRequest:
		return "hạn nhận đề nghị giải trình"
	case DeadlineExplanation:
		return "hạn nộp báo cáo giải trình"
	case DeadlineList:
		return "hạn lập danh sách người được lấy phiếu tín nhiệm"
	case DeadlineFrontOpinions:
		return "hạn nhận ý kiến của Mặt trận Tổ quốc"
	case DeadlinePacket:
		return "hạn gửi hồ sơ đến người tham gia lấy phiếu"
	}
	return "hạn " + name
}

// Step reports whether a deadline is a step the board takes (draw up the list, take the
// Front's opinions, send the packet) rather than a document the persons owe.
func Step(name string) bool {
	return name == DeadlineList || name == DeadlineFrontOpinions || name == DeadlinePacket
}

// boardStep is a step that concerns no person's dossier. Sending the packet does: an
// incomplete dossier goes out incomplete, so its alert names who still owes what.
func boardStep(name string) bool { return Step(name) && name != DeadlinePacket }

// DueAlertsFor is DueAlerts once the packet's sending is known: after it is recorded
// (sent != nil), the packet step raises nothing more, on time or not.
func DueAlertsFor(r Round, sent *PacketSent, now time.Time) []AlertDue {
	due := DueAlerts(r, now)
	if sent == nil {
		return due
	}
	out := due[:0]
	for _, d := range due {
		if d.Deadline != DeadlinePacket {
			out = append(out, d)
		}
	}
	return out
}

// DurationLabel says a duration in Vietnamese: "3 ngày", "24 giờ", "1 giờ 30 phút", "45 giây".
func DurationLabel(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d ngày", d/(24*time.Hour))
	}
	var parts []string
	if h := d / time.Hour; h > 0 {
		parts = append(parts, fmt.Sprintf("%d giờ", h))
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		parts = append(parts, fmt.Sprintf("%d phút", m))
	}
	if s := d % time.Minute / time.Second; s > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d giây", s))
	}
	return strings.Join(parts, " ")
}

// Headline is the alert in one Vietnamese sentence (the mail's subject).
func (a Alert) Headline() string {
	var when string
	if a.Lead == LeadOverdue {
		when = "Đã quá " + TrackDeadlineLabel(a.Track, a.Deadline)
	} else {
		when = "Còn " + DurationLabel(time.Duration(a.LeadSeconds)*time.Second) + " đến " + TrackDeadlineLabel(a.Track, a.Deadline)
	}
	who := "đủ hồ sơ"
	if n := len(a.Persons); n > 0 {
		who = fmt.Sprintf("%d %s", n, a.owingWords())
	} else if boardStep(a.Deadline) {
		who = "nhắc việc của Ban Tổ chức"
	}
	return fmt.Sprintf("[tinnhiem] %s: %s — %s", when, who, a.Title)
}

// owingWords says what the listed persons owe: documents, explanations, or either.
func (a Alert) owingWords() string {
	var missing, owing bool
	for _, p := range a.Persons {
		missing = missing || len(p.Missing) > 0
		owing = owing || p.OpenRequests > 0
	}
	switch {
	case missing && owing:
		return "người chưa đủ hồ sơ hoặc chưa giải trình"
	case owing:
		return "người chưa giải trình"
	}
	return "người chưa đủ hồ sơ"
}

// Text is the alert as plain Vietnamese text, one paragraph per person (the mail's body).
func (a Alert) Text() string {
	var b strings.Builder
	b.WriteString("Kính gửi Ban Tổ chức,\n\n")
	fmt.Fprintf(&b, "Đợt lấy phiếu: %s\n", a.Title)
	fmt.Fprintf(&b, "Tổ chức: %s (mã đợt: %s)\n", a.Organization, a.Round)
	label := []rune(TrackDeadlineLabel(a.Track, a.Deadline))
	label[0] = unicode.ToUpper(label[0])
	if a.Lead == LeadOverdue {
		fmt.Fprintf(&b, "%s: %s (giờ %s) — ĐÃ QUÁ HẠN.\n", string(label), a.DeadlineLocal, a.Timezone)
	} else {
		left := a.DeadlineAt.Sub(a.RaisedAt).Round(time.Minute)
		fmt.Fprintf(&b, "%s: %s (giờ %s) — cảnh báo trước %s, còn khoảng %s.\n", string(label), a.DeadlineLocal, a.Timezone,
			DurationLabel(time.Duration(a.LeadSeconds)*time.Second), DurationLabel(left))
	}
	b.WriteString("\n")
	switch {
	case boardStep(a.Deadline):
		b.WriteString("Đây là một bước của Ban Tổ chức theo kế hoạch lấy phiếu tín nhiệm; hãy hoàn thành trước hạn.\n")
	case len(a.Persons) == 0:
		b.WriteString("Tất cả người được lấy phiếu đã đủ hồ sơ.\n")
		if a.Deadline == DeadlinePacket {
			b.WriteString("Hãy gửi hồ sơ và ghi nhận việc gửi trên hệ thống.\n")
		}
	default:
		if a.Deadline == DeadlinePacket {
			b.WriteString("Hồ sơ gửi đi lúc này sẽ thiếu tài liệu của những người dưới đây.\n")
		}
		fmt.Fprintf(&b, "Có %d %s:\n", len(a.Persons), a.owingWords())
		for i, p := range a.Persons {
			b.WriteString("\n")
			fmt.Fprintf(&b, "%d. %s (mã %s)", i+1, p.Name, p.Nominee)
			if p.Position != "" {
				fmt.Fprintf(&b, " — %s", p.Position)
			}
			b.WriteString("\n")
			if len(p.Missing) > 0 {
				labels := make([]string, len(p.Missing))
				for j, k := range p.Missing {
					labels[j] = k.Label()
				}
				fmt.Fprintf(&b, "   Còn thiếu: %s\n", strings.Join(labels, "; "))
			}
			if p.OpenRequests > 0 {
				fmt.Fprintf(&b, "   Chưa giải trình: %d đề nghị giải trình\n", p.OpenRequests)
			}
		}
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		loc = time.UTC
	}
	fmt.Fprintf(&b, "\nCảnh báo lập lúc %s.\n", a.RaisedAt.In(loc).Format("15:04 02/01/2006"))
	fmt.Fprintf(&b, "Xem tình trạng hồ sơ: tinnhiem status --round %s\n", a.Round)
	b.WriteString("\n-- \nThư tự động của hệ thống tinnhiem, xin không trả lời thư này.\n")
	return b.String()
}

// Email composes the RFC 5322 message of the alert for one recipient: UTF-8 subject encoded per
// RFC 2047, quoted-printable UTF-8 body, CRLF line ends.
func (a Alert) Email(from, to string, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", to)
	// Each encoded word on its own folded line keeps header lines short (RFC 5322 §2.2.3).
	h("Subject", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", a.Headline()), "?= =?", "?=\r\n =?"))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+a.ID+"."+hex.EncodeToString(sha256Sum(to)[:4])+"@tinnhiem>")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("X-Tinnhiem-Alert", a.ID)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(a.Text(), "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("dossier: encode mail: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("dossier: encode mail: %w", err)
	}
	return b.Bytes(), nil
}

func sha256Sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// webhookPerson adds the Vietnamese labels of what is missing.
type webhookPerson struct {
	AlertPerson
	MissingLabels []string `json:"missing_labels"`
}

// WebhookBody is the JSON posted to a round's webhook.
func (a Alert) WebhookBody(sentAt time.Time) ([]byte, error) {
	persons := make([]webhookPerson, len(a.Persons))
	for i, p := range a.Persons {
		persons[i] = webhookPerson{AlertPerson: p, MissingLabels: make([]string, len(p.Missing))}
		for j, k := range p.Missing {
			persons[i].MissingLabels[j] = k.Label()
		}
	}
	body := struct {
		Event         string          `json:"event"`
		ID            string          `json:"id"`
		Round         string          `json:"round"`
		Title         string          `json:"title"`
		Organization  string          `json:"organization"`
		Deadline      string          `json:"deadline"`
		DeadlineAt    time.Time       `json:"deadline_at"`
		DeadlineLocal string          `json:"deadline_local"`
		Lead          string          `json:"lead"`
		RaisedAt      time.Time       `json:"raised_at"`
		SentAt        time.Time       `json:"sent_at"`
		Headline      string          `json:"headline"`
		Complete      bool            `json:"complete"`
		Persons       []webhookPerson `json:"persons"`
	}{"alert", a.ID, a.Round, a.Title, a.Organization, a.Deadline, a.DeadlineAt, a.DeadlineLocal, a.Lead, a.RaisedAt,
		sentAt.UTC(), a.Headline(), len(a.Persons) == 0, persons}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("dossier: encode webhook body: %w", err)
	}
	return buf.Bytes(), nil
}

// EventBody is what the alert subject carries: the alert without its delivery bookkeeping.
func (a Alert) EventBody() ([]byte, error) {
	a.Deliveries = nil
	data, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("dossier: encode alert: %w", err)
	}
	return data, nil
}

// DueAlerts lists the alerts due for round r at now; the caller raises those not raised yet.
//
// For each deadline:
//   - a lead L is due while now is in [At−L, At] (At is the last on-time instant). Every lead
//     whose moment has come is due, so a lead time missed while the system was down (or before
//     the round was imported) is raised once on start as long as its deadline is still ahead:
//     each (round, deadline, lead) is an alert of its own, exactly once.
//   - the overdue alert is due once now is after At, however long after, so a system that was
//     down at the deadline still raises it on start.
//
// Nothing is due after the vote day: chasing dossiers after the vote helps nobody.
func DueAlerts(r Round, now time.Time) []AlertDue {
	if voteDay, err := time.ParseInLocation(time.DateOnly, r.VoteDate, r.Location()); err == nil && !now.Before(voteDay.AddDate(0, 0, 1)) {
		return nil
	}
	leads := slices.Clone(r.Alerts)
	slices.SortFunc(leads, func(a, b Lead) int { return cmp.Compare(a.D, b.D) })
	var out []AlertDue
	for _, name := range AllDeadlines() {
		d, _ := r.Deadline(name)
		if d.At.IsZero() {
			continue
		}
		if now.After(d.At) {
			out = append(out, AlertDue{Deadline: name, At: d.At, Lead: LeadOverdue, DueAt: d.At})
			continue
		}
		// Longest lead first: alerts of one deadline are raised in the order they fell due.
		for _, l := range slices.Backward(leads) {
			if l.D > 0 && !now.Before(d.At.Add(-l.D)) {
				out = append(out, AlertDue{Deadline: name, At: d.At, Lead: l.Text, LeadD: l.D, DueAt: d.At.Add(-l.D)})
			}
		}
	}
	return out
}

// NextAttempt is when the record next has a delivery to attempt: its retry time, or the end of
// another replica's lease. ok is false when nothing is pending.
func (a Alert) NextAttempt() (next time.Time, ok bool) {
	for _, d := range a.Deliveries {
		if d.State != DeliveryPending {
			continue
		}
		t := d.NextAt
		if d.LeaseOwner != "" && d.LeaseUntil.After(t) {
			t = d.LeaseUntil.Add(time.Millisecond)
		}
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	return next, ok
}

// Truncate cuts s to n runes, marking the cut with an ellipsis.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// SortAlerts orders alerts oldest deadline and lead first.
func SortAlerts(as []Alert) {
	slices.SortFunc(as, func(a, b Alert) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		if c := a.RaisedAt.Compare(b.RaisedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
