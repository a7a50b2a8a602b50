package ui

import (
	"net/http"
	"net/url"
	"strings"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
)

// sessionCookie holds the API token of a logged-in browser. The token is the same kind the
// API issues, so one store, one expiry rule and one revocation serve both.
const sessionCookie = "tn_session"

type pageHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// principal resolves the session cookie; ok is false when there is none or it is no longer
// valid. err is a failure of the store, not of the visitor.
func (s *Server) principal(r *http.Request) (auth.Principal, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return auth.Principal{}, false, nil
	}
	p, err := s.app.Authenticate(r.Context(), c.Value)
	if e, ok := app.AsError(err); ok && e.Kind == app.Unauthorized {
		return auth.Principal{}, false, nil
	}
	if err != nil {
		return auth.Principal{}, false, err
	}
	return p, true, nil
}

// page requires a login: without one, a GET is sent to the login page (and back here after);
// anything else is refused, since a form posted from an expired session cannot be replayed.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok, err := s.principal(r)
		if err != nil {
			s.log.ErrorContext(r.Context(), "ui: session lookup failed", "path", r.URL.Path, "err", err)
			s.errorPage(w, r, nil, http.StatusInternalServerError, "Lỗi hệ thống", "Lỗi hệ thống; hãy thử lại sau ít phút.")
			return
		}
		if !ok {
			clearSession(w, r)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, nil, http.StatusUnauthorized, "Cần đăng nhập", "Phiên làm việc đã hết hạn. Hãy đăng nhập lại rồi thực hiện lại thao tác.")
			return
		}
		h(w, r, p)
	}
}

// jsonAuthed is page for the small JSON endpoints the page scripts poll: no redirect, a 401.
func (s *Server) jsonAuthed(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok, err := s.principal(r)
		if err != nil {
			s.log.ErrorContext(r.Context(), "ui: session lookup failed", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Lỗi hệ thống; hãy thử lại."})
			return
		}
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Phiên làm việc đã hết hạn; hãy đăng nhập lại."})
			return
		}
		h(w, r, p)
	}
}

// sameOrigin refuses a state-changing request that another site made the browser send. The
// session cookie is SameSite=Strict already; this is the second lock, for browsers and
// proxies that get SameSite wrong. Browsers send Origin on every POST; when a privacy setting
// strips it, the Referer (kept same-origin by our Referrer-Policy) is checked instead. A
// request with neither is refused: a browser form never sends such a thing.
func (s *Server) sameOrigin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !fromSameOrigin(r) {
			s.log.WarnContext(r.Context(), "ui: cross-origin request refused", "method", r.Method, "path", r.URL.Path,
				"origin", r.Header.Get("Origin"), "referer_host", refererHost(r), "host", r.Host)
			s.errorPage(w, r, nil, http.StatusForbidden, "Yêu cầu bị từ chối",
				"Yêu cầu này không được gửi từ chính trang của hệ thống nên đã bị từ chối. Hãy mở lại trang và thực hiện lại thao tác.")
			return
		}
		next(w, r)
	}
}

// fromSameOrigin compares the host of Origin (or, without it, of Referer) with the Host the
// request was sent to. Behind a reverse proxy that does not pass the Host on, the host the
// browser used arrives in X-Forwarded-Host; that header is accepted too, since a page of another
// site cannot make a browser send it (it is not a header a form sets, and a script that sets it
// needs a CORS preflight, which this server never grants).
func fromSameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	source := r.Header.Get("Origin")
	if source == "" {
		source = r.Header.Get("Referer")
	}
	if source == "" {
		return false
	}
	if sameHost(source, r.Host) {
		return true
	}
	fwd, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	fwd = strings.TrimSpace(fwd)
	return fwd != "" && sameHost(source, fwd)
}

func sameHost(rawURL, host string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // includes Origin: null (sandboxed frames, file: pages)
	}
	return strings.EqualFold(u.Host, host)
}

func refererHost(r *http.Request) string {
	u, err := url.Parse(r.Header.Get("Referer"))
	if err != nil {
		return ""
	}
	return u.Host
}

func setSession(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overTLS(r),
	})
}

// overTLS: the request came over TLS, to this server or to the reverse proxy in front of it.
// Trusting the proxy's header here costs nothing: a forged one only makes the cookie Secure,
// which a plain-HTTP browser then refuses to keep.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(sessionCookie); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overTLS(r),
	})
}

// safeNext keeps a post-login destination on this site: a path, never a scheme, a host, or
// something a browser would read as one ("//evil", "/\evil"). Anything else means the home page.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	for _, c := range next {
		// Control characters and backslashes are rewritten by browsers in ways that can turn a
		// path into a host; a real page address never holds them.
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if u.Path == "/login" {
		return "/"
	}
	return next
}
