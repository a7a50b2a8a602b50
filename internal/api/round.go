package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
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

func newRoundView(r dossier.Round, p auth.Principal) roundView {
	v := roundView{Round: r, DeadlinesLocal: map[string]string{}, Exempt: []exemptView{}}
	if !p.Has(auth.RoleOrganizer) {
		v.Notify.WebhookSecret = ""
	} else if v.Notify.WebhookSecret != "" {
		v.Notify.WebhookSecret = "(đã đặt)"
	}
	for _, name := range dossier.DeadlineNames {
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
	all, err := s.Rounds.List(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := []roundView{}
	for _, rd := range all {
		if p.Sees(rd.Organization) {
			out = append(out, newRoundView(rd, p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, newRoundView(rd, p))
}

func (s *Server) importRound(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !p.Has(auth.RoleOrganizer) {
		forbidden(w)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dossier.MaxRoundFileSize+1))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("tệp đợt lấy phiếu quá lớn (tối đa %d MB)", dossier.MaxRoundFileSize>>20))
		return
	}
	rd, err := dossier.ParseRound(data)
	var ve *dossier.ValidationError
	if errors.As(err, &ve) {
		writeProblems(w, ve.Problems)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !p.Sees(rd.Organization) {
		writeError(w, http.StatusForbidden, "forbidden", "bạn không thuộc tổ chức "+rd.Organization+" nên không thể tạo hoặc sửa đợt lấy phiếu của tổ chức này")
		return
	}
	// An existing round of another organization must not be overwritten, nor revealed.
	if old, err := s.Rounds.Get(r.Context(), rd.ID); err == nil && !p.Sees(old.Organization) {
		writeError(w, http.StatusConflict, "conflict", "mã đợt "+rd.ID+" đã được dùng; hãy chọn mã khác")
		return
	} else if err == nil && auth.OrgKey(old.Organization) != auth.OrgKey(rd.Organization) && !p.IsAdmin() {
		writeError(w, http.StatusForbidden, "forbidden", "không thể chuyển đợt lấy phiếu sang tổ chức khác")
		return
	}
	saved, created, err := s.Rounds.Save(r.Context(), rd, p.Username, s.Now())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	action := "round.update"
	status := http.StatusOK
	if created {
		action, status = "round.create", http.StatusCreated
	}
	s.audit(r, audit.Event{Actor: p.Username, Action: action, Round: saved.ID, Details: map[string]string{
		"version": strconv.Itoa(saved.Version), "nominees": strconv.Itoa(len(saved.Nominees)), "removed": strconv.Itoa(len(saved.Removed)),
	}})
	if !created {
		s.recheckNamesNobody(r, saved)
	}
	writeJSON(w, status, newRoundView(saved, p))
}

// recheckNamesNobody asks the ingest workers to read again the round's papers refused because
// they named nobody of the round: a person added by this import may be theirs. A failure is
// logged, not answered: the round is saved, and a person can still place such a paper by hand.
func (s *Server) recheckNamesNobody(r *http.Request, rd dossier.Round) {
	if s.Dossiers == nil || s.JS == nil {
		return
	}
	st, _, err := s.Dossiers.State(r.Context(), rd.ID)
	if err != nil || st == nil {
		return
	}
	// One file read again once, the copy received first: the later copies of the same bytes are
	// its repeats and stay as they are (the same file sent again is its duplicate).
	first := map[string]dossier.Document{} // by sha256
	for id, e := range st.Docs {
		if !ingest.NamesNobody(e) || s.Docs == nil {
			continue
		}
		d, _, err := s.Docs.Get(r.Context(), id)
		if err != nil {
			continue
		}
		key := d.SHA256
		if key == "" {
			key = id
		}
		if f, ok := first[key]; !ok || d.ReceivedAt.Before(f.ReceivedAt) || (d.ReceivedAt.Equal(f.ReceivedAt) && d.ID < f.ID) {
			first[key] = d
		}
	}
	for _, d := range first {
		if err := ingest.AnnounceRecheck(r.Context(), s.JS, rd.ID, d.ID, rd.Version); err != nil {
			s.Log.Warn("recheck after a roster change not announced", "round", rd.ID, "document_id", d.ID, "err", err)
		}
	}
}
