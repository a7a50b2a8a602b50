package ui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
	"tinnhiem/minutes/document"
)

// The tally entry page is the counting committee's form: attendance, absentees, the committee,
// the counts (typed in a table or a CSV file) and the session details. It stores nothing itself:
// the entry goes to POST /api/v1/rounds/{round}/tally, the same handler the CLI uses, so the
// checks, the storing and the audit are the API's. The page only turns the API's problems into
// words next to the boxes they concern.

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

// mayEnterTally: the counting committee enters the figures; the organizing board may too (a
// small committee often has the board's secretary type them).
func mayEnterTally(p auth.Principal) bool {
	return p.Has(auth.RoleCounter, auth.RoleOrganizer)
}

// tallyEntry shows the empty form, with the session details of the entry in progress (or of
// the last sealed version) already filled in: they are the secretariat's, not the counts a
// second entry must retype blind.
func (s *Server) tallyEntry(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !mayEnterTally(p) {
		s.forbidden(w, r, p)
		return
	}
	rec, err := s.tallyRecord(r, rd)
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	pg := newTallyEntryPage(rd, rec, p)
	pg.Form = blankEntryForm(rd, rec)
	s.render(w, r, http.StatusOK, "tallyentry", pg)
}

func (s *Server) tallyRecord(r *http.Request, rd dossier.Round) (minutes.Record, error) {
	if s.api.Tallies == nil {
		return minutes.Record{}, errors.New("ui: this server keeps no tallies")
	}
	rec, _, err := s.api.Tallies.Get(r.Context(), rd.ID)
	return rec, err
}

func newTallyEntryPage(rd dossier.Round, rec minutes.Record, p auth.Principal) tallyEntryPage {
	pg := tallyEntryPage{
		chrome: chrome{Title: "Nhập số liệu kiểm phiếu — " + rd.Title, User: newUserView(p),
			Back: "/rounds/" + rd.ID + "/tally", BackLabel: "Kết quả kiểm phiếu"},
		RoundTitle: rd.Title, Action: "/rounds/" + rd.ID + "/tally/entry", TallyURL: "/rounds/" + rd.ID + "/tally",
		Summoned: rd.Summoned, Quorum: (2*rd.Summoned + 2) / 3, Sealed: len(rec.Versions) > 0,
	}
	for no := 1; no <= 2; no++ {
		state := fmt.Sprintf("Lần nhập %d: chưa có", no)
		if e := rec.Entries[no]; e != nil {
			state = fmt.Sprintf("Lần nhập %d: đã có — %s, %s", no, e.By, localTime(rd, e.At))
		}
		pg.Entries = append(pg.Entries, state)
	}
	return pg
}

