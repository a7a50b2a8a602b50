package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

// decisionWait is how long a decision request waits for the projection to show the decision.
const decisionWait = 5 * time.Second

func (s *Server) dossiersReady(w http.ResponseWriter) bool {
	if s.Dossiers == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "máy chủ này chưa bật theo dõi hồ sơ")
		return false
	}
	return true
}

// boardDossierRound opens the round of a board action on dossiers (rebuild, a decision on a late
// request): the dossier worker must be on, and only organizers may act on a round they see. As
// everywhere else, a round the user does not see is not found (404) before forbidden (403), so
// that a viewer of another organization cannot tell which rounds exist.
func (s *Server) boardDossierRound(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Round, bool) {
	if !s.dossiersReady(w) {
		return dossier.Round{}, false
	}
	return s.roundAs(w, r, p, auth.RoleOrganizer)
}

// listDossiers is the status of every person of a round (DESIGN §4): a JSON array by default,
// ?format=csv for spreadsheets, ?view=full for the whole report (removed persons, documents
// naming nobody, summary).
func (s *Server) listDossiers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, st, ok := s.roundState(w, r, p)
	if !ok {
		return
	}
	rep := dossier.Status(rd, st, s.Now())
	if !p.Has(auth.RoleOrganizer) {
		hideRequesters(rep.Nominees)
		hideRequesters(rep.Removed)
	}
	q := r.URL.Query()
	switch q.Get("format") {
	case "", "json":
	case "csv":
		writeStatusCSV(w, rd, rep)
		return
	default:
		writeError(w, http.StatusBadRequest, "bad_request", "format phải là json hoặc csv")
		return
	}
	if q.Get("view") == "full" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	writeJSON(w, http.StatusOK, rep.Nominees)
}

// roundState opens a round the user sees and its dossier projection (nil before any document),
// answering the request itself when it cannot.
func (s *Server) roundState(w http.ResponseWriter, r *http.Request, p auth.Principal) (dossier.Round, *dossier.State, bool) {
	if !s.dossiersReady(w) {
		return dossier.Round{}, nil, false
	}
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return dossier.Round{}, nil, false
	}
	st, _, err := s.Dossiers.State(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return dossier.Round{}, nil, false
	}
	return rd, st, true
}

// hideRequesters removes who asked for an explanation: the board knows, viewers do not (DOMAIN.md).
func hideRequesters(ns []dossier.NomineeStatus) {
	for i := range ns {
		for j := range ns[i].Requests {
			ns[i].Requests[j].Requester = ""
		}
	}
}

// writeStatusCSV writes the status as UTF-8 CSV with a byte order mark, which is what makes
// Excel read Vietnamese correctly; headers and states are in Vietnamese for the people who open it.
func writeStatusCSV(w http.ResponseWriter, rd dossier.Round, rep dossier.Report) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	head := []string{"Mã", "Họ và tên", "Chức vụ", "Lấy phiếu"}
	for _, k := range rd.Required {
		head = append(head, k.Label())
	}
	head = append(head, "Còn thiếu", "Đề nghị giải trình chưa trả lời", "Đủ hồ sơ", "Quá hạn")
	_ = cw.Write(head)
	row := func(ns dossier.NomineeStatus) {
		ballot := "Có"
		switch {
		case ns.Removed:
			ballot = "Đã rút khỏi danh sách"
		case ns.Exempt != "":
			ballot = "Không — " + ns.Exempt
		}
		rec := []string{ns.Nominee, ns.Name, ns.Position, ballot}
		for _, k := range rd.Required {
			status, ok := ns.Documents[k]
			switch {
			case ok:
				rec = append(rec, dossier.StatusLabel(status))
			case ns.Exempt != "" || ns.Removed:
				rec = append(rec, "")
			default:
				rec = append(rec, dossier.StatusLabel(dossier.StatusMissing))
			}
		}
		missing := make([]string, len(ns.Missing))
		for i, k := range ns.Missing {
			missing[i] = k.Label()
		}
		rec = append(rec, strings.Join(missing, "; "), strconv.Itoa(ns.OpenRequests), yesNo(ns.Complete), yesNo(ns.Overdue))
		_ = cw.Write(rec)
	}
	for _, ns := range rep.Nominees {
		row(ns)
	}
	for _, ns := range rep.Removed {
		row(ns)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ho-so-`+rd.ID+`.csv"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func yesNo(b bool) string {
	if b {
		return "Có"
	}
	return "Không"
}

