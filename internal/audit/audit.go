// Package audit appends who did what, when and to which round to the AUDIT stream, which denies
// delete and purge, and reads it back.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/requestid"
)

// GlobalScope is the subject token for events that belong to no round (user changes, logins).
const GlobalScope = "_global"

// Event is one audited change.
type Event struct {
	ID      string            `json:"id"`
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"` // e.g. round.import, user.add, document.upload, tally.seal
	Round   string            `json:"round,omitempty"`
	Target  string            `json:"target,omitempty"` // document id, username, artifact …
	Details map[string]string `json:"details,omitempty"`
	Seq     uint64            `json:"seq,omitempty"`
}

// Log appends events to the AUDIT stream.
type Log struct {
	js jetstream.JetStream
}

// New returns a Log on the given JetStream context.
func New(js jetstream.JetStream) *Log { return &Log{js: js} }

// Append records an event. ID, when set by the caller, makes the append idempotent: a retried
// worker step records its event once (Nats-Msg-Id de-duplication).
func (l *Log) Append(ctx context.Context, e Event) error {
	if e.ID == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		e.ID = hex.EncodeToString(b[:])
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	e.At = e.At.UTC()
	scope := e.Round
	if scope == "" {
		scope = GlobalScope
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	msg := &nats.Msg{Subject: "tn.audit." + scope + "." + e.Action, Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "audit-"+e.ID)
	requestid.Stamp(ctx, msg.Header)
	if _, err := l.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("audit: append %s: %w", e.Action, err)
	}
	return nil
}

// List returns the events of a round (or GlobalScope), oldest first, at most limit (0 = all).
func (l *Log) List(ctx context.Context, round string, limit int) ([]Event, error) {
	if round == "" {
		round = GlobalScope
	}
	filter := "tn.audit." + round + ".>"
	cons, err := l.js.OrderedConsumer(ctx, bus.StreamAudit, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return nil, fmt.Errorf("audit: read: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: read: %w", err)
	}
	pending := int(info.NumPending)
	var out []Event
	for len(out) < pending {
		batch, err := cons.Fetch(min(pending-len(out), 500), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("audit: read: %w", err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var e Event
			if err := json.Unmarshal(m.Data(), &e); err != nil {
				continue
			}
			if md, err := m.Metadata(); err == nil {
				e.Seq = md.Sequence.Stream
			}
			out = append(out, e)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("audit: read: %w", err)
		}
		if n == 0 {
			break
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}
