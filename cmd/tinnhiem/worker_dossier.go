package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"
	"tinnhiem/internal/notify"
	"tinnhiem/internal/worker"
)

// dossierConfig is the dossier worker's environment.
type dossierConfig struct {
	watchInterval   time.Duration // TINNHIEM_ALERT_INTERVAL, default 5s
	deliverInterval time.Duration // TINNHIEM_DELIVERY_INTERVAL, default 1s
	smtp            notify.SMTP
}

func (s *system) dossierConfig() (dossierConfig, error) {
	c := dossierConfig{watchInterval: 5 * time.Second, deliverInterval: time.Second}
	for key, dst := range map[string]*time.Duration{"TINNHIEM_ALERT_INTERVAL": &c.watchInterval, "TINNHIEM_DELIVERY_INTERVAL": &c.deliverInterval} {
		if v := s.getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, usageError{fmt.Sprintf("%s=%q: cần một khoảng thời gian dương, ví dụ 5s", key, v)}
			}
			*dst = d
		}
	}
	c.smtp = notify.SMTP{
		Addr: s.getenv("TINNHIEM_SMTP_ADDR"), From: s.getenv("TINNHIEM_SMTP_FROM"),
		User: s.getenv("TINNHIEM_SMTP_USER"), Password: s.getenv("TINNHIEM_SMTP_PASSWORD"),
	}
	return c, nil
}

// startDossier runs the dossier worker: the projector (a durable consumer shared by every
// replica), the deadline watcher and the alert deliverer.
func (s *system) startDossier(ctx context.Context) (func(context.Context), error) {
	cfg, err := s.dossierConfig()
	if err != nil {
		return nil, err
	}
	log := s.log.With("worker", "dossier")
	stopProjector, err := worker.NewProjector(s.js, s.stores.Dossiers, worker.ProjectorConfig{Log: log, Audit: s.stores.Audit, Metrics: s.metrics}).Start(ctx)
	if err != nil {
		return nil, err
	}
	owner := replicaName()
	watcher := worker.NewWatcher(s.stores.Dossiers, worker.WatcherConfig{Interval: cfg.watchInterval, Now: s.now, Owner: owner, Log: log})
	deliverer := worker.NewDeliverer(s.stores.Dossiers, s.stores.Rounds, worker.DelivererConfig{Interval: cfg.deliverInterval, Now: s.now, Owner: owner, SMTP: cfg.smtp, Log: log, Metrics: s.metrics})

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context) error{"watcher": watcher.Run, "deliverer": deliverer.Run} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A lost NATS watch ends Run; start it again rather than stop warning the board.
			for runCtx.Err() == nil {
				if err := run(runCtx); err != nil && runCtx.Err() == nil {
					log.Error("dossier "+name+" stopped; restarting", "err", err)
					select {
					case <-runCtx.Done():
					case <-time.After(2 * time.Second):
					}
				}
			}
		}()
	}
	log.Info("dossier worker running", "replica", owner, "alert_interval", cfg.watchInterval, "smtp", cfg.smtp.Addr != "")
	return func(stopCtx context.Context) {
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-stopCtx.Done():
		}
		stopProjector(stopCtx)
	}, nil
}

// replicaName tells replicas apart in leases and alert records.
func replicaName() string {
	host, _ := os.Hostname()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
