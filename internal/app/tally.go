package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
	"tinnhiem/publish"
)

// TallyEntry is one entry of the counting committee's figures, whichever face it came from.
type TallyEntry struct {
	Entry                                      int // 1, or 2 for double entry; 0 = 1
	Present, Issued, Collected, InvalidBallots int
	Absent                                     []minutes.Absentee
	Committee                                  []minutes.Member
	// The figures: a ballot or count CSV as sent, or the counts typed person by person.
	Sheet   []byte
	Counts  map[string]minutes.Counts
	Session minutes.Session
	Reason  string // why a sealed tally is corrected
	// Problems the face found while reading the request (a box that is not a number, a field
	// of the wrong type). They are answered together with every other problem that can still
	// be found; nothing is stored.
	Problems []problem.Problem
}

// Entered is what an accepted entry computes to (not yet sealed).
type Entered struct {
	Entry  int            `json:"entry"`
	Result minutes.Result `json:"result"`
}

// EnterTally checks an entry against the round's roster and rules and stores it. Every problem
// is named at once — those of the figures, of the sheet and of the session details — and then
// nothing is stored.
func (a *App) EnterTally(ctx context.Context, p auth.Principal, roundID string, e TallyEntry) (Entered, error) {
	rd, err := a.round(ctx, p, roundID, EnterTally)
	if err != nil {
		return Entered{}, err
	}
	if a.cfg.Tallies == nil {
		return Entered{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật kiểm phiếu")
	}
	entry, ps := checkTally(rd, e, p.Username, a.now())
	if len(ps) > 0 {
		return Entered{}, tallyRefusal(ps)
	}
	res, err := a.cfg.Tallies.Enter(ctx, rd, entry, a.now())
	switch {
	case errors.Is(err, minutes.ErrSealedNeedReason):
		return Entered{}, &Error{Kind: Conflict, Code: "sealed", Message: "kết quả kiểm phiếu đã được niêm phong; muốn sửa phải ghi lý do (reason) — bản đã niêm phong vẫn được giữ",
			Problems: []problem.Problem{{Path: "reason", Code: "sealed", Message: "Kết quả kiểm phiếu đã được niêm phong; muốn sửa phải ghi lý do sửa. Bản đã niêm phong vẫn được giữ nguyên."}}}
	case problemsOf(err) != nil:
		return Entered{}, tallyRefusal(problemsOf(err))
	case err != nil:
		return Entered{}, internalf("enter tally %s: %w", rd.ID, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "tally.import", Round: rd.ID, Details: map[string]string{
		"entry": strconv.Itoa(entry.No), "present": strconv.Itoa(e.Present), "collected": strconv.Itoa(e.Collected), "reason": entry.Reason,
	}})
	return Entered{Entry: entry.No, Result: res}, nil
}

// TallyProblems is every problem of an entry for round rd that can be found without the
// stored record — the problems the face found reading it, the sheet's, the figures' and the
// session details' — or nil. EnterTally refuses an entry that has any.
func TallyProblems(rd dossier.Round, e TallyEntry, now time.Time) problem.List {
	_, ps := checkTally(rd, e, "", now)
	return ps
}

// checkTally reads an entry into the tally's terms and checks it. The problems that only follow
// from a part already refused are left out, so that each mistake is named once.
func checkTally(rd dossier.Round, e TallyEntry, by string, now time.Time) (minutes.Entry, problem.List) {
	if e.Entry == 0 {
		e.Entry = 1
	}
	ps := problem.List(slices.Clone(e.Problems))
	in := minutes.Input{
		Attendance: minutes.Attendance{Summoned: rd.Summoned, Present: e.Present, Issued: e.Issued, Collected: e.Collected,
			Absent: e.Absent, InvalidBallots: e.InvalidBallots},
		Committee: e.Committee,
		Counts:    e.Counts,
	}
	switch {
	case e.Sheet != nil && e.Counts != nil:
		ps = append(ps, problem.Problem{Path: "sheet", Code: minutes.CodeNoData, Message: "chỉ gửi một trong hai: tệp CSV hoặc bảng số phiếu nhập tay"})
	case e.Sheet != nil:
		sheet, err := minutes.ParseSheet(bytesReader(e.Sheet))
		if sps := problemsOf(err); sps != nil {
			ps = append(ps, sps...)
		} else if err == nil {
			in = sheet.Input(in.Attendance, in.Committee)
		}
	}
	entry := minutes.Entry{No: e.Entry, Input: in, Session: e.Session, By: by, Reason: dossier.NFC(e.Reason)}
	_, _, err := minutes.Record{Round: rd.ID}.Enter(rd, entry, now)
	return entry, mergeProblems(ps, problemsOf(err))
}

func problemsOf(err error) problem.List {
	var l problem.List
	if errors.As(err, &l) {
		return l
	}
	return nil
}

// mergeProblems adds to reported the problems found by checking what could be read, except
// those at a place already reported (the same field, the same person of the sheet) and the
// sheet's "no figures" when the sheet itself was refused: they would only repeat it.
func mergeProblems(reported, found problem.List) problem.List {
	out := slices.Clone(reported)
	taken := func(f problem.Problem) bool {
		for _, r := range reported {
			switch {
			case f.Path == "sheet" && r.Path == "sheet" && (f.Code == minutes.CodeNoData || f.Code == minutes.CodeMissingNominee):
				return true
			case f.Path == "sheet" && r.Path == "sheet" && f.Nominee != "" && f.Nominee == r.Nominee:
				return true
			case f.Path != "sheet" && f.Path == r.Path:
				return true
			}
		}
		return false
	}
	for _, f := range found {
		if !taken(f) {
			out = append(out, f)
		}
	}
	return out
}

// tallyRefusal answers figures that cannot be stored; below quorum is said as the rule says it.
func tallyRefusal(ps problem.List) *Error {
	if ps.Has(minutes.CodeBelowQuorum) {
		return &Error{Kind: Invalid, Code: minutes.CodeBelowQuorum, Problems: ps,
			Message: "không đủ số người dự theo quy định (phải có mặt ít nhất 2/3 tổng số người được triệu tập): kết quả lấy phiếu không có giá trị, không lập biên bản; không có gì được lưu"}
	}
	return invalid("số liệu kiểm phiếu không hợp lệ, không có gì được lưu", ps)
}

// TallyView is a round's tally as p may see it: a sealed version, or the draft being entered.
type TallyView struct {
	Round       dossier.Round
	Result      minutes.Result
	Version     int
	Sealed      bool
	SealedAt    time.Time
	SealedBy    string
	SHA256      string
	Entries     []int
	Differences []minutes.Difference
	Versions    []minutes.Sealed // every sealed version, oldest first
}

// Tally is the tally of a round: sealed version version (0: the draft, for those who may see
// it and unless sealedOnly; else the latest sealed version). The figures are the minutes'
// content: whoever may not read the minutes may not read them here either.
func (a *App) Tally(ctx context.Context, p auth.Principal, roundID string, version int, sealedOnly bool) (TallyView, error) {
	rd, err := a.round(ctx, p, roundID, ViewResults)
	if err != nil {
		return TallyView{}, err
	}
	if a.cfg.Tallies == nil {
		return TallyView{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật kiểm phiếu")
	}
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return TallyView{}, internalf("tally %s: %w", rd.ID, err)
	}
	v := TallyView{Round: rd, Versions: rec.Versions}
	sealed := func(s minutes.Sealed) TallyView {
		v.Result, v.Version, v.Sealed, v.SealedAt, v.SealedBy, v.SHA256 = s.Result, s.Version, true, s.SealedAt, s.SealedBy, s.SHA256
		return v
	}
	if version > 0 {
		if s, ok := rec.Version(version); ok {
			return sealed(s), nil
		}
		have := fmt.Sprintf("mới niêm phong %d phiên bản", len(rec.Versions))
		if len(rec.Versions) == 0 {
			have = "chưa niêm phong phiên bản nào"
		}
		return TallyView{}, fail(NotFound, "no_version", "không có phiên bản %d: kết quả kiểm phiếu đợt %s %s", version, rd.ID, have)
	}
	draft, err := rec.Draft(rd)
	switch {
	case err == nil && May(p, ViewDraftTally, &rd) && !sealedOnly:
		v.Result, v.Version, v.Entries, v.Differences = draft.Result, len(rec.Versions)+1, draft.Entries, draft.Differences
		return v, nil
	case err != nil && !errors.Is(err, minutes.ErrNoEntry) && problemsOf(err) == nil:
		return TallyView{}, internalf("draft of %s: %w", rd.ID, err)
	}
	last, ok := rec.Latest()
	if !ok {
		return TallyView{}, fail(NotFound, "no_tally", "chưa nhập kết quả kiểm phiếu cho đợt %s", rd.ID)
	}
	return sealed(last), nil
}

// Seal freezes the entered figures as a new sealed version; the minutes workers then render its
// documents. With double entry, the two entries must agree.
func (a *App) Seal(ctx context.Context, p auth.Principal, roundID string) (minutes.Sealed, error) {
	o, err := a.SealConfirming(ctx, p, roundID, false)
	return o.Sealed, err
}

// sealVersion seals round rd's entered figures as p, with the sealing issues the committee
// confirmed (SealConfirming).
func (a *App) sealVersion(ctx context.Context, p auth.Principal, rd dossier.Round, issues []string) (minutes.Sealed, error) {
	if a.cfg.Tallies == nil {
		return minutes.Sealed{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật kiểm phiếu")
	}
	s, err := a.cfg.Tallies.SealConfirming(ctx, rd, p.Username, a.now(), issues)
	var de *minutes.DiffError
	switch {
	case errors.As(err, &de):
		e := &Error{Kind: Conflict, Code: "entries_differ", Message: "hai lần nhập khác nhau ở các ô dưới đây; hãy thống nhất rồi niêm phong"}
		for _, d := range de.Differences {
			e.Problems = append(e.Problems, problem.Problem{Path: d.Field, Code: "entries_differ", Message: fmt.Sprintf("lần 1: %q, lần 2: %q", d.First, d.Second)})
		}
		return minutes.Sealed{}, e
	case errors.Is(err, minutes.ErrNoEntry):
		return minutes.Sealed{}, fail(Conflict, "no_tally", "chưa nhập kết quả kiểm phiếu nên chưa thể niêm phong")
	case problemsOf(err) != nil:
		return minutes.Sealed{}, tallyRefusal(problemsOf(err))
	case err != nil:
		return minutes.Sealed{}, internalf("seal %s: %w", rd.ID, err)
	}
	a.audit(ctx, audit.Event{ID: fmt.Sprintf("seal-%s-v%d", rd.ID, s.Version), Actor: p.Username, Action: "tally.seal", Round: rd.ID, Details: map[string]string{
		"version": strconv.Itoa(s.Version), "sha256": s.SHA256, "reason": s.Reason, "issues": strconv.Itoa(len(s.Issues)),
	}})
	return s, nil
}

// Artifacts lists the documents generated for a round's sealed versions, with their sha256.
func (a *App) Artifacts(ctx context.Context, p auth.Principal, roundID string) (dossier.Round, []publish.Artifact, error) {
	rd, err := a.round(ctx, p, roundID, ViewResults)
	if err != nil {
		return rd, nil, err
	}
	if a.cfg.Artifacts == nil {
		return rd, []publish.Artifact{}, nil
	}
	list, err := a.cfg.Artifacts.List(ctx, rd.ID)
	if err != nil {
		return rd, nil, internalf("artifacts of %s: %w", rd.ID, err)
	}
	if list == nil {
		list = []publish.Artifact{}
	}
	return rd, list, nil
}

// ArtifactKinds are the kinds of generated documents.
func ArtifactKinds() []string {
	var out []string
	for _, k := range document.Kinds() {
		out = append(out, string(k))
	}
	return out
}

// Artifact opens one generated document: kind of sealed version version (0: the latest). The
// download is audited; when it is not there, the error says why (not sealed yet, no such
// version, still being rendered).
func (a *App) Artifact(ctx context.Context, p auth.Principal, roundID, kind string, version int) (publish.Artifact, io.ReadCloser, error) {
	rd, err := a.round(ctx, p, roundID, ViewResults)
	if err != nil {
		return publish.Artifact{}, nil, err
	}
	if !slices.Contains(ArtifactKinds(), kind) {
		return publish.Artifact{}, nil, fail(NotFound, "unknown_kind", "không có loại tài liệu %q; các loại: %s", kind, joinComma(ArtifactKinds()))
	}
	if a.cfg.Artifacts == nil || a.cfg.Tallies == nil {
		return publish.Artifact{}, nil, fail(Unavailable, "unavailable", "máy chủ này chưa bật kiểm phiếu")
	}
	art, err := a.cfg.Artifacts.Find(ctx, rd.ID, kind, version)
	if errors.Is(err, publish.ErrNotFound) {
		return publish.Artifact{}, nil, a.artifactMissing(ctx, rd, version)
	}
	if err != nil {
		return publish.Artifact{}, nil, internalf("artifact %s/%s: %w", rd.ID, kind, err)
	}
	rc, err := a.cfg.Artifacts.Open(ctx, art)
	if err != nil {
		return publish.Artifact{}, nil, internalf("open artifact %s: %w", art.Object, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "artifact.download", Round: rd.ID, Target: art.Object, Details: map[string]string{"sha256": art.SHA256}})
	return art, rc, nil
}

func (a *App) artifactMissing(ctx context.Context, rd dossier.Round, version int) error {
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return internalf("tally %s: %w", rd.ID, err)
	}
	last, sealed := rec.Latest()
	switch {
	case !sealed:
		return fail(NotFound, "not_sealed", "chưa có tài liệu này: biên bản chỉ được lập sau khi niêm phong kết quả kiểm phiếu")
	case version > last.Version:
		return fail(NotFound, "no_version", "không có phiên bản %d: kết quả kiểm phiếu mới niêm phong đến phiên bản %d", version, last.Version)
	}
	return fail(NotFound, "rendering", "biên bản đang được lập sau khi niêm phong; hãy thử lại sau ít giây")
}

// TallyOverview is everything about a round's tally that p may see at once, for a page: the
// sealed versions, the entry in progress and its problems, the generated documents.
type TallyOverview struct {
	Round dossier.Round
	// What p may do.
	MayViewResults, MayViewDraft, MayEnter, MaySeal bool
	// ResultsHidden: sealed, but p may not read the figures.
	ResultsHidden bool
	Versions      []minutes.Sealed // oldest first; empty when hidden
	Entries       map[int]*minutes.Entry
	Draft         *minutes.Draft
	DraftProblems []problem.Problem
	Artifacts     []publish.Artifact
}

// Tallies is TallyOverview of a round p sees.
func (a *App) TallyOverview(ctx context.Context, p auth.Principal, roundID string) (TallyOverview, error) {
	rd, err := a.round(ctx, p, roundID, ViewRound)
	if err != nil {
		return TallyOverview{}, err
	}
	o := TallyOverview{Round: rd, MayViewResults: May(p, ViewResults, &rd), MayViewDraft: May(p, ViewDraftTally, &rd),
		MayEnter: May(p, EnterTally, &rd), MaySeal: May(p, SealTally, &rd)}
	if a.cfg.Tallies == nil {
		return o, nil
	}
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return o, internalf("tally %s: %w", rd.ID, err)
	}
	if o.MayViewResults {
		o.Versions = rec.Versions
	} else {
		o.ResultsHidden = len(rec.Versions) > 0
	}
	if o.MayViewDraft {
		o.Entries = rec.Entries
		draft, err := rec.Draft(rd)
		switch {
		case errors.Is(err, minutes.ErrNoEntry):
		case problemsOf(err) != nil:
			o.DraftProblems = problemsOf(err)
		case err != nil:
			return o, internalf("draft of %s: %w", rd.ID, err)
		default:
			o.Draft = &draft
		}
	}
	if a.cfg.Artifacts != nil && o.MayViewResults {
		if o.Artifacts, err = a.cfg.Artifacts.List(ctx, rd.ID); err != nil {
			return o, internalf("artifacts of %s: %w", rd.ID, err)
		}
	}
	return o, nil
}
