package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"tinnhiem/internal/app"
)

// indentUpTo is the largest answer that is indented for people to read; a larger one (the
// status of a 5,000-person round) goes compact: indenting it costs more than encoding it.
const indentUpTo = 256 << 10

// WriteJSON answers v as JSON (HTML not escaped: names stay readable; indented unless large),
// rendered into a buffer first so that an encoding failure is a clean 500, never half an answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var out []byte
	if a, ok := v.(JSONAppender); ok {
		data, err := a.AppendJSON(make([]byte, 0, 64<<10))
		if err != nil {
			http.Error(w, `{"error":{"code":"internal_error"}}`, http.StatusInternalServerError)
			return
		}
		out = append(data, '\n')
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			http.Error(w, `{"error":{"code":"internal_error"}}`, http.StatusInternalServerError)
			return
		}
		out = buf.Bytes()
	}
	if len(out) <= indentUpTo {
		var ind bytes.Buffer
		if json.Indent(&ind, out, "", "  ") == nil {
			out = ind.Bytes()
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// JSONAppender is an answer that writes its own JSON — compact, valid, HTML characters
// unescaped, as WriteJSON's encoder would — because it is large and encoding/json would spend
// longer checking a Marshaler's output than writing it (the dossier status of a big round).
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// Status is the HTTP status of a refusal of the core, the same for every face.
func Status(k app.Kind) int {
	switch k {
	case app.Invalid:
		return http.StatusUnprocessableEntity
	case app.BadRequest:
		return http.StatusBadRequest
	case app.Unauthorized:
		return http.StatusUnauthorized
	case app.Forbidden:
		return http.StatusForbidden
	case app.NotFound:
		return http.StatusNotFound
	case app.Conflict:
		return http.StatusConflict
	case app.TooLarge:
		return http.StatusRequestEntityTooLarge
	case app.TooMany:
		return http.StatusTooManyRequests
	case app.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
