package main

import (
	"net/http"
	"strings"
	"testing"
)

// Accounts that can be shut (DESIGN §5), through the API and the CLI: disabling, a new password
// and revoking end every token at once; everything is audited.
func TestServeAccounts(t *testing.T) {
	ts := startServer(t, t.TempDir(), "--workers", "none")
	admin := ts.token(t, "admin", testAdminPassword)
	ts.addUser(t, "lan", "mật khẩu của Lan", []string{"viewer"}, "Tỉnh ủy Bình Sơn")
	me := func(tok string) int { return ts.api(t, http.MethodGet, "/api/v1/me", tok, nil).Status }
	login := func(pw string) apiResponse {
		return ts.api(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"username": "lan", "password": pw})
	}
	patch := func(tok string, body any) apiResponse {
		return ts.api(t, http.MethodPatch, "/api/v1/users/lan", tok, body)
	}

	var issued struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expires_in"`
	}
	login("mật khẩu của Lan").decode(t, &issued)
	if issued.ExpiresIn != 24*3600 {
		t.Errorf("default token life %d s, want 24 h", issued.ExpiresIn)
	}
	tok := issued.Token

	t.Run("disabled: the token answers 401 at once", func(t *testing.T) {
		if me(tok) != http.StatusOK {
			t.Fatal("token does not work before")
		}
		res := patch(admin, map[string]any{"disabled": true})
		var u struct {
			Disabled     bool   `json:"disabled"`
			PasswordHash string `json:"password_hash"`
		}
		res.decode(t, &u)
		if res.Status != http.StatusOK || !u.Disabled || u.PasswordHash != "" {
			t.Fatalf("PATCH disabled: %d %s", res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), `"password_hash"`) {
			t.Errorf("an account's answer names its password hash: %s", res.Body)
		}
		if code := me(tok); code != http.StatusUnauthorized {
			t.Errorf("the token of a disabled account: %d", code)
		}
		if res := login("mật khẩu của Lan"); res.Status != http.StatusUnauthorized {
			t.Errorf("login of a disabled account: %d", res.Status)
		}
		if out, err := ts.cli(t, "user", "list"); err != nil || !strings.Contains(out, "đã khóa") {
			t.Errorf("user list: %v\n%s", err, out)
		}
		if out, err := ts.cli(t, "user", "enable", "--username", "lan"); err != nil || !strings.Contains(out, "Đã mở lại") {
			t.Fatalf("user enable: %v %s", err, out)
		}
		if me(tok) != http.StatusUnauthorized {
			t.Error("enabling brought the old token back")
		}
		if out, err := ts.cli(t, "user", "disable", "--username", "lan"); err != nil || !strings.Contains(out, "Đã khóa") {
			t.Fatalf("user disable: %v %s", err, out)
		}
		if _, err := ts.cli(t, "user", "enable", "--username", "lan"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a new password by an administrator", func(t *testing.T) {
		tok := ts.newToken(t, "lan", "mật khẩu của Lan")
		if res := patch(admin, map[string]any{"password": "ngắn"}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"path": "password"`) {
			t.Errorf("short password: %d %s", res.Status, res.Body)
		}
		if out, _, err := ts.cliWith(t, cliOpts{Env: map[string]string{"TINNHIEM_NEW_PASSWORD": "mật khẩu thứ hai của Lan"}}, "user", "passwd", "--username", "lan"); err != nil {
			t.Fatalf("user passwd: %v %s", err, out)
		}
		if me(tok) != http.StatusUnauthorized {
			t.Error("a token survived a new password")
		}
		if login("mật khẩu của Lan").Status != http.StatusUnauthorized || login("mật khẩu thứ hai của Lan").Status != http.StatusOK {
			t.Error("old password still works, or the new one does not")
		}
	})

	t.Run("revoke", func(t *testing.T) {
		a, b := ts.newToken(t, "lan", "mật khẩu thứ hai của Lan"), ts.newToken(t, "lan", "mật khẩu thứ hai của Lan")
		if res := ts.api(t, http.MethodDelete, "/api/v1/users/lan/tokens", admin, nil); res.Status != http.StatusNoContent {
			t.Fatalf("DELETE tokens: %d %s", res.Status, res.Body)
		}
		if me(a) != http.StatusUnauthorized || me(b) != http.StatusUnauthorized {
			t.Error("a token survived DELETE …/tokens")
		}
		c := ts.newToken(t, "lan", "mật khẩu thứ hai của Lan")
		if out, err := ts.cli(t, "user", "revoke", "--username", "lan"); err != nil || !strings.Contains(out, "Đã kết thúc") {
			t.Fatalf("user revoke: %v %s", err, out)
		}
		if me(c) != http.StatusUnauthorized {
			t.Error("a token survived user revoke")
		}
	})

	t.Run("roles apply at once", func(t *testing.T) {
		tok := ts.newToken(t, "lan", "mật khẩu thứ hai của Lan")
		if res := ts.api(t, http.MethodPost, "/api/v1/rounds", tok, roundBinhSon); res.Status != http.StatusForbidden {
			t.Fatalf("a viewer imports: %d", res.Status)
		}
		if res := patch(admin, map[string]any{"roles": []string{"organizer"}, "organization": "Tỉnh ủy Bình Sơn"}); res.Status != http.StatusOK {
			t.Fatalf("PATCH roles: %d %s", res.Status, res.Body)
		}
		if res := ts.api(t, http.MethodPost, "/api/v1/rounds", tok, roundBinhSon); res.Status != http.StatusCreated {
			t.Errorf("after becoming an organizer: %d %s", res.Status, res.Body)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		lan := ts.newToken(t, "lan", "mật khẩu thứ hai của Lan")
		cases := []struct {
			name, method, path, tok string
			body                    any
			status                  int
		}{
			{"not an admin", http.MethodPatch, "/api/v1/users/admin", lan, map[string]any{"disabled": true}, http.StatusForbidden},
			{"not an admin revokes", http.MethodDelete, "/api/v1/users/admin/tokens", lan, nil, http.StatusForbidden},
			{"unknown field", http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{"superuser": true}, http.StatusUnprocessableEntity},
			{"wrong type", http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{"disabled": "yes"}, http.StatusUnprocessableEntity},
			{"nothing", http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{}, http.StatusUnprocessableEntity},
			{"unknown role", http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{"roles": "boss"}, http.StatusUnprocessableEntity},
			{"no such user", http.MethodPatch, "/api/v1/users/nobody", admin, map[string]any{"disabled": true}, http.StatusNotFound},
			{"no such user's tokens", http.MethodDelete, "/api/v1/users/nobody/tokens", admin, nil, http.StatusNotFound},
			{"disable oneself", http.MethodPatch, "/api/v1/users/admin", admin, map[string]any{"disabled": true}, http.StatusConflict},
			{"drop one's own admin", http.MethodPatch, "/api/v1/users/admin", admin, map[string]any{"roles": []string{"viewer"}, "organization": "x"}, http.StatusConflict},
			{"not JSON", http.MethodPatch, "/api/v1/users/lan", admin, "disabled", http.StatusBadRequest},
		}
		for _, c := range cases {
			if res := ts.api(t, c.method, c.path, c.tok, c.body); res.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, res.Status, res.Body, c.status)
			}
		}
	})

	t.Run("one's own password", func(t *testing.T) {
		old := ts.newToken(t, "lan", "mật khẩu thứ hai của Lan")
		res := ts.api(t, http.MethodPost, "/api/v1/me/password", old, map[string]string{"current_password": "sai", "new_password": "mật khẩu thứ ba của Lan"})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "current_password") {
			t.Errorf("wrong current password: %d %s", res.Status, res.Body)
		}
		res = ts.api(t, http.MethodPost, "/api/v1/me/password", old, map[string]string{"current_password": "mật khẩu thứ hai của Lan", "new_password": "mật khẩu thứ ba của Lan"})
		var out struct {
			Token string `json:"token"`
		}
		res.decode(t, &out)
		if res.Status != http.StatusOK || out.Token == "" {
			t.Fatalf("change: %d %s", res.Status, res.Body)
		}
		if me(old) != http.StatusUnauthorized || me(out.Token) != http.StatusOK {
			t.Errorf("after the change: old token %d, new token %d", me(old), me(out.Token))
		}

		// tinnhiem passwd, after tinnhiem login: the saved token is replaced by the new one.
		o := cliOpts{Anonymous: true, Env: map[string]string{"TINNHIEM_USER": "lan", "TINNHIEM_PASSWORD": "mật khẩu thứ ba của Lan"}}
		if _, _, err := ts.cliWith(t, o, "login"); err != nil {
			t.Fatal(err)
		}
		saved := cliOpts{Anonymous: true, Env: map[string]string{"TINNHIEM_PASSWORD": "mật khẩu thứ ba của Lan", "TINNHIEM_NEW_PASSWORD": "mật khẩu thứ tư của Lan"}}
		if out, _, err := ts.cliWith(t, saved, "passwd"); err != nil || !strings.Contains(out, "Đã đổi mật khẩu") {
			t.Fatalf("tinnhiem passwd: %v %s", err, out)
		}
		if out, _, err := ts.cliWith(t, cliOpts{Anonymous: true}, "round", "list"); err != nil {
			t.Errorf("the saved token after passwd: %v %s", err, out)
		}
		// Asked on standard input, twice; two different answers change nothing.
		asked := cliOpts{Anonymous: true, Stdin: "mật khẩu thứ tư của Lan\nmật khẩu thứ năm của Lan\nkhác hẳn\n"}
		if _, _, err := ts.cliWith(t, asked, "passwd"); err == nil || !strings.Contains(err.Error(), "không giống nhau") {
			t.Errorf("passwd with two different answers: %v", err)
		}
		if login("mật khẩu thứ tư của Lan").Status != http.StatusOK {
			t.Error("a refused passwd changed the password")
		}
	})

	var events []struct {
		Actor, Action, Target string
		Details               map[string]string
	}
	ts.api(t, http.MethodGet, "/api/v1/audit", admin, nil).decode(t, &events)
	seen := map[string]int{}
	for _, e := range events {
		if e.Target == "lan" {
			seen[e.Action]++
		}
		if v, ok := e.Details["password"]; ok && v != "changed" {
			t.Errorf("a password in the audit trail: %v", e.Details)
		}
	}
	if seen["user.update"] < 6 || seen["user.tokens.revoke"] != 2 || seen["user.password"] != 2 {
		t.Errorf("audited: %v", seen)
	}
}
