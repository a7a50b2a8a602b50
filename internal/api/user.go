package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !p.IsAdmin() {
		forbidden(w)
		return
	}
	users, err := s.Auth.Users(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, users)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !p.IsAdmin() {
		forbidden(w)
		return
	}
	var n auth.NewUser
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&n); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"username","password","roles":[…],"organizations":[…]}`)
		return
	}
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	if msgs := n.Validate(); len(msgs) > 0 {
		var ps []dossier.Problem
		for _, m := range msgs {
			ps = append(ps, dossier.Problem{Message: m})
		}
		writeProblems(w, ps)
		return
	}
	u, err := s.Auth.AddUser(r.Context(), n, s.Now())
	if errors.Is(err, auth.ErrExists) {
		writeError(w, http.StatusConflict, "exists", "tên đăng nhập "+n.Username+" đã có")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, audit.Event{Actor: p.Username, Action: "user.add", Target: u.Username, Details: map[string]string{
		"roles": strings.Join(u.Roles, ","), "organizations": strings.Join(u.Organizations, "; "),
	}})
	u.PasswordHash = ""
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) roundAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.roundAs(w, r, p, auth.RoleOrganizer, auth.RoleCounter)
	if !ok {
		return
	}
	s.writeAudit(w, r, rd.ID)
}

func (s *Server) globalAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !p.IsAdmin() {
		forbidden(w)
		return
	}
	s.writeAudit(w, r, "")
}

func (s *Server) writeAudit(w http.ResponseWriter, r *http.Request, round string) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	events, err := s.Audit.List(r.Context(), round, limit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if events == nil {
		events = []audit.Event{}
	}
	writeJSON(w, http.StatusOK, events)
}
