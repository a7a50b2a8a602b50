package ui

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

type loginPage struct {
	chrome
	Next     string
	Username string
	Error    string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	// Someone already logged in has nothing to do here.
	if _, ok, err := s.principal(r); err == nil && ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{chrome: chrome{Title: "Đăng nhập"}, Next: next})
}

// maxLoginForm bounds the login form; a username and a password are a few dozen bytes.
const maxLoginForm = 8 << 10

// login checks the password with the same throttle and keys as POST /api/v1/tokens, issues a
// token and keeps it in an HttpOnly, SameSite=Strict cookie (Secure over TLS).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "login", loginPage{chrome: chrome{Title: "Đăng nhập"}, Next: "/", Error: "Biểu mẫu đăng nhập không hợp lệ."})
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	pg := loginPage{chrome: chrome{Title: "Đăng nhập"}, Next: next, Username: username}

	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := s.api.Now()
	keys := []string{"user:" + username, "addr:" + host}
	for _, k := range keys {
		if wait := s.api.Throttle.Wait(k, now); wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			s.api.Log.Warn("login throttled", "username", username, "remote", host, "wait_s", secs, "via", "web")
			pg.Error = fmt.Sprintf("Đăng nhập sai quá nhiều lần; hãy thử lại sau %d giây.", secs)
			s.render(w, r, http.StatusTooManyRequests, "login", pg)
			return
		}
	}
	if username == "" || password == "" {
		pg.Error = "Hãy nhập tên đăng nhập và mật khẩu."
		s.render(w, r, http.StatusBadRequest, "login", pg)
		return
	}
	u, err := s.api.Auth.Check(r.Context(), username, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		n := 0
		for _, k := range keys {
			n = max(n, s.api.Throttle.Fail(k, now))
		}
		s.api.Log.Warn("login failed", "username", username, "remote", host, "failures", n, "via", "web")
		pg.Error = "Sai tên đăng nhập hoặc mật khẩu."
		s.render(w, r, http.StatusUnauthorized, "login", pg)
		return
	}
	if err != nil {
		s.api.Log.Error("ui: login", "username", username, "err", err)
		pg.Error = "Lỗi hệ thống; hãy thử lại sau ít phút."
		s.render(w, r, http.StatusInternalServerError, "login", pg)
		return
	}
	for _, k := range keys {
		s.api.Throttle.Succeed(k)
	}
	tok, err := s.api.Auth.IssueToken(r.Context(), u.Username, now, s.cfg.SessionTTL)
	if err != nil {
		s.api.Log.Error("ui: issue session token", "username", u.Username, "err", err)
		pg.Error = "Lỗi hệ thống; hãy thử lại sau ít phút."
		s.render(w, r, http.StatusInternalServerError, "login", pg)
		return
	}
	s.appendAudit(r, audit.Event{Actor: u.Username, Action: "token.create", Details: map[string]string{"remote": host, "via": "web"}})
	setSession(w, r, tok, int(s.cfg.SessionTTL.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout revokes the session's token, so a copied cookie stops working too.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if p, ok, _ := s.principal(r); ok {
			s.appendAudit(r, audit.Event{Actor: p.Username, Action: "token.revoke", Details: map[string]string{"via": "web"}})
		}
		if err := s.api.Auth.RevokeToken(r.Context(), c.Value); err != nil {
			s.api.Log.Error("ui: revoke session token", "err", err)
		}
	}
	clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) appendAudit(r *http.Request, e audit.Event) {
	if s.api.Audit == nil {
		return
	}
	if err := s.api.Audit.Append(r.Context(), e); err != nil {
		s.api.Log.Error("audit append failed", "action", e.Action, "round", e.Round, "err", err)
	}
}
