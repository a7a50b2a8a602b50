// Package api is the HTTP JSON API of tinnhiem (DESIGN §4): one face over the application core
// (internal/app). A handler decodes the request, calls the core with the caller's principal,
// and encodes the answer — or the core's *app.Error, whose kind decides the status.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
)

// Server is the API. Build it once and call Handler.
type Server struct {
	App   *app.App
	Log   *slog.Logger
	Ready func(ctx context.Context) error // /readyz: NATS connected, streams there
}

// Handler returns the routes. Every /api/ route but token creation needs a bearer token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("POST /api/v1/tokens", s.createToken)
	mux.Handle("DELETE /api/v1/tokens", s.authed(s.deleteToken))
	mux.Handle("GET /api/v1/me", s.authed(s.me))

	mux.Handle("GET /api/v1/rounds", s.authed(s.listRounds))
	mux.Handle("POST /api/v1/rounds", s.authed(s.importRound))
	mux.Handle("GET /api/v1/rounds/{round}", s.authed(s.getRound))
	mux.Handle("GET /api/v1/rounds/{round}/audit", s.authed(s.roundAudit))
	mux.Handle("GET /api/v1/rounds/{round}/dossiers", s.authed(s.listDossiers))
	mux.Handle("POST /api/v1/rounds/{round}/dossiers/rebuild", s.authed(s.rebuildDossiers))
	mux.Handle("POST /api/v1/rounds/{round}/requests/{document}/decision", s.authed(s.decideRequest))
	mux.Handle("GET /api/v1/rounds/{round}/alerts", s.authed(s.listAlerts))

	mux.Handle("POST /api/v1/rounds/{round}/documents", s.authed(s.uploadDocuments))
	mux.Handle("GET /api/v1/rounds/{round}/documents", s.authed(s.listRoundDocuments))
	mux.Handle("GET /api/v1/documents/{id}", s.authed(s.getDocument))
	mux.Handle("GET /api/v1/documents/{id}/file", s.authed(s.downloadDocument))
	mux.Handle("GET /api/v1/documents/{id}/rendering", s.authed(s.downloadRendering))
	mux.Handle("POST /api/v1/documents/{id}/review", s.authed(s.reviewDocument))

	mux.Handle("POST /api/v1/rounds/{round}/tally", s.authed(s.importTally))
	mux.Handle("GET /api/v1/rounds/{round}/tally", s.authed(s.showTally))
	mux.Handle("POST /api/v1/rounds/{round}/tally/seal", s.authed(s.sealTally))
	mux.Handle("GET /api/v1/rounds/{round}/artifacts", s.authed(s.listArtifacts))
	mux.Handle("GET /api/v1/rounds/{round}/artifacts/{kind}", s.authed(s.downloadArtifact))
	mux.Handle("GET /api/v1/rounds/{round}/tally/warnings", s.authed(s.sealWarnings))
	mux.Handle("GET /api/v1/rounds/{round}/ballot", s.authed(s.ballot))
	mux.Handle("GET /api/v1/rounds/{round}/packet", s.authed(s.packet))
	mux.Handle("GET /api/v1/rounds/{round}/packet/sent", s.authed(s.packetSent))
	mux.Handle("POST /api/v1/rounds/{round}/packet/sent", s.authed(s.recordPacketSent))
	mux.Handle("POST /api/v1/rounds/{round}/publish", s.authed(s.publish))

	mux.Handle("GET /api/v1/users", s.authed(s.listUsers))
	mux.Handle("POST /api/v1/users", s.authed(s.addUser))
	mux.Handle("GET /api/v1/users/{username}", s.authed(s.getUser))
	mux.Handle("PATCH /api/v1/users/{username}", s.authed(s.patchUser))
	mux.Handle("DELETE /api/v1/users/{username}/tokens", s.authed(s.revokeUserTokens))
	mux.Handle("POST /api/v1/me/password", s.authed(s.changeMyPassword))
	mux.Handle("GET /api/v1/audit", s.authed(s.globalAudit))
	mux.Handle("GET /api/v1/backup", s.authed(s.backup))
	// Unknown API paths (and wrong methods) also need a login, so they reveal nothing.
	mux.Handle("/api/", s.authed(func(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
		writeError(w, http.StatusNotFound, "not_found", "không có địa chỉ này trong API")
	}))
	return noStore(mux)
}

// noStore marks every answer as one to be read as sent and never kept: answers carry personal
// data and tokens, which no browser cache or proxy may hold.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// authed requires a valid bearer token.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tinnhiem"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "cần đăng nhập (Authorization: Bearer <token>)")
			return
		}
		p, err := s.App.Authenticate(r.Context(), strings.TrimSpace(tok))
		if e, ok := app.AsError(err); ok && e.Kind == app.Unauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tinnhiem", error="invalid_token"`)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, p)
	})
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Problems []problem.Problem `json:"problems,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	web.WriteJSON(w, status, errorBody{errorDetail{Code: code, Message: msg}})
}

// fail answers an error of the core: its kind, code, message and problems; anything else is an
// internal error, logged here once.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.failWith(w, r, err, nil)
}

// failWith is fail with more fields in the body (the documents an upload did receive).
func (s *Server) failWith(w http.ResponseWriter, r *http.Request, err error, extra map[string]any) {
	e, ok := app.AsError(err)
	if !ok {
		s.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &app.Error{Kind: 0, Code: "internal_error", Message: "lỗi hệ thống; thao tác chưa được thực hiện, hãy thử lại"}
	}
	code := web.Status(e.Kind)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	body := map[string]any{"error": errorDetail{Code: e.Code, Message: e.Message, Problems: e.Problems}}
	for k, v := range extra {
		body[k] = v
	}
	web.WriteJSON(w, code, body)
}

// utcStamp is how every time in the API's JSON is written: RFC 3339 in UTC, to the second.
func utcStamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// versionParam reads ?version=N (a sealed version, 1 or more; 0 when absent).
func versionParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &app.Error{Kind: app.BadRequest, Code: "bad_version", Message: "version phải là số phiên bản (1, 2, …), không phải " + strconv.Quote(v)}
	}
	return n, nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		web.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not_ready", "reason": err.Error()})
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

var errNoBody = errors.New("empty body")
