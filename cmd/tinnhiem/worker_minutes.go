package main

import (
	"context"

	"tinnhiem/internal/worker"
	"tinnhiem/publish"
)

func (s *system) startMinutes(ctx context.Context) (func(context.Context), error) {
	w := &worker.Minutes{
		JS: s.js, Tallies: s.stores.Tallies, Rounds: s.stores.Rounds, Artifacts: s.stores.Artifacts, Audit: s.stores.Audit,
		Dossiers: s.stores.Dossiers, Now: s.now,
		Log: s.log.With("worker", "minutes"), Concurrency: int(envInt64(s.getenv, "TINNHIEM_MINUTES_CONCURRENCY", 2)),
		Metrics: s.metrics,
	}
	return w.Start(ctx)
}

func (s *system) startPublish(ctx context.Context) (func(context.Context), error) {
	w := &publish.Worker{JS: s.js, Store: s.stores.Artifacts, Audit: s.stores.Audit, Log: s.log.With("worker", "publish"), Metrics: s.metrics}
	return w.Start(ctx)
}
