package minutes

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"tinnhiem/dossier"
	"tinnhiem/internal/problem"
	"tinnhiem/minutes/document"
)

// Committee roles as the minutes print them. Denominators, blank-row rules and tracks are the
// round's settings, named by package dossier.
const (
	RoleHead      = "Trưởng ban"
	RoleSecretary = "Thư ký"
	RoleMember    = "Ủy viên"
)

// BelowQuorum reports whether an input was refused because fewer than 2/3 of those summoned
// were present: no valid minutes at all, unlike an ordinary mistake in the figures.
func BelowQuorum(err error) bool {
	var l problem.List
	return errors.As(err, &l) && l.Has(CodeBelowQuorum)
}

// Candidate is one person of the round's roster, as the round file gives it.
type Candidate struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Exempt   string `json:"exempt,omitempty"` // reason the person is not on the ballot; "" = on the ballot
}

// Rules are the round's settings for counting; empty fields take the defaults of DOMAIN.md.
type Rules struct {
	Denominator string `json:"denominator,omitempty"` // summoned (default) | present | collected | valid_for_person
	BlankRow    string `json:"blank_row,omitempty"`   // void_row (default) | void_ballot
}

// Absentee is a person summoned who did not attend.
type Absentee struct {
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"` // "" = không có lý do
}

// ReasonText is the reason as the minutes print it.
func (a Absentee) ReasonText() string {
	if a.Reason == "" {
		return "không có lý do"
	}
	return a.Reason
}

// Member is one member of the counting committee (ban kiểm phiếu).
type Member struct {
	Name string `json:"name"`
	Role string `json:"role"` // RoleHead | RoleSecretary | RoleMember
}

// Attendance is what the session recorded before counting.
type Attendance struct {
	Summoned  int        `json:"summoned"`
	Present   int        `json:"present"`
	Issued    int        `json:"issued"`
	Collected int        `json:"collected"`
	Absent    []Absentee `json:"absent,omitempty"`
	// InvalidBallots is the number of whole ballots found void when the committee counted
	// by hand (count CSV); with a ballot CSV it is computed, and if given must agree.
	InvalidBallots int `json:"invalid_ballots,omitempty"`
}

// Counts are one person's votes. Valid is Cao+TinNhiem+Thap. With ballots, Invalid is
// every collected ballot that gives no valid vote for the person (void ballot, blank or
// spoiled row), so Valid+Invalid is the number collected; a count CSV gives it as counted.
type Counts struct {
	Cao      int `json:"cao"`
	TinNhiem int `json:"tin_nhiem"`
	Thap     int `json:"thap"`
	Invalid  int `json:"invalid"`
	Valid    int `json:"valid"`
}

// Input is everything the counting committee enters for one round: the attendance, the
// committee, and either the ballots or the counts per person (nominee id → counts).
type Input struct {
	Attendance
	Committee []Member          `json:"committee,omitempty"`
	Ballots   *BallotSheet      `json:"ballots,omitempty"`
	Counts    map[string]Counts `json:"counts,omitempty"`
}

// Flags mark the regulation's thresholds of "tín nhiệm thấp" votes.
type Flags struct {
	OverHalfLow  bool `json:"over_half_low"`  // thấp*2 > denominator (also true at 2/3 or more)
	TwoThirdsLow bool `json:"two_thirds_low"` // thấp*3 ≥ denominator*2
}

// NomineeResult is one person's line of the results table.
type NomineeResult struct {
	Order       int         `json:"order"` // 1-based, in roster order
	Nominee     string      `json:"nominee"`
	Name        string      `json:"name"`
	Position    string      `json:"position,omitempty"`
	Counts      Counts      `json:"counts"`
	Denominator int         `json:"denominator"` // the number the percentages are of
	Percent     Percent     `json:"percent"`
	PercentText PercentText `json:"percent_text"`
	Flags       Flags       `json:"flags"`
	// BlankRows and SpoiledRows count, on ballots that are otherwise valid, the rows for this
	// person with no box ticked and with more than one (or an unreadable mark): under
	// blank_row void_row they are void for this person only. Known only when the ballots were
	// entered one by one; always 0 under void_ballot, where such a ballot is void as a whole.
	BlankRows   int `json:"blank_rows,omitempty"`
	SpoiledRows int `json:"spoiled_rows,omitempty"`
}

