package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/initial"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
)

// The tally entry page is the counting committee's form: attendance, absentees, the committee,
// the counts (typed in a table or a CSV file) and the session details. The page reads its boxes
// into an app.TallyEntry — what it cannot read (a box that is not a number) becomes a problem at
// that box — and hands it to the core, the same as POST /api/v1/rounds/{round}/tally; the
// core's problems come back with their place (a field path, a person of the sheet, a line of a
// file) and are put beside the boxes they concern.

const (
	// maxEntryForm bounds the entry form: a CSV of 500 ballots of 200 persons is about 200 KB,
	// and the tally's own parser refuses more than 16 MiB.
	maxEntryForm = 18 << 20
	maxSheetFile = 16 << 20
	// maxFormRows bounds the repeatable rows (absentees, committee members) read from a form.
	maxFormRows = 2000
	// spareRows is how many empty rows a list starts with.
	spareRows = 3
)

// Where the counts come from.
const (
	sourceTable = "table" // typed in the page, one row per person on the ballot
	sourceFile  = "file"  // a ballot CSV or count CSV
)

type tallyEntryPage struct {
	chrome
	RoundTitle string
	Action     string
	TallyURL   string
	Summoned   int
	Quorum     int // the fewest present that make 2/3 of those summoned
	Sealed     bool
	Entries    []string // the state of entries 1 and 2
	// Problems lists every problem found, each linked to the box it concerns; BelowQuorum is
	// the banner of a session without quorum.
	Message     string
	Problems    []problemView
	BelowQuorum string
	Form        entryForm
}

// entryForm is the form as shown: what was typed, kept as typed, with the problems of each part.
type entryForm struct {
	Entry, Reason   field
	Attendance      []field
	Absent          []absentRow
	AbsentErrors    []string
	Committee       []memberRow
	CommitteeErrors []string
	Source          string
	Counts          []countRow
	SheetErrors     []string
	PreviousFile    string // a file chosen before the page came back; browsers cannot keep it
	Session         []field
	DocNumbers      []field
	SessionOpen     bool // open the session part: something in it is filled in or wrong
	Roles           []string
}

// field is one labelled box.
type field struct {
	Name, Label, Hint, Value string
	Type                     string // text, number, datetime-local, textarea
	Required                 bool
	Errors                   []string
}

// ID is the element id of the box; problems link to it.
func (f field) ID() string { return "f-" + f.Name }

type absentRow struct {
	Name, Reason string
	Errors       []string
}

type memberRow struct {
	Name, Role string
	Errors     []string
}

// countRow is one person's line of the typed count table.
type countRow struct {
	ID, Name, Position            string
	Order                         int
	Cao, TinNhiem, Thap, Invalid  string
	Valid                         string // cao + tín nhiệm + thấp, once all three are numbers
	BadCao, BadTN, BadThap, BadIn bool
	Errors                        []string
}

// committeeRoles are the roles of the counting committee, in the order the minutes list them.
func committeeRoles() []string {
	return []string{minutes.RoleHead, minutes.RoleSecretary, minutes.RoleMember}
}

// tallyEntry shows the empty form, with the session details of the entry in progress (or of
// the last sealed version) already filled in: they are the secretariat's, not the counts a
// second entry must retype blind.
func (s *Server) tallyEntry(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	o, ok := s.entryOverview(w, r, p)
	if !ok {
		return
	}
	pg := newTallyEntryPage(o, p)
	pg.Form = blankEntryForm(o)
	s.render(w, r, http.StatusOK, "tallyentry", pg)
}

// entryOverview opens the tally of the round of the path for someone who may enter figures.
func (s *Server) entryOverview(w http.ResponseWriter, r *http.Request, p auth.Principal) (app.TallyOverview, bool) {
	o, err := s.app.TallyOverview(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.failed(w, r, p, err, "Không mở được trang nhập số liệu")
		return o, false
	}
	if !o.MayEnter {
		s.forbidden(w, r, p)
		return o, false
	}
	return o, true
}

