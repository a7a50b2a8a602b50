package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/metrics"
)

// A process without --metrics-listen has nil metrics: every observation is a no-op.
func TestNilMetricsObserveNothing(t *testing.T) {
	var m *metrics.Metrics
	m.DocumentReceived()
	m.Verdict("accepted", "", time.Second)
	m.Extracted("", time.Second)
	m.AlertAttempt("email", errors.New("x"))
	m.MinutesRendered("bien-ban-kiem-phieu", time.Second)
	m.HTTPRequest("GET /healthz", 200, time.Millisecond)
	if m.Consumers() != nil {
		t.Error("nil metrics give a consumer observer")
	}
	m.PollConsumers(context.Background(), nil, []metrics.Consumer{{Stream: "S", Durable: "d"}}, time.Second, nil) // returns at once
}

// Everything the DESIGN §5 contract names is served on the metrics listener, with the values
// observed, beside the Go and process collectors.
func TestMetricsListener(t *testing.T) {
	m := metrics.New()
	m.DocumentReceived()
	m.DocumentReceived()
	m.Verdict("accepted", "", 1500*time.Millisecond)
	m.Verdict("rejected", "not_pdf", 0) // a refusal at receipt: counted, no pipeline time
	m.Extracted("", 200*time.Millisecond)
	m.Extracted("too_complex", 3*time.Second)
	m.AlertAttempt("webhook", nil)
	m.AlertAttempt("webhook", errors.New("503"))
	m.MinutesRendered("bien-ban-kiem-phieu", 40*time.Millisecond)
	m.HTTPRequest("POST /api/v1/rounds/{round}/documents", 202, 30*time.Millisecond)
	obs := m.Consumers()
	obs.Delivered("ingest", 1)
	obs.Delivered("ingest", 3)
	obs.Settled("ingest", bus.Ack)
	obs.Settled("ingest", bus.GiveUp)
	obs.GaveUp("ingest")

	srv, err := m.Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	body := scrape(t, "http://"+srv.Addr()+"/metrics")
	for _, want := range []string{
		"tinnhiem_documents_received_total 2",
		`tinnhiem_verdicts_total{reason="",status="accepted"} 1`,
		`tinnhiem_verdicts_total{reason="not_pdf",status="rejected"} 1`,
		"tinnhiem_ingest_duration_seconds_count 1",
		`tinnhiem_ingest_duration_seconds_bucket{le="2"} 1`,
		`tinnhiem_extract_duration_seconds_count{outcome="ok"} 1`,
		`tinnhiem_extract_duration_seconds_count{outcome="too_complex"} 1`,
		`tinnhiem_alerts_sent_total{channel="webhook",outcome="sent"} 1`,
		`tinnhiem_alerts_sent_total{channel="webhook",outcome="failed"} 1`,
		`tinnhiem_minutes_render_seconds_count{document="bien-ban-kiem-phieu"} 1`,
		`tinnhiem_http_requests_total{code="202",route="POST /api/v1/rounds/{round}/documents"} 1`,
		`tinnhiem_http_request_duration_seconds_count{route="POST /api/v1/rounds/{round}/documents"} 1`,
		`tinnhiem_consumer_redeliveries_total{consumer="ingest"} 1`,
		`tinnhiem_consumer_messages_total{action="ack",consumer="ingest"} 1`,
		`tinnhiem_consumer_messages_total{action="give_up",consumer="ingest"} 1`,
		`tinnhiem_consumer_give_ups_total{consumer="ingest"} 1`,
		"go_goroutines ",
		"go_memstats_heap_alloc_bytes ",
		"process_cpu_seconds_total ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The listener serves the metrics and nothing else.
	res, err := http.Get("http://" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET / on the metrics listener: %d", res.StatusCode)
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		// The contract's name speaks of the minutes (biên bản), not of a unit of time.
		if p.Metric == "tinnhiem_minutes_render_seconds" && strings.Contains(p.Text, `instead of "minutes"`) {
			continue
		}
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// Names lists every family of tinnhiem's own, observed or not (the alert rules and the dashboard
// are checked against it).
func TestNames(t *testing.T) {
	names := metrics.New().Names()
	want := []string{
		"tinnhiem_alerts_sent_total", "tinnhiem_consumer_ack_pending_messages", "tinnhiem_consumer_give_ups_total",
		"tinnhiem_consumer_info_errors_total", "tinnhiem_consumer_messages_total", "tinnhiem_consumer_pending_messages",
		"tinnhiem_consumer_redeliveries_total", "tinnhiem_documents_received_total", "tinnhiem_extract_duration_seconds",
		"tinnhiem_http_request_duration_seconds", "tinnhiem_http_requests_total", "tinnhiem_ingest_duration_seconds",
		"tinnhiem_minutes_render_seconds", "tinnhiem_verdicts_total",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("Names() = %v\nwant %v", names, want)
	}
}

// The backlog gauges follow the server's consumer info: messages published and not yet taken
// are pending; every consumer's series exist from the first poll.
func TestPollConsumers(t *testing.T) {
	ns := bustest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := ns.JS.CreateOrUpdateConsumer(ctx, bus.StreamIngest, jetstream.ConsumerConfig{
		Durable: "lagging", FilterSubject: "tn.ingest.lag.>", AckPolicy: jetstream.AckExplicitPolicy,
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		if _, err := ns.JS.Publish(ctx, "tn.ingest.lag.x", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	m := metrics.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.PollConsumers(ctx, ns.JS, []metrics.Consumer{{Stream: bus.StreamIngest, Durable: "lagging"}, {Stream: bus.StreamIngest, Durable: "missing"}}, 50*time.Millisecond, nil)
	}()
	srv, err := m.Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := scrape(t, "http://"+srv.Addr()+"/metrics")
		if strings.Contains(body, `tinnhiem_consumer_pending_messages{consumer="lagging"} 7`) &&
			strings.Contains(body, `tinnhiem_consumer_ack_pending_messages{consumer="lagging"} 0`) &&
			strings.Contains(body, `tinnhiem_consumer_redeliveries_total{consumer="lagging"} 0`) &&
			!strings.Contains(body, `tinnhiem_consumer_info_errors_total{consumer="missing"} 0`) &&
			strings.Contains(body, `tinnhiem_consumer_info_errors_total{consumer="missing"}`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gauges not as expected:\n%s", grep(body, "tinnhiem_consumer"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("PollConsumers did not return when its context ended")
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
	return string(data)
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