// Result is a computed tally, shaped as `tally show --json` (DESIGN §4) with extra fields
// the minutes need.
type Result struct {
	Summoned        int             `json:"summoned"`
	Present         int             `json:"present"`
	Issued          int             `json:"issued"`
	Collected       int             `json:"collected"`
	QuorumMet       bool            `json:"quorum_met"`
	Denominator     string          `json:"denominator"`
	DenominatorText string          `json:"denominator_text"`
	BlankRow        string          `json:"blank_row"`
	Sealed          bool            `json:"sealed"`
	ValidBallots    int             `json:"valid_ballots"`
	InvalidBallots  int             `json:"invalid_ballots"`
	Absent          []Absentee      `json:"absent"`
	Committee       []Member        `json:"committee"`
	Exempt          []Candidate     `json:"exempt"`
	Nominees        []NomineeResult `json:"nominees"`
	// Warnings are facts worth a look that do not stop the tally (e.g. absentees not named).
	Warnings []Problem `json:"warnings,omitempty"`
	// VoidMarked and VoidBadRow break InvalidBallots down by reason when the ballots were
	// entered one by one: ballots the committee marked void as a whole (the sheet's invalid
	// column: not the issued form, a name struck out, something added), and ballots void
	// only because a row was blank or double-marked under blank_row void_ballot. Both are 0
	// for hand-counted figures, which give no reasons.
	VoidMarked int `json:"void_marked,omitempty"`
	VoidBadRow int `json:"void_bad_row,omitempty"`
}

// Problem is one thing wrong with the input, for a person to fix: where (a field path, or a
// line, column and person of the sheet) and what (a code and a Vietnamese message).
type Problem = problem.Problem

// at is a problem at a field path of the input.
func at(path string) Problem { return Problem{Path: path} }

// onSheet is a problem in the sheet — the ballots or counts, typed or read from a CSV — at a line
// of the file (0 when typed), a column (its header) and a person of the roster; where says it
// in words for people.
func onSheet(line int, column, nominee, where string) Problem {
	return Problem{Path: "sheet", Line: line, Column: column, Nominee: nominee, Where: where}
}

// Problem codes.
const (
	CodeBelowQuorum      = "below_quorum"
	CodeAttendance       = "attendance"
	CodeAbsent           = "absent"
	CodeCommittee        = "committee"
	CodeRules            = "rules"
	CodeRoster           = "roster"
	CodeText             = "unsupported_text"
	CodeNoData           = "no_data"
	CodeUnknownNominee   = "unknown_nominee"
	CodeExemptOnBallot   = "exempt_on_ballot"
	CodeMissingNominee   = "missing_nominee"
	CodeBadCell          = "bad_cell"
	CodeBadHeader        = "bad_header"
	CodeDuplicateBallot  = "duplicate_ballot"
	CodeDuplicateNominee = "duplicate_nominee"
	CodeRowCount         = "row_count"
	CodeCountsExceed     = "counts_exceed"
	CodeCountsShort      = "counts_short"
	CodeFormat           = "format"
	CodeTooMany          = "too_many_problems"
)

// problems collects validation findings; it caps the list so a hostile sheet cannot make
// the answer as large as the sheet.
type problems struct {
	list     []Problem
	dropped  int
	warnings []Problem
}

const maxProblems = 200

func (ps *problems) add(where Problem, code, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.dropped++
		return
	}
	where.Code, where.Message = code, norm.NFC.String(fmt.Sprintf(format, args...))
	ps.list = append(ps.list, where)
}

// warn records something that does not stop the tally but deserves a look.
func (ps *problems) warn(where Problem, code, format string, args ...any) {
	where.Code, where.Message = code, norm.NFC.String(fmt.Sprintf(format, args...))
	ps.warnings = append(ps.warnings, where)
}

func (ps *problems) err(op string) error {
	if len(ps.list) == 0 {
		return nil
	}
	list := ps.list
	if ps.dropped > 0 {
		list = append(list, Problem{Code: CodeTooMany, Message: fmt.Sprintf("Còn %d lỗi khác chưa liệt kê; hãy sửa các lỗi trên rồi nhập lại.", ps.dropped)})
	}
	return problem.List(list)
}

// text checks a name or reason the PDF will print and returns it trimmed and NFC-normalised.
func (ps *problems) text(where Problem, label, s string) string {
	if !utf8.ValidString(s) {
		ps.add(where, CodeText, "%s có byte không phải UTF-8; hãy nhập lại bằng bảng mã Unicode (UTF-8).", label)
		return strings.ToValidUTF8(s, "")
	}
	s = norm.NFC.String(strings.TrimSpace(s))
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			ps.add(where, CodeText, "%s “%s” có ký tự “%c” (U+%04X) mà phông chữ của biên bản không thể hiện được; hãy thay bằng ký tự thông dụng.", label, s, r, r)
			return s
		case unicode.IsControl(r):
			ps.add(where, CodeText, "%s “%s” có ký tự điều khiển (U+%04X); hãy viết trên một dòng, không có ký tự ẩn.", label, strings.ToValidUTF8(strings.Map(visible, s), ""), r)
			return s
		}
	}
	return s
}

