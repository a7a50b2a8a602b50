package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"tinnhiem/internal/app"
)

// WriteJSON answers v as JSON (indented, HTML not escaped: names stay readable), rendered into
// a buffer first so that an encoding failure is a clean 500, never half an answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal_error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
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