func newTallyEntryPage(o app.TallyOverview, p auth.Principal) tallyEntryPage {
	rd := o.Round
	pg := tallyEntryPage{
		chrome: chrome{Title: "Nhập số liệu kiểm phiếu — " + rd.Title, User: newUserView(p),
			Back: "/rounds/" + rd.ID + "/tally", BackLabel: "Kết quả kiểm phiếu"},
		RoundTitle: rd.Title, Action: "/rounds/" + rd.ID + "/tally/entry", TallyURL: "/rounds/" + rd.ID + "/tally",
		Summoned: rd.Summoned, Quorum: minutes.MinPresent(rd.Summoned), Sealed: len(o.Versions) > 0,
	}
	for no := 1; no <= 2; no++ {
		state := fmt.Sprintf("Lần nhập %d: chưa có", no)
		if e := o.Entries[no]; e != nil {
			state = fmt.Sprintf("Lần nhập %d: đã có — %s, %s", no, e.By, localTime(rd, e.At))
		}
		pg.Entries = append(pg.Entries, state)
	}
	return pg
}

func blankEntryForm(o app.TallyOverview) entryForm {
	rd := o.Round
	entry := "1"
	var sess minutes.Session
	reason := ""
	if e1 := o.Entries[1]; e1 != nil {
		entry, sess, reason = "2", e1.Session, e1.Reason
	} else if n := len(o.Versions); n > 0 {
		sess = o.Versions[n-1].Session
	}
	f := entryForm{Source: sourceTable, Roles: committeeRoles()}
	f.Entry = field{Name: "entry", Value: entry}
	f.Reason = field{Name: "reason", Value: reason}
	f.Attendance = attendanceFields(func(string) string { return "" })
	f.Absent = make([]absentRow, spareRows)
	f.Committee = make([]memberRow, spareRows)
	f.Counts = countRows(rd, func(string) string { return "" })
	f.Session, f.DocNumbers = sessionFields(rd, sess)
	f.SessionOpen = false
	return f
}

// attendanceFields are the figures of the session, in the order the minutes print them.
func attendanceFields(value func(string) string) []field {
	return []field{
		{Name: "present", Label: "Số người có mặt", Type: "number", Required: true, Value: value("present")},
		{Name: "issued", Label: "Số phiếu phát ra", Type: "number", Required: true, Value: value("issued")},
		{Name: "collected", Label: "Số phiếu thu vào", Type: "number", Required: true, Value: value("collected")},
		{Name: "invalid_ballots", Label: "Số phiếu không hợp lệ", Type: "number", Value: value("invalid_ballots"),
			Hint: "Phiếu không hợp lệ cả phiếu, khi nhập bảng tổng hợp; với bảng phiếu, hệ thống tự đếm (nếu ghi thì phải khớp)."},
	}
}

func countRows(rd dossier.Round, value func(string) string) []countRow {
	var rows []countRow
	for _, n := range rd.Nominees {
		if !n.OnBallot() {
			continue
		}
		row := countRow{ID: n.ID, Name: n.Name, Position: n.Position, Order: len(rows) + 1,
			Cao: value("cao_" + n.ID), TinNhiem: value("tin_nhiem_" + n.ID), Thap: value("thap_" + n.ID), Invalid: value("invalid_" + n.ID)}
		a, msgA := parseCountBox(row.Cao, true)
		b, msgB := parseCountBox(row.TinNhiem, true)
		c, msgC := parseCountBox(row.Thap, true)
		if msgA == "" && msgB == "" && msgC == "" {
			row.Valid = strconv.Itoa(a + b + c)
		}
		rows = append(rows, row)
	}
	return rows
}

// sessionField ties a box of the session part to its place in minutes.Session.
type sessionField struct {
	name, label, typ, hint string
	text                   func(*minutes.Session) *string
	lines                  func(*minutes.Session) *[]string // one item a line
}

