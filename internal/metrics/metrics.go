// Package metrics is what a tinnhiem process tells Prometheus: documents received and judged,
// how long the pipeline takes, the consumers' backlog, alert deliveries, minutes rendering and
// the HTTP requests, beside the Go and process collectors. A *Metrics is built once per process
// (cmd/tinnhiem) and handed to what it observes; a nil *Metrics observes nothing, so a process
// without --metrics-listen pays nothing. It is served on a listener of its own, never on the
// public one.
package metrics

import (
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors of one process.
type Metrics struct {
	reg *prometheus.Registry
	own []prometheus.Collector // tinnhiem's own, not the Go and process collectors

	documentsReceived prometheus.Counter
	verdicts          *prometheus.CounterVec
	ingestDuration    prometheus.Histogram
	extractDuration   *prometheus.HistogramVec

	consumerPending      *prometheus.GaugeVec
	consumerAckPending   *prometheus.GaugeVec
	consumerMessages     *prometheus.CounterVec
	consumerRedeliveries *prometheus.CounterVec
	consumerGiveUps      *prometheus.CounterVec
	consumerPollErrors   *prometheus.CounterVec

	alertsSent    *prometheus.CounterVec
	minutesRender *prometheus.HistogramVec

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
}

// New registers every collector on a registry of its own (no global state).
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}

	m.documentsReceived = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tinnhiem_documents_received_total",
		Help: "Uploaded files accepted for judging (answered 202, or refused at receipt as too large).",
	})
	m.verdicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_verdicts_total",
		Help: "First verdicts of uploaded files, by status (accepted, late, needs_review, rejected) and reason code.",
	}, []string{"status", "reason"})
	m.ingestDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "tinnhiem_ingest_duration_seconds",
		Help:    "Time from an upload's receipt to its first verdict.",
		Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800},
	})
	m.extractDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tinnhiem_extract_duration_seconds",
		Help:    "Time the sandboxed child took to read one file, by outcome (ok, or the refusal's code).",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45, 90},
	}, []string{"outcome"})

	m.consumerPending = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tinnhiem_consumer_pending_messages",
		Help: "Messages of a durable consumer's stream not yet delivered to any worker (polled every few seconds).",
	}, []string{"consumer"})
	m.consumerAckPending = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tinnhiem_consumer_ack_pending_messages",
		Help: "Messages delivered to a worker and not yet answered (polled every few seconds).",
	}, []string{"consumer"})
	m.consumerMessages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_consumer_messages_total",
		Help: "Messages handled by this process, by consumer and what became of them (ack, retry, give_up).",
	}, []string{"consumer", "action"})
	m.consumerRedeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_consumer_redeliveries_total",
		Help: "Messages handled by this process that had been delivered before (a retry, or a worker that died).",
	}, []string{"consumer"})
	m.consumerGiveUps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_consumer_give_ups_total",
		Help: "Messages given up on and recorded in the audit trail (permanent failures, deliveries run out).",
	}, []string{"consumer"})
	m.consumerPollErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_consumer_info_errors_total",
		Help: "Failed polls of a consumer's state (its pending gauges are then stale).",
	}, []string{"consumer"})

	m.alertsSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_alerts_sent_total",
		Help: "Attempts to deliver a deadline alert, by channel (subject, webhook, email) and outcome (sent, failed).",
	}, []string{"channel", "outcome"})
	m.minutesRender = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tinnhiem_minutes_render_seconds",
		Help:    "Time to render one PDF of a sealed tally, by document.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"document"})

	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tinnhiem_http_requests_total",
		Help: "HTTP requests answered, by route (the pattern matched, not the path) and status code.",
	}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tinnhiem_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"route"})

	m.own = []prometheus.Collector{
		m.documentsReceived, m.verdicts, m.ingestDuration, m.extractDuration,
		m.consumerPending, m.consumerAckPending, m.consumerMessages, m.consumerRedeliveries, m.consumerGiveUps, m.consumerPollErrors,
		m.alertsSent, m.minutesRender, m.httpRequests, m.httpDuration,
	}
	m.reg.MustRegister(m.own...)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names lists tinnhiem's own metric families, sorted, whether observed yet or not: what alert
// rules and dashboards may refer to (deploy's tests check them against it).
func (m *Metrics) Names() []string {
	ch := make(chan *prometheus.Desc, len(m.own))
	go func() {
		for _, c := range m.own {
			c.Describe(ch)
		}
		close(ch)
	}()
	var out []string
	for d := range ch {
		if sm := fqName.FindStringSubmatch(d.String()); sm != nil {
			out = append(out, sm[1])
		}
	}
	slices.Sort(out)
	return out
}

// Registry is where the collectors are registered (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's text (or negotiated) format.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		Registry:          m.reg, // promhttp_metric_handler_errors_total
		EnableOpenMetrics: true,
	})
}

// DocumentReceived counts a file handed to the pipeline (or refused at receipt).
func (m *Metrics) DocumentReceived() {
	if m == nil {
		return
	}
	m.documentsReceived.Inc()
}

// Verdict counts a file's first verdict; took is the time since its receipt (0: not observed).
func (m *Metrics) Verdict(status, reason string, took time.Duration) {
	if m == nil {
		return
	}
	m.verdicts.WithLabelValues(status, reason).Inc()
	if took > 0 {
		m.ingestDuration.Observe(took.Seconds())
	}
}

// Extracted observes one run of the sandboxed reader; outcome is "ok" or the refusal's code.
func (m *Metrics) Extracted(outcome string, took time.Duration) {
	if m == nil {
		return
	}
	if outcome == "" {
		outcome = "ok"
	}
	m.extractDuration.WithLabelValues(outcome).Observe(took.Seconds())
}

// AlertAttempt counts one attempt to deliver an alert on a channel.
func (m *Metrics) AlertAttempt(channel string, err error) {
	if m == nil {
		return
	}
	outcome := "sent"
	if err != nil {
		outcome = "failed"
	}
	m.alertsSent.WithLabelValues(channel, outcome).Inc()
}

// MinutesRendered observes the rendering of one PDF of a sealed tally.
func (m *Metrics) MinutesRendered(document string, took time.Duration) {
	if m == nil {
		return
	}
	m.minutesRender.WithLabelValues(document).Observe(took.Seconds())
}

// HTTPRequest observes one answered request; route is the pattern that matched.
func (m *Metrics) HTTPRequest(route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.httpRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(took.Seconds())
}