func visible(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}

// DenominatorWords names a denominator in the words the minutes use.
func DenominatorWords(denominator string) string {
	switch denominator {
	case dossier.DenominatorSummoned, "":
		return "tổng số người được triệu tập"
	case dossier.DenominatorPresent:
		return "tổng số người có mặt"
	case dossier.DenominatorCollected:
		return "tổng số phiếu thu vào"
	case dossier.DenominatorValidForPerson:
		return "tổng số phiếu hợp lệ đối với từng người"
	}
	return ""
}

// BlankRowWords states the blank-row rule used, for the minutes.
func BlankRowWords(rule string) string {
	switch rule {
	case dossier.BlankRowVoidRow, "":
		return "Dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô thì không hợp lệ đối với người ở dòng đó; các dòng khác của phiếu vẫn hợp lệ."
	case dossier.BlankRowVoidBallot:
		return "Dòng không đánh dấu ô nào hoặc đánh dấu nhiều ô thì cả phiếu không hợp lệ."
	}
	return ""
}

// Consequence is what the regulation of the track provides for a person with these
// flags (DOMAIN.md, "Percentages and thresholds"), for the result report's table; "" when
// no threshold is reached or the track is unknown.
func Consequence(track string, f Flags) string {
	switch track {
	case dossier.TrackParty:
		switch {
		case f.TwoThirdsLow:
			return "Xem xét miễn nhiệm, không chờ hết nhiệm kỳ"
		case f.OverHalfLow:
			return "Không quy hoạch lên chức vụ cao hơn; xem xét cho thôi giữ chức vụ, bố trí công tác khác hoặc từ chức"
		}
	case dossier.TrackState:
		// Nghị quyết 96/2023/QH15: dismissal (miễn nhiệm) of an elected office holder, never
		// the recall (bãi nhiệm) of a deputy, which is another procedure.
		switch {
		case f.TwoThirdsLow:
			return "Cơ quan hoặc người có thẩm quyền trình miễn nhiệm, không chờ hết nhiệm kỳ"
		case f.OverHalfLow:
			return "Có thể xin từ chức; nếu không xin từ chức, cơ quan hoặc người có thẩm quyền trình bỏ phiếu tín nhiệm"
		}
	}
	return ""
}

// ThresholdText names the threshold a person reached against the round's denominator, as the
// minutes' legend and the report print it beside the consequence: "Tín nhiệm thấp trên 1/2
// đến dưới 2/3 tổng số người được triệu tập"; "" below both.
func ThresholdText(track, denominator string, f Flags) string {
	den := DenominatorWordsFor(track, denominator)
	switch {
	case f.TwoThirdsLow:
		return "Tín nhiệm thấp từ 2/3 " + den + " trở lên"
	case f.OverHalfLow:
		return "Tín nhiệm thấp trên 1/2 đến dưới 2/3 " + den
	}
	return ""
}

// DenominatorWordsFor is DenominatorWords in the track's words: a People's Council or the
// National Assembly summons delegates ("tổng số đại biểu được triệu tập").
func DenominatorWordsFor(track, denominator string) string {
	return strings.Replace(DenominatorWords(denominator), "số người", "số "+PeopleWord(track), 1)
}

// PeopleWord names those summoned and present in the track's words (document.People): "người"
// at a Party conference, "đại biểu" at a session of a People's Council or the National Assembly.
func PeopleWord(track string) string { return document.People(document.Track(track)) }

// ThresholdWords names the threshold a person reached, for the flag column of the
// minutes; "" below both.
func ThresholdWords(f Flags) string {
	switch {
	case f.TwoThirdsLow:
		return "Tín nhiệm thấp từ 2/3 trở lên"
	case f.OverHalfLow:
		return "Tín nhiệm thấp trên 1/2 đến dưới 2/3"
	}
	return ""
}

// Quorum reports whether present people make at least 2/3 of those summoned.
func Quorum(summoned, present int) bool {
	return summoned > 0 && int64(present)*3 >= int64(summoned)*2
}

// MinPresent is the fewest present for quorum: 2/3 of those summoned, rounded up.
func MinPresent(summoned int) int { return (2*summoned + 2) / 3 }

