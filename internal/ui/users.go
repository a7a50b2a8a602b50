package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
)

// The accounts pages: the list and the page of each account for administrators (add, disable,
// enable, a new password, roles and organizations, end every session), and the page where
// everyone changes their own password. Every change goes through the core, as the API's do.

type usersPage struct {
	chrome
	Users   []userRow
	Add     accountForm
	Message string
	Items   []problemView
}

type userRow struct {
	Username, URL         string
	Roles, Organizations  string
	State, StateClass     string
	PasswordChanged       string
	Disabled, Self        bool
	DisableURL, EnableURL string
	RevokeURL             string
}

// accountForm is the add form and the edit form of an account: what was typed, kept when the
// core refuses it.
type accountForm struct {
	Username      string
	Roles         []option
	Organizations string
}

type userPage struct {
	chrome
	U        userRow
	Form     accountForm
	SaveURL  string
	PassURL  string
	Message  string
	Items    []problemView
	Problems map[string]string // by form field: the message shown beside it
}

type passwordPage struct {
	chrome
	Message  string
	Problems map[string]string
}

// accountsZone is the time zone accounts' times are shown in: they belong to no round.
var accountsZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}()

func accountTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(accountsZone).Format("15:04 02/01/2006")
}

func newUserRow(u auth.User, self string) userRow {
	roles := make([]string, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, roleLabel(r))
	}
	orgs := strings.Join(u.Organizations, "; ")
	if orgs == "" && slices.Contains(u.Roles, auth.RoleAdmin) {
		orgs = "mọi tổ chức"
	}
	base := "/users/" + url.PathEscape(u.Username)
	row := userRow{Username: u.Username, URL: base, Roles: strings.Join(roles, ", "), Organizations: orgs,
		State: "hoạt động", StateClass: "ok", PasswordChanged: accountTime(u.PasswordChangedAt), Disabled: u.Disabled,
		Self: u.Username == self, DisableURL: base + "/disable", EnableURL: base + "/enable", RevokeURL: base + "/revoke"}
	if u.Disabled {
		row.State, row.StateClass = "đã khóa", "bad"
	}
	return row
}

func roleOptions(selected []string) []option {
	var out []option
	for _, r := range auth.AllRoles() {
		out = append(out, option{Value: r, Label: roleLabel(r), Selected: slices.Contains(selected, r)})
	}
	return out
}

// orgLines reads the organizations box: one organization a line.
func orgLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// users lists every account, with the form to add one.
func (s *Server) users(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.renderUsers(w, r, p, http.StatusOK, accountForm{Roles: roleOptions(nil)}, nil)
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, add accountForm, refusal *app.Error) {
	list, err := s.app.Users(r.Context(), p)
	if err != nil {
		s.failed(w, r, p, err, "Không mở được danh sách tài khoản")
		return
	}
	pg := usersPage{chrome: chrome{Title: "Tài khoản", User: newUserView(p), Flash: flash(r), Back: "/", BackLabel: "Các đợt lấy phiếu"}, Add: add}
	for _, u := range list {
		pg.Users = append(pg.Users, newUserRow(u, p.Username))
	}
	if refusal != nil {
		pg.Message = accountRefusal(refusal)
		pg.Items = accountProblems(refusal.Problems)
	}
	s.render(w, r, status, "users", pg)
}

// addAccount creates an account from the form on the list.
func (s *Server) addAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !s.parseSmallForm(w, r, p) {
		return
	}
	form := accountForm{Username: strings.TrimSpace(r.PostFormValue("username")), Roles: roleOptions(r.PostForm["role"]),
		Organizations: r.PostFormValue("organizations")}
	n := auth.NewUser{Username: form.Username, Password: r.PostFormValue("password"), Roles: r.PostForm["role"], Organizations: orgLines(form.Organizations)}
	if n.Roles == nil {
		n.Roles = []string{}
	}
	if _, err := s.app.AddUser(r.Context(), p, n); err != nil {
		if e, ok := app.AsError(err); ok && (e.Kind == app.Invalid || e.Kind == app.Conflict) {
			s.renderUsers(w, r, p, web.Status(e.Kind), form, e)
			return
		}
		s.failed(w, r, p, err, "Chưa tạo được tài khoản")
		return
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(strings.ToLower(n.Username))+"?ok=user-added", http.StatusSeeOther)
}

