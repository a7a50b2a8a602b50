package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/web"
)

// consumerPoll is how often the backlog of each consumer this process runs is read.
const consumerPoll = 5 * time.Second

// metricsFlag adds --metrics-listen (serve and worker).
func (e *cmdEnv) metricsFlag(fs *flag.FlagSet) *string {
	return fs.String("metrics-listen", e.getenv("TINNHIEM_METRICS_LISTEN"),
		"serve Prometheus metrics at http://ADDR/metrics, a listener of their own (env TINNHIEM_METRICS_LISTEN); empty = no metrics")
}

// startMetrics builds this process's metrics and starts their listener; without an address it
// returns nil metrics (observing nothing) and a stop that does nothing. Stop lets a scrape in
// progress end, for a few seconds at most.
func startMetrics(addr string, log *slog.Logger) (*metrics.Metrics, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	m := metrics.New()
	srv, err := m.Listen(addr, log)
	if err != nil {
		return nil, nil, err
	}
	log.Info("metrics listening", "addr", "http://"+srv.Addr()+"/metrics")
	return m, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// traced is the public listener's handler: every request gets its id and its log line, and is
// counted by the route it matched (web.Trace).
func traced(log *slog.Logger, m *metrics.Metrics, h http.Handler) http.Handler {
	return web.Trace(log, m.HTTPRequest, h)
}

// consumersOf are the durable consumers of the given worker kinds.
func consumersOf(kinds []string) []metrics.Consumer {
	by := map[string]metrics.Consumer{
		"ingest":  {Stream: bus.StreamIngest, Durable: bus.DurableIngest},
		"dossier": {Stream: bus.StreamDossier, Durable: bus.DurableDossier},
		"minutes": {Stream: bus.StreamTally, Durable: bus.DurableMinutes},
		"publish": {Stream: bus.StreamPublish, Durable: bus.DurablePublish},
	}
	var out []metrics.Consumer
	for _, k := range kinds {
		if c, ok := by[k]; ok {
			out = append(out, c)
		}
	}
	return out
}

// pollConsumers keeps the backlog gauges of the consumers of kinds up to date until the
// returned function is called.
func (s *system) pollConsumers(kinds []string) func() {
	if s.metrics == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.metrics.PollConsumers(ctx, s.js, consumersOf(kinds), consumerPoll, s.log)
	}()
	return func() { cancel(); wg.Wait() }
}
