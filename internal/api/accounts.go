package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
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
	l, err := s.App.Login(r.Context(), req.Username, req.Password, web.ClientAddr(r), app.ViaAPI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"token": l.Token, "username": l.User.Username, "roles": l.User.Roles, "expires_in": int(l.ExpiresIn.Seconds())})
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err := s.App.Logout(r.Context(), strings.TrimSpace(tok), app.ViaAPI); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	web.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	users, err := s.App.Users(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, users)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.ManageUsers, nil) {
		s.fail(w, r, &app.Error{Kind: app.Forbidden, Code: "forbidden", Message: "tài khoản của bạn không có quyền thực hiện thao tác này"})
		return
	}
	var n auth.NewUser
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&n); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"username","password","roles":[…],"organizations":[…]}`)
		return
	}
	u, err := s.App.AddUser(r.Context(), p, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, u)
}

func (s *Server) roundAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.writeAudit(w, r, p, r.PathValue("round"))
}

func (s *Server) globalAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.writeAudit(w, r, p, "")
}

func (s *Server) writeAudit(w http.ResponseWriter, r *http.Request, p auth.Principal, round string) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	events, err := s.App.AuditTrail(r.Context(), p, round, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, events)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	u, err := s.App.User(r.Context(), p, r.PathValue("username"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, u)
}

// patchFields are the fields PATCH /api/v1/users/{username} takes (DESIGN §5); "organizations"
// is the plural the account's JSON itself uses.
var patchFields = []string{"disabled", "password", "roles", "organization", "organizations"}

// patchUser changes an account: any of {"disabled","password","roles","organization"}.
// Disabling it or a new password ends every token and session of it at once.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.ManageUsers, nil) {
		s.fail(w, r, &app.Error{Kind: app.Forbidden, Code: "forbidden", Message: "tài khoản của bạn không có quyền thực hiện thao tác này"})
		return
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON với ít nhất một trong {"disabled","password","roles","organization"}`)
		return
	}
	c, ps := decodeChange(raw)
	if len(ps) > 0 {
		s.fail(w, r, &app.Error{Kind: app.Invalid, Code: "invalid", Message: "dữ liệu không hợp lệ, không có gì được lưu", Problems: ps})
		return
	}
	u, err := s.App.UpdateUser(r.Context(), p, r.PathValue("username"), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, u)
}

// decodeChange reads a PATCH body field by field, so that each wrong one is named: roles and
// organization take a list or one string (roles also comma-separated).
func decodeChange(raw map[string]json.RawMessage) (auth.Change, []problem.Problem) {
	var c auth.Change
	var ps []problem.Problem
	bad := func(path, msg string) { ps = append(ps, problem.Problem{Path: path, Code: "bad_type", Message: msg}) }
	for k, v := range raw {
		switch k {
		case "disabled":
			var b bool
			if json.Unmarshal(v, &b) != nil {
				bad(k, "disabled phải là true hoặc false")
				continue
			}
			c.Disabled = &b
		case "password":
			var pw string
			if json.Unmarshal(v, &pw) != nil {
				bad(k, "password phải là một chuỗi")
				continue
			}
			c.Password = &pw
		case "roles":
			list, ok := stringOrList(v)
			if !ok {
				bad(k, `roles phải là một danh sách, ví dụ ["organizer"]`)
				continue
			}
			var roles []string
			for _, r := range list {
				for _, one := range strings.Split(r, ",") {
					if one = strings.TrimSpace(one); one != "" {
						roles = append(roles, one)
					}
				}
			}
			c.Roles = append([]string{}, roles...)
		case "organization", "organizations":
			list, ok := stringOrList(v)
			if !ok {
				bad(k, k+" phải là tên một tổ chức hoặc một danh sách tên")
				continue
			}
			c.Organizations = append(c.Organizations, list...)
			if c.Organizations == nil {
				c.Organizations = []string{}
			}
		default:
			ps = append(ps, problem.Problem{Path: k, Code: "unknown_field", Message: "trường không có: " + k + " (chỉ nhận " + strings.Join(patchFields[:4], ", ") + ")"})
		}
	}
	return c, ps
}

// stringOrList reads a JSON string or a list of strings.
func stringOrList(v json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(v, &one) == nil {
		if strings.TrimSpace(one) == "" {
			return []string{}, true
		}
		return []string{one}, true
	}
	var list []string
	if json.Unmarshal(v, &list) == nil {
		if list == nil {
			list = []string{}
		}
		return list, true
	}
	return nil, false
}

// revokeUserTokens ends every token and web session of an account.
func (s *Server) revokeUserTokens(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := s.App.RevokeTokens(r.Context(), p, r.PathValue("username")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changeMyPassword replaces the caller's password: {"current_password","new_password"}. Every
// token of the account ends; the answer carries a new one for the caller.
func (s *Server) changeMyPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"current_password","new_password"}`)
		return
	}
	l, err := s.App.ChangeOwnPassword(r.Context(), p, req.Current, req.New, web.ClientAddr(r), app.ViaAPI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"token": l.Token, "username": l.User.Username, "expires_in": int(l.ExpiresIn.Seconds())})
}