// sessionFieldList is the session part of the form, in the order the minutes use the details.
func sessionFieldList() []sessionField {
	return []sessionField{
		{name: "session_name", label: "Tên hội nghị / kỳ họp", typ: "text", text: func(s *minutes.Session) *string { return &s.Name }},
		{name: "venue", label: "Địa điểm", typ: "text", text: func(s *minutes.Session) *string { return &s.Venue }},
		{name: "chair", label: "Chủ tọa", typ: "text", text: func(s *minutes.Session) *string { return &s.Chair }},
		{name: "chair_position", label: "Chức vụ của chủ tọa", typ: "text", text: func(s *minutes.Session) *string { return &s.ChairPosition }},
		{name: "secretary", label: "Thư ký hội nghị", typ: "text", text: func(s *minutes.Session) *string { return &s.Secretary }},
		{name: "session_opened_at", label: "Khai mạc lúc", typ: "datetime-local", text: func(s *minutes.Session) *string { return &s.SessionOpenedAt }},
		{name: "session_closed_at", label: "Bế mạc lúc", typ: "datetime-local", text: func(s *minutes.Session) *string { return &s.SessionClosedAt }},
		{name: "counting_opened_at", label: "Bắt đầu kiểm phiếu lúc", typ: "datetime-local", text: func(s *minutes.Session) *string { return &s.CountingOpenedAt }},
		{name: "counting_closed_at", label: "Kết thúc kiểm phiếu lúc", typ: "datetime-local", text: func(s *minutes.Session) *string { return &s.CountingClosedAt }},
		{name: "agenda", label: "Chương trình", typ: "textarea", hint: "Mỗi nội dung một dòng.", lines: func(s *minutes.Session) *[]string { return &s.Agenda }},
		{name: "committee_formation", label: "Cách lập ban kiểm phiếu", typ: "textarea", text: func(s *minutes.Session) *string { return &s.CommitteeFormation }},
		{name: "invalid_reasons", label: "Lý do phiếu không hợp lệ", typ: "textarea", hint: "Mỗi lý do một dòng.", lines: func(s *minutes.Session) *[]string { return &s.InvalidReasons }},
		{name: "irregularities", label: "Sự việc bất thường", typ: "textarea", hint: "Mỗi sự việc một dòng; để trống nếu không có.", lines: func(s *minutes.Session) *[]string { return &s.Irregularities }},
		{name: "dossiers_sent_at", label: "Ngày gửi hồ sơ cho người ghi phiếu", typ: "text", hint: "Ví dụ: ngày 28/11/2028", text: func(s *minutes.Session) *string { return &s.DossiersSentAt }},
		{name: "explanations_sent_at", label: "Ngày gửi báo cáo giải trình", typ: "text", text: func(s *minutes.Session) *string { return &s.ExplanationsSentAt }},
		{name: "report_to", label: "Báo cáo gửi", typ: "text", text: func(s *minutes.Session) *string { return &s.ReportTo }},
		{name: "recipients", label: "Nơi nhận", typ: "textarea", hint: "Mỗi nơi một dòng.", lines: func(s *minutes.Session) *[]string { return &s.Recipients }},
		{name: "signer_on", label: "Thay mặt (T/M)", typ: "text", hint: "Ví dụ: T/M Ban Thường vụ", text: func(s *minutes.Session) *string { return &s.SignerOn }},
		{name: "signer_title", label: "Chức vụ người ký", typ: "text", text: func(s *minutes.Session) *string { return &s.SignerTitle }},
		{name: "signer_name", label: "Họ tên người ký", typ: "text", text: func(s *minutes.Session) *string { return &s.SignerName }},
	}
}

// sessionFields shows a session in boxes: the list above, the number of copies, and one
// document number per document the minutes workers make.
func sessionFields(rd dossier.Round, sess minutes.Session) (fields, docNumbers []field) {
	for _, sf := range sessionFieldList() {
		f := field{Name: sf.name, Label: sf.label, Type: sf.typ, Hint: sf.hint}
		if sf.text != nil {
			f.Value = *sf.text(&sess)
		} else {
			f.Value = strings.Join(*sf.lines(&sess), "\n")
		}
		fields = append(fields, f)
	}
	copies := ""
	if sess.Copies > 0 {
		copies = strconv.Itoa(sess.Copies)
	}
	fields = append(fields, field{Name: "copies", Label: "Số bản", Type: "number", Value: copies})
	for _, k := range document.Kinds() {
		docNumbers = append(docNumbers, field{Name: "doc_number_" + string(k), Label: "Số của " + lowerFirst(document.Title(k, document.Track(rd.Track))),
			Type: "text", Value: sess.DocNumbers[string(k)]})
	}
	return fields, docNumbers
}

func lowerFirst(s string) string { return initial.Lower(s) }

