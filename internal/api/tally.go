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

	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/web"
	"tinnhiem/minutes"
)

func (s *Server) importTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not enter figures for this round learns that before whether the body is right.
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !app.May(p, app.EnterTally, &rd) {
		writeError(w, http.StatusForbidden, "forbidden", "tài khoản của bạn không có quyền thực hiện thao tác này")
		return
	}
	req, err := decodeTallyRequest(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	var ps []problem.Problem
	absent, committee := parseAbsentAndCommittee(req.Absent, req.Committee, &ps)
	e := app.TallyEntry{Entry: req.Entry, Present: req.Present, Issued: req.Issued, Collected: req.Collected, InvalidBallots: req.InvalidBallots,
		Absent: absent, Committee: committee, Session: decodeSession(req.Session, &ps), Reason: strings.TrimSpace(req.Reason)}
	if strings.TrimSpace(req.CSV) == "" {
		ps = append(ps, problem.Problem{Path: "file", Code: minutes.CodeNoData, Message: "thiếu tệp CSV phiếu bầu hoặc số đếm"})
	} else {
		e.Sheet = []byte(req.CSV)
	}
	e.Problems = ps
	res, err := s.App.EnterTally(r.Context(), p, rd.ID, e)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, res)
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
	version, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.App.Tally(r.Context(), p, r.PathValue("round"), version, r.URL.Query().Get("sealed") != "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := tallyView{Result: t.Result, Version: t.Version, SealedAt: utcStamp(t.SealedAt), SealedBy: t.SealedBy, SHA256: t.SHA256,
		Entries: t.Entries, Differences: t.Differences, Versions: []versionView{}}
	for _, sv := range t.Versions {
		v.Versions = append(v.Versions, versionView{Version: sv.Version, SealedAt: utcStamp(sv.SealedAt), SealedBy: sv.SealedBy, Reason: sv.Reason, SHA256: sv.SHA256})
	}
	web.WriteJSON(w, http.StatusOK, v)
}

func (s *Server) sealTally(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Who may not seal this round learns that before whether the body is right.
	rd, err := s.App.Round(r.Context(), p, r.PathValue("round"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	confirm, err := sealConfirm(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	o, err := s.App.SealConfirming(r.Context(), p, rd.ID, confirm)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, sealAnswerOf(o))
}

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
func decodeSession(raw json.RawMessage, ps *[]problem.Problem) minutes.Session {
	var sess minutes.Session
	if t := strings.TrimSpace(string(raw)); t == "" || t == "null" {
		return sess
	}
	// Field by field, so that every problem is named at once.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		*ps = append(*ps, problem.Problem{Path: "session", Message: "thông tin kỳ họp: " + jsonErrorText(err)})
		return minutes.Session{}
	}
	bad := false
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]})
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sess); err != nil {
			*ps = append(*ps, problem.Problem{Path: "session" + jsonErrorPath(err), Message: "thông tin kỳ họp: " + jsonErrorText(err)})
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
func parseAbsentAndCommittee(absent, committee []json.RawMessage, ps *[]problem.Problem) ([]minutes.Absentee, []minutes.Member) {
	absentee := func(name, reason string) minutes.Absentee { return minutes.Absentee{Name: name, Reason: reason} }
	member := func(name, role string) minutes.Member { return minutes.Member{Name: name, Role: role} }
	return parseNamed(absent, "absent", `"Họ tên: lý do" hoặc {"name","reason"}`, absentee, ps),
		parseNamed(committee, "committee", `"Họ tên: vai trò" hoặc {"name","role"}`, member, ps)
}

// parseNamed reads the absent and the committee: each item is a "Họ tên: value" string (as the
// CLI and form fields send them) or a JSON object of T; fromText makes a T of a string's name and
// value. An item that is neither is a problem at path[i] saying it must be want.
func parseNamed[T any](raw []json.RawMessage, path, want string, fromText func(name, value string) T, ps *[]problem.Problem) []T {
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
			*ps = append(*ps, problem.Problem{Path: fmt.Sprintf("%s[%d]", path, i), Message: "phải là " + want})
			continue
		}
		out = append(out, v)
	}
	return out
}
