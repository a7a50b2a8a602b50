package dossier

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// MaxStateSize bounds one round's stored projection below the server's 8 MiB payload limit.
const MaxStateSize = 7 << 20

// Event types on a round's document subject (DocumentEvent.Type).
const (
	EventVerdict = "verdict"
	EventReview  = "review"
)

// Board decisions on a request for explanation received after its deadline.
const (
	DecisionAccept   = "accept"
	DecisionSetAside = "set_aside"
)

// RequestDecision is what tn.dossier.<round>.request_decision carries: the board accepts a late
// request for explanation (the person then owes an answer) or sets it aside. It is an event, not
// a KV write, so that replaying the stream reproduces it.
type RequestDecision struct {
	Round    string    `json:"round"`
	Request  string    `json:"request"` // document id of the request for explanation
	Decision string    `json:"decision"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// DecisionSubject is the subject of a round's board decisions on late requests.
func DecisionSubject(round string) string { return "tn.dossier." + round + ".request_decision" }

// Validate checks a decision before it is published.
func (d RequestDecision) Validate() error {
	switch {
	case d.Request == "":
		return fmt.Errorf("thiếu mã đề nghị giải trình")
	case d.Decision != DecisionAccept && d.Decision != DecisionSetAside:
		return fmt.Errorf("quyết định phải là %s (chấp nhận) hoặc %s (không xem xét), không phải %q", DecisionAccept, DecisionSetAside, d.Decision)
	case len([]rune(d.Note)) > 1000:
		return fmt.Errorf("ghi chú dài quá 1000 ký tự")
	}
	return nil
}

// State is the projection of one round's DOSSIER events: the latest verdict of every document
// and the board's decisions on late requests. Status is computed from it at read time together
// with the current round, so a change of roster or deadline shows at once. Field names are short
// because a 5,000-person round holds some 10,000 documents in one KV value.
type State struct {
	Round     string              `json:"round"`
	Seq       uint64              `json:"seq"` // highest stream sequence applied
	Docs      map[string]DocEntry `json:"docs"`
	Decisions map[string]Decision `json:"decisions,omitempty"` // by request document id
	// Packet is the latest record of the packet's sending (PacketSentEvent); nil when none.
	Packet *PacketRecord `json:"packet,omitempty"`
}

// DocEntry is the part of a document's latest event that the dossier needs.
type DocEntry struct {
	Status     string    `json:"s"`
	Kind       Kind      `json:"k,omitempty"`
	Nominee    string    `json:"n,omitempty"`
	ReceivedAt time.Time `json:"t"`
	Revision   int       `json:"v"`
	Seq        uint64    `json:"q"` // stream sequence of the event this entry came from
	File       string    `json:"f,omitempty"`
	Reason     string    `json:"r,omitempty"`
	RequestRef string    `json:"rr,omitempty"`
	Requester  string    `json:"rq,omitempty"`
	Answers    string    `json:"a,omitempty"`
}

// Decision is the board's latest decision on one late request.
type Decision struct {
	Decision string    `json:"d"`
	Note     string    `json:"o,omitempty"`
	By       string    `json:"b"`
	At       time.Time `json:"t"`
	Seq      uint64    `json:"q"`
}

// NewState returns the empty projection of a round.
func NewState(round string) *State {
	return &State{Round: round, Docs: map[string]DocEntry{}, Decisions: map[string]Decision{}}
}

// ApplyDocument applies a document event found at stream sequence seq and reports whether the
// state changed. The newest event of a document wins by (revision, sequence), which makes the
// result independent of the order of delivery: replicas and redeliveries converge on the state
// a replay in stream order gives.
func (s *State) ApplyDocument(ev DocumentEvent, seq uint64) (bool, error) {
	d := ev.Document
	if d.ID == "" {
		return false, fmt.Errorf("dossier: document event without document id")
	}
	if d.Round != "" && d.Round != s.Round {
		return false, fmt.Errorf("dossier: document %s belongs to round %q, not %q", d.ID, d.Round, s.Round)
	}
	changed := s.bump(seq)
	cur, ok := s.Docs[d.ID]
	if ok && (cur.Revision > d.Revision || (cur.Revision == d.Revision && cur.Seq >= seq)) {
		return changed, nil
	}
	s.Docs[d.ID] = DocEntry{
		Status: d.Status, Kind: d.Kind, Nominee: d.Nominee, ReceivedAt: d.ReceivedAt.UTC(),
		Revision: d.Revision, Seq: seq, File: d.File, Reason: d.Reason,
		RequestRef: d.RequestRef, Requester: d.Requester, Answers: d.AnswersRequest,
	}
	return true, nil
}

// ApplyDecision applies a board decision found at stream sequence seq; the latest one wins.
func (s *State) ApplyDecision(d RequestDecision, seq uint64) (bool, error) {
	if d.Round != "" && d.Round != s.Round {
		return false, fmt.Errorf("dossier: decision on %s belongs to round %q, not %q", d.Request, d.Round, s.Round)
	}
	if err := d.Validate(); err != nil {
		return false, fmt.Errorf("dossier: decision: %w", err)
	}
	changed := s.bump(seq)
	if cur, ok := s.Decisions[d.Request]; ok && cur.Seq >= seq {
		return changed, nil
	}
	if s.Decisions == nil {
		s.Decisions = map[string]Decision{}
	}
	s.Decisions[d.Request] = Decision{Decision: d.Decision, Note: d.Note, By: d.By, At: d.At.UTC(), Seq: seq}
	return true, nil
}

func (s *State) bump(seq uint64) bool {
	if seq > s.Seq {
		s.Seq = seq
		return true
	}
	return false
}

// Equal reports whether two projections hold the same documents, decisions and sequence.
func (s *State) Equal(o *State) bool { return len(s.Diff(o, 1)) == 0 }

// Diff lists up to max differences between two projections, for people comparing a rebuild with
// the live state.
func (s *State) Diff(o *State, max int) []string {
	var out []string
	add := func(format string, args ...any) bool {
		out = append(out, fmt.Sprintf(format, args...))
		return len(out) >= max
	}
	if s.Round != o.Round && add("round %q ≠ %q", s.Round, o.Round) {
		return out
	}
	if s.Seq != o.Seq && add("seq %d ≠ %d", s.Seq, o.Seq) {
		return out
	}
	for _, id := range unionKeys(s.Docs, o.Docs) {
		a, inA := s.Docs[id]
		b, inB := o.Docs[id]
		switch {
		case !inA:
			if add("document %s chỉ có ở bản thứ hai", id) {
				return out
			}
		case !inB:
			if add("document %s chỉ có ở bản thứ nhất", id) {
				return out
			}
		case !a.equal(b):
			if add("document %s: %s/%s/%s rev %d ≠ %s/%s/%s rev %d", id, a.Status, a.Kind, a.Nominee, a.Revision, b.Status, b.Kind, b.Nominee, b.Revision) {
				return out
			}
		}
	}
	for _, id := range unionKeys(s.Decisions, o.Decisions) {
		a, inA := s.Decisions[id]
		b, inB := o.Decisions[id]
		if inA != inB || a.Decision != b.Decision || a.Note != b.Note || a.By != b.By || !a.At.Equal(b.At) || a.Seq != b.Seq {
			if add("quyết định về %s: %q ≠ %q", id, a.Decision, b.Decision) {
				return out
			}
		}
	}
	if !s.Packet.equal(o.Packet) && add("ghi nhận gửi hồ sơ: %s ≠ %s", packetWords(s.Packet), packetWords(o.Packet)) {
		return out
	}
	return out
}

func packetWords(p *PacketRecord) string {
	if p == nil {
		return "không có"
	}
	return fmt.Sprintf("%s (%s, seq %d)", p.SentAt.Format("2006-01-02T15:04Z07:00"), p.Channel, p.Seq)
}

func (e DocEntry) equal(o DocEntry) bool {
	return e.Status == o.Status && e.Kind == o.Kind && e.Nominee == o.Nominee && e.ReceivedAt.Equal(o.ReceivedAt) &&
		e.Revision == o.Revision && e.Seq == o.Seq && e.File == o.File && e.Reason == o.Reason &&
		e.RequestRef == o.RequestRef && e.Requester == o.Requester && e.Answers == o.Answers
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// EncodeState serialises a projection for the KV store. The projector writes a round's state
// once per batch of events, so this is written by hand (appendState): the JSON encoding/json
// would write but for the order of the documents, several times faster than it.
func EncodeState(s *State) ([]byte, error) {
	data, err := appendState(make([]byte, 0, 64+len(s.Docs)*160), s)
	if err != nil {
		return nil, fmt.Errorf("dossier: encode state %s: %w", s.Round, err)
	}
	return data, nil
}

// DecodeState reads a stored projection.
func DecodeState(data []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("dossier: decode state: %w", err)
	}
	if s.Docs == nil {
		s.Docs = map[string]DocEntry{}
	}
	if s.Decisions == nil {
		s.Decisions = map[string]Decision{}
	}
	return &s, nil
}

// Subject kinds of the DOSSIER stream that the projection consumes.
const (
	subjectDocument = "document"
	subjectDecision = "request_decision"
	subjectPacket   = "packet_sent"
)

// ParseSubject splits tn.dossier.<round>.<kind> into the round and kind.
func ParseSubject(subject string) (round, kind string, err error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 || parts[0] != "tn" || parts[1] != "dossier" || !roundIDPattern.MatchString(parts[2]) {
		return "", "", fmt.Errorf("dossier: unexpected subject %q", subject)
	}
	switch parts[3] {
	case subjectDocument, subjectDecision, subjectPacket:
		return parts[2], parts[3], nil
	}
	return "", "", fmt.Errorf("dossier: unexpected subject %q", subject)
}

// Apply decodes one message of the DOSSIER stream (subject, data) found at seq and applies it.
// An error means the message can never be applied (poison): the caller terminates it.
func (s *State) Apply(subject string, data []byte, seq uint64) (bool, error) {
	round, kind, err := ParseSubject(subject)
	if err != nil {
		return false, err
	}
	if round != s.Round {
		return false, fmt.Errorf("dossier: message of round %s applied to %s", round, s.Round)
	}
	switch kind {
	case subjectDocument:
		var ev DocumentEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return false, fmt.Errorf("dossier: decode document event: %w", err)
		}
		if ev.Type != EventVerdict && ev.Type != EventReview {
			return false, fmt.Errorf("dossier: document event of unknown type %q", ev.Type)
		}
		return s.ApplyDocument(ev, seq)
	case subjectPacket:
		var e PacketSentEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return false, fmt.Errorf("dossier: decode packet record: %w", err)
		}
		return s.ApplyPacket(e, seq)
	default:
		var d RequestDecision
		if err := json.Unmarshal(data, &d); err != nil {
			return false, fmt.Errorf("dossier: decode decision: %w", err)
		}
		return s.ApplyDecision(d, seq)
	}
}

// Clone is a copy of the projection that shares nothing a caller may change with s.
func (s *State) Clone() *State {
	c := &State{Round: s.Round, Seq: s.Seq, Docs: make(map[string]DocEntry, len(s.Docs)), Decisions: make(map[string]Decision, len(s.Decisions))}
	for id, e := range s.Docs {
		c.Docs[id] = e
	}
	for id, d := range s.Decisions {
		c.Decisions[id] = d
	}
	if s.Packet != nil {
		p := *s.Packet
		c.Packet = &p
	}
	return c
}
