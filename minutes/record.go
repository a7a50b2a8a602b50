package minutes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/problem"
	"tinnhiem/minutes/document"
)

// Errors of the tally workflow that callers map to answers.
var (
	ErrNoEntry          = errors.New("chưa nhập kết quả kiểm phiếu")
	ErrEntriesDiffer    = errors.New("hai lần nhập khác nhau; cần thống nhất trước khi niêm phong")
	ErrSealedNeedReason = errors.New("kết quả đã niêm phong; muốn sửa phải ghi lý do (--reason)")
	ErrNotFound         = errors.New("not found")
)

// Session is what the secretariat records of the session besides the figures; every field is
// optional and a missing one leaves a space to fill by hand on the printed minutes.
type Session struct {
	Name               string            `json:"session_name,omitempty" yaml:"session_name"`
	Venue              string            `json:"venue,omitempty" yaml:"venue"`
	Chair              string            `json:"chair,omitempty" yaml:"chair"`
	ChairPosition      string            `json:"chair_position,omitempty" yaml:"chair_position"`
	Secretary          string            `json:"secretary,omitempty" yaml:"secretary"`
	Agenda             []string          `json:"agenda,omitempty" yaml:"agenda"`
	SessionOpenedAt    string            `json:"session_opened_at,omitempty" yaml:"session_opened_at"` // "2028-12-15T08:00" local
	SessionClosedAt    string            `json:"session_closed_at,omitempty" yaml:"session_closed_at"`
	CountingOpenedAt   string            `json:"counting_opened_at,omitempty" yaml:"counting_opened_at"`
	CountingClosedAt   string            `json:"counting_closed_at,omitempty" yaml:"counting_closed_at"`
	CommitteeFormation string            `json:"committee_formation,omitempty" yaml:"committee_formation"`
	InvalidReasons     []string          `json:"invalid_reasons,omitempty" yaml:"invalid_reasons"`
	Irregularities     []string          `json:"irregularities,omitempty" yaml:"irregularities"`
	DossiersSentAt     string            `json:"dossiers_sent_at,omitempty" yaml:"dossiers_sent_at"`
	ExplanationsSentAt string            `json:"explanations_sent_at,omitempty" yaml:"explanations_sent_at"`
	DocNumbers         map[string]string `json:"doc_numbers,omitempty" yaml:"doc_numbers"` // by document kind
	ReportTo           string            `json:"report_to,omitempty" yaml:"report_to"`
	Recipients         []string          `json:"recipients,omitempty" yaml:"recipients"`
	SignerOn           string            `json:"signer_on,omitempty" yaml:"signer_on"`
	SignerTitle        string            `json:"signer_title,omitempty" yaml:"signer_title"`
	SignerName         string            `json:"signer_name,omitempty" yaml:"signer_name"`
	Copies             int               `json:"copies,omitempty" yaml:"copies"`
}

// Entry is one member's entry of the figures (double entry keeps two).
type Entry struct {
	No      int       `json:"entry"`
	Input   Input     `json:"input"`
	Session Session   `json:"session"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason,omitempty"` // why a sealed tally is being corrected
}

// Sealed is a frozen version of the tally. Corrections make new versions; none is ever changed.
type Sealed struct {
	Version   int       `json:"version"`
	SealedAt  time.Time `json:"sealed_at"`
	SealedBy  string    `json:"sealed_by"`
	Reason    string    `json:"reason,omitempty"`
	Input     Input     `json:"input"`
	Session   Session   `json:"session"`
	Result    Result    `json:"result"`
	Canonical []byte    `json:"canonical"` // the canonical record embedded in every PDF
	SHA256    string    `json:"sha256"`
	// Issues are the sealing warnings the committee confirmed when it sealed (SealIssues):
	// the minutes print them among the irregularities. They are facts of the steps before
	// the vote, not figures, so the canonical record (and its sha256) leaves them out.
	Issues []string `json:"issues,omitempty"`
}

