package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
	"tinnhiem/minutes"
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
	EntryLines    []string // who entered each entry, and when
	DraftProblems []problemView
	Differences   []diffRow
	CanSeal       bool
	SealURL       string
	EntryURL      string
	EntryLabel    string
	// Generated minutes.
	Artifacts   []artifactRow
	CanDownload bool
	// ResultsHidden: a result is sealed but this user may not read it (the API's rule: whoever
	// may not fetch the minutes may not read their figures either).
	ResultsHidden bool
	// Trail is the sealing warnings and the publication (publication.go).
	Trail *tallyTrail
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
	Field, Label, First, Second string
}

type artifactRow struct {
	Title, FileName, URL, SHA256, Size, Created string
	Version                                     int
	Verified                                    bool
}

func (s *Server) tally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	o, err := s.app.TallyOverview(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.failed(w, r, p, err, "Không mở được trang kiểm phiếu")
		return
	}
	rd := o.Round
	pg := tallyPage{chrome: chrome{Title: "Kết quả kiểm phiếu — " + rd.Title, User: newUserView(p), Flash: flash(r), Back: "/rounds/" + rd.ID, BackLabel: rd.Title},
		RoundURL: "/rounds/" + rd.ID, Track: trackLabel(rd.Track), CanSeeDraft: o.MayViewDraft,
		SealURL: "/rounds/" + rd.ID + "/tally/seal", EntryURL: "/rounds/" + rd.ID + "/tally/entry", EntryLabel: "Nhập số liệu kiểm phiếu",
		CanDownload: o.MayViewResults, ResultsHidden: o.ResultsHidden}
	if n := len(o.Versions); n > 0 {
		last := o.Versions[n-1]
		v := newResultView(rd, last.Result)
		pg.Sealed, pg.SealedVersion, pg.SealedAt, pg.SealedBy = &v, last.Version, localTime(rd, last.SealedAt), last.SealedBy
		pg.SealedSHA, pg.SealedReason = last.SHA256, last.Reason
		for i := n - 2; i >= 0; i-- {
			sv := o.Versions[i]
			pg.OlderVersions = append(pg.OlderVersions, sealedRow{Version: sv.Version, SealedAt: localTime(rd, sv.SealedAt), SealedBy: sv.SealedBy, SHA: sv.SHA256, Reason: sv.Reason})
		}
	}
	if o.MayViewDraft {
		for no := 1; no <= 2; no++ {
			if e := o.Entries[no]; e != nil {
				line := fmt.Sprintf("Lần nhập %d: %s, %s", no, e.By, localTime(rd, e.At))
				if e.Reason != "" {
					line += "; lý do sửa: " + e.Reason
				}
				pg.EntryLines = append(pg.EntryLines, line)
			}
		}
		switch {
		case o.Entries[1] != nil && o.Entries[2] == nil:
			pg.EntryLabel = "Nhập lần 2 để đối chiếu"
		case o.Entries[1] == nil && o.Entries[2] != nil:
			pg.EntryLabel = "Nhập lần 1"
		case o.Entries[1] == nil && len(o.Versions) > 0:
			pg.EntryLabel = "Sửa kết quả đã niêm phong"
		}
		pg.DraftProblems = problemLines(o.DraftProblems)
		if o.Draft != nil {
			v := newResultView(rd, o.Draft.Result)
			pg.Draft = &v
			pg.DraftEntries = "đã nhập 1 lần"
			if len(o.Draft.Entries) > 1 {
				pg.DraftEntries = "đã nhập 2 lần (nhập kép)"
			}
			for _, d := range o.Draft.Differences {
				pg.Differences = append(pg.Differences, diffRow{Field: d.Field, Label: differenceLabel(rd, d.Field),
					First: differenceValue(d.Field, d.First), Second: differenceValue(d.Field, d.Second)})
			}
			pg.CanSeal = len(pg.Differences) == 0 && o.MaySeal
		}
	}
	for i := len(o.Artifacts) - 1; i >= 0; i-- {
		a := o.Artifacts[i]
		pg.Artifacts = append(pg.Artifacts, artifactRow{Title: a.Title, FileName: a.FileName, Version: a.Version, SHA256: a.SHA256,
			Size: bytesLabel(a.Size), Created: localTime(rd, a.CreatedAt), Verified: a.Verified,
			URL: fmt.Sprintf("/rounds/%s/artifacts/%s?version=%d", rd.ID, url.PathEscape(a.Kind), a.Version)})
	}
	s.tallyTrailOf(r, p, &pg, o)
	s.render(w, r, http.StatusOK, "tally", pg)
}