// submitTally reads the form into an entry — what the page alone can read or not — and hands it
// to the core. On problems the form comes back as typed, each problem beside its box.
func (s *Server) submitTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	o, ok := s.entryOverview(w, r, p)
	if !ok {
		return
	}
	rd := o.Round
	r.Body = http.MaxBytesReader(w, r.Body, maxEntryForm)
	// The page sends multipart (for the file box); a plain form, from a script, is read too.
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, &p, http.StatusRequestEntityTooLarge, "Chưa lưu được", fmt.Sprintf("Nội dung gửi lên quá lớn (tối đa %d MB); chưa có gì được lưu.", maxEntryForm>>20))
			return
		}
		s.errorPage(w, r, &p, http.StatusBadRequest, "Chưa lưu được", "Biểu mẫu gửi lên bị lỗi hoặc bị ngắt giữa chừng; chưa có gì được lưu. Hãy mở lại trang và nhập lại.")
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	pg := newTallyEntryPage(o, p)
	pg.Form = readEntryForm(r, rd)
	switch r.PostFormValue("action") {
	case "add-absent":
		// Without the page script, a row is added by sending the form back; nothing is stored.
		pg.Form.Absent = append(pg.Form.Absent, absentRow{})
		pg.Form.PreviousFile = fileName(r)
		s.render(w, r, http.StatusOK, "tallyentry", pg)
		return
	case "add-member":
		pg.Form.Committee = append(pg.Form.Committee, memberRow{})
		pg.Form.PreviousFile = fileName(r)
		s.render(w, r, http.StatusOK, "tallyentry", pg)
		return
	}
	sub := pg.Form.submission(rd)
	if sub.source == sourceFile {
		sub.fileName = fileName(r)
		sub.readSheetFile(r)
	}
	res, err := s.app.EnterTally(r.Context(), p, rd.ID, sub.entry)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/rounds/%s/tally?ok=entered-%d#ban-nhap", rd.ID, res.Entry), http.StatusSeeOther)
		return
	}
	e, ok := app.AsError(err)
	if !ok || (e.Kind != app.Invalid && e.Kind != app.Conflict) {
		s.failed(w, r, p, err, "Chưa lưu được")
		return
	}
	ps := make([]entryProblem, 0, len(e.Problems))
	for _, pr := range e.Problems {
		ps = append(ps, sub.locate(pr))
	}
	msg := ""
	if len(ps) == 0 {
		msg = capitalize(e.Message)
	}
	s.entryProblems(w, r, rd, &pg, &sub, web.Status(e.Kind), msg, ps)
}

// entryProblems shows the form again with every problem beside what it concerns.
func (s *Server) entryProblems(w http.ResponseWriter, r *http.Request, rd dossier.Round, pg *tallyEntryPage, sub *entrySubmission, status int, msg string, ps []entryProblem) {
	pg.showProblems(rd, sub, msg, ps)
	s.render(w, r, status, "tallyentry", *pg)
}

// showProblems puts the problems on the page: in the list at the top, each linked to its box,
// and beside the box itself.
func (pg *tallyEntryPage) showProblems(rd dossier.Round, sub *entrySubmission, msg string, ps []entryProblem) {
	pg.Message = msg
	if pg.Message == "" {
		pg.Message = "Số liệu có các lỗi dưới đây; chưa có gì được lưu. Hãy sửa rồi lưu lại."
	}
	for _, pr := range ps {
		if pr.quorum {
			pg.BelowQuorum = fmt.Sprintf("Không đủ 2/3 số người được triệu tập có mặt: có mặt %d trên %d người, cần ít nhất %d. "+
				"Theo quy định, không tiến hành lấy phiếu tín nhiệm và không lập biên bản có giá trị; số liệu này không được lưu.",
				sub.entry.Present, rd.Summoned, minutes.MinPresent(rd.Summoned))
		}
	}
	pg.Form.attach(ps)
	slices.SortStableFunc(ps, func(a, b entryProblem) int { return pg.Form.position(a.key) - pg.Form.position(b.key) })
	for _, pr := range ps {
		pg.Problems = append(pg.Problems, problemView{Field: pr.where, Path: pr.path, Message: capitalize(pr.message), Anchor: anchorOf(pr.key)})
	}
	if sub.source == sourceFile {
		pg.Form.PreviousFile = sub.fileName
	}
}

