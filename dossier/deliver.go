package dossier

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// SMTPConfig is the mail relay alerts are sent through.
type SMTPConfig struct {
	Addr     string // host:port; empty = mail is not configured and e-mail deliveries wait
	From     string
	User     string // optional AUTH PLAIN (only over TLS, or to localhost)
	Password string
	Timeout  time.Duration // per message; default 30s
	// TLS configures STARTTLS, used whenever the server offers it; nil = verify against Addr's host.
	TLS *tls.Config
}

// DelivererConfig tunes alert delivery.
type DelivererConfig struct {
	Owner       string           // this replica's name, for leases
	Now         func() time.Time // the clock; default time.Now
	Interval    time.Duration    // how often due retries are looked for; default 1s
	Lease       time.Duration    // how long a claimed delivery is left to this replica; default 2m
	MaxAttempts int              // attempts before a delivery is marked failed; default 60
	// Backoff is the pause after the n-th failed attempt; default 5s doubling up to 30m.
	Backoff     func(attempt int) time.Duration
	Concurrency int // alerts delivered at once; default 4
	SMTP        SMTPConfig
	HTTP        *http.Client // default: 15s timeout
	Log         *slog.Logger
}

// DefaultBackoff waits 5s after the first failure, doubling up to 30 minutes.
func DefaultBackoff(attempt int) time.Duration {
	d := 5 * time.Second << min(max(attempt-1, 0), 20)
	return min(d, 30*time.Minute)
}

// Deliverer works the outbox carried by each alert record: it publishes the alert on its subject,
// posts it to the round's webhook and mails it to the round's addresses, retrying with backoff
// and recording every attempt in the record. Deliveries are claimed with a lease written by CAS,
// so replicas do not send the same message twice, and a replica that dies mid-delivery leaves a
// lease that expires: the delivery is then retried (at least once, never lost).
type Deliverer struct {
	store *Store
	cfg   DelivererConfig

	mu       sync.Mutex
	pending  map[string]time.Time // alert key → when it next has a delivery to attempt
	inflight map[string]bool
	wake     chan struct{}
}

// NewDeliverer returns a deliverer on store.
func NewDeliverer(store *Store, cfg DelivererConfig) *Deliverer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 60
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.SMTP.Timeout <= 0 {
		cfg.SMTP.Timeout = 30 * time.Second
	}
	if cfg.SMTP.From == "" {
		cfg.SMTP.From = "tinnhiem@localhost"
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Owner == "" {
		cfg.Owner = "deliverer"
	}
	return &Deliverer{store: store, cfg: cfg, pending: map[string]time.Time{}, inflight: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Run watches tn_alerts for records with pending deliveries and delivers them until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	watch, err := d.store.watchAll(ctx, bus.BucketAlerts)
	if err != nil {
		return err
	}
	defer func() { _ = watch.Stop() }()
	tick := time.NewTicker(d.cfg.Interval)
	defer tick.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, d.cfg.Concurrency)
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-watch.Updates():
			if !ok {
				return watchEnded(ctx, bus.BucketAlerts)
			}
			if e == nil {
				d.poke()
				continue
			}
			var a Alert
			if e.Operation() != jetstream.KeyValuePut {
				// Deleted by an operator: nothing left to deliver.
			} else if err := json.Unmarshal(e.Value(), &a); err != nil {
				d.cfg.Log.Error("alert record cannot be read", "key", e.Key(), "err", err)
				continue
			}
			d.mu.Lock()
			if next, ok := a.nextAttempt(); ok {
				d.pending[e.Key()] = next
			} else {
				delete(d.pending, e.Key())
			}
			d.mu.Unlock()
			d.poke()
		case <-tick.C:
		case <-d.wake:
		}
		for _, key := range d.due() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer d.done(key)
				if _, err := d.Deliver(ctx, key); err != nil && ctx.Err() == nil {
					d.cfg.Log.Error("alert delivery round failed", "alert", key, "err", err)
				}
			}()
		}
	}
}

