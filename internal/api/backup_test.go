package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/backup"
	"tinnhiem/internal/bus/bustest"
)

// The backup route: admins get the whole system as a verifiable file with its sha256 in a
// trailer, audited; everyone else is refused, and a server without a key says so.
func TestBackupHandler(t *testing.T) {
	srv := bustest.Start(t)
	ctx := context.Background()
	users := srv.KV(t, "tn_users")
	if _, err := users.Put(ctx, "admin", []byte(`{"username":"admin"}`)); err != nil {
		t.Fatal(err)
	}
	key := []byte("a backup key of at least thirty-two characters")
	principals := map[string]auth.Principal{
		"admin-token":  {Username: "admin", Roles: []string{auth.RoleAdmin}},
		"viewer-token": {Username: "xem", Roles: []string{"viewer"}, Organizations: []string{"Tỉnh ủy Bình Sơn"}},
	}
	cfg := BackupConfig{
		JS:  srv.JS,
		Key: func() ([]byte, error) { return key, nil },
		Principal: func(r *http.Request) (auth.Principal, bool) {
			p, ok := principals[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
			return p, ok
		},
		Audit: audit.New(srv.JS),
		Log:   slog.New(slog.DiscardHandler),
		Now:   time.Now,
	}
	get := func(h http.Handler, token string) *http.Response {
		t.Helper()
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/backup", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := get(BackupHandler(cfg), "admin-token")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), ".tnbackup") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("admin: HTTP %d %v", resp.StatusCode, resp.Header)
	}
	sum := sha256.Sum256(body)
	if got := resp.Trailer.Get(BackupSHA256Trailer); got != hex.EncodeToString(sum[:]) {
		t.Errorf("sha256 trailer %q, body %x", got, sum)
	}
	if e := resp.Trailer.Get(BackupErrorTrailer); e != "" {
		t.Errorf("error trailer on success: %s", e)
	}
	m, err := backup.Verify(bytes.NewReader(body), key)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Trailer.Get(BackupStreamsTrailer) != "16" || len(m.Streams) != 16 {
		t.Errorf("streams: trailer %s, manifest %d; want every stream, bucket and object store (16)", resp.Trailer.Get(BackupStreamsTrailer), len(m.Streams))
	}
	events, err := audit.New(srv.JS).List(ctx, "", 0)
	if err != nil || len(events) != 1 || events[0].Action != "system.backup" || events[0].Actor != "admin" || events[0].Details["sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("audit after a backup: %+v %v", events, err)
	}

	for token, want := range map[string]int{"viewer-token": http.StatusForbidden, "": http.StatusUnauthorized, "forged": http.StatusUnauthorized} {
		if resp := get(BackupHandler(cfg), token); resp.StatusCode != want {
			t.Errorf("token %q: HTTP %d, want %d", token, resp.StatusCode, want)
		}
	}
	noKey := cfg
	noKey.Key = func() ([]byte, error) { return nil, errors.New("no key") }
	if resp := get(BackupHandler(noKey), "admin-token"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("no key: HTTP %d", resp.StatusCode)
	}
}
