package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
)

// slowReader notes each read in a log file and waits before reading: a long extraction, for
// the tests of redelivery.
type slowReader struct {
	ex   *sandbox.Extractor
	wait time.Duration
	log  string
}

func (s slowReader) Read(ctx context.Context, path string) (sandbox.Outcome, error) {
	if err := s.before(ctx); err != nil {
		return sandbox.Outcome{}, err
	}
	return s.ex.Read(ctx, path)
}

func (s slowReader) ReadBytes(ctx context.Context, data []byte) (sandbox.Outcome, error) {
	if err := s.before(ctx); err != nil {
		return sandbox.Outcome{}, err
	}
	return s.ex.ReadBytes(ctx, data)
}

func (s slowReader) before(ctx context.Context) error {
	f, err := os.OpenFile(s.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "start")
	f.Close()
	select {
	case <-time.After(s.wait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// slowWorker is an ingest worker on its own connection whose every extraction first waits.
func slowWorker(t *testing.T, p *pipeline, conn *bustest.Server, wait time.Duration, log string, ackWait time.Duration) func(context.Context) {
	t.Helper()
	w := &worker.Ingest{
		JS: conn.JS, Originals: store.NewObjectReader(conn.JS, bus.ObjectUploads), Renderings: conn.Objects(t, bus.ObjectRenderings), Docs: store.NewDocuments(conn.KV(t, bus.BucketDocuments)),
		Rounds: store.NewRounds(conn.KV(t, bus.BucketRounds)), Audit: audit.New(conn.JS),
		Sandbox: slowReader{ex: extractor(t), wait: wait, log: log},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)), Concurrency: 1, AckWait: ackWait, TempDir: t.TempDir(),
	}
	stop, err := w.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stop
}

func starts(t *testing.T, log string) int {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("start\n"))
}

// A live worker keeps what it holds: files whose extraction, or whose wait for a free slot,
// lasts several times AckWait are extracted once each, not redelivered to be read again.
func TestWorkerKeepsSlowFiles(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	const ackWait = time.Second
	log := filepath.Join(t.TempDir(), "starts")
	stop := slowWorker(t, p, p.ns, 2*ackWait+ackWait/2, log, ackWait)
	t.Cleanup(func() { stop(context.Background()) })
	a := p.upload("r1", "a.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{})
	b := p.upload("r1", "b.pdf", pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nNhà ở."), ingest.Declared{})
	for _, d := range []dossier.Document{a, b} {
		if got := p.await(d.ID); got.Status != dossier.StatusAccepted {
			t.Errorf("%s: %s/%s", d.File, got.Status, got.Reason)
		}
	}
	time.Sleep(2 * ackWait)
	if n := starts(t, log); n != 2 {
		t.Errorf("%d extractions for 2 files: files still in hand were redelivered", n)
	}
	cons, err := p.ns.JS.Consumer(context.Background(), bus.StreamIngest, worker.IngestDurable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The consumer sequence counts deliveries, redeliveries included.
	if info.Delivered.Consumer != 2 || info.NumAckPending != 0 {
		t.Errorf("%d deliveries of 2 files (%d unacknowledged): files in hand were redelivered", info.Delivered.Consumer, info.NumAckPending)
	}
}

// After a worker dies (kill -9: its connection gone, its heartbeats with it), the file it held
// is taken by another worker once AckWait has passed, well within an uploader's 60 s wait.
func TestWorkerCrashRedeliversAfterAckWait(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	ackWait := 2 * time.Second
	log := filepath.Join(t.TempDir(), "starts")
	nc, js := bustest.Connect(t, p.ns.Srv.ClientURL())
	dying := &bustest.Server{Srv: p.ns.Srv, NC: nc, JS: js}
	stopDying := slowWorker(t, p, dying, time.Minute, log, ackWait)
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		stopDying(ctx) // ends the child still waiting
	})
	d := p.upload("r1", "a.pdf", pdffixture.Text(t, ingesttest.HungSelfAssessment), ingest.Declared{})
	deadline := time.Now().Add(30 * time.Second)
	for starts(t, log) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first worker never took the file")
		}
		time.Sleep(20 * time.Millisecond)
	}
	nc.Close()
	died := time.Now()
	stop := slowWorker(t, p, p.ns, 0, filepath.Join(t.TempDir(), "starts"), ackWait)
	t.Cleanup(func() { stop(context.Background()) })
	got := p.await(d.ID)
	if got.Status != dossier.StatusAccepted {
		t.Errorf("after the crash: %s/%s", got.Status, got.Reason)
	}
	// AckWait, then one extraction (slower under -race).
	if after := time.Since(died); after > ackWait+10*time.Second {
		t.Errorf("verdict %v after the crash, AckWait %v", after, ackWait)
	}
}
