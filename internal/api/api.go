// Package api is the HTTP JSON API of tinnhiem (DESIGN §4): authentication, rounds, documents,
// dossiers, tallies and artifacts. Handlers are thin: they check access, decode, call the domain
// packages and encode.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

// Server holds what the handlers need. Build it once and call Handler.
type Server struct {
	Rounds   *dossier.Rounds
	Auth     *auth.Store
	Audit    *audit.Log
	Throttle *auth.Throttle
	Log      *slog.Logger
	Now      func() time.Time
	Ready    func(ctx context.Context) error
	TokenTTL time.Duration

	// Documents (Ingest).
	JS      jetstream.JetStream
	Ingest  *ingest.Receiver
	Docs    *ingest.Documents
	Uploads jetstream.ObjectStore

	// Tally and minutes.
	Tallies   *minutes.Tallies
	Artifacts *publish.Store

	// Dossiers is the dossier projection, board decisions and alerts.
	Dossiers *dossier.Store
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
	mux.Handle("POST /api/v1/documents/{id}/review", s.authed(s.reviewDocument))

	mux.Handle("POST /api/v1/rounds/{round}/tally", s.authed(s.importTally))
	mux.Handle("GET /api/v1/rounds/{round}/tally", s.authed(s.showTally))
	mux.Handle("POST /api/v1/rounds/{round}/tally/seal", s.authed(s.sealTally))
	mux.Handle("GET /api/v1/rounds/{round}/artifacts", s.authed(s.listArtifacts))
	mux.Handle("GET /api/v1/rounds/{round}/artifacts/{kind}", s.authed(s.downloadArtifact))

	mux.Handle("GET /api/v1/users", s.authed(s.listUsers))
	mux.Handle("POST /api/v1/users", s.authed(s.addUser))
	mux.Handle("GET /api/v1/audit", s.authed(s.globalAudit))
	// Unknown API paths (and wrong methods) also need a login, so they reveal nothing.
	mux.Handle("/api/", s.authed(func(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
		writeError(w, http.StatusNotFound, "not_found", "không có địa chỉ này trong API")
	}))
	return mux
}

type principalKey struct{}

// PrincipalFrom returns the authenticated principal of a request.
func PrincipalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(auth.Principal)
	return p, ok
}

// WithPrincipal is used by other front ends (the web pages) that authenticate by cookie.
func WithPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// authed requires a valid bearer token.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := PrincipalFrom(r.Context()); ok {
			h(w, r, p)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tinnhiem"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "cần đăng nhập (Authorization: Bearer <token>)")
			return
		}
		p, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(tok), s.Now())
		if errors.Is(err, auth.ErrBadCredentials) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tinnhiem", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "mã truy cập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại")
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		h(w, r.WithContext(WithPrincipal(r.Context(), p)), p)
	})
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error struct {
		Code     string            `json:"code"`
		Message  string            `json:"message"`
		Problems []dossier.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeProblems(w http.ResponseWriter, ps []dossier.Problem) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Problems = "invalid", "dữ liệu không hợp lệ, không có gì được lưu", ps
	writeJSON(w, http.StatusUnprocessableEntity, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
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

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal_error", "lỗi hệ thống; thao tác chưa được thực hiện, hãy thử lại")
}

func forbidden(w http.ResponseWriter) {
	writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
}

func roundNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "not_found", "không tìm thấy đợt lấy phiếu "+id)
}

// visibleRound loads the round of the path and hides it (404) from users of other organizations.
func (s *Server) visibleRound(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Round, bool) {
	id := r.PathValue("round")
	rd, err := s.Rounds.Get(r.Context(), id)
	if errors.Is(err, dossier.ErrNotFound) || (err == nil && !p.Sees(rd.Organization)) {
		roundNotFound(w, id)
		return dossier.Round{}, false
	}
	if err != nil {
		s.internal(w, r, err)
		return dossier.Round{}, false
	}
	return rd, true
}

// roundAs is visibleRound for an action that needs one of roles: a round the user does not see
// is not found (404) before a round they see but may not act on is forbidden (403).
func (s *Server) roundAs(w http.ResponseWriter, r *http.Request, p auth.Principal, roles ...string) (dossier.Round, bool) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return dossier.Round{}, false
	}
	if !p.Has(roles...) {
		forbidden(w)
		return dossier.Round{}, false
	}
	return rd, true
}

func (s *Server) audit(r *http.Request, e audit.Event) {
	if err := s.Audit.Append(r.Context(), e); err != nil {
		s.Log.Error("audit append failed", "action", e.Action, "round", e.Round, "err", err)
	}
}