// anchorOf is the id of the element a problem's key points at.
func anchorOf(key string) string {
	if name, ok := strings.CutPrefix(key, "session."); ok {
		return "f-" + name // session boxes are named as minutes.Session's JSON fields
	}
	if key == "general" {
		return "nhap-kiem-phieu"
	}
	return "f-" + strings.ReplaceAll(key, ".", "-")
}

// readEntryForm reads the boxes as typed.
func readEntryForm(r *http.Request, rd dossier.Round) entryForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := entryForm{Source: v("source"), Roles: committeeRoles()}
	if f.Source != sourceFile {
		f.Source = sourceTable
	}
	f.Entry = field{Name: "entry", Value: v("entry")}
	f.Reason = field{Name: "reason", Value: v("reason")}
	f.Attendance = attendanceFields(v)
	names, reasons := formList(r, "absent_name"), formList(r, "absent_reason")
	for i := range max(len(names), len(reasons)) {
		f.Absent = append(f.Absent, absentRow{Name: at(names, i), Reason: at(reasons, i)})
	}
	names, roles := formList(r, "member_name"), formList(r, "member_role")
	for i := range max(len(names), len(roles)) {
		f.Committee = append(f.Committee, memberRow{Name: at(names, i), Role: at(roles, i)})
	}
	if len(f.Absent) == 0 {
		f.Absent = []absentRow{{}}
	}
	if len(f.Committee) == 0 {
		f.Committee = []memberRow{{}}
	}
	f.Counts = countRows(rd, v)
	f.Session, f.DocNumbers = sessionFields(rd, minutes.Session{})
	for i := range f.Session {
		if f.Session[i].Type == "textarea" {
			f.Session[i].Value = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(f.Session[i].Name), "\r\n", "\n"))
		} else {
			f.Session[i].Value = v(f.Session[i].Name)
		}
		f.SessionOpen = f.SessionOpen || f.Session[i].Value != ""
	}
	for i := range f.DocNumbers {
		f.DocNumbers[i].Value = v(f.DocNumbers[i].Name)
		f.SessionOpen = f.SessionOpen || f.DocNumbers[i].Value != ""
	}
	return f
}

func formList(r *http.Request, name string) []string {
	var vs []string
	if r.MultipartForm != nil {
		vs = r.MultipartForm.Value[name]
	} else {
		vs = r.PostForm[name]
	}
	if len(vs) > maxFormRows {
		vs = vs[:maxFormRows]
	}
	return vs
}

func at(vs []string, i int) string {
	if i < len(vs) {
		return strings.TrimSpace(vs[i])
	}
	return ""
}

func fileName(r *http.Request) string {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return ""
	}
	return r.MultipartForm.File["file"][0].Filename
}

// entrySubmission is the form read into the core's entry, with where each part came from in
// the form, so that the core's problems can be put back beside their boxes.
type entrySubmission struct {
	source    string
	entry     app.TallyEntry
	absentRow []int // form row of each absentee sent
	memberRow []int
	fileName  string
	names     map[string]string
}

// entryProblem is one problem and the part of the form it concerns.
type entryProblem struct {
	key     string // "present", "absent.2", "committee.0", "count.n03", "session.chair", "sheet", "entry", "reason", "general"
	where   string // that part in words
	path    string // the cell in a CSV file, shown so it can be found there
	message string
	quorum  bool
}