func blankEntryForm(rd dossier.Round, rec minutes.Record) entryForm {
	entry := "1"
	var sess minutes.Session
	reason := ""
	if e1 := rec.Entries[1]; e1 != nil {
		entry, sess, reason = "2", e1.Session, e1.Reason
	} else if last, ok := rec.Latest(); ok {
		sess = last.Session
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

func lowerFirst(s string) string {
	for i, c := range s {
		return strings.ToLower(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// submitTally reads the form, checks what only the page can check (a box that is not a number
// cannot be sent), and sends the entry to the API. On problems the form comes back as typed.
func (s *Server) submitTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.visibleRound(w, r, p)
	if !ok {
		return
	}
	if !mayEnterTally(p) {
		s.forbidden(w, r, p)
		return
	}
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
	rec, err := s.tallyRecord(r, rd)
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	pg := newTallyEntryPage(rd, rec, p)
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
	sub, ps := pg.Form.submission(rd)
	if sub.source == sourceFile {
		sub.fileName = fileName(r)
		sub.sheet, ps = readSheetFile(r, ps)
	}
	if len(ps) > 0 {
		ps = mergeProblems(ps, dryRun(rd, &sub))
		s.entryProblems(w, r, rd, &pg, &sub, http.StatusUnprocessableEntity, "", ps)
		return
	}
	if sub.source == sourceTable {
		sub.sheet = sub.countCSV(rd)
	}
	body, contentType, err := sub.apiBody()
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	res := s.callAPI(r, http.MethodPost, "/api/v1/rounds/"+rd.ID+"/tally", body, contentType)
	switch res.status {
	case http.StatusOK:
		http.Redirect(w, r, fmt.Sprintf("/rounds/%s/tally?ok=entered-%d#ban-nhap", rd.ID, sub.entry), http.StatusSeeOther)
		return
	case http.StatusForbidden:
		s.forbidden(w, r, p)
		return
	case http.StatusNotFound:
		s.notFound(w, r, p, "Không tìm thấy đợt lấy phiếu "+rd.ID+".")
		return
	case http.StatusUnprocessableEntity, http.StatusConflict, http.StatusBadRequest:
	default:
		s.apiErrorPage(w, r, p, res.status, apiProblem(res), "Chưa lưu được")
		return
	}
	e := apiProblem(res)
	for _, pr := range e.Problems {
		ps = append(ps, sub.locate(pr.Path, pr.Message, e.Code == minutes.CodeBelowQuorum && pr.Path == "present"))
	}
	msg := ""
	switch e.Code {
	case "sealed":
		ps = append(ps, entryProblem{key: "reason", where: "Lý do sửa", message: "Kết quả kiểm phiếu đã được niêm phong; muốn sửa phải ghi lý do sửa. Bản đã niêm phong vẫn được giữ nguyên."})
	case "bad_request":
		msg = "Số liệu gửi lên không đọc được (" + e.Message + "); chưa có gì được lưu."
	}
	if len(ps) == 0 && msg == "" {
		msg = capitalize(e.Message)
	}
	if sub.source == sourceFile && res.status == http.StatusUnprocessableEntity {
		// A file the parser refused is reported alone; the figures typed beside it are
		// checked here too, so that everything can be corrected in one go.
		ps = mergeProblems(ps, dryRun(rd, &sub))
	}
	s.entryProblems(w, r, rd, &pg, &sub, res.status, msg, ps)
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
				sub.present, rd.Summoned, (2*rd.Summoned+2)/3)
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

// entrySubmission is the form read into what the API takes, with where each part came from in
// the form, so that the API's problems can be put back beside their boxes.
type entrySubmission struct {
	source                              string
	entry                               int
	present, issued, collected, invalid int
	attendanceOK                        bool // every figure is a number
	absent                              []minutes.Absentee
	absentRow                           []int // form row of each absentee
	committee                           []minutes.Member
	memberRow                           []int
	reason                              string
	session                             minutes.Session
	counts                              map[string]minutes.Counts // typed table; nil with a file
	unreadable                          map[string]bool           // typed rows left out: a box is not a number
	sheet                               []byte
	fileName                            string
	lineOf                              map[int]string // line of the generated count CSV → nominee id
	names                               map[string]string
}

// entryProblem is one problem and the part of the form it concerns.
type entryProblem struct {
	key     string // "present", "absent.2", "committee.0", "count.n03", "session.chair", "sheet", "entry", "reason", "general"
	where   string // that part in words
	path    string // the cell in a CSV file, shown so it can be found there
	message string
	quorum  bool
}

// submission checks the boxes the page alone can check and builds the entry.
func (f *entryForm) submission(rd dossier.Round) (entrySubmission, []entryProblem) {
	var ps []entryProblem
	sub := entrySubmission{source: f.Source, reason: f.Reason.Value, names: map[string]string{}, attendanceOK: true}
	for _, n := range rd.Nominees {
		sub.names[n.ID] = n.Name
	}
	switch f.Entry.Value {
	case "1", "2":
		sub.entry, _ = strconv.Atoi(f.Entry.Value)
	default:
		ps = append(ps, entryProblem{key: "entry", where: "Lần nhập", message: "Hãy chọn lần nhập 1 hoặc lần nhập 2."})
	}
	for _, fl := range f.Attendance {
		n, msg := parseCountBox(fl.Value, fl.Required)
		if msg != "" {
			ps = append(ps, entryProblem{key: fl.Name, where: fl.Label, message: msg})
			sub.attendanceOK = false
			continue
		}
		switch fl.Name {
		case "present":
			sub.present = n
		case "issued":
			sub.issued = n
		case "collected":
			sub.collected = n
		case "invalid_ballots":
			sub.invalid = n
		}
	}
	for i, a := range f.Absent {
		if a.Name == "" && a.Reason == "" {
			continue
		}
		sub.absent = append(sub.absent, minutes.Absentee{Name: a.Name, Reason: a.Reason})
		sub.absentRow = append(sub.absentRow, i)
	}
	for i, m := range f.Committee {
		if m.Name == "" && m.Role == "" {
			continue
		}
		sub.committee = append(sub.committee, minutes.Member{Name: m.Name, Role: m.Role})
		sub.memberRow = append(sub.memberRow, i)
	}
	sess, sps := f.readSession()
	sub.session = sess
	ps = append(ps, sps...)
	if f.Source == sourceTable {
		ps = append(ps, sub.readCounts(f.Counts)...)
	}
	return sub, ps
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

// readCounts reads the typed table. A row left wholly empty is one problem, not four.
func (sub *entrySubmission) readCounts(rows []countRow) []entryProblem {
	var ps []entryProblem
	sub.counts, sub.unreadable, sub.lineOf = map[string]minutes.Counts{}, map[string]bool{}, map[int]string{}
	empty := 0
	for _, row := range rows {
		if row.Cao == "" && row.TinNhiem == "" && row.Thap == "" && row.Invalid == "" {
			empty++
		}
	}
	if empty == len(rows) && len(rows) > 0 {
		for _, row := range rows {
			sub.unreadable[row.ID] = true
		}
		return []entryProblem{{key: "sheet", where: "Số phiếu của từng người", message: "Chưa nhập số phiếu của người nào: hãy điền bảng dưới đây, hoặc chọn “Tải tệp CSV” và chọn tệp."}}
	}
	for _, row := range rows {
		key, where := "count."+row.ID, "Số phiếu của "+row.Name
		if row.Cao == "" && row.TinNhiem == "" && row.Thap == "" && row.Invalid == "" {
			sub.unreadable[row.ID] = true
			ps = append(ps, entryProblem{key: key, where: where, message: "Chưa nhập số phiếu của " + row.Name + "; ghi 0 vào ô không có phiếu nào."})
			continue
		}
		var c minutes.Counts
		good := true
		for _, b := range []struct {
			label, value string
			dst          *int
		}{{"Tín nhiệm cao", row.Cao, &c.Cao}, {"Tín nhiệm", row.TinNhiem, &c.TinNhiem}, {"Tín nhiệm thấp", row.Thap, &c.Thap}, {"Không hợp lệ", row.Invalid, &c.Invalid}} {
			n, msg := parseCountBox(b.value, true)
			if msg != "" {
				ps = append(ps, entryProblem{key: key, where: where, message: "Ô “" + b.label + "”: " + msg + "."})
				good = false
				continue
			}
			*b.dst = n
		}
		if !good {
			sub.unreadable[row.ID] = true
			continue
		}
		sub.counts[row.ID] = c
	}
	return ps
}

// readSession reads the session part; only the number of copies can be mistyped here, the rest
// is text the API checks.
func (f *entryForm) readSession() (minutes.Session, []entryProblem) {
	var s minutes.Session
	var ps []entryProblem
	list := sessionFieldList()
	for _, fl := range f.Session {
		if fl.Name == "copies" {
			n, msg := parseCountBox(fl.Value, false)
			if msg != "" {
				ps = append(ps, entryProblem{key: "session.copies", where: "Thông tin phiên họp — " + fl.Label, message: msg})
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
	return s, ps
}

// readSheetFile takes the CSV chosen in the form.
func readSheetFile(r *http.Request, ps []entryProblem) ([]byte, []entryProblem) {
	var fhs []*multipart.FileHeader
	if r.MultipartForm != nil {
		fhs = r.MultipartForm.File["file"]
	}
	if len(fhs) == 0 || fhs[0].Size == 0 && fhs[0].Filename == "" {
		return nil, append(ps, entryProblem{key: "sheet", where: "Tệp CSV", message: "Chưa chọn tệp: hãy chọn tệp CSV bảng phiếu hoặc bảng tổng hợp, hoặc chọn “Gõ bảng tổng hợp trên trang”."})
	}
	if fhs[0].Size > maxSheetFile {
		return nil, append(ps, entryProblem{key: "sheet", where: "Tệp CSV", message: fmt.Sprintf("Tệp %s quá lớn (tối đa %d MB); bảng kiểm phiếu không thể lớn như vậy.", fhs[0].Filename, maxSheetFile>>20)})
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, append(ps, entryProblem{key: "sheet", where: "Tệp CSV", message: "Không đọc được tệp đã chọn; hãy chọn lại."})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSheetFile+1))
	if err != nil {
		return nil, append(ps, entryProblem{key: "sheet", where: "Tệp CSV", message: "Không đọc được tệp đã chọn; hãy chọn lại."})
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, append(ps, entryProblem{key: "sheet", where: "Tệp CSV", message: "Tệp " + fhs[0].Filename + " rỗng."})
	}
	return data, ps
}

// countCSV writes the typed table as the count CSV the API reads (nominee,cao,tin_nhiem,thap,
// invalid), remembering which line holds whom.
func (sub *entrySubmission) countCSV(rd dossier.Round) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"nominee", "cao", "tin_nhiem", "thap", "invalid"})
	line := 1
	for _, n := range rd.Nominees {
		c, ok := sub.counts[n.ID]
		if !ok {
			continue
		}
		line++
		sub.lineOf[line] = n.ID
		_ = cw.Write([]string{n.ID, strconv.Itoa(c.Cao), strconv.Itoa(c.TinNhiem), strconv.Itoa(c.Thap), strconv.Itoa(c.Invalid)})
	}
	cw.Flush()
	return buf.Bytes()
}

// apiBody is the multipart body of POST /api/v1/rounds/{round}/tally. Multipart rather than
// JSON because a CSV from a spreadsheet may be UTF-16, which a JSON string cannot carry intact.
func (sub *entrySubmission) apiBody() (io.Reader, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	put := func(k, v string) {
		_ = mw.WriteField(k, v)
	}
	put("entry", strconv.Itoa(sub.entry))
	put("present", strconv.Itoa(sub.present))
	put("issued", strconv.Itoa(sub.issued))
	put("collected", strconv.Itoa(sub.collected))
	put("invalid_ballots", strconv.Itoa(sub.invalid))
	// Each person as a JSON object, which the API reads as such: a name may contain ":".
	for _, a := range sub.absent {
		b, _ := json.Marshal(a)
		put("absent", string(b))
	}
	for _, m := range sub.committee {
		b, _ := json.Marshal(m)
		put("committee", string(b))
	}
	if sub.reason != "" {
		put("reason", sub.reason)
	}
	sess, err := json.Marshal(sub.session)
	if err != nil {
		return nil, "", fmt.Errorf("ui: encode session: %w", err)
	}
	if string(sess) != "{}" {
		put("session", string(sess))
	}
	name, data := sub.fileName, sub.sheet
	if sub.source == sourceTable {
		name = "bang-tong-hop.csv"
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, "", fmt.Errorf("ui: tally body: %w", err)
	}
	if _, err := fw.Write(data); err != nil {
		return nil, "", fmt.Errorf("ui: tally body: %w", err)
	}
	if err := mw.Close(); err != nil {
		return nil, "", fmt.Errorf("ui: tally body: %w", err)
	}
	return &buf, mw.FormDataContentType(), nil
}

// dryRun checks the parts of an entry that could be read with the tally's own rules, without
// storing anything, so that a form with a mistyped box or a refused file still shows every
// other problem at once. Parts already refused are left out, and so are the problems their
// absence would cause.
func dryRun(rd dossier.Round, sub *entrySubmission) []entryProblem {
	if !sub.attendanceOK {
		return nil // the figures depend on one another; a missing one would mislead
	}
	in := minutes.Input{
		Attendance: minutes.Attendance{Summoned: rd.Summoned, Present: sub.present, Issued: sub.issued, Collected: sub.collected,
			Absent: sub.absent, InvalidBallots: sub.invalid},
		Committee: sub.committee,
		Counts:    sub.counts,
	}
	_, err := minutes.Compute(minutes.RosterOf(rd), minutes.RulesOf(rd), in)
	var ve *minutes.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []entryProblem
	for _, pr := range ve.Problems {
		if pr.Field == "sheet" || strings.HasPrefix(pr.Field, "cột ") && (sub.counts == nil || sub.unreadable[strings.TrimPrefix(pr.Field, "cột ")]) {
			continue
		}
		out = append(out, sub.locate(pr.Field, pr.Message, pr.Code == minutes.CodeBelowQuorum))
	}
	return out
}

// mergeProblems adds the problems of b not already in a.
func mergeProblems(a, b []entryProblem) []entryProblem {
	for _, pr := range b {
		if !slices.ContainsFunc(a, func(x entryProblem) bool { return x.key == pr.key && x.message == pr.message }) {
			a = append(a, pr)
		}
	}
	return a
}

var (
	listPath    = regexp.MustCompile(`^(absent|committee)\[(\d+)\]`)
	csvLinePath = regexp.MustCompile(`^dòng (\d+)`)
)

// locate puts a problem of the tally (its field path, as the API and minutes.Compute name it)
// beside the part of the form it concerns.
func (sub *entrySubmission) locate(path, msg string, quorum bool) entryProblem {
	pr := entryProblem{key: "general", where: "Chung", message: msg, quorum: quorum}
	switch {
	case path == "present" || path == "issued" || path == "collected" || path == "invalid_ballots":
		pr.key = path
		for _, f := range attendanceFields(func(string) string { return "" }) {
			if f.Name == path {
				pr.where = f.Label
			}
		}
	case path == "entry":
		pr.key, pr.where = "entry", "Lần nhập"
	case path == "reason":
		pr.key, pr.where = "reason", "Lý do sửa"
	case path == "absent":
		pr.key, pr.where = "absent", "Người vắng mặt"
	case path == "committee":
		pr.key, pr.where = "committee", "Ban kiểm phiếu"
	case listPath.MatchString(path):
		m := listPath.FindStringSubmatch(path)
		i, _ := strconv.Atoi(m[2])
		rows, what := sub.absentRow, "Người vắng mặt"
		if m[1] == "committee" {
			rows, what = sub.memberRow, "Ban kiểm phiếu"
		}
		pr.key, pr.where = m[1], what
		if i < len(rows) {
			pr.key, pr.where = fmt.Sprintf("%s.%d", m[1], rows[i]), fmt.Sprintf("%s, dòng %d", what, rows[i]+1)
		}
	case strings.HasPrefix(path, "session."):
		name := strings.TrimPrefix(path, "session.")
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		for _, sf := range sessionFieldList() {
			if sf.name == name {
				pr.key, pr.where = "session."+name, "Thông tin phiên họp — "+sf.label
			}
		}
	case path == "summoned" || strings.HasPrefix(path, "roster") || strings.HasPrefix(path, "rules"):
		// The round's own data: only the organizing board can correct it.
		pr.where = "Thông tin đợt lấy phiếu (ban tổ chức sửa)"
	default:
		sub.locateSheet(&pr, path)
	}
	return pr
}

// locateSheet places a problem of the counts: beside a person's row of the typed table, or on
// the file with the cell it names.
func (sub *entrySubmission) locateSheet(pr *entryProblem, path string) {
	id := ""
	switch {
	case strings.HasPrefix(path, "nominee "):
		id, _, _ = strings.Cut(strings.TrimPrefix(path, "nominee "), ",")
	case strings.HasPrefix(path, "cột "):
		id = strings.TrimPrefix(path, "cột ")
	case csvLinePath.MatchString(path) && sub.source == sourceTable:
		n, _ := strconv.Atoi(csvLinePath.FindStringSubmatch(path)[1])
		id = sub.lineOf[n]
	}
	if name, ok := sub.names[id]; ok && sub.source == sourceTable {
		pr.key, pr.where = "count."+id, "Số phiếu của "+name
		return
	}
	pr.key, pr.where = "sheet", "Số phiếu của từng người"
	if sub.source == sourceFile {
		pr.where = "Tệp CSV"
		if path != "file" && path != "sheet" {
			pr.path = path
		}
	}
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