func (d *Deliverer) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// due marks and returns the alerts with a delivery due now that this replica is not already
// working on. Only the watched records are consulted, so waiting retries cost nothing.
func (d *Deliverer) due() []string {
	now := d.cfg.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for key, next := range d.pending {
		if !d.inflight[key] && !now.Before(next) {
			d.inflight[key] = true
			out = append(out, key)
		}
	}
	return out
}

func (d *Deliverer) done(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inflight, key)
}

// Deliver works one alert's deliveries that are due at the configured clock's now: claim them,
// attempt each, record the outcome. It returns how many were attempted.
func (d *Deliverer) Deliver(ctx context.Context, key string) (int, error) {
	kv, err := d.store.bucket(ctx, bus.BucketAlerts)
	if err != nil {
		return 0, err
	}
	now := d.cfg.Now()
	a, rev, err := bus.GetJSON[Alert](ctx, kv, key)
	if err != nil {
		return 0, fmt.Errorf("dossier: get alert %s: %w", key, err)
	}
	var claimed []int
	for i, dl := range a.Deliveries {
		if dl.State == DeliveryPending && !now.Before(dl.NextAt) && (dl.LeaseOwner == "" || now.After(dl.LeaseUntil)) {
			claimed = append(claimed, i)
		}
	}
	if len(claimed) == 0 {
		return 0, nil
	}
	// The lease must outlast the attempts, made one after another, each bounded by its timeout.
	lease := max(d.cfg.Lease, time.Duration(len(claimed))*(d.cfg.SMTP.Timeout+d.cfg.HTTP.Timeout))
	for _, i := range claimed {
		a.Deliveries[i].LeaseOwner, a.Deliveries[i].LeaseUntil = d.cfg.Owner, now.Add(lease).UTC()
	}
	data, err := json.Marshal(a)
	if err != nil {
		return 0, fmt.Errorf("dossier: encode alert %s: %w", key, err)
	}
	if _, err := kv.Update(ctx, key, data, rev); err != nil {
		if bus.IsConflict(err) {
			return 0, nil // another replica claimed first; its lease will tell
		}
		return 0, fmt.Errorf("dossier: claim alert %s: %w", key, err)
	}
	var round *Round
	results := make(map[int]error, len(claimed))
	for _, i := range claimed {
		dl := a.Deliveries[i]
		if dl.Channel == ChannelWebhook && round == nil {
			r, err := d.round(ctx, a.Round)
			if err != nil {
				results[i] = err
				continue
			}
			round = &r
		}
		results[i] = d.attempt(ctx, a, dl, round)
	}
	return len(claimed), d.record(ctx, kv, key, results)
}

// record writes the outcome of this replica's attempts into the latest version of the record.
func (d *Deliverer) record(ctx context.Context, kv jetstream.KeyValue, key string, results map[int]error) error {
	for try := 0; try < 10; try++ {
		a, rev, err := bus.GetJSON[Alert](ctx, kv, key)
		if err != nil {
			return fmt.Errorf("dossier: get alert %s: %w", key, err)
		}
		now := d.cfg.Now().UTC()
		for i, res := range results {
			if i >= len(a.Deliveries) || a.Deliveries[i].LeaseOwner != d.cfg.Owner || a.Deliveries[i].State != DeliveryPending {
				continue
			}
			dl := &a.Deliveries[i]
			dl.Attempts++
			dl.LastAttemptAt, dl.LeaseOwner, dl.LeaseUntil = now, "", time.Time{}
			if res == nil {
				dl.State, dl.SentAt, dl.LastError, dl.NextAt = DeliverySent, now, "", time.Time{}
				d.cfg.Log.Info("alert delivered", "alert", key, "channel", dl.Channel, "attempts", dl.Attempts)
				continue
			}
			dl.LastError = truncate(res.Error(), 500)
			if dl.Attempts >= d.cfg.MaxAttempts {
				dl.State, dl.NextAt = DeliveryFailed, time.Time{}
				d.cfg.Log.Error("alert delivery given up", "alert", key, "channel", dl.Channel, "attempts", dl.Attempts, "err", res)
				continue
			}
			dl.NextAt = now.Add(d.cfg.Backoff(dl.Attempts))
			d.cfg.Log.Warn("alert delivery failed; will retry", "alert", key, "channel", dl.Channel,
				"attempts", dl.Attempts, "next_at", dl.NextAt, "err", res)
		}
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("dossier: encode alert %s: %w", key, err)
		}
		if _, err := kv.Update(ctx, key, data, rev); bus.IsConflict(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("dossier: record delivery of %s: %w", key, err)
		}
		return nil
	}
	return fmt.Errorf("dossier: record delivery of %s: too many concurrent updates", key)
}

