package worker

import (
	"context"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/internal/store"
)

// The packet step is alerted like the other deadlines until its sending is recorded: the
// record is an event the projector applies, a replay gives it back, and the watcher — a
// restarted one too — raises nothing more for the packet once it is there, while the other
// deadlines go on.
func TestPacketRecordStopsItsAlerts(t *testing.T) {
	env := newDZEnv(t)
	ctx := context.Background()
	r := env.saveRound(t, dossiertest.Round(t))
	at := r.Deadlines.Packet.At
	if at.IsZero() {
		t.Fatal("the test round has no packet deadline")
	}
	stop, err := NewProjector(env.js, env.store, ProjectorConfig{AckWait: 5 * time.Second}).Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)

	w := NewWatcher(env.store, WatcherConfig{Owner: "w1"})
	as, err := w.Raise(ctx, []dossier.Round{r}, at.Add(-30*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := findAlert(as, dossier.DeadlinePacket, "72h"); !ok || len(a.Persons) == 0 {
		t.Fatalf("72h before the packet deadline: %+v", as)
	}

	// The board records the sending; the projector applies it.
	sent, err := dossier.ParsePacketSent(r, "2028-11-28T09:30", "Bản giấy qua Văn phòng Tỉnh ủy", at)
	if err != nil {
		t.Fatal(err)
	}
	sent.RecordedAt, sent.RecordedBy = at.Add(-29*time.Hour), "bantochuc"
	seq, err := env.store.RecordPacket(ctx, dossier.PacketSentEvent{Round: r.ID, Sent: sent})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := env.store.WaitFor(wctx, r.ID, store.PacketApplied(seq)); err != nil {
		t.Fatalf("the projector did not apply the record: %v", err)
	}
	replayed, err := env.store.Replay(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := replayed.PacketSent(); got == nil || got.Channel != sent.Channel || !got.SentAt.Equal(sent.SentAt) {
		t.Fatalf("the replay lost the record: %+v", got)
	}
	res, err := env.store.Rebuild(ctx, r.ID, false, 2*time.Second)
	if err != nil || !res.Equal {
		t.Fatalf("rebuild: %+v %v", res, err)
	}

	// The 24h and 2h leads, the overdue moment: nothing more for the packet, from this watcher
	// or a restarted one; the dossier's alerts still come.
	for _, watcher := range []*Watcher{w, NewWatcher(env.store, WatcherConfig{Owner: "restarted"})} {
		for _, now := range []time.Time{at.Add(-time.Hour), at.Add(5 * time.Hour)} {
			as, err := watcher.Raise(ctx, []dossier.Round{r}, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				if a.Deadline == dossier.DeadlinePacket {
					t.Errorf("packet alert %s raised at %v after the sending was recorded", a.Lead, now)
				}
			}
		}
	}
	if as, _ := NewWatcher(env.store, WatcherConfig{}).Raise(ctx, []dossier.Round{r}, r.Deadlines.ExplanationRequest.At.Add(time.Hour)); len(as) == 0 {
		t.Error("the other deadlines' alerts stopped too")
	}
	all, err := env.store.Alerts(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	packet := 0
	for _, a := range all {
		if a.Deadline == dossier.DeadlinePacket {
			packet++
		}
	}
	if packet != 1 {
		t.Errorf("%d packet alerts stored, want the one raised before the record", packet)
	}
}

func findAlert(as []dossier.Alert, deadline, lead string) (dossier.Alert, bool) {
	for _, a := range as {
		if a.Deadline == deadline && a.Lead == lead {
			return a, true
		}
	}
	return dossier.Alert{}, false
}
