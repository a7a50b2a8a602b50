package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"tinnhiem/internal/auth"
)

// TestOtherOrganizationSeesNoRound: every route of a round answers 404 to anyone of another
// organization, whatever their role, so that a round's existence is never revealed; only a user
// who sees the round may be told they lack the role (403).
func TestOtherOrganizationSeesNoRound(t *testing.T) {
	a := newDZAPI(t, true)
	ctx := context.Background()
	u := auth.NewUser{Username: "xemkhac", Password: "mật khẩu đủ dài xemkhac", Roles: []string{auth.RoleViewer}, Organizations: []string{"Tỉnh ủy Hòa Lạc"}}
	if _, err := a.st.Auth.AddUser(ctx, u, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok, err := a.st.Auth.IssueToken(ctx, u.Username, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a.tokens[u.Username] = tok

	routes := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/rounds/dz-api"},
		{http.MethodGet, "/api/v1/rounds/dz-api/dossiers"},
		{http.MethodGet, "/api/v1/rounds/dz-api/alerts"},
		{http.MethodGet, "/api/v1/rounds/dz-api/audit"},
		{http.MethodPost, "/api/v1/rounds/dz-api/dossiers/rebuild"},
		{http.MethodPost, "/api/v1/rounds/dz-api/requests/late/decision"},
		{http.MethodPost, "/api/v1/rounds/dz-api/documents"},
		{http.MethodGet, "/api/v1/rounds/dz-api/tally"},
		{http.MethodPost, "/api/v1/rounds/dz-api/tally"},
		{http.MethodPost, "/api/v1/rounds/dz-api/tally/seal"},
		{http.MethodGet, "/api/v1/rounds/dz-api/artifacts"},
		{http.MethodGet, "/api/v1/rounds/dz-api/artifacts/bien-ban-kiem-phieu"},
		{http.MethodGet, "/api/v1/rounds/dz-api/tally/warnings"},
		{http.MethodGet, "/api/v1/rounds/dz-api/ballot"},
		{http.MethodGet, "/api/v1/rounds/dz-api/packet"},
		{http.MethodGet, "/api/v1/rounds/dz-api/packet/sent"},
		{http.MethodPost, "/api/v1/rounds/dz-api/packet/sent"},
		{http.MethodPost, "/api/v1/rounds/dz-api/publish"},
	}
	for _, user := range []string{"khac", "xemkhac"} {
		for _, rt := range routes {
			if code, _, body := a.do(t, rt.method, rt.path, user, map[string]string{"decision": "accept"}); code != http.StatusNotFound {
				t.Errorf("%s %s %s: HTTP %d %s, want 404", user, rt.method, rt.path, code, body)
			}
		}
	}
	// A round that does not exist is not found for a viewer either: not forbidden.
	if code, _, _ := a.do(t, http.MethodPost, "/api/v1/rounds/khong-co/dossiers/rebuild", "xem", nil); code != http.StatusNotFound {
		t.Errorf("viewer rebuild of a missing round: HTTP %d, want 404", code)
	}
	// The viewer of the round's own organization is forbidden, as before.
	for _, p := range []string{"/api/v1/rounds/dz-api/dossiers/rebuild", "/api/v1/rounds/dz-api/requests/late/decision"} {
		if code, _, _ := a.do(t, http.MethodPost, p, "xem", map[string]string{"decision": "accept"}); code != http.StatusForbidden {
			t.Errorf("viewer %s: HTTP %d, want 403", p, code)
		}
	}
}
