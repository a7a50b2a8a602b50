package audit

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

func TestAppendAndList(t *testing.T) {
	ctx := context.Background()
	js := bustest.Start(t).JS
	l := New(js)
	ict := time.FixedZone("ICT", 7*3600)
	at := time.Date(2028, 11, 20, 9, 30, 0, 0, ict)
	events := []Event{
		{Actor: "admin", Action: "user.add", Target: "lan", Details: map[string]string{"roles": "organizer"}, At: at},
		{Actor: "lan", Action: "round.create", Round: "binh-son-2028", Details: map[string]string{"version": "1"}, At: at.Add(time.Minute)},
		{Actor: "lan", Action: "round.update", Round: "binh-son-2028", Details: map[string]string{"version": "2"}},
		{Actor: "mai", Action: "round.create", Round: "an-phu-2028"},
		{Actor: "lan", Action: "token.create"},
	}
	before := time.Now().UTC()
	for _, e := range events {
		if err := l.Append(ctx, e); err != nil {
			t.Fatalf("Append %s: %v", e.Action, err)
		}
	}

	round, err := l.List(ctx, "binh-son-2028", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(round) != 2 || round[0].Action != "round.create" || round[1].Action != "round.update" {
		t.Fatalf("round events %+v", round)
	}
	first := round[0]
	if first.Actor != "lan" || first.Round != "binh-son-2028" || first.Details["version"] != "1" || first.ID == "" || first.Seq == 0 {
		t.Errorf("event %+v", first)
	}
	if !first.At.Equal(at.Add(time.Minute)) || first.At.Location() != time.UTC {
		t.Errorf("given time %v, want %v in UTC", first.At, at.Add(time.Minute))
	}
	if second := round[1]; second.At.Before(before) || second.At.Location() != time.UTC || second.Seq <= first.Seq || second.ID == first.ID {
		t.Errorf("stamped event %+v", second)
	}

	global, err := l.List(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range global {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"user.add", "token.create"}) {
		t.Errorf("global events %q", actions)
	}
	if again, _ := l.List(ctx, GlobalScope, 0); len(again) != 2 {
		t.Errorf("List(GlobalScope) gives %d events", len(again))
	}
	if last, _ := l.List(ctx, "", 1); len(last) != 1 || last[0].Action != "token.create" {
		t.Errorf("limit 1 gives %+v, want the latest", last)
	}
	if none, err := l.List(ctx, "no-such-round", 0); err != nil || len(none) != 0 {
		t.Errorf("round without events: %v, %v", none, err)
	}
	// A round whose id starts like another's does not see its events.
	if other, _ := l.List(ctx, "binh-son", 0); len(other) != 0 {
		t.Errorf("binh-son sees %d events of binh-son-2028", len(other))
	}
}

// A retried step that gives its event an ID records it once.
func TestAppendIdempotent(t *testing.T) {
	ctx := context.Background()
	l := New(bustest.Start(t).JS)
	e := Event{ID: "doc-42-accepted", Actor: "ingest", Action: "document.accept", Round: "r1", Target: "doc-42"}
	for range 3 {
		if err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.List(ctx, "r1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "doc-42-accepted" {
		t.Errorf("events %+v, want one", got)
	}
}

// List reads past the first batch of a long history.
func TestListLongHistory(t *testing.T) {
	ctx := context.Background()
	l := New(bustest.Start(t).JS)
	const n = 620
	for i := range n {
		if err := l.Append(ctx, Event{Actor: "x", Action: "document.upload", Round: "r1", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.List(ctx, "r1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d events, want %d", len(got), n)
	}
	for i, e := range got {
		if e.Target != fmt.Sprint(i) {
			t.Fatalf("event %d is %s: out of order", i, e.Target)
		}
	}
	tail, err := l.List(ctx, "r1", 20)
	if err != nil || len(tail) != 20 || tail[0].Target != fmt.Sprint(n-20) {
		t.Errorf("last 20: %d events starting at %v (%v)", len(tail), tail, err)
	}
}

// The trail survives attempts to erase it through the stream API.
func TestAuditTrailCannotBeErased(t *testing.T) {
	ctx := context.Background()
	js := bustest.Start(t).JS
	l := New(js)
	for _, a := range []string{"round.create", "round.update"} {
		if err := l.Append(ctx, Event{Actor: "lan", Action: a, Round: "r1"}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := js.Stream(ctx, bus.StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("AUDIT purged")
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject("tn.audit.r1.>")); err == nil {
		t.Error("AUDIT purged for one round")
	}
	if err := s.Purge(ctx, jetstream.WithPurgeKeep(1)); err == nil {
		t.Error("AUDIT purged down to one message")
	}
	for seq := uint64(1); seq <= 2; seq++ {
		if err := s.DeleteMsg(ctx, seq); err == nil {
			t.Errorf("AUDIT message %d deleted", seq)
		}
	}
	cfg := s.CachedInfo().Config
	cfg.DenyPurge = false
	if _, err := js.UpdateStream(ctx, cfg); err == nil {
		t.Error("deny purge lifted")
	}
	got, err := l.List(ctx, "r1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("%d events left, want 2", len(got))
	}
}