// submission reads the boxes into the core's entry. A box that cannot be read — not a number,
// left empty where a number is needed — is left out and becomes a problem at that box (the core
// names it with every other problem it finds).
func (f *entryForm) submission(rd dossier.Round) entrySubmission {
	sub := entrySubmission{source: f.Source, names: map[string]string{}}
	e := &sub.entry
	e.Reason = f.Reason.Value
	for _, n := range rd.Nominees {
		sub.names[n.ID] = n.Name
	}
	switch f.Entry.Value {
	case "1", "2":
		e.Entry, _ = strconv.Atoi(f.Entry.Value)
	default:
		e.Entry = 1
		e.Problems = append(e.Problems, problem.Problem{Path: "entry", Code: "bad_box", Message: "Hãy chọn lần nhập 1 hoặc lần nhập 2."})
	}
	for _, fl := range f.Attendance {
		n, msg := parseCountBox(fl.Value, fl.Required)
		if msg != "" {
			e.Problems = append(e.Problems, problem.Problem{Path: fl.Name, Code: "bad_box", Message: msg})
			continue
		}
		switch fl.Name {
		case "present":
			e.Present = n
		case "issued":
			e.Issued = n
		case "collected":
			e.Collected = n
		case "invalid_ballots":
			e.InvalidBallots = n
		}
	}
	for i, a := range f.Absent {
		if a.Name == "" && a.Reason == "" {
			continue
		}
		e.Absent = append(e.Absent, minutes.Absentee{Name: a.Name, Reason: a.Reason})
		sub.absentRow = append(sub.absentRow, i)
	}
	for i, m := range f.Committee {
		if m.Name == "" && m.Role == "" {
			continue
		}
		e.Committee = append(e.Committee, minutes.Member{Name: m.Name, Role: m.Role})
		sub.memberRow = append(sub.memberRow, i)
	}
	e.Session = f.readSession(&e.Problems)
	if f.Source == sourceTable {
		e.Counts = readCounts(f.Counts, &e.Problems)
	}
	return sub
}

// parseCountBox reads a number of people or ballots as typed: digits only, at most 9,999,999.
func parseCountBox(s string, required bool) (int, string) {
	if s == "" {
		if required {
			return 0, "chưa nhập; ghi 0 nếu không có"
		}
		return 0, ""
	}
	if strings.HasPrefix(s, "-") {
		return 0, "“" + s + "” là số âm; chỉ được ghi số nguyên từ 0 trở lên"
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 9_999_999 || strings.HasPrefix(s, "+") {
		return 0, "“" + s + "” không phải số nguyên; chỉ được ghi chữ số, ví dụ 44"
	}
	return n, ""
}

// readCounts reads the typed table, one person a row; a row that cannot be read is left out
// and said at that person. A table left wholly empty is one problem, not one a person.
func readCounts(rows []countRow, ps *[]problem.Problem) map[string]minutes.Counts {
	counts := map[string]minutes.Counts{}
	empty := 0
	for _, row := range rows {
		if row.Cao == "" && row.TinNhiem == "" && row.Thap == "" && row.Invalid == "" {
			empty++
		}
	}
	if empty == len(rows) && len(rows) > 0 {
		*ps = append(*ps, problem.Problem{Path: "sheet", Code: minutes.CodeNoData, Message: "Chưa nhập số phiếu của người nào: hãy điền bảng dưới đây, hoặc chọn “Tải tệp CSV” và chọn tệp."})
		return counts
	}
	for _, row := range rows {
		if row.Cao == "" && row.TinNhiem == "" && row.Thap == "" && row.Invalid == "" {
			*ps = append(*ps, problem.Problem{Path: "sheet", Nominee: row.ID, Code: "bad_box", Message: "Chưa nhập số phiếu của " + row.Name + "; ghi 0 vào ô không có phiếu nào."})
			continue
		}
		var c minutes.Counts
		good := true
		for _, b := range []struct {
			column, label, value string
			dst                  *int
		}{{"cao", "Tín nhiệm cao", row.Cao, &c.Cao}, {"tin_nhiem", "Tín nhiệm", row.TinNhiem, &c.TinNhiem}, {"thap", "Tín nhiệm thấp", row.Thap, &c.Thap}, {"invalid", "Không hợp lệ", row.Invalid, &c.Invalid}} {
			n, msg := parseCountBox(b.value, true)
			if msg != "" {
				*ps = append(*ps, problem.Problem{Path: "sheet", Nominee: row.ID, Column: b.column, Code: "bad_box", Message: "Ô “" + b.label + "”: " + msg + "."})
				good = false
				continue
			}
			*b.dst = n
		}
		if good {
			counts[row.ID] = c
		}
	}
	return counts
}

// readSession reads the session part; only the number of copies can be mistyped here, the rest
// is text the core checks.
func (f *entryForm) readSession(ps *[]problem.Problem) minutes.Session {
	var s minutes.Session
	list := sessionFieldList()
	for _, fl := range f.Session {
		if fl.Name == "copies" {
			n, msg := parseCountBox(fl.Value, false)
			if msg != "" {
				*ps = append(*ps, problem.Problem{Path: "session.copies", Code: "bad_box", Message: msg})
			}
			s.Copies = n
			continue
		}
		for _, sf := range list {
			if sf.name != fl.Name {
				continue
			}
			if sf.text != nil {
				*sf.text(&s) = fl.Value
				continue
			}
			var lines []string
			for _, l := range strings.Split(fl.Value, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, l)
				}
			}
			*sf.lines(&s) = lines
		}
	}
	for _, fl := range f.DocNumbers {
		if fl.Value == "" {
			continue
		}
		if s.DocNumbers == nil {
			s.DocNumbers = map[string]string{}
		}
		s.DocNumbers[strings.TrimPrefix(fl.Name, "doc_number_")] = fl.Value
	}
	return s
}