// CheckAttendance lists what is wrong with the attendance figures alone (quorum, collected ≤
// issued ≤ present ≤ summoned…), for a caller that could not read the sheet and still wants to
// name every problem at once.
func CheckAttendance(a Attendance) []Problem {
	var ps problems
	ps.attendance(a)
	return ps.list
}

// Compute tallies one round. It checks everything first and returns a problem.List
// of every problem (see [BelowQuorum] for a session that lacked quorum); on
// error the Result is empty, so nothing half-checked can be stored.
func Compute(roster []Candidate, rules Rules, in Input) (Result, error) {
	var ps problems
	rules = ps.rules(rules)
	cands, onBallot, exempt := ps.roster(roster)
	ps.attendance(in.Attendance)
	absent := ps.absent(in.Attendance)
	committee := ps.committee(in.Committee, onBallot, cands)

	var (
		counts                    map[string]Counts
		validBallots, voidBallots int
		why                       voidDetail
		haveBallots               = in.Ballots != nil
		haveCounts                = in.Counts != nil
	)
	switch {
	case haveBallots && haveCounts:
		ps.add(at("sheet"), CodeNoData, "Chỉ nhập một trong hai: bảng phiếu (từng phiếu) hoặc bảng tổng hợp số phiếu, không nhập cả hai.")
	case haveBallots:
		counts, validBallots, voidBallots, why = ps.countBallots(in.Ballots, rules, cands, onBallot, in.Attendance)
	case haveCounts:
		counts, validBallots, voidBallots = ps.takeCounts(in.Counts, cands, onBallot, in.Attendance)
	default:
		ps.add(at("sheet"), CodeNoData, "Chưa có số liệu kiểm phiếu: hãy nhập bảng phiếu hoặc bảng tổng hợp số phiếu.")
	}
	if err := ps.err("tally"); err != nil {
		return Result{}, err
	}

	a := in.Attendance
	res := Result{
		Summoned:        a.Summoned,
		Present:         a.Present,
		Issued:          a.Issued,
		Collected:       a.Collected,
		QuorumMet:       Quorum(a.Summoned, a.Present),
		Denominator:     rules.Denominator,
		DenominatorText: DenominatorWords(rules.Denominator),
		BlankRow:        rules.BlankRow,
		ValidBallots:    validBallots,
		InvalidBallots:  voidBallots,
		VoidMarked:      why.marked,
		VoidBadRow:      why.badRow,
		Absent:          absent,
		Committee:       committee,
		Exempt:          exempt,
		Nominees:        make([]NomineeResult, 0, len(onBallot)),
	}
	for i, id := range onBallot {
		c, cnt := cands[id], counts[id]
		den := denominatorValue(rules.Denominator, a, cnt)
		pct, txt := percentOf(cnt, den)
		res.Nominees = append(res.Nominees, NomineeResult{
			Order:       i + 1,
			Nominee:     id,
			Name:        c.Name,
			Position:    c.Position,
			Counts:      cnt,
			Denominator: den,
			Percent:     pct,
			PercentText: txt,
			Flags:       thresholds(cnt.Thap, den),
			BlankRows:   why.blank[id],
			SpoiledRows: why.spoiled[id],
		})
	}
	res.Warnings = append(res.Warnings, ps.warnings...)
	if len(absent) == 0 && a.Present < a.Summoned {
		res.Warnings = append(res.Warnings, Problem{Path: "absent", Code: CodeAbsent,
			Message: fmt.Sprintf("Chưa ghi họ tên %d người vắng mặt; biên bản cần danh sách này.", a.Summoned-a.Present)})
	}
	if len(committee) == 0 {
		res.Warnings = append(res.Warnings, Problem{Path: "committee", Code: CodeCommittee,
			Message: "Chưa ghi thành phần ban kiểm phiếu; biên bản cần họ tên và chức danh của từng thành viên."})
	}
	return res, nil
}

func denominatorValue(rule string, a Attendance, c Counts) int {
	switch rule {
	case dossier.DenominatorPresent:
		return a.Present
	case dossier.DenominatorCollected:
		return a.Collected
	case dossier.DenominatorValidForPerson:
		return c.Valid
	}
	return a.Summoned
}