func (d *Deliverer) round(ctx context.Context, id string) (Round, error) {
	kv, err := d.store.bucket(ctx, bus.BucketRounds)
	if err != nil {
		return Round{}, err
	}
	return NewRounds(kv).Get(ctx, id)
}

func (d *Deliverer) attempt(ctx context.Context, a Alert, dl Delivery, r *Round) error {
	switch dl.Channel {
	case ChannelSubject:
		body, err := a.EventBody()
		if err != nil {
			return err
		}
		msg := &nats.Msg{Subject: dl.Target, Data: body, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, "alert-"+a.ID)
		if _, err := d.store.js.PublishMsg(ctx, msg); err != nil {
			return fmt.Errorf("không phát được cảnh báo lên %s: %w", dl.Target, err)
		}
		return nil
	case ChannelWebhook:
		secret := ""
		if r != nil {
			secret = r.Notify.WebhookSecret
		}
		return d.postWebhook(ctx, a, dl.Target, secret)
	case ChannelEmail:
		msg, err := a.Email(d.cfg.SMTP.From, dl.Target, d.cfg.Now())
		if err != nil {
			return err
		}
		return SendMail(ctx, d.cfg.SMTP, dl.Target, msg)
	}
	return fmt.Errorf("kênh gửi không được hỗ trợ: %q", dl.Channel)
}

func (d *Deliverer) postWebhook(ctx context.Context, a Alert, url, secret string) error {
	now := d.cfg.Now()
	body, err := a.WebhookBody(now)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("địa chỉ webhook không hợp lệ: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "tinnhiem-alerts/1")
	req.Header.Set("X-Tinnhiem-Event", "alert")
	req.Header.Set("X-Tinnhiem-Delivery", a.ID)
	req.Header.Set("X-Tinnhiem-Timestamp", strconv.FormatInt(now.Unix(), 10))
	if secret != "" {
		req.Header.Set("X-Tinnhiem-Signature", Sign(secret, body))
	}
	resp, err := d.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("gửi webhook thất bại: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook trả lời HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return nil
}

// SendMail delivers one message to one recipient over SMTP, with STARTTLS when offered and AUTH
// when a user is configured, within cfg.Timeout.
func SendMail(ctx context.Context, cfg SMTPConfig, to string, msg []byte) error {
	if cfg.Addr == "" {
		return errors.New("chưa cấu hình máy chủ thư (TINNHIEM_SMTP_ADDR)")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("địa chỉ máy chủ thư %q không hợp lệ: %w", cfg.Addr, err)
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("không kết nối được máy chủ thư %s: %w", cfg.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("máy chủ thư %s: %w", cfg.Addr, err)
	}
	defer c.Close()
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("máy chủ thư từ chối (%s): %w", what, err)
		}
		return nil
	}
	if err := step("EHLO", c.Hello("tinnhiem")); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := step("STARTTLS", c.StartTLS(tc)); err != nil {
			return err
		}
	}
	if cfg.User != "" {
		if err := step("AUTH", c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, host))); err != nil {
			return err
		}
	}
	if err := step("MAIL FROM", c.Mail(cfg.From)); err != nil {
		return err
	}
	if err := step("RCPT TO "+to, c.Rcpt(to)); err != nil {
		return err
	}
	w, err := c.Data()
	if err := step("DATA", err); err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := step("DATA", w.Close()); err != nil {
		return err
	}
	_ = c.Quit()
	return nil
}

// nextAttempt is when the record next has a delivery to attempt: its retry time, or the end of
// another replica's lease. ok is false when nothing is pending.
func (a Alert) nextAttempt() (next time.Time, ok bool) {
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

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
