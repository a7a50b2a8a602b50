package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// Issue 14 point 4: the node leading the INGEST stream dies while uploads are coming in. Every
// upload is answered 202 — the write path waits out the election — and every document ends with
// exactly one verdict, published once.
func TestUploadsRideOutLostStreamLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	cluster := bustest.StartCluster(t, 3)
	ts := startServerEnv(t, "", map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword},
		"--nats-url", cluster.URL, "--replicas", "3")
	tok := ts.token(t, "admin", testAdminPassword)

	corpus := t.TempDir()
	m, err := benchCorpus(corpusSpec{Out: corpus, Rounds: 1, Docs: 40, Seed: 14}, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundFile, err := benchRoundFile("failover", m.Groups, map[string]string{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds", tok, roundFile); res.Status != http.StatusCreated {
		t.Fatalf("round: %d %s", res.Status, res.Body)
	}

	_, js := bustest.Connect(t, cluster.URL)
	var slowest atomic.Int64
	var (
		mu       sync.Mutex
		ids      []string
		refused  []string
		uploaded atomic.Int64
		killed   = make(chan string, 1)
	)
	upload := func(d corpusDoc) {
		data, err := os.ReadFile(filepath.Join(corpus, d.File))
		if err != nil {
			t.Error(err)
			return
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, _ := mw.CreateFormFile("file", filepath.Base(d.File))
		part.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/rounds/failover/documents", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
		if took := int64(time.Since(start)); took > slowest.Load() {
			slowest.Store(took)
		}
		if err != nil {
			t.Errorf("%s: %v", d.File, err)
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out struct {
			Documents []struct {
				DocumentID string `json:"document_id"`
			} `json:"documents"`
		}
		mu.Lock()
		defer mu.Unlock()
		if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &out) != nil || len(out.Documents) != 1 {
			refused = append(refused, fmt.Sprintf("%s: HTTP %d %s", d.File, resp.StatusCode, raw))
			return
		}
		ids = append(ids, out.Documents[0].DocumentID)
		uploaded.Add(1)
	}

	// Four uploaders; once a quarter of the files are in, the INGEST leader's node is killed.
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(m.Documents) {
					return
				}
				upload(m.Documents[i])
			}
		}()
	}
	var atKill int64
	go func() {
		for uploaded.Load() < int64(len(m.Documents)/4) {
			time.Sleep(20 * time.Millisecond)
		}
		atomic.StoreInt64(&atKill, uploaded.Load())
		killed <- killStreamLeader(t, js, cluster, bus.StreamIngest)
	}()
	wg.Wait()
	victim := <-killed
	t.Logf("killed %s, the INGEST leader, after %d uploads; the slowest upload took %s", victim, atomic.LoadInt64(&atKill), time.Duration(slowest.Load()))
	if atomic.LoadInt64(&atKill) >= int64(len(m.Documents)) {
		t.Fatal("every upload was answered before the kill: nothing was tested")
	}
	if len(refused) > 0 {
		t.Fatalf("%d of %d uploads refused during the election:\n%s", len(refused), len(m.Documents), strings.Join(refused, "\n"))
	}

	// Every document gets its verdict, and exactly one verdict event each reaches the dossier.
	for _, id := range ids {
		res := ts.api(t, http.MethodGet, "/api/v1/documents/"+id+"?wait=60s", tok, nil)
		var d dossier.Document
		res.decode(t, &d)
		if d.Status != dossier.StatusAccepted {
			t.Errorf("%s: %s %s %s", id, d.Status, d.Reason, d.Message)
		}
	}
	// A connection of its own: the test's may be on its way from the dead node to another.
	_, js = bustest.Connect(t, cluster.URL)
	events := verdictEvents(t, js, "failover")
	for _, id := range ids {
		if events[id] != 1 {
			t.Errorf("%s: %d verdict events", id, events[id])
		}
	}
	if len(events) != len(ids) {
		t.Errorf("%d documents with verdict events, %d uploaded", len(events), len(ids))
	}
}

// killStreamLeader shuts down the node that leads stream and answers its name, once another
// node has the stream's leadership in view (the kill is then an election, not an outage).
func killStreamLeader(t *testing.T, js jetstream.JetStream, c *bustest.Cluster, stream string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Errorf("stream %s: %v", stream, err)
		return ""
	}
	leader := st.CachedInfo().Cluster.Leader
	for _, s := range c.Servers {
		if s.Name() == leader {
			s.Shutdown()
			return leader
		}
	}
	t.Errorf("no node named %q leads %s", leader, stream)
	return ""
}

// verdictEvents counts the verdict events of each document of a round on the DOSSIER stream,
// reading it message by message (each read tried again while the cluster settles).
func verdictEvents(t *testing.T, js jetstream.JetStream, round string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	retry := func(op func() error) {
		t.Helper()
		for attempt := 0; ; attempt++ {
			err := op()
			if err == nil {
				return
			}
			if attempt == 100 || ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var st jetstream.Stream
	retry(func() (err error) { st, err = js.Stream(ctx, bus.StreamDossier); return err })
	state := st.CachedInfo().State
	out := map[string]int{}
	for seq := state.FirstSeq; seq <= state.LastSeq && state.Msgs > 0; seq++ {
		var m *jetstream.RawStreamMsg
		retry(func() (err error) {
			m, err = st.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return nil
			}
			return err
		})
		if m == nil || m.Subject != dossier.DocumentSubject(round) {
			continue
		}
		var ev dossier.DocumentEvent
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == dossier.EventVerdict {
			out[ev.Document.ID]++
		}
	}
	return out
}
