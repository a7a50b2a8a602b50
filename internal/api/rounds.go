package api

import (
	"io"
	"net/http"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

// roundView is a round as the API shows it: deadlines also in the round's local time.
type roundView struct {
	dossier.Round
	DeadlinesLocal map[string]string `json:"deadlines_local"`
	Exempt         []exemptView      `json:"exempt"`
	OnBallot       int               `json:"on_ballot"`
}

type exemptView struct {
	Nominee string `json:"nominee"`
	Name    string `json:"name"`
	Reason  string `json:"reason"`
}

func newRoundView(r dossier.Round) roundView {
	v := roundView{Round: r, DeadlinesLocal: map[string]string{}, Exempt: []exemptView{}}
	for _, name := range r.DeadlineNames() {
		d, _ := r.Deadline(name)
		v.DeadlinesLocal[name] = r.FormatTime(d.At)
	}
	for _, n := range r.Nominees {
		if !n.OnBallot() {
			v.Exempt = append(v.Exempt, exemptView{Nominee: n.ID, Name: n.Name, Reason: n.ExemptReason})
		} else {
			v.OnBallot++
		}
	}
	return v
}

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rounds, err := s.App.Rounds(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]roundView, len(rounds))
	for i, rd := range rounds {
		out[i] = newRoundView(rd)
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, newRoundView(rd))
}

func (s *Server) importRound(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.ImportRound, nil) {
		s.fail(w, r, &app.Error{Kind: app.Forbidden, Code: "forbidden", Message: "tài khoản của bạn không có quyền thực hiện thao tác này"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dossier.MaxRoundFileSize+1))
	if err != nil {
		s.fail(w, r, &app.Error{Kind: app.TooLarge, Code: "too_large", Message: "tệp đợt lấy phiếu quá lớn (tối đa 4 MB)"})
		return
	}
	rd, created, err := s.App.ImportRound(r.Context(), p, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	web.WriteJSON(w, status, newRoundView(rd))
}