func (ps *problems) rules(r Rules) Rules {
	r.Denominator = strings.ToLower(strings.TrimSpace(r.Denominator))
	r.BlankRow = strings.ToLower(strings.TrimSpace(r.BlankRow))
	switch r.Denominator {
	case "":
		r.Denominator = dossier.DenominatorSummoned
	case dossier.DenominatorSummoned, dossier.DenominatorPresent, dossier.DenominatorCollected, dossier.DenominatorValidForPerson:
	default:
		ps.add(at("rules.denominator"), CodeRules, "Cách tính tỷ lệ “%s” không hợp lệ; chỉ được summoned (số người được triệu tập), present (số người có mặt), collected (số phiếu thu vào) hoặc valid_for_person (số phiếu hợp lệ đối với từng người).", r.Denominator)
	}
	switch r.BlankRow {
	case "":
		r.BlankRow = dossier.BlankRowVoidRow
	case dossier.BlankRowVoidRow, dossier.BlankRowVoidBallot:
	default:
		ps.add(at("rules.blank_row"), CodeRules, "Quy tắc dòng để trống “%s” không hợp lệ; chỉ được void_row (chỉ dòng đó không hợp lệ) hoặc void_ballot (cả phiếu không hợp lệ).", r.BlankRow)
	}
	return r
}

// roster indexes the candidates by id and returns the ids on the ballot in roster order
// and the exempt ones with their reasons.
func (ps *problems) roster(roster []Candidate) (map[string]Candidate, []string, []Candidate) {
	cands := make(map[string]Candidate, len(roster))
	var onBallot []string
	exempt := []Candidate{}
	if len(roster) == 0 {
		ps.add(at("roster"), CodeRoster, "Đợt lấy phiếu chưa có danh sách người được lấy phiếu tín nhiệm.")
	}
	for i, c := range roster {
		field := fmt.Sprintf("roster[%d]", i)
		c.ID = ps.text(at(field+".id"), "Mã người được lấy phiếu", c.ID)
		c.Name = ps.text(at(field+".name"), "Họ tên", c.Name)
		c.Position = ps.text(at(field+".position"), "Chức vụ", c.Position)
		c.Exempt = ps.text(at(field+".exempt"), "Lý do không lấy phiếu", c.Exempt)
		switch {
		case c.ID == "":
			ps.add(at(field+".id"), CodeRoster, "Người thứ %d trong danh sách (%s) chưa có mã.", i+1, c.Name)
			continue
		case reservedColumn(c.ID):
			ps.add(at(field+".id"), CodeRoster, "Mã “%s” trùng với tên cột của bảng phiếu; hãy đặt mã khác cho %s.", c.ID, c.Name)
		}
		if _, dup := cands[c.ID]; dup {
			ps.add(at(field+".id"), CodeRoster, "Mã “%s” bị dùng cho hai người trong danh sách.", c.ID)
			continue
		}
		if c.Name == "" {
			ps.add(at(field+".name"), CodeRoster, "Người có mã %s chưa có họ tên.", c.ID)
		}
		cands[c.ID] = c
		if c.Exempt == "" {
			onBallot = append(onBallot, c.ID)
		} else {
			exempt = append(exempt, c)
		}
	}
	return cands, onBallot, exempt
}

func reservedColumn(id string) bool {
	switch strings.ToLower(id) {
	case colBallot, colInvalid:
		return true
	}
	return false
}

func (ps *problems) attendance(a Attendance) {
	for _, f := range []struct {
		field, label string
		n            int
	}{
		{"summoned", "Số người được triệu tập", a.Summoned},
		{"present", "Số người có mặt", a.Present},
		{"issued", "Số phiếu phát ra", a.Issued},
		{"collected", "Số phiếu thu vào", a.Collected},
		{"invalid_ballots", "Số phiếu không hợp lệ", a.InvalidBallots},
	} {
		if f.n < 0 {
			ps.add(at(f.field), CodeAttendance, "%s không được là số âm (%d).", f.label, f.n)
		}
	}
	if a.Summoned <= 0 {
		ps.add(at("summoned"), CodeAttendance, "Số người được triệu tập phải lớn hơn 0.")
		return
	}
	if a.Present > a.Summoned {
		ps.add(at("present"), CodeAttendance, "Số người có mặt (%d) lớn hơn số người được triệu tập (%d).", a.Present, a.Summoned)
	} else if !Quorum(a.Summoned, a.Present) && a.Present >= 0 {
		need := MinPresent(a.Summoned)
		ps.add(at("present"), CodeBelowQuorum, "Số người có mặt (%d) chưa đủ 2/3 số người được triệu tập (%d; cần ít nhất %d người): không đủ điều kiện tiến hành lấy phiếu tín nhiệm, không lập biên bản có giá trị.", a.Present, a.Summoned, need)
	}
	if a.Issued > a.Present && a.Present >= 0 {
		ps.add(at("issued"), CodeAttendance, "Số phiếu phát ra (%d) lớn hơn số người có mặt (%d).", a.Issued, a.Present)
	}
	if a.Collected > a.Issued && a.Issued >= 0 {
		ps.add(at("collected"), CodeAttendance, "Số phiếu thu vào (%d) lớn hơn số phiếu phát ra (%d).", a.Collected, a.Issued)
	}
}

