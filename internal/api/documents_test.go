package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/web"
)

func (a *dzAPI) uploadFile(t *testing.T, user, name string, data []byte) string {
	t.Helper()
	code, body := a.post(t, user, "", name, data)
	var out struct {
		Documents []struct {
			DocumentID string `json:"document_id"`
			Status     string `json:"status"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(body, &out); err != nil || code != http.StatusAccepted || len(out.Documents) != 1 {
		t.Fatalf("upload: %d %s %v", code, body, err)
	}
	return out.Documents[0].DocumentID
}

// post uploads one file to the round's documents, query appended to the path.
func (a *dzAPI) post(t *testing.T, user, query, name string, data []byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", name)
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.http.URL+"/api/v1/rounds/"+a.round.ID+"/documents"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

type docAnswer struct {
	dossier.Document
	Versions      []ingest.Version `json:"versions"`
	VersionsPage  int              `json:"versions_page"`
	VersionsPages int              `json:"versions_pages"`
	VersionsTotal int              `json:"versions_total"`
}

// GET /api/v1/documents/{id}?wait=… answers as soon as the verdict is stored, and as it stands
// once the wait is over; who may not see the document learns nothing by waiting.
func TestDocumentLongPoll(t *testing.T) {
	a := newDZAPI(t, true)
	id := a.uploadFile(t, "bantochuc", "bao-cao.pdf", []byte("%PDF-1.4 không quan trọng"))

	code, _, body := a.do(t, http.MethodGet, "/api/v1/documents/"+id+"?wait=200ms", "bantochuc", nil)
	var got docAnswer
	if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK || got.Status != dossier.StatusPending {
		t.Fatalf("no verdict yet: %d %s", code, body)
	}
	for _, q := range []string{"?wait=soon", "?wait=-3s", "?versions_page=0", "?versions_page=x"} {
		if code, _, body := a.do(t, http.MethodGet, "/api/v1/documents/"+id+q, "bantochuc", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if code, _, _ := a.do(t, http.MethodGet, "/api/v1/documents/"+id+"?wait=30s", "khac", nil); code != http.StatusNotFound {
		t.Errorf("another organization waiting: %d", code)
	}

	answered := make(chan docAnswer, 1)
	go func() {
		code, _, body := a.do(t, http.MethodGet, "/api/v1/documents/"+id+"?wait=30s", "bantochuc", nil)
		var got docAnswer
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK {
			t.Errorf("waiting: %d %s", code, body)
		}
		answered <- got
	}()
	select {
	case got := <-answered:
		t.Fatalf("answered before the verdict: %+v", got.Document)
	case <-time.After(300 * time.Millisecond):
	}
	ctx := context.Background()
	d, rev, err := a.st.Documents.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d.Status, d.Kind, d.Nominee, d.Revision = dossier.StatusAccepted, dossier.KindSelfAssessment, "n01", 1
	if err := a.st.Documents.Update(ctx, d, rev); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-answered:
		if got.Status != dossier.StatusAccepted || got.Nominee != "n01" {
			t.Errorf("answer: %+v", got.Document)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("the long-poll did not answer when the verdict came")
	}
}

// A person's versions come a page at a time, newest first, with how many there are.
func TestDocumentVersionsPaged(t *testing.T) {
	a := newDZAPI(t, true)
	ctx := context.Background()
	base := a.round.Deadlines.Dossier.At.Add(-48 * time.Hour)
	var ids []string
	for i := 0; i < 25; i++ {
		at := base.Add(time.Duration(i) * time.Minute)
		d := dossier.Document{ID: ingest.NewID(at), Round: a.round.ID, File: fmt.Sprintf("v%02d.pdf", i), SHA256: fmt.Sprintf("%064x", i),
			ReceivedAt: at, Status: dossier.StatusAccepted, Kind: dossier.KindSelfAssessment, Nominee: "n01", Revision: 1, Warnings: []string{}}
		if err := a.st.Documents.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := a.st.Documents.RecordVersion(ctx, d); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	for _, tc := range []struct {
		query       string
		first, size int
		page        int
	}{{"", 24, 20, 1}, {"?versions_page=2", 4, 5, 2}, {"?versions_page=9", -1, 0, 9}} {
		code, _, body := a.do(t, http.MethodGet, "/api/v1/documents/"+ids[3]+tc.query, "xem", nil)
		var got docAnswer
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.query, code, body)
		}
		if got.VersionsTotal != 25 || got.VersionsPages != 2 || got.VersionsPage != tc.page || len(got.Versions) != tc.size {
			t.Errorf("%s: page %d/%d of %d, %d versions", tc.query, got.VersionsPage, got.VersionsPages, got.VersionsTotal, len(got.Versions))
		}
		if tc.size > 0 && got.Versions[0].ID != ids[tc.first] {
			t.Errorf("%s: first %s, want %s", tc.query, got.Versions[0].ID, ids[tc.first])
		}
	}
}

// POST …/documents?wait=… answers with the verdict once it is stored (200, the verdict fields as
// GET gives them), or with the document still pending once the wait is over (202); a wait that
// is not a duration is refused before any file is kept.
//
// The wait outlasts the HTTP front's grace (web.MinRate, whose deadlines count on the body and
// the answer): the answer still comes when the verdict does.
func TestUploadWaitsForVerdict(t *testing.T) {
	a := newDZAPI(t, true)
	front := httptest.NewServer(web.MinRate(a.srv.Handler(), web.RateConfig{Grace: 100 * time.Millisecond}))
	t.Cleanup(front.Close)
	a.http = front
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 không quan trọng")

	code, body := a.post(t, "bantochuc", "?wait=200ms", "bao-cao.pdf", pdf)
	var pending struct {
		Documents []struct {
			dossier.Document
			ReceivedLocal string `json:"received_local"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(body, &pending); err != nil || code != http.StatusAccepted || len(pending.Documents) != 1 ||
		pending.Documents[0].Status != dossier.StatusPending || pending.Documents[0].ReceivedLocal == "" {
		t.Fatalf("no verdict within the wait: %d %s", code, body)
	}
	before, err := a.st.Documents.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"?wait=soon", "?wait=-3s"} {
		if code, body := a.post(t, "bantochuc", q, "bao-cao.pdf", pdf); code != http.StatusBadRequest || !bytes.Contains(body, []byte("bad_wait")) {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if after, _ := a.st.Documents.Pending(ctx); len(after) != len(before) {
		t.Errorf("a refused wait kept files: %d pending, %d before", len(after), len(before))
	}

	type answer struct {
		code int
		body []byte
	}
	answered := make(chan answer, 1)
	go func() {
		code, body := a.post(t, "bantochuc", "?wait=30s", "ke-khai.pdf", pdf)
		answered <- answer{code, body}
	}()
	// The new document is the pending one not seen before.
	var id string
	for deadline := time.Now().Add(20 * time.Second); id == ""; time.Sleep(20 * time.Millisecond) {
		ids, err := a.st.Documents.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ids {
			if !slices.Contains(before, p) {
				id = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the upload was not received")
		}
	}
	select {
	case got := <-answered:
		t.Fatalf("answered before the verdict: %d %s", got.code, got.body)
	case <-time.After(time.Second): // ten times the front's grace
	}
	d, rev, err := a.st.Documents.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d.Status, d.Kind, d.Nominee, d.Revision, d.VerdictAt = dossier.StatusAccepted, dossier.KindAssetDeclaration, "n01", 1, time.Now().UTC()
	if err := a.st.Documents.Update(ctx, d, rev); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-answered:
		var out struct {
			Documents []dossier.Document `json:"documents"`
		}
		if err := json.Unmarshal(got.body, &out); err != nil || got.code != http.StatusOK || len(out.Documents) != 1 {
			t.Fatalf("answer: %d %s", got.code, got.body)
		}
		v := out.Documents[0]
		if v.ID != id || v.Status != dossier.StatusAccepted || v.Kind != dossier.KindAssetDeclaration || v.Nominee != "n01" || v.File != "ke-khai.pdf" || v.VerdictAt.IsZero() {
			t.Errorf("answer: %+v", v)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("the upload did not answer when the verdict came")
	}
}
