package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/store"
)

// dzEnv is a real in-process nats-server with tinnhiem's streams and buckets.
type dzEnv struct {
	js     jetstream.JetStream
	nc     *nats.Conn
	store  *store.Dossiers
	rounds *store.Rounds
}

func newDZEnv(t *testing.T) *dzEnv {
	t.Helper()
	ns := bustest.Start(t)
	return &dzEnv{js: ns.JS, nc: ns.NC, store: store.NewDossiers(ns.JS), rounds: store.NewRounds(ns.KV(t, bus.BucketRounds))}
}

func (e *dzEnv) saveRound(t *testing.T, r dossier.Round) dossier.Round {
	t.Helper()
	saved, _, err := e.rounds.Save(context.Background(), r, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// publish sends a document event as ingest does, with Nats-Msg-Id = id/revision.
func (e *dzEnv) publish(t testing.TB, typ string, d dossier.Document) uint64 {
	t.Helper()
	data, err := json.Marshal(dossier.DocumentEvent{Type: typ, Document: d})
	if err != nil {
		t.Fatal(err)
	}
	msg := &nats.Msg{Subject: dossier.DocumentSubject(d.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, d.ID+"-"+strconv.Itoa(d.Revision))
	ack, err := e.js.PublishMsg(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

func (e *dzEnv) startProjector(t *testing.T, cfg ProjectorConfig) func() {
	t.Helper()
	return e.startProjectorOn(t, e.store, cfg)
}

// startProjectorOn starts a projector on its own store, as a projector of another process has.
func (e *dzEnv) startProjectorOn(t *testing.T, st *store.Dossiers, cfg ProjectorConfig) func() {
	t.Helper()
	if cfg.Audit == nil {
		cfg.Audit = audit.New(e.js)
	}
	stop, err := NewProjector(e.js, st, cfg).Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stopper := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			stop(ctx)
		})
	}
	t.Cleanup(stopper)
	return stopper
}

// waitFor waits until the round's projection satisfies done.
func (e *dzEnv) waitFor(t *testing.T, round string, what string, done func(*dossier.State) bool) *dossier.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.store.WaitFor(ctx, round, done); err != nil {
		st, _, _ := e.store.State(context.Background(), round)
		t.Fatalf("projection of %s: %s not reached (seq %d, %d documents): %v", round, what, st.Seq, len(st.Docs), err)
	}
	st, _, err := e.store.State(context.Background(), round)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitSeq waits for a single projector (or a quiet stream) to have applied seq.
func (e *dzEnv) waitSeq(t *testing.T, round string, seq uint64) *dossier.State {
	t.Helper()
	return e.waitFor(t, round, fmt.Sprintf("seq %d", seq), func(st *dossier.State) bool { return st.Seq >= seq })
}

func TestProjectorAndRebuild(t *testing.T) {
	env := newDZEnv(t)
	env.startProjector(t, ProjectorConfig{})
	ctx := context.Background()
	var last uint64
	for _, m := range dossiertest.Stream(t, "dz-test") {
		msg := &nats.Msg{Subject: m.Subject, Data: m.Data, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("m%d", m.Seq))
		ack, err := env.js.PublishMsg(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		last = ack.Sequence
	}
	// The same message id again is dropped by the stream's de-duplication.
	dup := dossiertest.Stream(t, "dz-test")[0]
	msg := &nats.Msg{Subject: dup.Subject, Data: dup.Data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "m1")
	if ack, err := env.js.PublishMsg(ctx, msg); err != nil || !ack.Duplicate {
		t.Fatalf("duplicate publish: %+v %v", ack, err)
	}
	live := env.waitSeq(t, "dz-test", last)
	if len(live.Docs) != 6 || live.Docs["scan"].Nominee != "n01" || live.Decisions["rq2"].Decision != dossier.DecisionSetAside {
		t.Fatalf("live state: %+v", live)
	}

	res, err := env.store.Rebuild(ctx, "dz-test", true, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Equal || res.Replaced || res.LiveSeq != last || res.RebuiltSeq != last || res.Documents != 6 || res.Decisions != 1 {
		t.Fatalf("rebuild of an intact projection: %+v", res)
	}

	// Damage the live state; a rebuild finds and repairs it.
	damaged, rev, _ := env.store.State(ctx, "dz-test")
	delete(damaged.Docs, "sa-n01")
	damaged.Docs["scan"] = dossier.DocEntry{Status: dossier.StatusRejected, Revision: 9}
	if _, err := env.store.Save(ctx, damaged, rev); err != nil {
		t.Fatal(err)
	}
	res, err = env.store.Rebuild(ctx, "dz-test", false, 0)
	if err != nil || res.Equal || res.Replaced || len(res.Differences) != 2 {
		t.Fatalf("check of a damaged projection: %+v %v", res, err)
	}
	res, err = env.store.Rebuild(ctx, "dz-test", true, 0)
	if err != nil || res.Equal || !res.Replaced {
		t.Fatalf("repair: %+v %v", res, err)
	}
	res, err = env.store.Rebuild(ctx, "dz-test", true, 0)
	if err != nil || !res.Equal {
		t.Fatalf("after repair: %+v %v", res, err)
	}
	repaired, _, _ := env.store.State(ctx, "dz-test")
	if !repaired.Equal(live) {
		t.Errorf("repaired state differs from the live one before damage: %v", repaired.Diff(live, 5))
	}
}

// Two projector replicas, each in its own process with its own memory of the states it wrote
// (which goes stale as soon as the other writes), converge on what a replay of the stream gives.
func TestProjectorReplicasConvergeOnReplay(t *testing.T) {
	env := newDZEnv(t)
	env.startProjector(t, ProjectorConfig{Batch: 16})
	env.startProjectorOn(t, store.NewDossiers(env.js), ProjectorConfig{Batch: 16})
	at := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	lastByRound := map[string]uint64{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, round := range []string{"dz-a", "dz-b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				d := dossier.Document{ID: fmt.Sprintf("%s-d%03d", round, i), Round: round, Nominee: fmt.Sprintf("n%02d", i%40),
					Kind: []dossier.Kind{dossier.KindSelfAssessment, dossier.KindAssetDeclaration}[i%2], Status: dossier.StatusNeedsReview, ReceivedAt: at.Add(time.Duration(i) * time.Second), Revision: 1}
				seq := env.publish(t, dossier.EventVerdict, d)
				if i%3 == 0 { // a person reviews every third document
					d.Status, d.Revision = dossier.StatusAccepted, 2
					seq = env.publish(t, dossier.EventReview, d)
				}
				mu.Lock()
				lastByRound[round] = max(lastByRound[round], seq)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for round, last := range lastByRound {
		replay, err := env.store.Replay(context.Background(), round)
		if err != nil {
			t.Fatal(err)
		}
		if replay.Seq != last {
			t.Errorf("%s: replay ends at %d, last published %d", round, replay.Seq, last)
		}
		live := env.waitFor(t, round, "the replay's state", replay.Equal)
		res, err := env.store.Rebuild(context.Background(), round, false, 0)
		if err != nil || !res.Equal {
			t.Errorf("%s: rebuild after the replicas settled: %+v %v", round, res, err)
		}
		accepted := 0
		for _, d := range live.Docs {
			if d.Status == dossier.StatusAccepted {
				accepted++
			}
		}
		if len(live.Docs) != 150 || accepted != 50 {
			t.Errorf("%s: %d documents, %d accepted; want 150, 50", round, len(live.Docs), accepted)
		}
	}
}

func TestProjectorPoisonAndRestart(t *testing.T) {
	env := newDZEnv(t)
	stop := env.startProjector(t, ProjectorConfig{})
	ctx := context.Background()
	if _, err := env.js.Publish(ctx, dossier.DocumentSubject("dz-test"), []byte("not json")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2028, 11, 20, 1, 0, 0, 0, time.UTC)
	seq := env.publish(t, dossier.EventVerdict, dossier.Document{ID: "d1", Round: "dz-test", Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: at, Revision: 1})
	env.waitSeq(t, "dz-test", seq)

	// Stopped: events keep arriving and wait in the durable consumer.
	stop()
	seq = env.publish(t, dossier.EventVerdict, dossier.Document{ID: "d2", Round: "dz-test", Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusAccepted, ReceivedAt: at, Revision: 1})
	time.Sleep(200 * time.Millisecond)
	if st, _, _ := env.store.State(ctx, "dz-test"); len(st.Docs) != 1 {
		t.Fatalf("stopped projector applied something: %+v", st.Docs)
	}
	env.startProjector(t, ProjectorConfig{})
	st := env.waitSeq(t, "dz-test", seq)
	if len(st.Docs) != 2 {
		t.Fatalf("after restart: %+v", st.Docs)
	}
	info, err := env.js.Consumer(ctx, bus.StreamDossier, ProjectorDurable)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := info.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ci.NumAckPending != 0 || ci.NumPending != 0 {
		t.Errorf("consumer still holds messages: ack pending %d, pending %d", ci.NumAckPending, ci.NumPending)
	}
	// The event that could not be applied was given up, and that is on record.
	events, err := audit.New(env.js).List(ctx, "dz-test", 0)
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, e := range events {
		if e.Action == "dossier.event_failed" && strings.Contains(e.Details["error"], "cannot be applied") {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("%d records of the event given up, want 1: %+v", recorded, events)
	}
}

func TestDecideThroughTheStream(t *testing.T) {
	env := newDZEnv(t)
	env.startProjector(t, ProjectorConfig{})
	ctx := context.Background()
	r := env.saveRound(t, dossiertest.Round(t))
	at := r.Deadlines.ExplanationRequest.At.Add(time.Hour)
	early := r.Deadlines.Dossier.At.Add(-time.Hour)
	env.publish(t, dossier.EventVerdict, dossier.Document{ID: "sa", Round: r.ID, Nominee: "n01", Kind: dossier.KindSelfAssessment, Status: dossier.StatusAccepted, ReceivedAt: early, Revision: 1})
	env.publish(t, dossier.EventVerdict, dossier.Document{ID: "ad", Round: r.ID, Nominee: "n01", Kind: dossier.KindAssetDeclaration, Status: dossier.StatusAccepted, ReceivedAt: early, Revision: 1})
	seq := env.publish(t, dossier.EventVerdict, dossier.Document{ID: "late", Round: r.ID, Nominee: "n01", Kind: dossier.KindExplanationRequest, Status: dossier.StatusLate, ReceivedAt: at, Revision: 1})
	st := env.waitSeq(t, r.ID, seq)
	if ns := dossiertest.PersonOf(t, dossier.Status(r, st, at), "n01"); !ns.Complete || ns.Requests[0].State != dossier.RequestAwaitingDecision {
		t.Fatalf("before the decision: %+v", ns)
	}
	if _, err := env.store.Decide(ctx, dossier.RequestDecision{Round: r.ID, Request: "late", Decision: "perhaps"}); err == nil {
		t.Fatal("an invalid decision was published")
	}
	seq, err := env.store.Decide(ctx, dossier.RequestDecision{Round: r.ID, Request: "late", Decision: dossier.DecisionAccept, Note: "Hội nghị đồng ý xem xét", By: "bantochuc", At: at})
	if err != nil {
		t.Fatal(err)
	}
	st = env.waitFor(t, r.ID, "the decision", store.DecisionApplied("late", seq))
	ns := dossiertest.PersonOf(t, dossier.Status(r, st, at), "n01")
	if ns.Complete || ns.OpenRequests != 1 || ns.Requests[0].Decision == nil || ns.Requests[0].Decision.By != "bantochuc" {
		t.Fatalf("after accepting the late request: %+v", ns)
	}
	res, err := env.store.Rebuild(ctx, r.ID, true, time.Second)
	if err != nil || !res.Equal || res.Decisions != 1 {
		t.Fatalf("rebuild with a decision: %+v %v", res, err)
	}
}
