package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/client"
)

// verdictLine is the JSON line `tinnhiem upload` prints per file (DESIGN §4).
type verdictLine struct {
	File       string   `json:"file"`
	DocumentID string   `json:"document_id"`
	Status     string   `json:"status"`
	Kind       string   `json:"kind"`
	Nominee    string   `json:"nominee"`
	Reason     string   `json:"reason"`
	Message    string   `json:"message,omitempty"`
	Warnings   []string `json:"warnings"`
	// A scan or photo read by character recognition (DESIGN §5), and the file's format.
	OCR           bool    `json:"ocr,omitempty"`
	OCRConfidence float64 `json:"ocr_confidence,omitempty"`
	Format        string  `json:"format,omitempty"`
}

func (e *cmdEnv) upload(args []string) error {
	fs := e.flags("upload")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	nominee := fs.String("nominee", "", "declared nominee id (optional)")
	kind := fs.String("kind", "", "declared kind: self_assessment, asset_declaration, explanation_request, explanation, other (optional)")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for the verdicts")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || len(files) == 0 {
		return usageError{"upload --round R [--nominee ID] [--kind K] FILE…"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	failed := false
	var pending []verdictLine
	for _, path := range files {
		ans, err := e.uploadOne(cl, *round, *nominee, *kind, path)
		if err != nil {
			failed = true
			_ = json.NewEncoder(e.stdout).Encode(verdictLine{File: path, Status: "error", Reason: "upload_failed", Message: err.Error(), Warnings: []string{}})
			continue
		}
		pending = append(pending, verdictLine{File: path, DocumentID: ans.DocumentID, Status: ans.Status, Reason: ans.Reason, Message: ans.Message, Warnings: []string{}})
	}
	deadline := time.Now().Add(*timeout)
	for _, v := range pending {
		for {
			var doc verdictLine
			err := cl.Do(e.ctx, http.MethodGet, "/api/v1/documents/"+url.PathEscape(v.DocumentID), nil, &doc)
			if err == nil {
				doc.File = v.File
				if doc.Warnings == nil {
					doc.Warnings = []string{}
				}
				v = doc
			}
			if v.Status != "pending" || time.Now().After(deadline) || e.ctx.Err() != nil {
				break
			}
			select {
			case <-e.ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
	}
	if failed {
		return silentError{1}
	}
	return nil
}

type uploadAnswer struct {
	DocumentID string `json:"document_id"`
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	Message    string `json:"message"`
}

// uploadOne streams one file as multipart without reading it whole into memory.
func (e *cmdEnv) uploadOne(cl *client.Client, round, nominee, kind, path string) (uploadAnswer, error) {
	base := cl.Base
	f, err := os.Open(path)
	if err != nil {
		return uploadAnswer{}, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if nominee != "" {
				if err := mw.WriteField("nominee", nominee); err != nil {
					return err
				}
			}
			if kind != "" {
				if err := mw.WriteField("kind", kind); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("file", filepath.Base(path))
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, base+"/api/v1/rounds/"+url.PathEscape(round)+"/documents", pr)
	if err != nil {
		return uploadAnswer{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		Documents []uploadAnswer `json:"documents"`
	}
	if err := cl.Send(req, &out); err != nil {
		return uploadAnswer{}, err
	}
	if len(out.Documents) != 1 {
		return uploadAnswer{}, fmt.Errorf("máy chủ trả lời %d tài liệu cho một tệp", len(out.Documents))
	}
	return out.Documents[0], nil
}

func (e *cmdEnv) document(args []string) error {
	if len(args) == 0 {
		return usageError{"document list --round R [--json] | document show ID | document review ID --kind K --nominee N | document download ID -o FILE [--pdf]"}
	}
	sub, args := args[0], args[1:]
	fs := e.flags("document " + sub)
	cf := e.clientFlags(fs)
	kind := fs.String("kind", "", "confirmed kind (review)")
	nominee := fs.String("nominee", "", "confirmed nominee id (review)")
	note := fs.String("note", "", "note for the audit log (review)")
	out := fs.String("o", "", "output file (download)")
	asPDF := fs.Bool("pdf", false, "download the PDF rendering of a Word or OpenDocument original (download)")
	round := fs.String("round", "", "round id (list)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if sub == "list" {
		if *round == "" || len(pos) > 0 {
			return usageError{"document list --round R [--json]"}
		}
		return e.listDocuments(cf, *round, *asJSON)
	}
	if len(pos) != 1 {
		return usageError{"document " + sub + " cần mã tài liệu"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	path := "/api/v1/documents/" + url.PathEscape(pos[0])
	var raw json.RawMessage
	switch sub {
	case "show":
		if err := cl.Do(e.ctx, http.MethodGet, path, nil, &raw); err != nil {
			return err
		}
	case "review":
		if *kind == "" || *nominee == "" {
			return usageError{"document review cần --kind và --nominee"}
		}
		if err := cl.Do(e.ctx, http.MethodPost, path+"/review", map[string]string{"kind": *kind, "nominee": *nominee, "note": *note}, &raw); err != nil {
			return err
		}
	case "download":
		if *out == "" {
			return usageError{"document download cần -o FILE"}
		}
		file := path + "/file"
		if *asPDF {
			file = path + "/rendering"
		}
		resp, err := cl.Open(e.ctx, file)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	default:
		return usageError{"document: lệnh con không có: " + sub}
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = e.stdout.Write(buf.Bytes())
	return err
}

// listDocuments prints every document of a round: a table, or the API's JSON array.
func (e *cmdEnv) listDocuments(cf *clientFlags, round string, asJSON bool) error {
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	var rows []struct {
		DocumentID string `json:"document_id"`
		File       string `json:"file"`
		Status     string `json:"status"`
		Kind       string `json:"kind"`
		Nominee    string `json:"nominee"`
		Name       string `json:"name"`
		Reason     string `json:"reason"`
		ReceivedAt string `json:"received_at"`
	}
	if err := cl.Do(e.ctx, http.MethodGet, "/api/v1/rounds/"+url.PathEscape(round)+"/documents", nil, &rows); err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, rows)
	}
	fmt.Fprintf(e.stdout, "Đợt %s — %d tài liệu\n", round, len(rows))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MÃ TÀI LIỆU\tNHẬN LÚC (UTC)\tTRẠNG THÁI\tLOẠI\tNGƯỜI\tLÝ DO\tTỆP")
	for _, d := range rows {
		kind := "—"
		if k, err := dossier.ParseKind(d.Kind); err == nil && d.Kind != "" {
			kind = k.Label()
		}
		who := "—"
		if d.Nominee != "" {
			who = strings.TrimSpace(d.Nominee + " " + d.Name)
		}
		status := d.Status
		if d.Status != "pending" {
			status = dossier.StatusLabel(d.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.DocumentID, d.ReceivedAt, status, kind, who, d.Reason, d.File)
	}
	return tw.Flush()
}
