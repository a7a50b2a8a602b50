package dossier

import (
	"fmt"
	"time"
)

// PacketSentEvent is what tn.dossier.<round>.packet_sent carries: the board recorded that the
// voters' packet went out (ParsePacketSent checked it). It is an event on the DOSSIER stream,
// applied by the projection like a verdict or a decision, so that the record survives a
// restart and a rebuild of the projection gives it back: dossier state is a projection of
// that stream. A later record (a correction of the date or the channel) replaces an earlier one.
type PacketSentEvent struct {
	Round string     `json:"round"`
	Sent  PacketSent `json:"sent"`
}

// PacketSubject is the subject of a round's packet-sent records.
func PacketSubject(round string) string { return "tn.dossier." + round + "." + subjectPacket }

// PacketRecord is the latest packet-sent record applied to a projection, with the stream
// sequence it came from.
type PacketRecord struct {
	PacketSent
	Seq uint64 `json:"q"`
}

// Validate checks a record before it is published and again when it is applied: an event that
// could never have come from ParsePacketSent is refused.
func (e PacketSentEvent) Validate() error {
	switch {
	case e.Sent.SentAt.IsZero():
		return fmt.Errorf("thiếu thời điểm gửi")
	case e.Sent.Channel == "":
		return fmt.Errorf("thiếu hình thức gửi")
	}
	if msg := checkText(e.Sent.Channel, maxChannel); msg != "" {
		return fmt.Errorf("hình thức gửi %s", msg)
	}
	return nil
}

// ApplyPacket applies a packet-sent record found at stream sequence seq; the latest one wins,
// whatever the order of delivery.
func (s *State) ApplyPacket(e PacketSentEvent, seq uint64) (bool, error) {
	if e.Round != "" && e.Round != s.Round {
		return false, fmt.Errorf("dossier: packet record belongs to round %q, not %q", e.Round, s.Round)
	}
	if err := e.Validate(); err != nil {
		return false, fmt.Errorf("dossier: packet record: %w", err)
	}
	changed := s.bump(seq)
	if s.Packet != nil && s.Packet.Seq >= seq {
		return changed, nil
	}
	p := e.Sent
	p.SentAt, p.RecordedAt = p.SentAt.UTC(), p.RecordedAt.UTC()
	s.Packet = &PacketRecord{PacketSent: p, Seq: seq}
	return true, nil
}

// PacketSent is the recorded sending of the packet, nil when none was recorded.
func (s *State) PacketSent() *PacketSent {
	if s == nil || s.Packet == nil {
		return nil
	}
	p := s.Packet.PacketSent
	return &p
}

func (p *PacketRecord) equal(o *PacketRecord) bool {
	if p == nil || o == nil {
		return p == o
	}
	return p.Seq == o.Seq && p.SentAt.Equal(o.SentAt) && p.DateOnly == o.DateOnly && p.Channel == o.Channel &&
		p.RecordedAt.Equal(o.RecordedAt) && p.RecordedBy == o.RecordedBy
}

// packetTime is how a record names its instant in a message id.
func packetTime(t time.Time) string { return fmt.Sprint(t.UTC().UnixNano()) }

// PacketMsgID is the de-duplication id of a record: one per round and moment of recording.
func (e PacketSentEvent) PacketMsgID() string {
	return "packet-" + e.Round + "-" + packetTime(e.Sent.RecordedAt)
}