func (ps *problems) absent(a Attendance) []Absentee {
	out := make([]Absentee, 0, len(a.Absent))
	seen := make(map[string]bool, len(a.Absent))
	for i, p := range a.Absent {
		field := fmt.Sprintf("absent[%d]", i)
		p.Name = ps.text(at(field+".name"), "Họ tên người vắng mặt", p.Name)
		p.Reason = ps.text(at(field+".reason"), "Lý do vắng mặt", p.Reason)
		if p.Name == "" {
			ps.add(at(field+".name"), CodeAbsent, "Người vắng mặt thứ %d chưa có họ tên.", i+1)
		} else if key := nameKey(p.Name); seen[key] {
			ps.add(at(field+".name"), CodeAbsent, "“%s” có hai lần trong danh sách vắng mặt.", p.Name)
		} else {
			seen[key] = true
		}
		out = append(out, p)
	}
	if len(out) > 0 && a.Summoned >= a.Present && a.Present >= 0 && len(out) != a.Summoned-a.Present {
		ps.add(at("absent"), CodeAbsent, "Danh sách vắng mặt có %d người nhưng số người vắng mặt là %d − %d = %d.", len(out), a.Summoned, a.Present, a.Summoned-a.Present)
	}
	return out
}

// nameKey compares people's names as staff would: case and spacing do not matter.
func nameKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

func (ps *problems) committee(ms []Member, onBallot []string, cands map[string]Candidate) []Member {
	voted := make(map[string]Candidate, len(onBallot))
	for _, id := range onBallot {
		voted[nameKey(cands[id].Name)] = cands[id]
	}
	out := make([]Member, 0, len(ms))
	seen := make(map[string]bool, len(ms))
	heads := 0
	for i, m := range ms {
		field := fmt.Sprintf("committee[%d]", i)
		m.Name = ps.text(at(field+".name"), "Họ tên thành viên ban kiểm phiếu", m.Name)
		m.Role = ps.text(at(field+".role"), "Chức danh trong ban kiểm phiếu", m.Role)
		role, ok := committeeRole(m.Role)
		switch {
		case m.Role == "":
			ps.add(at(field+".role"), CodeCommittee, "Thành viên ban kiểm phiếu %s chưa có chức danh (Trưởng ban, Thư ký hoặc Ủy viên).", m.Name)
		case !ok:
			ps.add(at(field+".role"), CodeCommittee, "Chức danh “%s” của %s không hợp lệ; chỉ được Trưởng ban, Thư ký hoặc Ủy viên.", m.Role, m.Name)
		default:
			m.Role = role
		}
		if m.Role == RoleHead {
			heads++
		}
		if m.Name == "" {
			ps.add(at(field+".name"), CodeCommittee, "Thành viên thứ %d của ban kiểm phiếu chưa có họ tên.", i+1)
		} else {
			key := nameKey(m.Name)
			if seen[key] {
				ps.add(at(field+".name"), CodeCommittee, "%s có hai lần trong ban kiểm phiếu.", m.Name)
			}
			seen[key] = true
			if c, ok := voted[key]; ok {
				ps.add(at(field+".name"), CodeCommittee, "%s (%s) là người được lấy phiếu tín nhiệm nên không được tham gia ban kiểm phiếu.", m.Name, c.ID)
			}
		}
		out = append(out, m)
	}
	if heads > 1 {
		ps.add(at("committee"), CodeCommittee, "Ban kiểm phiếu có %d Trưởng ban; chỉ được một.", heads)
	}
	return out
}

// committeeRole accepts the three roles in any case and with either placement of the
// tone mark on "uỷ/ủy", and returns the canonical spelling.
func committeeRole(s string) (string, bool) {
	k := nameKey(s)
	switch k {
	case "trưởng ban":
		return RoleHead, true
	case "thư ký", "thư kí":
		return RoleSecretary, true
	case "ủy viên", "uỷ viên":
		return RoleMember, true
	}
	return "", false
}

// columnOwner checks one sheet column against the roster: it must be a person on the ballot.
func (ps *problems) columnOwner(where Problem, id string, cands map[string]Candidate) bool {
	c, ok := cands[id]
	switch {
	case !ok:
		ps.add(where, CodeUnknownNominee, "“%s” không có trong danh sách người được lấy phiếu tín nhiệm của đợt này.", id)
		return false
	case c.Exempt != "":
		ps.add(where, CodeExemptOnBallot, "%s (%s) không thuộc diện lấy phiếu tín nhiệm (lý do: %s) nhưng lại có trong bảng kiểm phiếu.", c.Name, id, c.Exempt)
		return false
	}
	return true
}

