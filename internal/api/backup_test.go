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
	"strconv"
	"strings"
	"testing"

	"tinnhiem/internal/app/apptest"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/backup"
	"tinnhiem/internal/bus"
)

// The backup route: admins get the whole system as a verifiable file with its sha256 in a
// trailer, audited; everyone else is refused, and a server without a key says so.
func TestBackupHandler(t *testing.T) {
	key := []byte("a backup key of at least thirty-two characters")
	var keyErr error
	env := apptest.Start(t, apptest.Options{BackupKey: func() ([]byte, error) { return key, keyErr }})
	ctx := context.Background()
	_, admin := env.User(t, "quantri", []string{auth.RoleAdmin})
	_, viewer := env.User(t, "xem", []string{auth.RoleViewer}, "Tỉnh ủy Bình Sơn")
	srv := httptest.NewServer((&Server{App: env.App, Log: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	get := func(token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/backup", nil)
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

	resp := get(admin)
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
	all := len(bus.Streams()) + len(bus.Buckets()) + len(bus.ObjectStores())
	if resp.Trailer.Get(BackupStreamsTrailer) != strconv.Itoa(all) || len(m.Streams) != all {
		t.Errorf("streams: trailer %s, manifest %d; want every stream, bucket and object store (%d)", resp.Trailer.Get(BackupStreamsTrailer), len(m.Streams), all)
	}
	events, err := env.Stores.Audit.List(ctx, "", 0)
	found := false
	for _, e := range events {
		found = found || e.Action == "system.backup" && e.Actor == "quantri" && e.Details["sha256"] == hex.EncodeToString(sum[:])
	}
	if err != nil || !found {
		t.Errorf("audit after a backup: %+v %v", events, err)
	}

	for token, want := range map[string]int{viewer: http.StatusForbidden, "": http.StatusUnauthorized, "forged": http.StatusUnauthorized} {
		if resp := get(token); resp.StatusCode != want {
			t.Errorf("token %q: HTTP %d, want %d", token, resp.StatusCode, want)
		}
	}
	keyErr = errors.New("no key")
	if resp := get(admin); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("no key: HTTP %d", resp.StatusCode)
	}
}