// readSheetFile takes the CSV chosen in the form; one that cannot be taken is a problem at it.
func (sub *entrySubmission) readSheetFile(r *http.Request) {
	refuse := func(msg string) {
		sub.entry.Problems = append(sub.entry.Problems, problem.Problem{Path: "sheet", Code: minutes.CodeNoData, Message: msg})
	}
	var fhs []*multipart.FileHeader
	if r.MultipartForm != nil {
		fhs = r.MultipartForm.File["file"]
	}
	if len(fhs) == 0 || fhs[0].Size == 0 && fhs[0].Filename == "" {
		refuse("Chưa chọn tệp: hãy chọn tệp CSV bảng phiếu hoặc bảng tổng hợp, hoặc chọn “Gõ bảng tổng hợp trên trang”.")
		return
	}
	if fhs[0].Size > maxSheetFile {
		refuse(fmt.Sprintf("Tệp %s quá lớn (tối đa %d MB); bảng kiểm phiếu không thể lớn như vậy.", fhs[0].Filename, maxSheetFile>>20))
		return
	}
	f, err := fhs[0].Open()
	if err != nil {
		refuse("Không đọc được tệp đã chọn; hãy chọn lại.")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSheetFile+1))
	if err != nil {
		refuse("Không đọc được tệp đã chọn; hãy chọn lại.")
		return
	}
	if len(bytes.TrimSpace(data)) == 0 {
		refuse("Tệp " + fhs[0].Filename + " rỗng.")
		return
	}
	sub.entry.Sheet = data
}

// locate puts a problem of the core beside the part of the form it concerns, by its place: the
// field path, the person of the sheet, the line of the file.
func (sub *entrySubmission) locate(pr problem.Problem) entryProblem {
	ep := entryProblem{key: "general", where: "Chung", message: pr.Message, quorum: pr.Code == minutes.CodeBelowQuorum}
	head, rest, _ := strings.Cut(pr.Path, ".")
	list, index, isList := listItem(pr.Path)
	switch {
	case pr.Path == "present" || pr.Path == "issued" || pr.Path == "collected" || pr.Path == "invalid_ballots":
		ep.key = pr.Path
		for _, f := range attendanceFields(func(string) string { return "" }) {
			if f.Name == pr.Path {
				ep.where = f.Label
			}
		}
	case pr.Path == "entry":
		ep.key, ep.where = "entry", "Lần nhập"
	case pr.Path == "reason":
		ep.key, ep.where = "reason", "Lý do sửa"
	case pr.Path == "absent":
		ep.key, ep.where = "absent", "Người vắng mặt"
	case pr.Path == "committee":
		ep.key, ep.where = "committee", "Ban kiểm phiếu"
	case isList && (list == "absent" || list == "committee"):
		rows, what := sub.absentRow, "Người vắng mặt"
		if list == "committee" {
			rows, what = sub.memberRow, "Ban kiểm phiếu"
		}
		ep.key, ep.where = list, what
		if index < len(rows) {
			ep.key, ep.where = fmt.Sprintf("%s.%d", list, rows[index]), fmt.Sprintf("%s, dòng %d", what, rows[index]+1)
		}
	case head == "session":
		name, _, _ := strings.Cut(rest, "[")
		name, _, _ = strings.Cut(name, ".")
		for _, sf := range sessionFieldList() {
			if sf.name == name {
				ep.key, ep.where = "session."+name, "Thông tin phiên họp — "+sf.label
			}
		}
		if name == "copies" {
			ep.key, ep.where = "session.copies", "Thông tin phiên họp — Số bản"
		}
	case pr.Path == "summoned" || head == "rules" || strings.HasPrefix(pr.Path, "roster"):
		// The round's own data: only the organizing board can correct it.
		ep.where = "Thông tin đợt lấy phiếu (ban tổ chức sửa)"
	case pr.Path == "sheet" || pr.Path == "file" || pr.Path == "ballots":
		if name, ok := sub.names[pr.Nominee]; ok && sub.source == sourceTable {
			ep.key, ep.where = "count."+pr.Nominee, "Số phiếu của "+name
			break
		}
		ep.key, ep.where = "sheet", "Số phiếu của từng người"
		if sub.source == sourceFile {
			ep.where, ep.path = "Tệp CSV", pr.Where
		}
	}
	return ep
}

