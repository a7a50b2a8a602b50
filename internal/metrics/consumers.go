package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// Consumers is the observer every bus.Consumer of this process reports to; nil without metrics.
func (m *Metrics) Consumers() bus.Observer {
	if m == nil {
		return nil
	}
	return consumerObserver{m}
}

type consumerObserver struct{ m *Metrics }

func (o consumerObserver) Delivered(consumer string, delivered int) {
	if delivered > 1 {
		o.m.consumerRedeliveries.WithLabelValues(consumer).Inc()
	}
}

func (o consumerObserver) Settled(consumer string, a bus.Action) {
	o.m.consumerMessages.WithLabelValues(consumer, a.String()).Inc()
}

func (o consumerObserver) GaveUp(consumer string) {
	o.m.consumerGiveUps.WithLabelValues(consumer).Inc()
}

// Consumer names a durable consumer whose backlog is polled.
type Consumer struct{ Stream, Durable string }

// PollConsumers sets the pending gauges of cs from the server's consumer info at once and then
// every interval, until ctx ends. Each process polls the consumers of the workers it runs, so a
// worker's role needs no more than the info of its own consumer. The series of every consumer
// exist from the start (at 0), so that rates and alerts see them before the first event.
func (m *Metrics) PollConsumers(ctx context.Context, js jetstream.JetStream, cs []Consumer, interval time.Duration, log *slog.Logger) {
	if m == nil || len(cs) == 0 {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, c := range cs {
		m.consumerRedeliveries.WithLabelValues(c.Durable)
		m.consumerGiveUps.WithLabelValues(c.Durable)
		m.consumerPollErrors.WithLabelValues(c.Durable)
		for _, a := range []bus.Action{bus.Ack, bus.Retry, bus.GiveUp} {
			m.consumerMessages.WithLabelValues(c.Durable, a.String())
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, c := range cs {
			m.pollConsumer(ctx, js, c, min(interval, 5*time.Second), log)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Metrics) pollConsumer(parent context.Context, js jetstream.JetStream, c Consumer, timeout time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cons, err := js.Consumer(ctx, c.Stream, c.Durable)
	if err != nil {
		if parent.Err() == nil { // not a shutdown
			m.consumerPollErrors.WithLabelValues(c.Durable).Inc()
			log.Debug("metrics: consumer info", "consumer", c.Durable, "err", err)
		}
		return
	}
	info := cons.CachedInfo()
	m.consumerPending.WithLabelValues(c.Durable).Set(float64(info.NumPending))
	m.consumerAckPending.WithLabelValues(c.Durable).Set(float64(info.NumAckPending))
}
