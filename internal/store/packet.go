package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
)

// RecordPacket publishes the board's record of the packet's sending on the DOSSIER stream and
// returns its stream sequence; the projector applies it (dossier.State.ApplyPacket).
func (s *Dossiers) RecordPacket(ctx context.Context, e dossier.PacketSentEvent) (uint64, error) {
	if err := e.Validate(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("dossier: encode packet record: %w", err)
	}
	msg := &nats.Msg{Subject: dossier.PacketSubject(e.Round), Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, e.PacketMsgID())
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, fmt.Errorf("dossier: publish packet record of %s: %w", e.Round, err)
	}
	return ack.Sequence, nil
}

// PacketApplied is the WaitFor condition of a packet record published at seq.
func PacketApplied(seq uint64) func(*dossier.State) bool {
	return func(st *dossier.State) bool { return st.Packet != nil && st.Packet.Seq >= seq }
}
