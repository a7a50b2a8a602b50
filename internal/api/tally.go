package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
)

// tallyRequest is the body of POST /api/v1/rounds/{round}/tally (JSON), or the same fields as
// multipart form values with the CSV in the part "file".
type tallyRequest struct {
	Present        int               `json:"present"`
	Issued         int               `json:"issued"`
	Collected      int               `json:"collected"`
	InvalidBallots int               `json:"invalid_ballots"`
	Absent         []json.RawMessage `json:"absent"` // "Họ tên: lý do" or {"name","reason"}
	Committee      []json.RawMessage `json:"committee"`
	Entry          int               `json:"entry"`
	CSV            string            `json:"csv"`
	Session        json.RawMessage   `json:"session"`
	Reason         string            `json:"reason"`
	// Other names scripts use for the sheet's text; the first non-empty one counts.
	File    string `json:"file"`
	Ballots string `json:"ballots"`
	Counts  string `json:"counts"`
}

const maxTallyBody = 20 << 20

func (s *Server) importTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.roundAs(w, r, p, auth.RoleCounter, auth.RoleOrganizer)
	if !ok {
		return
	}
	req, err := decodeTallyRequest(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	var ps []dossier.Problem
	absent, committee := parseAbsentAndCommittee(req.Absent, req.Committee, &ps)
	session := decodeSession(req.Session, &ps)
	if strings.TrimSpace(req.CSV) == "" {
		ps = append(ps, dossier.Problem{Path: "file", Message: "thiếu tệp CSV phiếu bầu hoặc số đếm"})
	}
	if len(ps) > 0 {
		writeProblems(w, ps)
		return
	}
	sheet, err := minutes.ParseSheet(strings.NewReader(req.CSV))
	if ve := (*minutes.ValidationError)(nil); errors.As(err, &ve) {
		// The sheet cannot be counted; the attendance figures can still be checked, so that
		// every problem is named at once.
		att := minutes.Attendance{Summoned: rd.Summoned, Present: req.Present, Issued: req.Issued, Collected: req.Collected, InvalidBallots: req.InvalidBallots}
		err = &minutes.ValidationError{Op: ve.Op, Problems: append(minutes.CheckAttendance(att), ve.Problems...)}
	}
	if err != nil {
		s.tallyProblems(w, r, err)
		return
	}
	if req.Entry == 0 {
		req.Entry = 1
	}
	in := sheet.Input(minutes.Attendance{
		Summoned: rd.Summoned, Present: req.Present, Issued: req.Issued, Collected: req.Collected,
		Absent: absent, InvalidBallots: req.InvalidBallots,
	}, committee)
	res, err := s.Tallies.Import(r.Context(), rd, minutes.Entry{No: req.Entry, Input: in, Session: session, By: p.Username, Reason: strings.TrimSpace(req.Reason)})
	if errors.Is(err, minutes.ErrSealedNeedReason) {
		writeError(w, http.StatusConflict, "sealed", "kết quả kiểm phiếu đã được niêm phong; muốn sửa phải ghi lý do (reason) — bản đã niêm phong vẫn được giữ")
		return
	}
	if err != nil {
		s.tallyProblems(w, r, err)
		return
	}
	s.audit(r, audit.Event{Actor: p.Username, Action: "tally.import", Round: rd.ID, Details: map[string]string{
		"entry": strconv.Itoa(req.Entry), "present": strconv.Itoa(req.Present), "collected": strconv.Itoa(req.Collected), "reason": req.Reason,
	}})
	writeJSON(w, http.StatusOK, map[string]any{"entry": req.Entry, "result": res})
}