// Record is everything stored for one round's tally.
type Record struct {
	Round    string         `json:"round"`
	Entries  map[int]*Entry `json:"entries,omitempty"`
	Versions []Sealed       `json:"versions,omitempty"`
	// Published is the sealed version whose results are public (Publish); nil until then.
	Published *Publication `json:"published,omitempty"`
}

// Latest returns the newest sealed version.
func (r Record) Latest() (Sealed, bool) {
	if len(r.Versions) == 0 {
		return Sealed{}, false
	}
	return r.Versions[len(r.Versions)-1], true
}

// Version returns sealed version v.
func (r Record) Version(v int) (Sealed, bool) {
	for _, s := range r.Versions {
		if s.Version == v {
			return s, true
		}
	}
	return Sealed{}, false
}

// RosterOf turns a round's roster into the tally's candidates.
func RosterOf(r dossier.Round) []Candidate {
	out := make([]Candidate, 0, len(r.Nominees))
	for _, n := range r.Nominees {
		out = append(out, Candidate{ID: n.ID, Name: n.Name, Position: n.Position, Exempt: n.ExemptReason})
	}
	return out
}

// RulesOf takes the round's counting rules.
func RulesOf(r dossier.Round) Rules {
	return Rules{Denominator: r.Rules.Denominator, BlankRow: r.Rules.BlankRow}
}

// Enter validates an entry against the round and puts it in the record as entry e.No (1 or
// 2), returning the record to store and the computed, not yet sealed, result. Nothing changes
// when the entry is invalid (the problem.List names every problem, the figures' and the
// session details' at once); a sealed tally is corrected only with a reason.
func (r Record) Enter(rd dossier.Round, e Entry, now time.Time) (Record, Result, error) {
	if e.No != 1 && e.No != 2 {
		return r, Result{}, problem.List{{Path: "entry", Code: CodeFormat, Message: "lần nhập phải là 1 hoặc 2"}}
	}
	e.Input.Summoned = rd.Summoned
	res, err := Compute(RosterOf(rd), RulesOf(rd), e.Input)
	if serr := CheckSession(e.Session); serr != nil {
		var fig, sess problem.List
		if errors.As(err, &fig) && errors.As(serr, &sess) {
			return r, Result{}, append(fig, sess...)
		}
		if err == nil {
			return r, Result{}, serr
		}
	}
	if err != nil {
		return r, Result{}, err
	}
	res.Warnings = append(res.Warnings, SessionWarnings(rd, e.Session)...)
	if len(r.Versions) > 0 && e.Reason == "" && (r.Entries == nil || r.Entries[1] == nil || r.Entries[1].Reason == "") {
		return r, Result{}, ErrSealedNeedReason
	}
	entries := make(map[int]*Entry, 2)
	for k, v := range r.Entries {
		entries[k] = v
	}
	if e.Reason == "" && entries[1] != nil {
		e.Reason = entries[1].Reason
	}
	e.At = now.UTC()
	entries[e.No] = &e
	r.Entries = entries
	return r, res, nil
}

// CodeSameEnterer warns that both entries of a double entry came from one account.
const CodeSameEnterer = "same_enterer"

// Draft is what `tally show` answers before sealing: the result of entry 1 and how entry 2
// differs from it.
type Draft struct {
	Result      Result       `json:"result"`
	Entries     []int        `json:"entries"`
	Differences []Difference `json:"differences"`
}

// Draft computes the unsealed state; ErrNoEntry when nothing was entered since the last seal.
func (rec Record) Draft(rd dossier.Round) (Draft, error) {
	e1 := rec.Entries[1]
	if e1 == nil {
		return Draft{}, ErrNoEntry
	}
	res, err := Compute(RosterOf(rd), RulesOf(rd), e1.Input)
	if err != nil {
		return Draft{}, err
	}
	res.Warnings = append(res.Warnings, SessionWarnings(rd, e1.Session)...)
	d := Draft{Result: res, Entries: []int{1}, Differences: []Difference{}}
	if e2 := rec.Entries[2]; e2 != nil {
		d.Entries = append(d.Entries, 2)
		d.Differences = Compare(e1.Input, e2.Input)
		if e1.Session.Chair != e2.Session.Chair && e2.Session.Chair != "" {
			d.Differences = append(d.Differences, Difference{Field: "chủ tọa", First: e1.Session.Chair, Second: e2.Session.Chair})
		}
		// Double entry is worth its name when two members enter independently; one account
		// entering twice is allowed (a small committee may have one clerk) but said.
		if e1.By != "" && e1.By == e2.By {
			d.Result.Warnings = append(d.Result.Warnings, Problem{Path: "entry", Code: CodeSameEnterer,
				Message: fmt.Sprintf("Hai lần nhập đều do tài khoản %s thực hiện; nhập kép nên do hai thành viên ban kiểm phiếu nhập độc lập.", e1.By)})
		}
	}
	return d, nil
}