// userDetail is one account's page.
func (s *Server) userDetail(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	u, err := s.app.User(r.Context(), p, r.PathValue("username"))
	if err != nil {
		s.failed(w, r, p, err, "Không mở được tài khoản")
		return
	}
	s.renderUser(w, r, p, http.StatusOK, u, accountForm{Roles: roleOptions(u.Roles), Organizations: strings.Join(u.Organizations, "\n")}, nil)
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, u auth.User, form accountForm, refusal *app.Error) {
	row := newUserRow(u, p.Username)
	pg := userPage{chrome: chrome{Title: "Tài khoản " + u.Username, User: newUserView(p), Flash: flash(r), Back: "/users", BackLabel: "Tài khoản"},
		U: row, Form: form, SaveURL: row.URL, PassURL: row.URL + "/password", Problems: map[string]string{}}
	if refusal != nil {
		pg.Message = accountRefusal(refusal)
		for _, pr := range refusal.Problems {
			if pr.Path == "" {
				pg.Items = append(pg.Items, problemView{Message: capitalize(pr.Message)})
				continue
			}
			pg.Problems[pr.Path] = joinMessage(pg.Problems[pr.Path], capitalize(pr.Message))
		}
	}
	s.render(w, r, status, "user", pg)
}

func joinMessage(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// saveAccount saves the roles and organizations of an account.
func (s *Server) saveAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !s.parseSmallForm(w, r, p) {
		return
	}
	roles := r.PostForm["role"]
	if roles == nil {
		roles = []string{}
	}
	form := accountForm{Roles: roleOptions(roles), Organizations: r.PostFormValue("organizations")}
	s.changeAccount(w, r, p, auth.Change{Roles: roles, Organizations: orgLines(form.Organizations)}, &form, "user-saved")
}

// setAccountPassword gives an account a new password (typed twice); every session of it ends.
func (s *Server) setAccountPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !s.parseSmallForm(w, r, p) {
		return
	}
	pw := r.PostFormValue("new_password")
	if pw != r.PostFormValue("new_password_again") {
		s.changeRefused(w, r, p, &app.Error{Kind: app.Invalid, Code: "invalid", Message: "mật khẩu chưa được đặt",
			Problems: []problem.Problem{{Path: "new_password_again", Message: "hai lần nhập mật khẩu mới không giống nhau"}}}, nil)
		return
	}
	s.changeAccount(w, r, p, auth.Change{Password: &pw}, nil, "user-password")
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	yes := true
	s.changeAccount(w, r, p, auth.Change{Disabled: &yes}, nil, "user-disabled")
}

func (s *Server) enableAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	no := false
	s.changeAccount(w, r, p, auth.Change{Disabled: &no}, nil, "user-enabled")
}

// revokeAccount ends every token and session of an account.
func (s *Server) revokeAccount(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	username := r.PathValue("username")
	if err := s.app.RevokeTokens(r.Context(), p, username); err != nil {
		s.changeRefused(w, r, p, err, nil)
		return
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(username)+"?ok=user-revoked", http.StatusSeeOther)
}

func (s *Server) changeAccount(w http.ResponseWriter, r *http.Request, p auth.Principal, c auth.Change, form *accountForm, ok string) {
	username := r.PathValue("username")
	if _, err := s.app.UpdateUser(r.Context(), p, username, c); err != nil {
		s.changeRefused(w, r, p, err, form)
		return
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(username)+"?ok="+ok, http.StatusSeeOther)
}