func decodeTallyRequest(w http.ResponseWriter, r *http.Request) (tallyRequest, error) {
	var req tallyRequest
	body := http.MaxBytesReader(w, r.Body, maxTallyBody)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := json.NewDecoder(body).Decode(&req); err != nil {
			return req, fmt.Errorf("cần JSON {present, issued, collected, absent, committee, entry, csv} hoặc multipart: %s", jsonErrorText(err))
		}
		for _, alt := range []string{req.File, req.Ballots, req.Counts} {
			if strings.TrimSpace(req.CSV) == "" {
				req.CSV = alt
			}
		}
		return req, nil
	}
	r.Body = body
	if err := r.ParseMultipartForm(maxTallyBody); err != nil {
		return req, fmt.Errorf("nội dung multipart bị lỗi: %v", err)
	}
	num := func(k string) (int, error) {
		v := strings.TrimSpace(r.FormValue(k))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s phải là số nguyên, không phải %q", k, v)
		}
		return n, nil
	}
	var err error
	for _, f := range []struct {
		k string
		v *int
	}{{"present", &req.Present}, {"issued", &req.Issued}, {"collected", &req.Collected}, {"entry", &req.Entry}, {"invalid_ballots", &req.InvalidBallots}} {
		if *f.v, err = num(f.k); err != nil {
			return req, err
		}
	}
	for _, a := range r.MultipartForm.Value["absent"] {
		req.Absent = append(req.Absent, formValueJSON(a))
	}
	for _, c := range r.MultipartForm.Value["committee"] {
		req.Committee = append(req.Committee, formValueJSON(c))
	}
	req.Reason = r.FormValue("reason")
	if sess := r.FormValue("session"); sess != "" {
		req.Session = json.RawMessage(sess)
	}
	// The sheet is the part "file", or else the first file part whatever its name.
	files := r.MultipartForm.File["file"]
	for name, fs := range r.MultipartForm.File {
		if len(files) == 0 && name != "session" {
			files = fs
		}
	}
	if len(files) > 0 {
		f, err := files[0].Open()
		if err != nil {
			return req, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return req, err
		}
		req.CSV = string(data)
	} else {
		for _, k := range []string{"csv", "ballots", "counts"} {
			if v := r.FormValue(k); v != "" && req.CSV == "" {
				req.CSV = v
			}
		}
	}
	return req, nil
}

// decodeSession reads the optional session details strictly: a field of the wrong type or a
// field the minutes do not know (a misspelt key would leave a blank on the paper) is a problem
// at its path, in words for the secretariat.
func decodeSession(raw json.RawMessage, ps *[]dossier.Problem) minutes.Session {
	var sess minutes.Session
	if t := strings.TrimSpace(string(raw)); t == "" || t == "null" {
		return sess
	}
	// Field by field, so that every problem is named at once.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		*ps = append(*ps, dossier.Problem{Path: "session", Message: "thông tin kỳ họp: " + jsonErrorText(err)})
		return minutes.Session{}
	}
	bad := false
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]})
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sess); err != nil {
			*ps = append(*ps, dossier.Problem{Path: "session" + jsonErrorPath(err), Message: "thông tin kỳ họp: " + jsonErrorText(err)})
			bad = true
		}
	}
	if bad {
		return minutes.Session{}
	}
	// The State track calls its session minutes "biên bản kỳ họp".
	if n, ok := sess.DocNumbers["bien-ban-ky-hop"]; ok {
		if _, both := sess.DocNumbers["bien-ban-hoi-nghi"]; !both {
			sess.DocNumbers["bien-ban-hoi-nghi"] = n
			delete(sess.DocNumbers, "bien-ban-ky-hop")
		}
	}
	return sess
}

// jsonErrorPath is ".field" for an error about one field, else "".
func jsonErrorPath(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "." + te.Field
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "." + strings.Trim(f, `"`)
	}
	return ""
}

// jsonErrorText says in Vietnamese what is wrong with a JSON body.
func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := map[string]string{"string": "một chuỗi chữ", "int": "một số nguyên", "bool": "true hoặc false", "[]string": "một danh sách (mỗi mục một dòng chữ)",
			"[]json.RawMessage": "một danh sách", "map[string]string": "một bảng khóa: giá trị", "json.RawMessage": "một giá trị JSON"}[te.Type.String()]
		if want == "" {
			want = "kiểu " + te.Type.String()
		}
		field := te.Field
		if field == "" {
			field = "nội dung"
		}
		return fmt.Sprintf("trường %s phải là %s, không phải %s", field, want, jsonKindWords(te.Value))
	case errors.As(err, &se):
		return fmt.Sprintf("JSON sai cú pháp ở byte %d", se.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON bị cụt hoặc rỗng"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "không có trường " + f + " (viết sai tên trường?)"
	}
	return err.Error()
}

