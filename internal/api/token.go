package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"username","password"}`)
		return
	}
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := s.Now()
	keys := []string{"user:" + req.Username, "addr:" + host}
	for _, k := range keys {
		if wait := s.Throttle.Wait(k, now); wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			s.Log.Warn("login throttled", "username", req.Username, "remote", host, "wait_s", secs)
			writeError(w, http.StatusTooManyRequests, "too_many_attempts",
				fmt.Sprintf("đăng nhập sai quá nhiều lần; hãy thử lại sau %d giây", secs))
			return
		}
	}
	u, err := s.Auth.Check(r.Context(), req.Username, req.Password)
	if errors.Is(err, auth.ErrBadCredentials) {
		// The wait runs from the moment the failure is known: a slow check must not use it up.
		n, failedAt := 0, s.Now()
		for _, k := range keys {
			n = max(n, s.Throttle.Fail(k, failedAt))
		}
		s.Log.Warn("login failed", "username", req.Username, "remote", host, "failures", n)
		writeError(w, http.StatusUnauthorized, "bad_credentials", "sai tên đăng nhập hoặc mật khẩu")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, k := range keys {
		s.Throttle.Succeed(k)
	}
	tok, err := s.Auth.IssueToken(r.Context(), u.Username, now, s.TokenTTL)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, audit.Event{Actor: u.Username, Action: "token.create", Details: map[string]string{"remote": host}})
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "username": u.Username, "roles": u.Roles, "expires_in": int(s.TokenTTL.Seconds())})
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err := s.Auth.RevokeToken(r.Context(), strings.TrimSpace(tok)); err != nil {
		s.internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	writeJSON(w, http.StatusOK, p)
}
