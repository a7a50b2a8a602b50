// Package requestid follows one request through the system: the id of an HTTP request travels
// in its context, in the NATS headers of every message the request causes, into the context of
// the worker that handles each message, and into every log line written with that context.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// Header is the HTTP and NATS header that carries the id.
const Header = "X-Request-Id"

// LogKey is the key of the id in log lines.
const LogKey = "request_id"

// MaxLen is the longest id taken from a client.
const MaxLen = 64

type ctxKey struct{}

// With returns ctx carrying id; an id that is not well-formed is not carried.
func With(ctx context.Context, id string) context.Context {
	if !Valid(id) {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, id)
}

// From is the id ctx carries, "" when none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New makes an id: 16 random bytes in hex.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Valid says whether an id given by a client may be used as it is: 1 to MaxLen characters among
// letters, digits and "-_.:" — enough for UUIDs and the ids proxies make, and nothing that could
// forge a log line or a header.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// Stamp sets the header of a message about to be published (a nats.Header or an http.Header)
// to the id ctx carries; without one it leaves the header alone.
func Stamp(ctx context.Context, h map[string][]string) {
	if id := From(ctx); id != "" && h != nil {
		h[Header] = []string{id}
	}
}

// FromHeader returns ctx carrying the id of a received message's header, when it has a
// well-formed one.
func FromHeader(ctx context.Context, h map[string][]string) context.Context {
	if v := h[Header]; len(v) > 0 {
		return With(ctx, v[0])
	}
	return ctx
}

// LogHandler adds the id the context carries to every record logged with a …Context method.
func LogHandler(next slog.Handler) slog.Handler { return logHandler{next} }

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(LogKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.next.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.next.WithGroup(name)} }