func jsonKindWords(v string) string {
	switch v {
	case "string":
		return "một chuỗi chữ"
	case "number", "number int":
		return "một số"
	case "array":
		return "một danh sách"
	case "object":
		return "một bảng"
	case "bool":
		return "true/false"
	}
	return v
}

// formValueJSON reads a form value as a JSON object when it is one ({"name","reason"}), so that
// names containing ":" can be sent; otherwise as the text "Họ tên: giá trị".
func formValueJSON(s string) json.RawMessage {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	b, _ := json.Marshal(s)
	return b
}

// parseAbsentAndCommittee reads "Họ tên: lý do" or {"name","reason"} for the absent and
// "Họ tên: vai trò" or {"name","role"} for the committee.
func parseAbsentAndCommittee(absent, committee []json.RawMessage, ps *[]dossier.Problem) ([]minutes.Absentee, []minutes.Member) {
	absentee := func(name, reason string) minutes.Absentee { return minutes.Absentee{Name: name, Reason: reason} }
	member := func(name, role string) minutes.Member { return minutes.Member{Name: name, Role: role} }
	return parseNamed(absent, "absent", `"Họ tên: lý do" hoặc {"name","reason"}`, absentee, ps),
		parseNamed(committee, "committee", `"Họ tên: vai trò" hoặc {"name","role"}`, member, ps)
}

