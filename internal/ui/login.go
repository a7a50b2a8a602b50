package ui

import (
	"net/http"
	"strconv"
	"strings"
	"tinnhiem/internal/app"
	"tinnhiem/internal/web"
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

// login checks the password through the core (one throttle with POST /api/v1/tokens), and keeps
// the token it issues in an HttpOnly, SameSite=Strict cookie (Secure over TLS).
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

	if username == "" || password == "" {
		pg.Error = "Hãy nhập tên đăng nhập và mật khẩu."
		s.render(w, r, http.StatusBadRequest, "login", pg)
		return
	}
	l, err := s.app.Login(r.Context(), username, password, web.ClientAddr(r), app.ViaWeb)
	if err != nil {
		e, ok := app.AsError(err)
		switch {
		case ok && e.Kind == app.TooMany:
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
			pg.Error = capitalize(e.Message) + "."
			s.render(w, r, http.StatusTooManyRequests, "login", pg)
		case ok && e.Kind == app.Unauthorized:
			pg.Error = "Sai tên đăng nhập hoặc mật khẩu."
			s.render(w, r, http.StatusUnauthorized, "login", pg)
		default:
			s.log.ErrorContext(r.Context(), "ui: login", "username", username, "err", err)
			pg.Error = "Lỗi hệ thống; hãy thử lại sau ít phút."
			s.render(w, r, http.StatusInternalServerError, "login", pg)
		}
		return
	}
	setSession(w, r, l.Token, int(l.ExpiresIn.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout revokes the session's token, so a copied cookie stops working too.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.app.Logout(r.Context(), c.Value, app.ViaWeb); err != nil {
			s.log.ErrorContext(r.Context(), "ui: revoke session token", "err", err)
		}
	}
	clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