func (ps *problems) missing(present map[string]bool, onBallot []string, cands map[string]Candidate, what string) {
	for _, id := range onBallot {
		if !present[id] {
			ps.add(onSheet(0, id, id, "cột "+id), CodeMissingNominee, "Thiếu %s của %s (%s), người được lấy phiếu tín nhiệm.", what, cands[id].Name, id)
		}
	}
}

// voidDetail is why ballots and rows were void, as the counting minutes list it.
type voidDetail struct {
	marked, badRow int            // whole ballots: marked invalid; void for a blank or spoiled row
	blank, spoiled map[string]int // per nominee, rows void for that person only
}

// countBallots checks the sheet and counts it under the round's blank-row rule.
func (ps *problems) countBallots(s *BallotSheet, rules Rules, cands map[string]Candidate, onBallot []string, a Attendance) (map[string]Counts, int, int, voidDetail) {
	before := len(ps.list)
	present := make(map[string]bool, len(s.Columns))
	for _, id := range s.Columns {
		field := onSheet(0, id, id, "cột "+id)
		if present[id] {
			ps.add(field, CodeDuplicateNominee, "Cột “%s” có hai lần trong bảng phiếu.", id)
			continue
		}
		present[id] = true
		ps.columnOwner(field, id, cands)
	}
	ps.missing(present, onBallot, cands, "cột trong bảng phiếu")
	if len(s.Rows) != a.Collected {
		ps.add(at("ballots"), CodeRowCount, "Bảng phiếu có %d phiếu nhưng số phiếu thu vào là %d.", len(s.Rows), a.Collected)
	}
	seen := make(map[int]int, len(s.Rows))
	for i, row := range s.Rows {
		if row.Number <= 0 {
			ps.add(ballotCell(row, i, ""), CodeBadCell, "%s: số phiếu phải là số nguyên dương, không phải %d.", ballotLabel(row, i), row.Number)
		} else if first, dup := seen[row.Number]; dup {
			ps.add(ballotCell(row, i, ""), CodeDuplicateBallot, "Phiếu số %d bị nhập hai lần (%s và %s).", row.Number, lineWhere(s.Rows[first], first), lineWhere(row, i))
		} else {
			seen[row.Number] = i
		}
		if len(row.Marks) != len(s.Columns) {
			ps.add(ballotCell(row, i, ""), CodeBadCell, "%s có %d ô đánh dấu nhưng bảng có %d cột người được lấy phiếu.", ballotLabel(row, i), len(row.Marks), len(s.Columns))
			continue
		}
		for j, m := range row.Marks {
			if m > MarkSpoiled {
				ps.add(ballotCell(row, i, s.Columns[j]), CodeBadCell, "%s, cột %s: giá trị đánh dấu không hợp lệ; chỉ được 1, 2, 3, x hoặc để trống.", ballotLabel(row, i), s.Columns[j])
			}
		}
	}
	if len(ps.list) > before {
		return nil, 0, 0, voidDetail{}
	}

	tallies := make([]Counts, len(s.Columns))
	blank := make([]int, len(s.Columns))
	spoiled := make([]int, len(s.Columns))
	valid, void := 0, 0
	why := voidDetail{blank: map[string]int{}, spoiled: map[string]int{}}
	for _, row := range s.Rows {
		if row.Invalid {
			void++
			why.marked++
			continue
		}
		if rules.BlankRow == dossier.BlankRowVoidBallot && hasBadRow(row.Marks) {
			void++
			why.badRow++
			continue
		}
		valid++
		for j, m := range row.Marks {
			switch m {
			case MarkCao:
				tallies[j].Cao++
			case MarkTinNhiem:
				tallies[j].TinNhiem++
			case MarkThap:
				tallies[j].Thap++
			case MarkBlank:
				blank[j]++
			case MarkSpoiled:
				spoiled[j]++
			}
		}
	}
	if a.InvalidBallots != 0 && a.InvalidBallots != void {
		ps.add(at("invalid_ballots"), CodeAttendance, "Số phiếu không hợp lệ đã ghi (%d) khác số phiếu không hợp lệ trong bảng phiếu (%d).", a.InvalidBallots, void)
	}
	out := make(map[string]Counts, len(s.Columns))
	for j, id := range s.Columns {
		c := tallies[j]
		c.Valid = c.Cao + c.TinNhiem + c.Thap
		c.Invalid = len(s.Rows) - c.Valid
		out[id] = c
		if blank[j] > 0 {
			why.blank[id] = blank[j]
		}
		if spoiled[j] > 0 {
			why.spoiled[id] = spoiled[j]
		}
	}
	return out, valid, void, why
}

