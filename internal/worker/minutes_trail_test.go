package worker_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

// The minutes take the trail: the packet's sending from its record, the requests for
// explanation from the projection, and the issues the committee confirmed when it sealed.
func TestMinutesTakeTheTrail(t *testing.T) {
	ctx := context.Background()
	ns, rd, tallies := setup(t)
	rounds := store.NewRounds(ns.KV(t, bus.BucketRounds))
	rd, _, err := rounds.Save(ctx, rd, "admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	artifacts := &publish.Store{Objects: ns.Objects(t, bus.ObjectArtifacts), Index: ns.KV(t, bus.BucketArtifacts)}
	dossiers := store.NewDossiers(ns.JS)
	mw := &worker.Minutes{JS: ns.JS, Tallies: tallies.Tallies, Rounds: rounds, Artifacts: artifacts, Audit: audit.New(ns.JS),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dossiers: dossiers}

	// A request for explanation of n01, answered; the packet went on 28/11 at 9:30.
	st := dossiertest.NewBuilder(t, rd.ID).Req("rq", "n01", dossier.StatusAccepted, "").Expl("ex", "n01", dossier.StatusAccepted, "rq", "").State
	sent, err := dossier.ParsePacketSent(rd, "2028-11-28T09:30", "Bản giấy qua Văn phòng Tỉnh ủy", rd.Deadlines.Packet.At)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyPacket(dossier.PacketSentEvent{Round: rd.ID, Sent: sent}, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := dossiers.Save(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	rep := dossier.Status(rd, st, time.Now())
	issues := minutes.SealIssues(rd, rep, st.PacketSent())
	if len(issues) == 0 {
		t.Fatal("test bug: the round raises no sealing issue")
	}
	s, err := tallies.SealConfirming(ctx, rd, "counter1", tallies.now, issues)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Issues) != len(issues) {
		t.Fatalf("the sealed version keeps %d issues, want %d", len(s.Issues), len(issues))
	}
	arts, err := mw.Render(ctx, rd.ID, s.Version)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, a := range arts {
		rc, err := artifacts.Open(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		texts[a.Kind] = strings.Join(strings.Fields(res.Text), " ")
	}
	session := texts["bien-ban-hoi-nghi"]
	for _, want := range []string{"9 giờ 30 phút ngày 28/11/2028", "Bản giấy qua Văn phòng Tỉnh ủy", "Trần Quốc Hùng",
		"nhận được 1 đề nghị giải trình", "tất cả đã được giải trình bằng văn bản"} {
		if !strings.Contains(session, want) {
			t.Errorf("session minutes: %q missing:\n%s", want, session)
		}
	}
	// The first words of the confirmed issue (the dossiers still incomplete) are in the issues.
	first := strings.Join(strings.Fields(issues[0])[:8], " ")
	if !strings.Contains(texts["bien-ban-kiem-phieu"], first) {
		t.Errorf("counting minutes lack the confirmed issue %q:\n%s", first, texts["bien-ban-kiem-phieu"])
	}
}
