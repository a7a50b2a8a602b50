package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/app/apptest"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/store"
)

// uploadEnv is an API with small upload limits: 64 KB a request, 3 files.
func uploadEnv(t *testing.T) (*apptest.Env, *httptest.Server, string) {
	t.Helper()
	env := apptest.Start(t, apptest.Options{MaxRequest: 64 << 10, MaxFiles: 3})
	env.Round(t, dzRoundFile)
	_, tok := env.User(t, "bantochuc", []string{auth.RoleOrganizer}, "Tỉnh ủy Bình Sơn")
	srv := &Server{App: env.App, Log: slog.New(slog.DiscardHandler), Ready: func(context.Context) error { return nil }}
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	return env, h, tok
}

// form is a multipart body of files of the given sizes.
func form(t *testing.T, sizes ...int) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i, n := range sizes {
		part, _ := mw.CreateFormFile("file", "tep-"+string(rune('a'+i))+".pdf")
		part.Write(bytes.Repeat([]byte{'x'}, n))
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

func postForm(t *testing.T, h *httptest.Server, tok string, body io.Reader, ctype string, length int64) (int, http.Header, errorBody) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/api/v1/rounds/dz-api/documents", body)
	req.ContentLength = length
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out errorBody
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

// stored counts what is kept of uploads: chunk messages of the uploads' object store (a deleted
// object leaves only its tombstone) and document records.
func stored(t *testing.T, env *apptest.Env) (chunks, records uint64) {
	t.Helper()
	ctx := context.Background()
	st, err := env.NS.JS.Stream(ctx, "OBJ_"+bus.ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter("$O."+bus.ObjectUploads+".C.>"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range info.State.Subjects {
		chunks += n
	}
	kv, err := env.NS.JS.Stream(ctx, "KV_"+bus.BucketDocuments)
	if err != nil {
		t.Fatal(err)
	}
	ki, err := kv.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return chunks, ki.State.Msgs
}

// A request over --max-request, declared or not, or with more files than --max-files, is
// refused with 413 and a Vietnamese message, and nothing of it is kept.
func TestUploadRequestLimits(t *testing.T) {
	env, h, tok := uploadEnv(t)
	body, ctype := form(t, 40<<10, 40<<10)
	if code, _, out := postForm(t, h, tok, bytes.NewReader(body.Bytes()), ctype, int64(body.Len())); code != http.StatusRequestEntityTooLarge ||
		out.Error.Code != "request_too_large" || !strings.Contains(out.Error.Message, "tối đa 64 KB") {
		t.Errorf("declared over the limit: %d %+v", code, out.Error)
	}
	// The same body with no length (chunked): refused when it passes the limit.
	if code, _, out := postForm(t, h, tok, io.MultiReader(bytes.NewReader(body.Bytes())), ctype, -1); code != http.StatusRequestEntityTooLarge ||
		out.Error.Code != "request_too_large" {
		t.Errorf("chunked over the limit: %d %+v", code, out.Error)
	}
	body, ctype = form(t, 10, 10, 10, 10)
	if code, _, out := postForm(t, h, tok, body, ctype, int64(body.Len())); code != http.StatusRequestEntityTooLarge ||
		out.Error.Code != "too_many_files" || !strings.Contains(out.Error.Message, "tối đa 3 tệp") {
		t.Errorf("too many files: %d %+v", code, out.Error)
	}
	if objects, records := stored(t, env); objects != 0 || records != 0 {
		t.Errorf("refused requests kept %d object messages and %d records", objects, records)
	}
	body, ctype = form(t, 10, 10, 10)
	if code, _, out := postForm(t, h, tok, body, ctype, int64(body.Len())); code != http.StatusAccepted {
		t.Errorf("within the limits: %d %+v", code, out.Error)
	}
}

// A store that cannot take an upload now answers 503 with Retry-After, never 500, and keeps
// nothing: the client may send the same request again.
func TestUploadStoreSaturated(t *testing.T) {
	env, h, tok := uploadEnv(t)
	env.Stores.Uploads.Flow = &store.Flow{Wait: 50 * time.Millisecond} // no slot at all
	body, ctype := form(t, 1000, 1000)
	code, hdr, out := postForm(t, h, tok, body, ctype, int64(body.Len()))
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || out.Error.Code != "unavailable" {
		t.Fatalf("saturated store: %d Retry-After %q %+v", code, hdr.Get("Retry-After"), out.Error)
	}
	if objects, records := stored(t, env); objects != 0 || records != 0 {
		t.Errorf("a refused upload kept %d object messages and %d records", objects, records)
	}
	env.Stores.Uploads.Flow = store.NewFlow(0)
	body, ctype = form(t, 1000, 1000)
	if code, _, out := postForm(t, h, tok, body, ctype, int64(body.Len())); code != http.StatusAccepted {
		t.Errorf("sent again: %d %+v", code, out.Error)
	}
}