// listItem reads a path "list[i]…" into the list's name and the index.
func listItem(path string) (string, int, bool) {
	name, rest, ok := strings.Cut(path, "[")
	if !ok {
		return "", 0, false
	}
	num, _, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil {
		return "", 0, false
	}
	return name, i, true
}

// position orders problems as their boxes come in the form, so the list reads top to bottom.
func (f *entryForm) position(key string) int {
	part, rest, _ := strings.Cut(key, ".")
	order := []string{"entry", "reason", "present", "issued", "collected", "invalid_ballots", "absent", "committee", "sheet", "count", "session", "general"}
	pos := slices.Index(order, part) * 10000
	if i, err := strconv.Atoi(rest); err == nil && i < 10000 {
		pos += i + 1
	}
	if part == "count" {
		pos += 1 + slices.IndexFunc(f.Counts, func(c countRow) bool { return c.ID == rest })
	}
	if part == "session" {
		pos += 1 + slices.IndexFunc(f.Session, func(fl field) bool { return fl.Name == rest })
	}
	return pos
}

// attach puts each problem's words beside its box.
func (f *entryForm) attach(ps []entryProblem) {
	for _, pr := range ps {
		msg := capitalize(pr.message)
		key, rest, _ := strings.Cut(pr.key, ".")
		switch key {
		case "entry":
			f.Entry.Errors = append(f.Entry.Errors, msg)
		case "reason":
			f.Reason.Errors = append(f.Reason.Errors, msg)
		case "present", "issued", "collected", "invalid_ballots":
			for i := range f.Attendance {
				if f.Attendance[i].Name == key {
					f.Attendance[i].Errors = append(f.Attendance[i].Errors, msg)
				}
			}
		case "absent":
			if i, err := strconv.Atoi(rest); err == nil && i < len(f.Absent) {
				f.Absent[i].Errors = append(f.Absent[i].Errors, msg)
			} else {
				f.AbsentErrors = append(f.AbsentErrors, msg)
			}
		case "committee":
			if i, err := strconv.Atoi(rest); err == nil && i < len(f.Committee) {
				f.Committee[i].Errors = append(f.Committee[i].Errors, msg)
			} else {
				f.CommitteeErrors = append(f.CommitteeErrors, msg)
			}
		case "count":
			for i := range f.Counts {
				if f.Counts[i].ID == rest {
					f.Counts[i].Errors = append(f.Counts[i].Errors, msg)
				}
			}
		case "session":
			f.SessionOpen = true
			for i := range f.Session {
				if f.Session[i].Name == rest {
					f.Session[i].Errors = append(f.Session[i].Errors, msg)
				}
			}
		case "sheet":
			f.SheetErrors = append(f.SheetErrors, msg)
		}
	}
	for i := range f.Counts {
		if c := &f.Counts[i]; len(c.Errors) > 0 {
			c.BadCao, c.BadTN, c.BadThap, c.BadIn = !isCount(c.Cao), !isCount(c.TinNhiem), !isCount(c.Thap), !isCount(c.Invalid)
		}
	}
}

func isCount(s string) bool {
	_, msg := parseCountBox(s, true)
	return msg == ""
}
