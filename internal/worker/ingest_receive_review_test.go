package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
)

// A file refused at receipt as too large is recorded at once; should the request then fail
// before its verdict is published (a later part refused, the process gone), the workers'
// sweep still publishes it, so the dossier hears of every file received.
func TestTooLargeRefusalReachesTheDossierWithoutCommit(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	p.recv.MaxUpload = 1 << 10
	ctx := context.Background()
	d, err := p.recv.Store(ctx, store.Upload{Round: "r1", File: "lon.pdf", Uploader: "bantochuc", Body: bytes.NewReader(bytes.Repeat([]byte("x"), 4<<10))})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != dossier.StatusRejected || d.Reason != ingest.ReasonTooLarge || !strings.Contains(d.Message, "giới hạn là 1 KB") {
		t.Fatalf("verdict at receipt: %s %s %q", d.Status, d.Reason, d.Message)
	}
	p.start(1)
	if _, err := p.worker.Sweep(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	st, err := p.ns.JS.Stream(ctx, bus.StreamDossier)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := st.GetLastMsgForSubject(ctx, dossier.DocumentSubject("r1"))
	if err != nil {
		t.Fatalf("no document event for the too-large file: %v", err)
	}
	var ev dossier.DocumentEvent
	if err := json.Unmarshal(msg.Data, &ev); err != nil || ev.Document.ID != d.ID || ev.Document.Reason != ingest.ReasonTooLarge {
		t.Fatalf("event %s: %v", msg.Data, err)
	}
	if ids, err := p.docs.Pending(ctx); err != nil || len(ids) != 0 {
		t.Errorf("pending after the sweep: %v %v", ids, err)
	}
}
