package ui

import (
	"net/http"

	"tinnhiem/internal/auth"
)

// decide records the board's decision on a request for explanation that arrived after its
// deadline: accept it (the person then owes an answer) or set it aside, through the same core
// as POST /api/v1/rounds/{r}/requests/{id}/decision.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa ghi được quyết định", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	d, err := s.app.Decide(r.Context(), p, r.PathValue("round"), r.PathValue("id"), r.PostFormValue("decision"), r.PostFormValue("note"))
	if err != nil {
		s.failed(w, r, p, err, "Chưa ghi được quyết định")
		return
	}
	http.Redirect(w, r, "/rounds/"+d.Round+"?ok=decided#giai-trinh", http.StatusSeeOther)
}