// parseNamed reads the absent and the committee: each item is a "Họ tên: value" string (as the
// CLI and form fields send them) or a JSON object of T; fromText makes a T of a string's name and
// value. An item that is neither is a problem at path[i] saying it must be want.
func parseNamed[T any](raw []json.RawMessage, path, want string, fromText func(name, value string) T, ps *[]dossier.Problem) []T {
	var out []T
	for i, m := range raw {
		var str string
		if json.Unmarshal(m, &str) == nil {
			name, value, _ := strings.Cut(str, ":")
			out = append(out, fromText(strings.TrimSpace(name), strings.TrimSpace(value)))
			continue
		}
		var v T
		if err := json.Unmarshal(m, &v); err != nil {
			*ps = append(*ps, dossier.Problem{Path: fmt.Sprintf("%s[%d]", path, i), Message: "phải là " + want})
			continue
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) tallyProblems(w http.ResponseWriter, r *http.Request, err error) {
	var ve *minutes.ValidationError
	if !errors.As(err, &ve) {
		s.internal(w, r, err)
		return
	}
	var b errorBody
	b.Error.Code, b.Error.Message = "invalid", "số liệu kiểm phiếu không hợp lệ, không có gì được lưu"
	if errors.Is(err, minutes.ErrBelowQuorum) {
		b.Error.Code = "below_quorum"
		b.Error.Message = "không đủ số người dự theo quy định (phải có mặt ít nhất 2/3 tổng số người được triệu tập): kết quả lấy phiếu không có giá trị, không lập biên bản; không có gì được lưu"
	}
	for _, p := range ve.Problems {
		b.Error.Problems = append(b.Error.Problems, dossier.Problem{Path: p.Field, Message: p.Message})
	}
	writeJSON(w, http.StatusUnprocessableEntity, b)
}

// tallyView is GET /api/v1/rounds/{round}/tally: the result (DESIGN §4 fields at top level) and
// the state of entry and sealing.
type tallyView struct {
	minutes.Result
	Version     int                  `json:"version"`
	SealedAt    string               `json:"sealed_at,omitempty"`
	SealedBy    string               `json:"sealed_by,omitempty"`
	SHA256      string               `json:"sha256,omitempty"`
	Entries     []int                `json:"entries,omitempty"`
	Differences []minutes.Difference `json:"differences,omitempty"`
	Versions    []versionView        `json:"versions"`
}

type versionView struct {
	Version  int    `json:"version"`
	SealedAt string `json:"sealed_at"`
	SealedBy string `json:"sealed_by"`
	Reason   string `json:"reason,omitempty"`
	SHA256   string `json:"sha256"`
}

func (s *Server) showTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// The figures are the minutes' content: whoever may not fetch the minutes may not read them
	// here either.
	rd, ok := s.resultsRound(w, r, p)
	if !ok {
		return
	}
	version, ok := versionParam(w, r)
	if !ok {
		return
	}
	rec, _, err := s.Tallies.Get(r.Context(), rd.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := tallyView{Versions: []versionView{}}
	for _, sv := range rec.Versions {
		v.Versions = append(v.Versions, versionView{Version: sv.Version, SealedAt: utcStamp(sv.SealedAt), SealedBy: sv.SealedBy, Reason: sv.Reason, SHA256: sv.SHA256})
	}
	showSealed := func(sv minutes.Sealed) {
		v.Result, v.Version, v.SHA256, v.SealedBy = sv.Result, sv.Version, sv.SHA256, sv.SealedBy
		v.SealedAt = utcStamp(sv.SealedAt)
	}
	if version > 0 {
		for _, sv := range rec.Versions {
			if sv.Version == version {
				showSealed(sv)
				writeJSON(w, http.StatusOK, v)
				return
			}
		}
		have := fmt.Sprintf("mới niêm phong %d phiên bản", len(rec.Versions))
		if len(rec.Versions) == 0 {
			have = "chưa niêm phong phiên bản nào"
		}
		writeError(w, http.StatusNotFound, "no_version", fmt.Sprintf("không có phiên bản %d: kết quả kiểm phiếu đợt %s %s", version, rd.ID, have))
		return
	}
	draft, err := s.Tallies.Draft(r.Context(), rd)
	switch {
	case err == nil && p.Has(auth.RoleCounter, auth.RoleOrganizer) && r.URL.Query().Get("sealed") == "":
		v.Result, v.Version, v.Entries, v.Differences = draft.Result, len(rec.Versions)+1, draft.Entries, draft.Differences
	case err != nil && !errors.Is(err, minutes.ErrNoEntry) && !isValidation(err):
		s.internal(w, r, err)
		return
	default:
		last, ok := rec.Latest()
		if !ok {
			writeError(w, http.StatusNotFound, "no_tally", "chưa nhập kết quả kiểm phiếu cho đợt "+rd.ID)
			return
		}
		showSealed(last)
	}
	writeJSON(w, http.StatusOK, v)
}

// utcStamp is how every time in the API's JSON is written: RFC 3339 in UTC, to the second.
func utcStamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func isValidation(err error) bool {
	var ve *minutes.ValidationError
	return errors.As(err, &ve)
}

func (s *Server) sealTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	rd, ok := s.roundAs(w, r, p, auth.RoleCounter, auth.RoleOrganizer)
	if !ok {
		return
	}
	sealed, err := s.Tallies.Seal(r.Context(), rd, p.Username)
	var de *minutes.DiffError
	switch {
	case errors.As(err, &de):
		var b errorBody
		b.Error.Code, b.Error.Message = "entries_differ", "hai lần nhập khác nhau ở các ô dưới đây; hãy thống nhất rồi niêm phong"
		for _, d := range de.Differences {
			b.Error.Problems = append(b.Error.Problems, dossier.Problem{Path: d.Field, Message: fmt.Sprintf("lần 1: %q, lần 2: %q", d.First, d.Second)})
		}
		writeJSON(w, http.StatusConflict, b)
		return
	case errors.Is(err, minutes.ErrNoEntry):
		writeError(w, http.StatusConflict, "no_tally", "chưa nhập kết quả kiểm phiếu nên chưa thể niêm phong")
		return
	case err != nil:
		s.tallyProblems(w, r, err)
		return
	}
	s.audit(r, audit.Event{ID: fmt.Sprintf("seal-%s-v%d", rd.ID, sealed.Version), Actor: p.Username, Action: "tally.seal", Round: rd.ID, Details: map[string]string{
		"version": strconv.Itoa(sealed.Version), "sha256": sealed.SHA256, "reason": sealed.Reason,
	}})
	writeJSON(w, http.StatusOK, map[string]any{"version": sealed.Version, "sha256": sealed.SHA256, "sealed_at": sealed.SealedAt, "sealed": true})
}
