package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

type tallyPage struct {
	chrome
	RoundURL string
	Track    string
	// The latest sealed version, if any.
	Sealed        *resultView
	SealedVersion int
	SealedAt      string
	SealedBy      string
	SealedSHA     string
	SealedReason  string
	OlderVersions []sealedRow
	// The entry not yet sealed (counters and organizers only).
	CanSeeDraft   bool
	Draft         *resultView
	DraftEntries  string
	DraftProblems []problemView
	Differences   []diffRow
	CanSeal       bool
	SealURL       string
	// Generated minutes.
	Artifacts      []artifactRow
	CanDownload    bool
	DownloadDenied bool
}

type resultView struct {
	Summoned, Present, Issued, Collected int
	ValidBallots, InvalidBallots         int
	Quorum                               cell
	Denominator                          string
	BlankRow                             string
	Rows                                 []resultRow
	Exempt                               []exemptRow
	Absent                               []string
	Committee                            []string
	Warnings                             []string
}

type resultRow struct {
	Order                        int
	Name, Position               string
	Valid, Invalid               int
	Cao, TinNhiem, Thap          int
	CaoPct, TinNhiemPct, ThapPct string
	Flag                         cell
	Consequence                  string
}

type sealedRow struct {
	Version                 int
	SealedAt, SealedBy, SHA string
	Reason                  string
}

type diffRow struct {
	Field, First, Second string
}

type artifactRow struct {
	Title, FileName, URL, SHA256, Size, Created string
	Version                                     int
	Verified                                    bool
}

// mayDownload mirrors the API: Party results go to the conference and the managing level only,
// so viewers may not fetch the minutes; State-track results are public.
func mayDownload(p auth.Principal, rd dossier.Round) bool {
	return p.Has(auth.RoleOrganizer, auth.RoleCounter) || rd.Track == dossier.TrackState
}

func (s *Server) tally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	pg := tallyPage{chrome: chrome{Title: "Kết quả kiểm phiếu — " + rd.Title, User: newUserView(p), Flash: flash(r), Back: "/rounds/" + rd.ID, BackLabel: rd.Title},
		RoundURL: "/rounds/" + rd.ID, Track: trackLabel(rd.Track), CanSeeDraft: p.Has(auth.RoleCounter, auth.RoleOrganizer),
		SealURL: "/rounds/" + rd.ID + "/tally/seal", CanDownload: mayDownload(p, rd)}
	if s.api.Tallies == nil {
		s.render(w, r, http.StatusOK, "tally", pg)
		return
	}
	rec, _, err := s.api.Tallies.Get(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	if last, ok := rec.Latest(); ok {
		v := newResultView(rd, last.Result)
		pg.Sealed, pg.SealedVersion, pg.SealedAt, pg.SealedBy = &v, last.Version, localTime(rd, last.SealedAt), last.SealedBy
		pg.SealedSHA, pg.SealedReason = last.SHA256, last.Reason
		for i := len(rec.Versions) - 2; i >= 0; i-- {
			sv := rec.Versions[i]
			pg.OlderVersions = append(pg.OlderVersions, sealedRow{Version: sv.Version, SealedAt: localTime(rd, sv.SealedAt), SealedBy: sv.SealedBy, SHA: sv.SHA256, Reason: sv.Reason})
		}
	}
	if pg.CanSeeDraft {
		draft, err := s.api.Tallies.Draft(r.Context(), rd)
		var ve *minutes.ValidationError
		switch {
		case errors.Is(err, minutes.ErrNoEntry):
		case errors.As(err, &ve):
			for _, pr := range ve.Problems {
				pg.DraftProblems = append(pg.DraftProblems, problemView{Path: pr.Field, Message: pr.Message})
			}
		case err != nil:
			s.internal(w, r, p, err)
			return
		default:
			v := newResultView(rd, draft.Result)
			pg.Draft = &v
			pg.DraftEntries = "đã nhập 1 lần"
			if len(draft.Entries) > 1 {
				pg.DraftEntries = "đã nhập 2 lần (nhập kép)"
			}
			for _, d := range draft.Differences {
				pg.Differences = append(pg.Differences, diffRow{Field: d.Field, First: d.First, Second: d.Second})
			}
			pg.CanSeal = len(pg.Differences) == 0
		}
	}
	if s.api.Artifacts != nil {
		list, err := s.api.Artifacts.List(r.Context(), rd.ID)
		if err != nil {
			s.internal(w, r, p, err)
			return
		}
		for i := len(list) - 1; i >= 0; i-- {
			a := list[i]
			pg.Artifacts = append(pg.Artifacts, artifactRow{Title: a.Title, FileName: a.FileName, Version: a.Version, SHA256: a.SHA256,
				Size: bytesLabel(a.Size), Created: localTime(rd, a.CreatedAt), Verified: a.Verified,
				URL: fmt.Sprintf("/rounds/%s/artifacts/%s?version=%d", rd.ID, url.PathEscape(a.Kind), a.Version)})
		}
		pg.DownloadDenied = len(pg.Artifacts) > 0 && !pg.CanDownload
	}
	s.render(w, r, http.StatusOK, "tally", pg)
}

