package dossier

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The dossier status of a 5,000-person round is some 3 MB of JSON. encoding/json spends most of
// its time on it in reflection over two small maps per person; these appenders write the same
// bytes (TestStatusJSONSameAsReflection) several times faster.

// Statuses is a list of persons' dossiers that writes its own JSON: what encoding/json would
// write with HTML characters unescaped (an Encoder told SetEscapeHTML(false)), without checking
// it again.
type Statuses []NomineeStatus

// AppendJSON appends the list as a JSON array.
func (ss Statuses) AppendJSON(b []byte) ([]byte, error) {
	if ss == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, ns := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = ns.appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// MarshalJSON writes ns as encoding/json would from its field tags.
func (ns NomineeStatus) MarshalJSON() ([]byte, error) {
	return ns.appendJSON(make([]byte, 0, 512))
}

func (ns NomineeStatus) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"nominee":`...)
	b = appendString(b, ns.Nominee)
	b = append(b, `,"name":`...)
	b = appendString(b, ns.Name)
	if ns.Position != "" {
		b = append(b, `,"position":`...)
		b = appendString(b, ns.Position)
	}
	b = append(b, `,"exempt":`...)
	b = appendString(b, ns.Exempt)
	if ns.ExemptReason != "" {
		b = append(b, `,"exempt_reason":`...)
		b = appendString(b, ns.ExemptReason)
	}
	b = append(b, `,"documents":`...)
	if ns.Documents == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, k := range sortedKinds(ns.Documents) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, string(k))
			b = append(b, ':')
			b = appendString(b, ns.Documents[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"missing":`...)
	if ns.Missing == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, k := range ns.Missing {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, string(k))
		}
		b = append(b, ']')
	}
	b = append(b, `,"open_requests":`...)
	b = strconv.AppendInt(b, int64(ns.OpenRequests), 10)
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, ns.Complete)
	b = append(b, `,"overdue":`...)
	b = strconv.AppendBool(b, ns.Overdue)
	b = append(b, `,"versions":`...)
	if ns.Versions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, k := range sortedKinds(ns.Versions) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, string(k))
			b = append(b, ':')
			var err error
			if b, err = appendVersions(b, ns.Versions[k]); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	b = append(b, `,"requests":`...)
	switch {
	case ns.Requests == nil:
		b = append(b, "null"...)
	case len(ns.Requests) == 0:
		b = append(b, "[]"...)
	default:
		// Few and rare: encoding/json writes them, HTML characters unescaped like the rest.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ns.Requests); err != nil {
			return nil, err
		}
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
	if ns.Removed {
		b = append(b, `,"removed":true`...)
	}
	return append(b, '}'), nil
}

// MarshalJSON writes v as encoding/json would from its field tags.
func (v DocVersion) MarshalJSON() ([]byte, error) {
	return appendVersion(make([]byte, 0, 160), v)
}

func appendVersions(b []byte, vs []DocVersion) ([]byte, error) {
	if vs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendVersion(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func appendVersion(b []byte, v DocVersion) ([]byte, error) {
	b = append(b, `{"document_id":`...)
	b = appendString(b, v.DocumentID)
	b = append(b, `,"status":`...)
	b = appendString(b, v.Status)
	b = append(b, `,"received_at":`...)
	var err error
	if b, err = appendTime(b, v.ReceivedAt); err != nil {
		return nil, err
	}
	if v.File != "" {
		b = append(b, `,"file":`...)
		b = appendString(b, v.File)
	}
	if v.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendString(b, v.Reason)
	}
	if v.Current {
		b = append(b, `,"current":true`...)
	}
	if v.Kind != "" {
		b = append(b, `,"kind":`...)
		b = appendString(b, string(v.Kind))
	}
	if v.Nominee != "" {
		b = append(b, `,"nominee":`...)
		b = appendString(b, v.Nominee)
	}
	return append(b, '}'), nil
}

// appendTime is time.Time's own MarshalJSON, appended.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	data, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}

func sortedKinds[V any](m map[Kind]V) []Kind {
	ks := make([]Kind, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does: control characters escaped, invalid UTF-8 as
// U+FFFD, U+2028 and U+2029 escaped. <, > and & are left as they are: encoding/json escapes them
// in a Marshaler's output when its caller asks it to (json.Marshal does, an Encoder told
// SetEscapeHTML(false) does not), as it does for the strings it writes itself.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendState writes a projection as encoding/json would from its field tags, except that the
// documents and decisions come in map order, not sorted: the order of an object's keys means
// nothing to a reader, and sorting 10,000 ids each time the projector stores a round would cost
// as much as the rest.
func appendState(b []byte, s *State) ([]byte, error) {
	b = append(b, `{"round":`...)
	b = appendString(b, s.Round)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, s.Seq, 10)
	b = append(b, `,"docs":`...)
	if s.Docs == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		first := true
		for id, e := range s.Docs {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, id)
			b = append(b, `:{"s":`...)
			b = appendString(b, e.Status)
			if e.Kind != "" {
				b = append(b, `,"k":`...)
				b = appendString(b, string(e.Kind))
			}
			if e.Nominee != "" {
				b = append(b, `,"n":`...)
				b = appendString(b, e.Nominee)
			}
			b = append(b, `,"t":`...)
			var err error
			if b, err = appendTime(b, e.ReceivedAt); err != nil {
				return nil, err
			}
			b = append(b, `,"v":`...)
			b = strconv.AppendInt(b, int64(e.Revision), 10)
			b = append(b, `,"q":`...)
			b = strconv.AppendUint(b, e.Seq, 10)
			for _, f := range [...]struct{ key, v string }{{`,"f":`, e.File}, {`,"r":`, e.Reason}, {`,"rr":`, e.RequestRef}, {`,"rq":`, e.Requester}, {`,"a":`, e.Answers}} {
				if f.v != "" {
					b = append(b, f.key...)
					b = appendString(b, f.v)
				}
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if len(s.Decisions) > 0 {
		// Few: encoding/json writes them.
		data, err := json.Marshal(s.Decisions)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"decisions":`...)
		b = append(b, data...)
	}
	if s.Packet != nil {
		// One record at most: encoding/json writes it.
		data, err := json.Marshal(s.Packet)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"packet":`...)
		b = append(b, data...)
	}
	return append(b, '}'), nil
}
