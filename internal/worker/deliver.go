package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/notify"
	"tinnhiem/internal/store"
)

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
	SMTP        notify.SMTP
	HTTP        *http.Client // default: 15s timeout
	Log         *slog.Logger
	Metrics     *metrics.Metrics // nil: none
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
	store  *store.Dossiers
	rounds *store.Rounds
	cfg    DelivererConfig

	mu       sync.Mutex
	pending  map[string]time.Time // alert key → when it next has a delivery to attempt
	inflight map[string]bool
	wake     chan struct{}
}

// NewDeliverer returns a deliverer on store.
func NewDeliverer(st *store.Dossiers, rounds *store.Rounds, cfg DelivererConfig) *Deliverer {
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
	return &Deliverer{store: st, rounds: rounds, cfg: cfg, pending: map[string]time.Time{}, inflight: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Run watches tn_alerts for records with pending deliveries and delivers them until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	watch, err := d.store.WatchAll(ctx, bus.BucketAlerts)
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
				return store.WatchEnded(ctx, bus.BucketAlerts)
			}
			if e == nil {
				d.poke()
				continue
			}
			var a dossier.Alert
			if e.Operation() != jetstream.KeyValuePut {
				// Deleted by an operator: nothing left to deliver.
			} else if err := json.Unmarshal(e.Value(), &a); err != nil {
				d.cfg.Log.Error("alert record cannot be read", "key", e.Key(), "err", err)
				continue
			}
			d.mu.Lock()
			if next, ok := a.NextAttempt(); ok {
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
	now := d.cfg.Now()
	a, rev, err := d.store.Alert(ctx, key)
	if err != nil {
		return 0, err
	}
	var claimed []int
	for i, dl := range a.Deliveries {
		if dl.State == dossier.DeliveryPending && !now.Before(dl.NextAt) && (dl.LeaseOwner == "" || now.After(dl.LeaseUntil)) {
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
	if err := d.store.UpdateAlert(ctx, key, a, rev); errors.Is(err, store.ErrConflict) {
		return 0, nil // another replica claimed first; its lease will tell
	} else if err != nil {
		return 0, err
	}
	var round *dossier.Round
	results := make(map[int]error, len(claimed))
	for _, i := range claimed {
		dl := a.Deliveries[i]
		if dl.Channel == dossier.ChannelWebhook && round == nil {
			r, err := d.round(ctx, a.Round)
			if err != nil {
				results[i] = err
				continue
			}
			round = &r
		}
		results[i] = d.attempt(ctx, a, dl, round)
	}
	for i, err := range results {
		d.cfg.Metrics.AlertAttempt(a.Deliveries[i].Channel, err)
	}
	return len(claimed), d.record(ctx, key, results)
}

// record writes the outcome of this replica's attempts into the latest version of the record.
func (d *Deliverer) record(ctx context.Context, key string, results map[int]error) error {
	for try := 0; try < 10; try++ {
		a, rev, err := d.store.Alert(ctx, key)
		if err != nil {
			return err
		}
		now := d.cfg.Now().UTC()
		for i, res := range results {
			if i >= len(a.Deliveries) || a.Deliveries[i].LeaseOwner != d.cfg.Owner || a.Deliveries[i].State != dossier.DeliveryPending {
				continue
			}
			dl := &a.Deliveries[i]
			dl.Attempts++
			dl.LastAttemptAt, dl.LeaseOwner, dl.LeaseUntil = now, "", time.Time{}
			if res == nil {
				dl.State, dl.SentAt, dl.LastError, dl.NextAt = dossier.DeliverySent, now, "", time.Time{}
				d.cfg.Log.Info("alert delivered", "alert", key, "channel", dl.Channel, "attempts", dl.Attempts)
				continue
			}
			dl.LastError = dossier.Truncate(res.Error(), 500)
			if dl.Attempts >= d.cfg.MaxAttempts {
				dl.State, dl.NextAt = dossier.DeliveryFailed, time.Time{}
				d.cfg.Log.Error("alert delivery given up", "alert", key, "channel", dl.Channel, "attempts", dl.Attempts, "err", res)
				continue
			}
			dl.NextAt = now.Add(d.cfg.Backoff(dl.Attempts))
			d.cfg.Log.Warn("alert delivery failed; will retry", "alert", key, "channel", dl.Channel,
				"attempts", dl.Attempts, "next_at", dl.NextAt, "err", res)
		}
		if err := d.store.UpdateAlert(ctx, key, a, rev); errors.Is(err, store.ErrConflict) {
			continue
		} else if err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("dossier: record delivery of %s: too many concurrent updates", key)
}

func (d *Deliverer) round(ctx context.Context, id string) (dossier.Round, error) {
	return d.rounds.Get(ctx, id)
}

func (d *Deliverer) attempt(ctx context.Context, a dossier.Alert, dl dossier.Delivery, r *dossier.Round) error {
	switch dl.Channel {
	case dossier.ChannelSubject:
		body, err := a.EventBody()
		if err != nil {
			return err
		}
		if err := d.store.PublishAlert(ctx, dl.Target, a.ID, body); err != nil {
			return fmt.Errorf("không phát được cảnh báo lên %s: %w", dl.Target, err)
		}
		return nil
	case dossier.ChannelWebhook:
		secret := ""
		if r != nil {
			secret = r.Notify.WebhookSecret
		}
		body, err := a.WebhookBody(d.cfg.Now())
		if err != nil {
			return err
		}
		return notify.PostWebhook(ctx, d.cfg.HTTP, notify.Webhook{URL: dl.Target, Secret: secret, Event: "alert", Delivery: a.ID, At: d.cfg.Now()}, body)
	case dossier.ChannelEmail:
		msg, err := a.Email(d.cfg.SMTP.From, dl.Target, d.cfg.Now())
		if err != nil {
			return err
		}
		return notify.SendMail(ctx, d.cfg.SMTP, dl.Target, msg)
	}
	return fmt.Errorf("kênh gửi không được hỗ trợ: %q", dl.Channel)
}
