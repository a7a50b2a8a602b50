package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

// listDossiers is the status of every person of a round (DESIGN §4): a JSON array by default,
// ?format=csv for spreadsheets, ?view=full for the whole report (removed persons, documents
// naming nobody, summary).
func (s *Server) listDossiers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeError(w, http.StatusBadRequest, "bad_request", "format phải là json hoặc csv")
		return
	}
	rd, rep, err := s.App.Status(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case format == "csv":
		writeStatusCSV(w, rd, rep)
	case q.Get("view") == "full":
		web.WriteJSON(w, http.StatusOK, rep)
	default:
		web.WriteJSON(w, http.StatusOK, dossier.Statuses(rep.Nominees)) // writes its own JSON: large rounds
	}
}

// writeStatusCSV writes the status as UTF-8 CSV with a byte order mark, which is what makes
// Excel read Vietnamese correctly; headers and states are in Vietnamese for the people who open it.
func writeStatusCSV(w http.ResponseWriter, rd dossier.Round, rep dossier.Report) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := web.NewCSVWriter(&buf) // formulas neutralised
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
	res, err := s.App.Rebuild(r.Context(), p, r.PathValue("round"), r.URL.Query().Get("check") == "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, res)
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

func (s *Server) decideRequest(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not decide on this round learns that before whether the body is right.
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !app.May(p, app.DecideRequest, &rd) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
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
	d, err := s.App.Decide(r.Context(), p, r.PathValue("round"), r.PathValue("document"), body.Decision, body.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ans := decisionAnswer{Request: d.Request, Nominee: d.Nominee, Decision: d.Decision, Note: d.Note, By: d.By, At: d.At, Applied: d.Applied, State: d.State}
	status := http.StatusOK
	if !d.Applied {
		status = http.StatusAccepted // the projector is behind; the decision is safely in the stream
	}
	web.WriteJSON(w, status, ans)
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	as, err := s.App.Alerts(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, as)
}
