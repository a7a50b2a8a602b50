package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
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
