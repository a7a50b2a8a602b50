package main

import (
	"bytes"
	"context"
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
	deadline := time.Now().Add(*timeout)
	// One file is sent and its verdict awaited in one request; several are all sent first (the
	// workers read them meanwhile), then their verdicts are awaited one by one.
	var wait time.Duration
	if len(files) == 1 {
		wait = *timeout
	}
	var pending []verdictLine
	for _, path := range files {
		ans, err := postFile(e.ctx, cl, *round, *nominee, *kind, path, wait)
		if err != nil {
			failed = true
			_ = json.NewEncoder(e.stdout).Encode(verdictLine{File: path, Status: "error", Reason: "upload_failed", Message: err.Error(), Warnings: []string{}})
			continue
		}
		v := ans.verdictLine
		v.File = path
		if v.Warnings == nil {
			v.Warnings = []string{}
		}
		pending = append(pending, v)
	}
	for _, v := range pending {
		if v.Status == "pending" {
			// The server answers as soon as the verdict exists (long-poll), or when the wait ends.
			if doc, err := waitVerdict(e.ctx, cl, v.DocumentID, deadline); err == nil {
				doc.File = v.File
				v = doc.verdictLine
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

// postFile uploads one file and answers the server's entry for it; with wait above zero the
// server holds its answer until the verdict exists or wait has passed (?wait, long-poll), and
// the entry carries the verdict fields. A small file goes in one buffer with its length, built
// once (see smallForm), a large one streams (never whole in memory). A 503 with Retry-After
// (nothing kept: the server is failing over, or full) is sent again, from the file, for as long
// as the client's RetryFor allows.
func postFile(ctx context.Context, cl *client.Client, round, nominee, kind, path string, wait time.Duration) (docVerdict, error) {
	if form, ok, err := smallForm(nominee, kind, path); err != nil {
		return docVerdict{}, err
	} else if ok {
		return postForm(ctx, cl, round, form, wait)
	}
	var open []io.Closer
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	return sendUpload(ctx, cl, round, wait, func() (io.Reader, string, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", 0, err
		}
		pr, pw := io.Pipe()
		open = append(open, f, pr)
		mw := multipart.NewWriter(pw)
		go func() { pw.CloseWithError(writeUploadForm(mw, nominee, kind, filepath.Base(path), f)) }()
		return pr, mw.FormDataContentType(), -1, nil
	})
}

// uploadForm is the multipart body of one small file's upload, ready to send (and send again).
type uploadForm struct {
	body  []byte
	ctype string
}

// smallFormLimit is the largest file sent from one buffer with its length.
const smallFormLimit = 1 << 20

// smallForm builds the upload form of a file of at most smallFormLimit bytes; ok is false for a
// larger one, which is streamed.
func smallForm(nominee, kind, path string) (uploadForm, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return uploadForm{}, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return uploadForm{}, false, err
	}
	if st.Size() > smallFormLimit {
		return uploadForm{}, false, nil
	}
	var buf bytes.Buffer
	buf.Grow(int(st.Size()) + 1024) // the file and the form's headers
	mw := multipart.NewWriter(&buf)
	if err := writeUploadForm(mw, nominee, kind, filepath.Base(path), f); err != nil {
		return uploadForm{}, false, err
	}
	return uploadForm{body: buf.Bytes(), ctype: mw.FormDataContentType()}, true, nil
}

// postForm uploads a form built by smallForm, as postFile does.
func postForm(ctx context.Context, cl *client.Client, round string, form uploadForm, wait time.Duration) (docVerdict, error) {
	return sendUpload(ctx, cl, round, wait, func() (io.Reader, string, int64, error) {
		return bytes.NewReader(form.body), form.ctype, int64(len(form.body)), nil
	})
}

// sendUpload posts the body body gives (length -1: unknown) to the round's documents, again
// after a retryable refusal, and answers the one entry of the answer.
func sendUpload(ctx context.Context, cl *client.Client, round string, wait time.Duration, body func() (io.Reader, string, int64, error)) (docVerdict, error) {
	var out struct {
		Documents []docVerdict `json:"documents"`
	}
	target := cl.Base + "/api/v1/rounds/" + url.PathEscape(round) + "/documents"
	if wait > 0 {
		target += "?wait=" + min(wait, time.Minute).Round(time.Millisecond).String()
	}
	build := func() (*http.Request, error) {
		r, ctype, length, err := body()
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, r)
		if err != nil {
			return nil, err
		}
		req.ContentLength = length
		req.Header.Set("Content-Type", ctype)
		return req, nil
	}
	if err := cl.SendRetry(ctx, build, &out); err != nil {
		return docVerdict{}, err
	}
	if len(out.Documents) != 1 {
		return docVerdict{}, fmt.Errorf("máy chủ trả lời %d tài liệu cho một tệp", len(out.Documents))
	}
	return out.Documents[0], nil
}

func writeUploadForm(mw *multipart.Writer, nominee, kind, name string, r io.Reader) error {
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
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	return mw.Close()
}

// docVerdict is a verdict with the server's times of receipt and verdict.
type docVerdict struct {
	verdictLine
	ReceivedAt time.Time `json:"received_at"`
	VerdictAt  time.Time `json:"verdict_at"`
}

// waitVerdict asks for a document's verdict, waiting on the server (long-poll) until it exists
// or deadline passes. A server that does not wait answers at once: it is asked again shortly.
func waitVerdict(ctx context.Context, cl *client.Client, id string, deadline time.Time) (docVerdict, error) {
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return docVerdict{verdictLine: verdictLine{DocumentID: id, Status: "pending", Warnings: []string{}}}, nil
		}
		wait := min(left, 30*time.Second).Round(time.Millisecond)
		asked := time.Now()
		var v docVerdict
		err := cl.Do(ctx, http.MethodGet, "/api/v1/documents/"+url.PathEscape(id)+"?wait="+wait.String(), nil, &v)
		if err != nil {
			return v, err
		}
		if v.Warnings == nil {
			v.Warnings = []string{}
		}
		if v.Status != "pending" && v.Status != "" {
			return v, nil
		}
		if time.Since(asked) < wait/2 {
			select { // a server without long-poll
			case <-ctx.Done():
				return v, ctx.Err()
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
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
