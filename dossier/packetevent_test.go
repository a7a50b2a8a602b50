package dossier_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/dossier/dossiertest"
)

// The packet's record is an event of the projection: applied through Apply, the latest by
// stream sequence wins whatever the order of delivery, a rebuild compares it.
func TestApplyPacketRecord(t *testing.T) {
	r := dossiertest.Round(t)
	now := time.Date(2028, 12, 1, 10, 0, 0, 0, r.Location())
	first, err := dossier.ParsePacketSent(r, "2028-11-30", "Bản giấy qua Văn phòng Tỉnh ủy", now)
	if err != nil {
		t.Fatal(err)
	}
	first.RecordedAt, first.RecordedBy = now, "bantochuc"
	second, err := dossier.ParsePacketSent(r, "2028-11-29T16:30", "Bản giấy và thư điện tử công vụ", now)
	if err != nil {
		t.Fatal(err)
	}
	second.RecordedAt, second.RecordedBy = now.Add(time.Hour), "bantochuc"
	msg := func(p dossier.PacketSent) []byte {
		data, err := json.Marshal(dossier.PacketSentEvent{Round: r.ID, Sent: p})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	inOrder, shuffled := dossier.NewState(r.ID), dossier.NewState(r.ID)
	if inOrder.PacketSent() != nil {
		t.Fatal("an empty projection has a packet record")
	}
	for _, step := range []struct {
		st  *dossier.State
		p   dossier.PacketSent
		seq uint64
	}{{inOrder, first, 4}, {inOrder, second, 9}, {shuffled, second, 9}, {shuffled, first, 4}, {shuffled, second, 9}} {
		if _, err := step.st.Apply(dossier.PacketSubject(r.ID), msg(step.p), step.seq); err != nil {
			t.Fatal(err)
		}
	}
	got := inOrder.PacketSent()
	if got == nil || got.Channel != second.Channel || !got.SentAt.Equal(second.SentAt) || got.DateOnly || inOrder.Seq != 9 {
		t.Fatalf("latest record: %+v (seq %d)", got, inOrder.Seq)
	}
	if d := shuffled.Diff(inOrder, 5); len(d) > 0 {
		t.Errorf("out of order differs: %v", d)
	}
	if d := dossier.NewState(r.ID).Diff(inOrder, 5); len(d) == 0 || !strings.Contains(strings.Join(d, " "), "gửi hồ sơ") {
		t.Errorf("a missing record is not a difference: %v", d)
	}
	// Stored and read back, the record is the same.
	data, err := dossier.EncodeState(inOrder)
	if err != nil {
		t.Fatal(err)
	}
	back, err := dossier.DecodeState(data)
	if err != nil || !back.Equal(inOrder) {
		t.Errorf("decoded state differs: %v %v", err, back.Diff(inOrder, 3))
	}
	// A record that ParsePacketSent could not have made is poison; another round's too.
	for _, bad := range []string{`{"round":"dz-test","sent":{"channel":"giấy"}}`, `{"round":"dz-test","sent":{"sent_at":"2028-11-30T00:00:00Z"}}`, `{"round":"other","sent":{"sent_at":"2028-11-30T00:00:00Z","channel":"giấy"}}`, `{`} {
		if _, err := dossier.NewState(r.ID).Apply(dossier.PacketSubject(r.ID), []byte(bad), 1); err == nil {
			t.Errorf("%s applied", bad)
		}
	}
	if round, kind, err := dossier.ParseSubject("tn.dossier.dz-test.packet_sent"); err != nil || round != "dz-test" || kind != "packet_sent" {
		t.Errorf("subject: %s %s %v", round, kind, err)
	}
}
