package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/web"
)

type importPage struct {
	chrome
	Form     importForm
	Message  string
	Problems []problemView
}

// importForm is the round-file form, on its own page and on each round's page.
type importForm struct {
	ID      string // distinguishes the form's elements on a page
	Content string // the text to show again after problems
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.ImportRound, nil) {
		s.forbidden(w, r, p)
		return
	}
	s.render(w, r, http.StatusOK, "import", importPage{chrome: chrome{Title: "Nhập đợt lấy phiếu", User: newUserView(p), Back: "/", BackLabel: "Các đợt lấy phiếu"},
		Form: importForm{ID: "nhap"}})
}

// importRound takes a round file pasted into the text area or chosen as a file and stores it
// through the same core as POST /api/v1/rounds, which checks the organization and every field. On
// problems the page comes back with the text kept, so it can be corrected in place.
func (s *Server) importRound(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !app.May(p, app.ImportRound, nil) {
		s.forbidden(w, r, p)
		return
	}
	pg := importPage{chrome: chrome{Title: "Nhập đợt lấy phiếu", User: newUserView(p), Back: "/", BackLabel: "Các đợt lấy phiếu"}, Form: importForm{ID: "nhap"}}
	data, err := readRoundForm(w, r)
	if err != nil {
		pg.Message = err.Error()
		s.render(w, r, http.StatusBadRequest, "import", pg)
		return
	}
	if utf8.Valid(data) {
		pg.Form.Content = string(data)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		pg.Message = "Hãy dán nội dung tệp đợt lấy phiếu (YAML hoặc JSON) hoặc chọn tệp."
		s.render(w, r, http.StatusBadRequest, "import", pg)
		return
	}
	saved, _, err := s.app.ImportRound(r.Context(), p, data)
	if err == nil {
		http.Redirect(w, r, "/rounds/"+saved.ID+"?ok=imported", http.StatusSeeOther)
		return
	}
	e, ok := app.AsError(err)
	if !ok {
		s.internal(w, r, p, err)
		return
	}
	pg.Message = capitalize(e.Message)
	if e.Kind == app.Invalid {
		pg.Message = "Tệp có các lỗi dưới đây; chưa có gì được lưu. Hãy sửa rồi gửi lại."
	}
	pg.Problems = problemLines(e.Problems)
	s.render(w, r, web.Status(e.Kind), "import", pg)
}

var errRoundForm = errors.New("Biểu mẫu không hợp lệ; hãy mở lại trang và gửi lại.")

// readRoundForm reads the file part if one was chosen, else the text area.
func readRoundForm(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	// Room for the file or the text (both at most MaxRoundFileSize) and the form around them.
	r.Body = http.MaxBytesReader(w, r.Body, 2*dossier.MaxRoundFileSize+64<<10)
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/") {
		if err := r.ParseForm(); err != nil {
			return nil, tooLargeOr(err)
		}
		return []byte(r.PostFormValue("content")), nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errRoundForm
	}
	var text, file []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, tooLargeOr(err)
		}
		switch part.FormName() {
		case "content":
			text, err = readPart(part)
		case "file":
			file, err = readPart(part)
		}
		part.Close()
		if err != nil {
			return nil, err
		}
	}
	if len(bytes.TrimSpace(file)) > 0 {
		return file, nil
	}
	return text, nil
}

func readPart(part *multipart.Part) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(part, dossier.MaxRoundFileSize+1))
	if err != nil {
		return nil, tooLargeOr(err)
	}
	if len(data) > dossier.MaxRoundFileSize {
		return nil, errRoundTooLarge
	}
	return data, nil
}

var errRoundTooLarge = fmt.Errorf("Tệp đợt lấy phiếu quá lớn (tối đa %d MB).", dossier.MaxRoundFileSize>>20)

func tooLargeOr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errRoundTooLarge
	}
	return errRoundForm
}
