// Package ui is the web front end staff use: login, the rounds they may see, each round's
// dossiers, uploads and deadline alerts, document verdicts and reviews, and the tally — its
// entry by the counting committee, the double-entry comparison, the seal and the sealed PDFs.
// Pages are rendered on the server from embedded templates. Like the JSON API, the pages are a
// face over the application core (internal/app): they call its functions with the logged-in
// principal and render what comes back, so both faces apply the same rules.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/requestid"
	"tinnhiem/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Server renders the pages. Build it once with New; it only reads after that.
type Server struct {
	app        *app.App
	log        *slog.Logger
	sessionTTL time.Duration
	pages      map[string]*template.Template
	static     fs.FS
	// assets maps a static file name to a short hash of its content, appended to its URL so
	// that browsers may cache it for long and still see a new version at once.
	assets map[string]string
}

// New parses the templates (once) and returns the pages over the application core a. The core
// holds the login throttle, so a password guessed at on the login page and at POST
// /api/v1/tokens counts against the same limit. sessionTTL is how long a browser's login lasts
// (the core's SessionTTL), shown nowhere but kept in the cookie.
func New(a *app.App, log *slog.Logger, sessionTTL time.Duration) (*Server, error) {
	if a == nil {
		return nil, fmt.Errorf("ui: the application core is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{app: a, log: log, sessionTTL: sessionTTL, assets: map[string]string{}}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: static files: %w", err)
	}
	s.static = static
	entries, err := fs.ReadDir(static, ".")
	if err != nil {
		return nil, fmt.Errorf("ui: static files: %w", err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(static, e.Name())
		if err != nil {
			return nil, fmt.Errorf("ui: static %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(data)
		s.assets[e.Name()] = hex.EncodeToString(sum[:4])
	}
	if s.pages, err = parsePages(s.assetURL); err != nil {
		return nil, err
	}
	return s, nil
}

// parsePages parses each page together with the shared layout into its own template set, so
// that every page can define the same block names.
func parsePages(asset func(string) string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":      asset,
		"stateLabel": stateLabel,
		"stateClass": stateClass,
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue // partials, parsed with every page
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/_*.html", name)
		if err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

func (s *Server) assetURL(name string) string {
	return "/static/" + name + "?v=" + s.assets[name]
}

// Handler returns the routes of the web pages. Mount it at "/" beside the API's /api/ routes.
func (s *Server) Handler() http.Handler {
	mux := &securedMux{http.NewServeMux()}
	mux.HandleFunc("GET /static/{file}", s.serveStatic)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.Handle("POST /login", s.sameOrigin(s.login))
	mux.Handle("POST /logout", s.sameOrigin(s.logout))

	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /import", s.page(s.importForm))
	mux.Handle("POST /import", s.sameOrigin(s.page(s.importRound)))
	mux.Handle("GET /rounds/{round}", s.page(s.round))
	mux.Handle("POST /rounds/{round}/documents", s.sameOrigin(s.page(s.upload)))
	mux.Handle("GET /rounds/{round}/uploads", s.page(s.uploads))
	mux.Handle("POST /rounds/{round}/requests/{id}/decision", s.sameOrigin(s.page(s.decide)))
	mux.Handle("GET /rounds/{round}/tally", s.page(s.tally))
	mux.Handle("GET /rounds/{round}/tally/entry", s.page(s.tallyEntry))
	mux.Handle("POST /rounds/{round}/tally/entry", s.sameOrigin(s.page(s.submitTally)))
	mux.Handle("POST /rounds/{round}/tally/seal", s.sameOrigin(s.page(s.seal)))
	mux.Handle("GET /rounds/{round}/artifacts/{kind}", s.page(s.artifact))
	mux.Handle("GET /rounds/{round}/ballot", s.page(s.ballotPDF))
	mux.Handle("GET /rounds/{round}/packet", s.page(s.packetPDF))
	mux.Handle("POST /rounds/{round}/packet/sent", s.sameOrigin(s.page(s.recordPacketSent)))
	mux.Handle("POST /rounds/{round}/publish", s.sameOrigin(s.page(s.publish)))
	// The published results of a public round: no login (publication.go).
	pub := newPublicPages(s)
	mux.HandleFunc("GET /public/rounds/{round}", pub.round)
	mux.HandleFunc("GET /public/rounds/{round}/{file}", pub.file)
	mux.Handle("GET /documents/{id}", s.page(s.document))
	mux.Handle("GET /documents/{id}/verdict", s.jsonAuthed(s.verdict))
	mux.Handle("GET /documents/{id}/file", s.page(s.documentFile))
	mux.Handle("GET /documents/{id}/rendering", s.page(s.documentRendering))
	mux.Handle("POST /documents/{id}/review", s.sameOrigin(s.page(s.review)))
	mux.Handle("GET /users", s.page(s.users))
	mux.Handle("POST /users", s.sameOrigin(s.page(s.addAccount)))
	mux.Handle("GET /users/{username}", s.page(s.userDetail))
	mux.Handle("POST /users/{username}", s.sameOrigin(s.page(s.saveAccount)))
	mux.Handle("POST /users/{username}/password", s.sameOrigin(s.page(s.setAccountPassword)))
	mux.Handle("POST /users/{username}/disable", s.sameOrigin(s.page(s.disableAccount)))
	mux.Handle("POST /users/{username}/enable", s.sameOrigin(s.page(s.enableAccount)))
	mux.Handle("POST /users/{username}/revoke", s.sameOrigin(s.page(s.revokeAccount)))
	mux.Handle("GET /account/password", s.page(s.passwordForm))
	mux.Handle("POST /account/password", s.sameOrigin(s.page(s.changePassword)))
	// Anything else is "not found" — after login, so that the shape of the site is not shown
	// to strangers.
	mux.Handle("/", s.page(func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		s.notFound(w, r, p, "Không có trang này.")
	}))
	return mux
}

// securedMux registers every route of the pages behind securityHeaders.
type securedMux struct{ *http.ServeMux }

func (m *securedMux) Handle(pattern string, h http.HandlerFunc) {
	m.ServeMux.HandleFunc(pattern, securityHeaders(h))
}

func (m *securedMux) HandleFunc(pattern string, h http.HandlerFunc) { m.Handle(pattern, h) }

// securityHeaders keeps pages out of frames and other sites' scripts out of pages, and stops
// browsers and proxies from keeping copies of pages that hold personal data.
func securityHeaders(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin keeps the Referer on our own POSTs (the CSRF check reads it when a
		// browser sends no Origin) and never leaks page addresses to other sites.
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next(w, r)
	}
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := fs.ReadFile(s.static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", http.DetectContentType(data))
	}
	if r.URL.Query().Get("v") == s.assets[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

// chrome is what every page's layout shows around its content.
type chrome struct {
	Title string
	User  *userView
	Flash string
	// Back links to the parent page ("" on the home page).
	Back, BackLabel string
}

type userView struct {
	Username      string
	Roles         string
	Organizations string
	Admin         bool // links to the accounts pages
}

func newUserView(p auth.Principal) *userView {
	roles := make([]string, 0, len(p.Roles))
	for _, r := range p.Roles {
		roles = append(roles, roleLabel(r))
	}
	orgs := strings.Join(p.Organizations, "; ")
	if p.IsAdmin() && orgs == "" {
		orgs = "mọi tổ chức"
	}
	return &userView{Username: p.Username, Roles: strings.Join(roles, ", "), Organizations: orgs, Admin: app.May(p, app.ManageUsers, nil)}
}

// render executes a page into a buffer first, so that a template error becomes a clean 500
// instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.log.ErrorContext(r.Context(), "ui: no such page template", "page", page)
		http.Error(w, "Lỗi hệ thống.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.ErrorContext(r.Context(), "ui: render page", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "Lỗi hệ thống khi hiển thị trang; hãy thử lại.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the page of every refusal and failure.
type errorPage struct {
	chrome
	Status  int
	Message string
	Items   []problemView
	// RequestID, on a system error, is what a person quotes to whoever reads the logs.
	RequestID string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, title, msg string, items ...problemView) {
	pg := errorPage{chrome: chrome{Title: title, Back: "/", BackLabel: "Về trang đầu"}, Status: status, Message: msg, Items: items}
	if status >= 500 {
		pg.RequestID = requestid.From(r.Context())
	}
	if p != nil {
		pg.User = newUserView(*p)
	}
	s.render(w, r, status, "error", pg)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, p auth.Principal, msg string) {
	s.errorPage(w, r, &p, http.StatusNotFound, "Không tìm thấy", msg)
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.errorPage(w, r, &p, http.StatusForbidden, "Không có quyền", "Tài khoản của bạn không có quyền thực hiện thao tác này.")
}

// failed shows a refusal of the core as a page — its message and each problem — and anything
// else as an internal error.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, p auth.Principal, err error, title string) {
	e, ok := app.AsError(err)
	if !ok {
		s.internal(w, r, p, err)
		return
	}
	switch e.Kind {
	case app.NotFound:
		title = "Không tìm thấy"
	case app.Forbidden:
		title = "Không có quyền"
	}
	msg := strings.TrimSuffix(capitalize(e.Message), ".") + "."
	if e.Kind == app.Invalid {
		msg = "Có các lỗi dưới đây; chưa có gì được lưu. Hãy sửa rồi gửi lại."
	}
	pg := errorPage{chrome: chrome{Title: title, User: newUserView(p), Back: "/", BackLabel: "Về trang đầu"}, Status: web.Status(e.Kind),
		Message: msg, Items: problemLines(e.Problems)}
	if back := r.Header.Get("Referer"); back != "" && sameHost(back, r.Host) {
		pg.Back, pg.BackLabel = back, "Quay lại"
	}
	s.render(w, r, pg.Status, "error", pg)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, p auth.Principal, err error) {
	s.log.ErrorContext(r.Context(), "ui: request failed", "method", r.Method, "path", r.URL.Path, "user", p.Username, "err", err)
	s.errorPage(w, r, &p, http.StatusInternalServerError, "Lỗi hệ thống", "Lỗi hệ thống; thao tác chưa được thực hiện. Hãy thử lại sau ít phút.")
}

// flash is the fixed message a redirect asked the next page to show. Only a key travels in the
// URL, so nobody can make a page say words of their choosing.
func flash(r *http.Request) string {
	switch r.URL.Query().Get("ok") {
	case "imported":
		return "Đã lưu đợt lấy phiếu."
	case "reviewed":
		return "Đã xác nhận loại tài liệu và người nộp."
	case "decided":
		return "Đã ghi quyết định của ban tổ chức về đề nghị giải trình."
	case "entered-1":
		return "Đã lưu lần nhập 1. Hãy kiểm tra số liệu dưới đây; nếu ban kiểm phiếu nhập kép, người thứ hai nhập lần 2 để đối chiếu."
	case "entered-2":
		return "Đã lưu lần nhập 2. Các ô khác với lần nhập 1 (nếu đã có lần nhập 1) được liệt kê dưới đây."
	case "sealed":
		return "Đã niêm phong kết quả kiểm phiếu; biên bản đang được lập."
	case "sealed-confirmed":
		return "Đã niêm phong kết quả kiểm phiếu; các vấn đề ban kiểm phiếu xác nhận được ghi vào biên bản, đang được lập."
	case "packet-sent":
		return "Đã ghi nhận việc gửi hồ sơ đến người tham gia lấy phiếu."
	case "published":
		return "Đã công bố kết quả; trang công khai mở cho mọi người, không cần đăng nhập."
	case "user-added":
		return "Đã tạo tài khoản."
	case "user-saved":
		return "Đã lưu vai trò và tổ chức của tài khoản."
	case "user-disabled":
		return "Đã khóa tài khoản; mọi phiên đăng nhập và mã truy cập của tài khoản đã kết thúc."
	case "user-enabled":
		return "Đã mở khóa tài khoản."
	case "user-revoked":
		return "Đã kết thúc mọi phiên đăng nhập và mã truy cập của tài khoản."
	case "user-password":
		return "Đã đặt mật khẩu mới; mọi phiên đăng nhập và mã truy cập cũ của tài khoản đã kết thúc."
	case "password-changed":
		return "Đã đổi mật khẩu. Mọi phiên đăng nhập khác của tài khoản đã kết thúc."
	}
	return ""
}