func hasBadRow(marks []Mark) bool {
	for _, m := range marks {
		if m == MarkBlank || m == MarkSpoiled {
			return true
		}
	}
	return false
}

// ballotCell is where a problem of a ballot row (and of one of its columns, when column is not
// "") stands: its line in the file, and its number in words.
func ballotCell(row BallotRow, i int, column string) Problem {
	where := lineWhere(row, i)
	if row.Number > 0 {
		where = fmt.Sprintf("phiếu số %d", row.Number)
	}
	if column != "" {
		where += ", cột " + column
	}
	return onSheet(row.Line, column, column, where)
}

// ballotLabel names a ballot in a sentence, as ballotCell does in a Problem's Where.
func ballotLabel(row BallotRow, i int) string {
	switch {
	case row.Number > 0 && row.Line > 0:
		return fmt.Sprintf("Phiếu số %d (dòng %d)", row.Number, row.Line)
	case row.Number > 0:
		return fmt.Sprintf("Phiếu số %d", row.Number)
	case row.Line > 0:
		return fmt.Sprintf("Dòng %d", row.Line)
	}
	return fmt.Sprintf("Phiếu thứ %d", i+1)
}

func lineWhere(row BallotRow, i int) string {
	if row.Line > 0 {
		return fmt.Sprintf("dòng %d", row.Line)
	}
	return fmt.Sprintf("phiếu thứ %d", i+1)
}

// takeCounts checks hand-counted figures against the roster and the ballots collected.
func (ps *problems) takeCounts(in map[string]Counts, cands map[string]Candidate, onBallot []string, a Attendance) (map[string]Counts, int, int) {
	ids := make([]string, 0, len(in))
	for id := range in {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	present := make(map[string]bool, len(in))
	if a.InvalidBallots > a.Collected {
		ps.add(at("invalid_ballots"), CodeAttendance, "Số phiếu không hợp lệ (%d) lớn hơn số phiếu thu vào (%d).", a.InvalidBallots, a.Collected)
	}
	validBallots := a.Collected - a.InvalidBallots
	out := make(map[string]Counts, len(in))
	for _, id := range ids {
		c := in[id]
		field := onSheet(0, "", id, "")
		present[id] = true
		if !ps.columnOwner(field, id, cands) {
			continue
		}
		name := cands[id].Name
		if c.Cao < 0 || c.TinNhiem < 0 || c.Thap < 0 || c.Invalid < 0 {
			ps.add(field, CodeBadCell, "Số phiếu của %s (%s) không được là số âm.", name, id)
			continue
		}
		sum := c.Cao + c.TinNhiem + c.Thap
		if c.Valid != 0 && c.Valid != sum {
			ps.add(field, CodeBadCell, "Số phiếu hợp lệ của %s (%s) ghi %d nhưng cao %d + tín nhiệm %d + thấp %d = %d.", name, id, c.Valid, c.Cao, c.TinNhiem, c.Thap, sum)
		}
		c.Valid = sum
		if total := sum + c.Invalid; total > a.Collected {
			ps.add(field, CodeCountsExceed, "Tổng số phiếu của %s (%s) là %d (cao %d + tín nhiệm %d + thấp %d + không hợp lệ %d), vượt số phiếu thu vào (%d).", name, id, total, c.Cao, c.TinNhiem, c.Thap, c.Invalid, a.Collected)
		} else if sum > validBallots && a.InvalidBallots <= a.Collected {
			ps.add(field, CodeCountsExceed, "Số phiếu hợp lệ của %s (%s) là %d, vượt số phiếu hợp lệ (%d thu vào − %d không hợp lệ = %d).", name, id, sum, a.Collected, a.InvalidBallots, validBallots)
		} else if total < a.Collected {
			ps.warn(field, CodeCountsShort, "Tổng số phiếu của %s (%s) là %d (cao %d + tín nhiệm %d + thấp %d + không hợp lệ %d), ít hơn số phiếu thu vào (%d); hãy kiểm tra lại.", name, id, total, c.Cao, c.TinNhiem, c.Thap, c.Invalid, a.Collected)
		}
		out[id] = c
	}
	ps.missing(present, onBallot, cands, "dòng trong bảng tổng hợp")
	return out, validBallots, a.InvalidBallots
}