// SealedSubject announces a sealed version to the minutes workers.
func SealedSubject(round string) string { return "tn.tally." + round + ".sealed" }

// SealedEvent is the body of tn.tally.<round>.sealed.
type SealedEvent struct {
	Round   string `json:"round"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
}

// Seal freezes the current entry as a new version of the record, sealed by by at now. With
// two entries, every difference must have been resolved (the entries must agree). Sealing
// again what is sealed, with nothing entered since, answers the last version and again false:
// nothing changed, but it may be announced again (idempotent).
func (rec Record) Seal(rd dossier.Round, by string, now time.Time) (Record, Sealed, bool, error) {
	return rec.SealConfirming(rd, by, now, nil)
}

// SealConfirming is Seal with the issues the committee confirmed (SealIssues), kept with the
// new version for its minutes. Sealing again with nothing entered changes nothing, issues
// included.
func (rec Record) SealConfirming(rd dossier.Round, by string, now time.Time, issues []string) (Record, Sealed, bool, error) {
	e1 := rec.Entries[1]
	if e1 == nil {
		if last, ok := rec.Latest(); ok {
			return rec, last, false, nil
		}
		return rec, Sealed{}, false, ErrNoEntry
	}
	if e2 := rec.Entries[2]; e2 != nil {
		if diffs := Compare(e1.Input, e2.Input); len(diffs) > 0 {
			return rec, Sealed{}, false, &DiffError{Differences: diffs}
		}
	}
	res, err := Compute(RosterOf(rd), RulesOf(rd), e1.Input)
	if err != nil {
		return rec, Sealed{}, false, err
	}
	s := Sealed{Version: len(rec.Versions) + 1, SealedAt: now.UTC().Truncate(time.Second), SealedBy: by, Reason: e1.Reason, Input: e1.Input, Session: e1.Session,
		Issues: slices.Clone(issues)}
	res.Sealed = true
	s.Result = res
	if s.Canonical, err = canonical(rd, s); err != nil {
		return rec, Sealed{}, false, err
	}
	sum := sha256.Sum256(s.Canonical)
	s.SHA256 = hex.EncodeToString(sum[:])
	rec.Versions = append(slices.Clip(rec.Versions), s)
	rec.Entries = nil
	return rec, s, true, nil
}

// DiffError lists the cells where two entries disagree.
type DiffError struct{ Differences []Difference }

func (e *DiffError) Error() string { return ErrEntriesDiffer.Error() }
func (e *DiffError) Unwrap() error { return ErrEntriesDiffer }

// canonicalRecord is the tally as embedded in each PDF: enough to recheck every printed figure.
type canonicalRecord struct {
	Round        string    `json:"round"`
	Organization string    `json:"organization"`
	Title        string    `json:"title"`
	Track        string    `json:"track"`
	VoteDate     string    `json:"vote_date"`
	Version      int       `json:"version"`
	SealedAt     time.Time `json:"sealed_at"`
	SealedBy     string    `json:"sealed_by"`
	Reason       string    `json:"reason,omitempty"`
	Result       Result    `json:"result"`
}

func canonical(rd dossier.Round, s Sealed) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(canonicalRecord{
		Round: rd.ID, Organization: rd.Organization, Title: rd.Title, Track: rd.Track, VoteDate: rd.VoteDate,
		Version: s.Version, SealedAt: s.SealedAt, SealedBy: s.SealedBy, Reason: s.Reason, Result: s.Result,
	})
	return buf.Bytes(), err
}

// CheckSession refuses session text the PDFs cannot print and times that do not parse.
func CheckSession(s Session) error {
	var ps problems
	ps.text(at("session.session_name"), "tên hội nghị", s.Name)
	ps.text(at("session.venue"), "địa điểm", s.Venue)
	ps.text(at("session.chair"), "chủ tọa", s.Chair)
	ps.text(at("session.chair_position"), "chức vụ chủ tọa", s.ChairPosition)
	ps.text(at("session.secretary"), "thư ký", s.Secretary)
	ps.text(at("session.committee_formation"), "cách lập ban kiểm phiếu", s.CommitteeFormation)
	ps.text(at("session.report_to"), "nơi báo cáo", s.ReportTo)
	ps.text(at("session.signer_name"), "người ký", s.SignerName)
	for i, a := range s.Agenda {
		ps.text(at(fmt.Sprintf("session.agenda[%d]", i)), "chương trình", a)
	}
	for i, a := range s.Irregularities {
		ps.text(at(fmt.Sprintf("session.irregularities[%d]", i)), "sự việc bất thường", a)
	}
	for i, a := range s.InvalidReasons {
		ps.text(at(fmt.Sprintf("session.invalid_reasons[%d]", i)), "lý do phiếu không hợp lệ", a)
	}
	times := map[string]time.Time{}
	for _, f := range []struct{ path, v string }{
		{"session.session_opened_at", s.SessionOpenedAt}, {"session.session_closed_at", s.SessionClosedAt},
		{"session.counting_opened_at", s.CountingOpenedAt}, {"session.counting_closed_at", s.CountingClosedAt},
	} {
		if f.v == "" {
			continue
		}
		t, err := dossier.ParseDeadline(f.v, time.UTC)
		if err != nil || len(f.v) <= len("2006-01-02") {
			ps.add(at(f.path), CodeFormat, "thời điểm %q không hợp lệ (dạng YYYY-MM-DDTHH:MM)", f.v)
			continue
		}
		times[f.path] = t
	}
	for _, pair := range [][2]string{{"session.session_opened_at", "session.session_closed_at"}, {"session.counting_opened_at", "session.counting_closed_at"}} {
		open, ok1 := times[pair[0]]
		closed, ok2 := times[pair[1]]
		if ok1 && ok2 && closed.Before(open) {
			ps.add(at(pair[1]), CodeFormat, "thời điểm kết thúc (%s) trước thời điểm bắt đầu (%s)", closed.Format("15:04 02/01/2006"), open.Format("15:04 02/01/2006"))
		}
	}
	var kinds []string // the documents a session file may number
	for _, k := range document.Kinds() {
		kinds = append(kinds, string(k))
	}
	for _, k := range slices.Sorted(maps.Keys(s.DocNumbers)) {
		if !slices.Contains(kinds, k) {
			ps.add(at("session.doc_numbers."+k), CodeFormat, "không có loại biên bản %q; các loại: %s", k, strings.Join(kinds, ", "))
		}
	}
	return ps.err("session")
}

// SessionWarnings are facts about the session details worth a look that stop nothing: a
// session held on another day than the round's vote date (the papers are dated by the vote).
func SessionWarnings(rd dossier.Round, s Session) []Problem {
	var out []Problem
	if s.SessionOpenedAt == "" || len(s.SessionOpenedAt) < len("2006-01-02") {
		return nil
	}
	if day := s.SessionOpenedAt[:len("2006-01-02")]; day != rd.VoteDate {
		out = append(out, Problem{Path: "session.session_opened_at", Code: CodeSessionDate,
			Message: fmt.Sprintf("Ngày khai mạc hội nghị (%s) khác ngày lấy phiếu của đợt (%s); các biên bản ghi ngày lấy phiếu — hãy kiểm tra lại.", day, rd.VoteDate)})
	}
	return out
}

// CodeSessionDate warns that the session opened on another day than the round's vote date.
const CodeSessionDate = "session_date"
