package ui

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

// decide records the board's decision on a request for explanation that arrived after its
// deadline: accept it (the person then owes an answer) or set it aside. The decision is an
// event on the DOSSIER stream, so the projection (and a replay) picks it up.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !p.Has(auth.RoleOrganizer) {
		s.forbidden(w, r, p)
		return
	}
	if s.dossiers == nil {
		s.internal(w, r, p, errors.New("ui: no dossier store"))
		return
	}
	id := r.PathValue("id")
	d, _, err := s.api.Docs.Get(r.Context(), id)
	if errors.Is(err, ingest.ErrNotFound) || (err == nil && d.Round != rd.ID) {
		s.notFound(w, r, p, "Không tìm thấy đề nghị giải trình "+id+".")
		return
	}
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa ghi được quyết định", "Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")
		return
	}
	if d.Kind != dossier.KindExplanationRequest || d.Status != dossier.StatusLate {
		s.errorPage(w, r, &p, http.StatusConflict, "Chưa ghi được quyết định",
			"Chỉ đề nghị giải trình đến sau hạn mới cần ban tổ chức quyết định; tài liệu này không phải trường hợp đó.")
		return
	}
	dec := dossier.RequestDecision{Round: rd.ID, Request: d.ID, Decision: r.PostFormValue("decision"),
		Note: strings.TrimSpace(r.PostFormValue("note")), By: p.Username, At: s.api.Now().UTC()}
	if err := dec.Validate(); err != nil {
		s.errorPage(w, r, &p, http.StatusUnprocessableEntity, "Chưa ghi được quyết định", capitalize(err.Error())+".")
		return
	}
	seq, err := s.dossiers.Decide(r.Context(), dec)
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	s.appendAudit(r, audit.Event{Actor: p.Username, Action: "request.decision", Round: rd.ID, Target: d.ID,
		Details: map[string]string{"decision": dec.Decision, "note": dec.Note, "via": "web"}})
	// Give the projection a moment, so that the page shows the decision when it comes back; a
	// slow projector only means the page shows it a little later.
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	_ = s.dossiers.WaitFor(ctx, rd.ID, dossier.DecisionApplied(d.ID, seq))
	http.Redirect(w, r, "/rounds/"+rd.ID+"?ok=decided#giai-trinh", http.StatusSeeOther)
}