// rebuildDossiers replays the round's DOSSIER events and compares the result with the live
// projection; ?check=1 only compares, otherwise a differing live state is replaced.
func (s *Server) rebuildDossiers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.boardDossierRound(w, r, p)
	if !ok {
		return
	}
	replace := r.URL.Query().Get("check") == ""
	res, err := s.Dossiers.Rebuild(r.Context(), rd.ID, replace, 5*time.Second)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, audit.Event{Actor: p.Username, Action: "dossier.rebuild", Round: rd.ID, Details: map[string]string{
		"equal": strconv.FormatBool(res.Equal), "replaced": strconv.FormatBool(res.Replaced),
		"documents": strconv.Itoa(res.Documents), "seq": strconv.FormatUint(res.RebuiltSeq, 10),
	}})
	writeJSON(w, http.StatusOK, res)
}

// decisionAnswer is the answer to a board decision on a late request.
type decisionAnswer struct {
	Request  string    `json:"request"`
	Nominee  string    `json:"nominee"`
	Decision string    `json:"decision"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Applied  bool      `json:"applied"`         // the status already shows it
	State    string    `json:"state,omitempty"` // the request's state once applied
}

// decideRequest records the board's decision on a request for explanation received after its
// deadline: accept (the person then owes an explanation) or set_aside. It is published as an
// event so that a rebuild reproduces it, and audited.
func (s *Server) decideRequest(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.boardDossierRound(w, r, p)
	if !ok {
		return
	}
	var body struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `cần JSON {"decision":"accept|set_aside","note":"…"}`)
		return
	}
	docID := r.PathValue("document")
	st, _, err := s.Dossiers.State(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	e, found := st.Docs[docID]
	if !found || e.Kind != dossier.KindExplanationRequest {
		writeError(w, http.StatusNotFound, "not_found", "không có đề nghị giải trình "+docID+" trong đợt "+rd.ID)
		return
	}
	if status := dossier.EffectiveStatus(rd, e); status != dossier.StatusLate {
		writeError(w, http.StatusConflict, "conflict", "đề nghị giải trình "+docID+" không nộp sau hạn (trạng thái: "+
			dossier.StatusLabel(status)+"); chỉ đề nghị nộp sau hạn mới cần ban tổ chức quyết định")
		return
	}
	d := dossier.RequestDecision{Round: rd.ID, Request: docID, Decision: strings.TrimSpace(body.Decision),
		Note: dossier.NFC(body.Note), By: p.Username, At: s.Now().UTC()}
	if err := d.Validate(); err != nil {
		writeProblems(w, []dossier.Problem{{Path: "decision", Message: err.Error()}})
		return
	}
	seq, err := s.Dossiers.Decide(r.Context(), d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r, audit.Event{
		ID: "decision-" + docID + "-" + strconv.FormatUint(seq, 10), Actor: p.Username, Action: "request.decision",
		Round: rd.ID, Target: docID, Details: map[string]string{"decision": d.Decision, "note": d.Note, "nominee": e.Nominee},
	})
	ans := decisionAnswer{Request: docID, Nominee: e.Nominee, Decision: d.Decision, Note: d.Note, By: d.By, At: d.At}
	ctx, cancel := context.WithTimeout(r.Context(), decisionWait)
	defer cancel()
	err = s.Dossiers.WaitFor(ctx, rd.ID, dossier.DecisionApplied(docID, seq))
	if errors.Is(err, context.DeadlineExceeded) {
		// The projector is behind or not running here; the decision is safely in the stream.
		writeJSON(w, http.StatusAccepted, ans)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ans.Applied = true
	if st, _, err := s.Dossiers.State(r.Context(), rd.ID); err == nil {
		rep := dossier.Status(rd, st, s.Now())
		for _, ns := range append(rep.Nominees, rep.Removed...) {
			for _, rq := range ns.Requests {
				if rq.DocumentID == docID {
					ans.State = rq.State
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, ans)
}

// listAlerts lists the deadline alerts raised for a round, with what became of each delivery.
// Only organizers and admins see where alerts were sent and why a delivery failed.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !s.dossiersReady(w) {
		return
	}
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	as, err := s.Dossiers.Alerts(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !p.Has(auth.RoleOrganizer) {
		for i := range as {
			for j := range as[i].Deliveries {
				d := &as[i].Deliveries[j]
				d.Target, d.LastError, d.LeaseOwner = "", "", ""
			}
		}
	}
	writeJSON(w, http.StatusOK, as)
}