// newResultView shows a result as the minutes print it: percentages with a decimal comma
// ("97,78%"), the denominator, threshold and consequence in the minutes' own words.
func newResultView(rd dossier.Round, res minutes.Result) resultView {
	v := resultView{Summoned: res.Summoned, Present: res.Present, Issued: res.Issued, Collected: res.Collected,
		ValidBallots: res.ValidBallots, InvalidBallots: res.InvalidBallots,
		Denominator: res.DenominatorText, BlankRow: minutes.BlankRowWords(res.BlankRow)}
	if v.Denominator == "" {
		v.Denominator = minutes.DenominatorWords(res.Denominator)
	}
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
		// The flag in the words of the minutes' flag column.
		row.Flag = cell{Label: minutes.ThresholdWords(n.Flags), Class: "warn"}
		switch {
		case n.Flags.TwoThirdsLow:
			row.Flag.Class = "bad"
		case !n.Flags.OverHalfLow:
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

// seal freezes the tally, through the same core as POST /api/v1/rounds/{round}/tally/seal.
func (s *Server) seal(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	_ = r.ParseForm() // an unreadable form confirms nothing
	o, err := s.app.SealConfirming(r.Context(), p, r.PathValue("round"), r.PostFormValue("confirm") == "1")
	if err != nil {
		s.failed(w, r, p, err, "Chưa niêm phong được")
		return
	}
	ok := "sealed"
	if o.Confirmed {
		ok = "sealed-confirmed"
	}
	http.Redirect(w, r, "/rounds/"+r.PathValue("round")+"/tally?ok="+ok, http.StatusSeeOther)
}

// artifact downloads a generated PDF (checked against its checksum, the download audited).
func (s *Server) artifact(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	a, rc, err := s.app.Artifact(r.Context(), p, r.PathValue("round"), r.PathValue("kind"), max(version, 0))
	if err != nil {
		s.failed(w, r, p, err, "Chưa có tài liệu này")
		return
	}
	defer rc.Close()
	web.ServeArtifact(w, r, a, rc, s.log)
}

// differenceLabel names, in words, the cell where two entries differ; the field paths are those
// of minutes.Compare ("nominee n03, cột cao", "ballot 17, cột n03", "absent: Võ Văn Ba"…).
func differenceLabel(rd dossier.Round, path string) string {
	name := func(id string) string {
		if n, ok := rd.Nominee(id); ok {
			return n.Name
		}
		return "mã " + id
	}
	head, col, hasCol := strings.Cut(path, ", cột ")
	switch {
	case path == "summoned":
		return "Số người được triệu tập"
	case path == "sheet":
		return "Cách nhập số phiếu (bảng phiếu hay bảng tổng hợp)"
	case path == "chủ tọa":
		return "Chủ tọa"
	case strings.HasPrefix(path, "absent: "):
		return "Người vắng mặt " + strings.TrimPrefix(path, "absent: ") + " (lý do)"
	case strings.HasPrefix(path, "committee: "):
		return "Thành viên ban kiểm phiếu " + strings.TrimPrefix(path, "committee: ") + " (chức danh)"
	case strings.HasPrefix(path, "cột "):
		return "Cột của " + name(strings.TrimPrefix(path, "cột ")) + " trong bảng phiếu"
	case strings.HasPrefix(head, "ballot "):
		ballot := "Phiếu số " + strings.TrimPrefix(head, "ballot ")
		switch {
		case !hasCol:
			return ballot
		case col == "invalid":
			return ballot + " — cả phiếu không hợp lệ"
		}
		return ballot + " — " + name(col)
	case strings.HasPrefix(head, "nominee "):
		who := name(strings.TrimPrefix(head, "nominee "))
		if !hasCol {
			return "Dòng của " + who + " trong bảng tổng hợp"
		}
		return who + " — " + countColumnLabel(col)
	}
	for _, f := range attendanceFields(func(string) string { return "" }) {
		if f.Name == path {
			return f.Label
		}
	}
	return path
}

func countColumnLabel(col string) string {
	switch col {
	case "cao":
		return "tín nhiệm cao"
	case "tin_nhiem":
		return "tín nhiệm"
	case "thap":
		return "tín nhiệm thấp"
	case "invalid":
		return "không hợp lệ"
	}
	return "cột " + col
}

// differenceValue says what a ballot mark means beside the mark itself.
func differenceValue(path, v string) string {
	head, col, hasCol := strings.Cut(path, ", cột ")
	if !hasCol || !strings.HasPrefix(head, "ballot ") {
		return v
	}
	if col == "invalid" {
		if v == "1" {
			return "1 (cả phiếu không hợp lệ)"
		}
		return v
	}
	switch v {
	case "1":
		return "1 (tín nhiệm cao)"
	case "2":
		return "2 (tín nhiệm)"
	case "3":
		return "3 (tín nhiệm thấp)"
	case "x":
		return "x (đánh dấu nhiều ô)"
	}
	return v
}