// newResultView shows a result as the minutes print it: percentages with a decimal comma
// ("97,78%") and the regulation's consequence of each threshold.
func newResultView(rd dossier.Round, res minutes.Result) resultView {
	v := resultView{Summoned: res.Summoned, Present: res.Present, Issued: res.Issued, Collected: res.Collected,
		ValidBallots: res.ValidBallots, InvalidBallots: res.InvalidBallots,
		Denominator: denominatorLabel(res.Denominator), BlankRow: minutes.BlankRowWords(res.BlankRow)}
	if res.QuorumMet {
		v.Quorum = cell{Label: "đủ 2/3 số người được triệu tập", Class: "ok"}
	} else {
		v.Quorum = cell{Label: "không đủ 2/3 số người được triệu tập", Class: "bad"}
	}
	for _, n := range res.Nominees {
		row := resultRow{Order: n.Order, Name: n.Name, Position: n.Position, Valid: n.Counts.Valid, Invalid: n.Counts.Invalid,
			Cao: n.Counts.Cao, TinNhiem: n.Counts.TinNhiem, Thap: n.Counts.Thap,
			CaoPct: n.PercentText.Cao, TinNhiemPct: n.PercentText.TinNhiem, ThapPct: n.PercentText.Thap,
			Consequence: minutes.Consequence(rd.Track, n.Flags)}
		switch {
		case n.Flags.TwoThirdsLow:
			row.Flag = cell{Label: "từ 2/3 trở lên tín nhiệm thấp", Class: "bad"}
		case n.Flags.OverHalfLow:
			row.Flag = cell{Label: "trên 1/2 tín nhiệm thấp", Class: "warn"}
		default:
			row.Flag = cell{Label: "không", Class: "muted"}
		}
		v.Rows = append(v.Rows, row)
	}
	for _, e := range res.Exempt {
		v.Exempt = append(v.Exempt, exemptRow{ID: e.ID, Name: e.Name, Position: e.Position, Reason: e.Exempt})
	}
	for _, a := range res.Absent {
		v.Absent = append(v.Absent, a.Name+" ("+a.ReasonText()+")")
	}
	for _, m := range res.Committee {
		v.Committee = append(v.Committee, m.Name+" — "+m.Role)
	}
	for _, w := range res.Warnings {
		v.Warnings = append(v.Warnings, capitalize(w.Message))
	}
	return v
}

// seal freezes the tally through the API (POST /api/v1/rounds/{round}/tally/seal).
func (s *Server) seal(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !p.Has(auth.RoleCounter, auth.RoleOrganizer) {
		s.forbidden(w, r, p)
		return
	}
	res := s.callAPI(r, http.MethodPost, "/api/v1/rounds/"+rd.ID+"/tally/seal", http.NoBody, "")
	if res.status != http.StatusOK {
		s.apiErrorPage(w, r, p, res.status, apiProblem(res), "Chưa niêm phong được")
		return
	}
	http.Redirect(w, r, "/rounds/"+rd.ID+"/tally?ok=sealed", http.StatusSeeOther)
}

// artifact downloads a generated PDF through the API handler, which streams it from the
// object store, checks its checksum and audits the download.
func (s *Server) artifact(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !mayDownload(p, rd) {
		s.forbidden(w, r, p)
		return
	}
	if s.api.Artifacts == nil {
		s.notFound(w, r, p, "Chưa có biên bản nào.")
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	kind := r.PathValue("kind")
	a, err := s.api.Artifacts.Find(r.Context(), rd.ID, kind, version)
	if errors.Is(err, publish.ErrNotFound) {
		s.notFound(w, r, p, "Chưa có tài liệu này: biên bản chỉ được lập sau khi niêm phong kết quả kiểm phiếu.")
		return
	}
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	s.streamAPI(w, r, "/api/v1/rounds/"+rd.ID+"/artifacts/"+a.Kind, "version="+strconv.Itoa(a.Version))
}