// changeRefused shows the account's page again with why a change was refused, beside what it
// concerns; what was typed in the roles form is kept.
func (s *Server) changeRefused(w http.ResponseWriter, r *http.Request, p auth.Principal, err error, form *accountForm) {
	e, ok := app.AsError(err)
	if !ok || (e.Kind != app.Invalid && e.Kind != app.Conflict) {
		s.failed(w, r, p, err, "Chưa thay đổi được tài khoản")
		return
	}
	u, uerr := s.app.User(r.Context(), p, r.PathValue("username"))
	if uerr != nil {
		s.failed(w, r, p, uerr, "Chưa thay đổi được tài khoản")
		return
	}
	f := accountForm{Roles: roleOptions(u.Roles), Organizations: strings.Join(u.Organizations, "\n")}
	if form != nil {
		f = *form
	}
	s.renderUser(w, r, p, web.Status(e.Kind), u, f, e)
}

// passwordForm is the page where anyone logged in changes their own password.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.render(w, r, http.StatusOK, "password", passwordPage{chrome: chrome{Title: "Đổi mật khẩu", User: newUserView(p), Back: "/", BackLabel: "Về trang đầu"},
		Problems: map[string]string{}})
}

// changePassword checks the current password (under the login throttle), sets the new one,
// ends every other session of the account and keeps this browser logged in with a new one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !s.parseSmallForm(w, r, p) {
		return
	}
	pg := passwordPage{chrome: chrome{Title: "Đổi mật khẩu", User: newUserView(p), Back: "/", BackLabel: "Về trang đầu"}, Problems: map[string]string{}}
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("new_password_again") {
		pg.Message = "Mật khẩu chưa được đổi."
		pg.Problems["new_password_again"] = "Hai lần nhập mật khẩu mới không giống nhau."
		s.render(w, r, http.StatusUnprocessableEntity, "password", pg)
		return
	}
	l, err := s.app.ChangeOwnPassword(r.Context(), p, r.PostFormValue("current_password"), next, web.ClientAddr(r), app.ViaWeb)
	if err != nil {
		e, ok := app.AsError(err)
		if !ok || (e.Kind != app.Invalid && e.Kind != app.TooMany) {
			s.failed(w, r, p, err, "Chưa đổi được mật khẩu")
			return
		}
		pg.Message = accountRefusal(e)
		for _, pr := range e.Problems {
			pg.Problems[pr.Path] = joinMessage(pg.Problems[pr.Path], capitalize(pr.Message))
		}
		if e.Kind == app.TooMany {
			w.Header().Set("Retry-After", itoaSeconds(e.RetryAfter))
		}
		s.render(w, r, web.Status(e.Kind), "password", pg)
		return
	}
	setSession(w, r, l.Token, int(l.ExpiresIn.Seconds()))
	http.Redirect(w, r, "/?ok=password-changed", http.StatusSeeOther)
}

func itoaSeconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// parseSmallForm reads a form of a few fields; a bad one is answered here.
func (s *Server) parseSmallForm(w http.ResponseWriter, r *http.Request, p auth.Principal) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Biểu mẫu không hợp lệ", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return false
	}
	return true
}

// accountRefusal is the sentence above a refused accounts form.
func accountRefusal(e *app.Error) string {
	if e.Kind == app.Invalid && len(e.Problems) > 0 {
		return "Có các lỗi dưới đây; chưa có gì được lưu."
	}
	return strings.TrimSuffix(capitalize(e.Message), ".") + "."
}

// accountProblems names the fields of the accounts forms.
func accountProblems(ps []problem.Problem) []problemView {
	out := make([]problemView, 0, len(ps))
	for _, pr := range ps {
		out = append(out, problemView{Field: accountFieldLabel(pr.Path), Message: capitalize(pr.Message)})
	}
	return out
}

func accountFieldLabel(path string) string {
	switch path {
	case "username":
		return "Tên đăng nhập"
	case "password", "new_password":
		return "Mật khẩu"
	case "new_password_again":
		return "Nhập lại mật khẩu"
	case "current_password":
		return "Mật khẩu hiện tại"
	case "roles":
		return "Vai trò"
	case "organization", "organizations":
		return "Tổ chức"
	}
	return ""
}
