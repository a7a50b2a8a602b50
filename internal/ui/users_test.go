package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The accounts pages are the administrators'; the password page is everyone's.
func TestAccountsPagesForAdminsOnly(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	for _, u := range []string{"tochuc", "kiemphieu", "xem"} {
		b := ts.login(u)
		for _, path := range []string{"/users", "/users/admin"} {
			if res := b.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", u, path, res.StatusCode)
			}
		}
		if res := b.postForm("/users/admin/disable", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s disables admin: %d", u, res.StatusCode)
		}
		res := b.get("/account/password")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s GET /account/password: %d", u, res.StatusCode)
		}
		mustContain(t, "password page", res.Body, `name="current_password"`, `name="new_password"`, `href="/account/password"`)
		mustNotContain(t, "header of "+u, res.Body, `href="/users"`)
	}
	admin := ts.login("admin")
	res := admin.get("/users")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("admin GET /users: %d", res.StatusCode)
	}
	mustContain(t, "accounts list", res.Body, `href="/users/xem"`, "Ban tổ chức", orgBinhSon, "hoạt động", `action="/users/xem/disable"`, `href="/users"`)
	// No button to lock oneself out.
	mustNotContain(t, "accounts list", res.Body, `action="/users/admin/disable"`)
	if res := admin.get("/users/nobody"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /users/nobody: %d", res.StatusCode)
	}
}

// Disabling an account ends its browser sessions and API tokens at once; enabling it does not
// bring them back.
func TestDisableEndsSessionsAtOnce(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	viewer := ts.login("xem")
	if res := viewer.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("viewer home: %d", res.StatusCode)
	}
	token := apiToken(t, ts, "xem", testPassword)
	admin := ts.login("admin")
	res := admin.postForm("/users/xem/disable", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/users/xem?ok=user-disabled" {
		t.Fatalf("disable: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	mustContain(t, "after disabling", admin.get("/users/xem?ok=user-disabled").Body, "đã khóa", "Đã khóa tài khoản", `action="/users/xem/enable"`)
	if res := viewer.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the disabled account's browser: %d %s, want sent to login", res.StatusCode, res.Header.Get("Location"))
	}
	if code := apiStatus(t, ts, token); code != http.StatusUnauthorized {
		t.Errorf("the disabled account's token: %d", code)
	}
	if res := ts.browser().postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("login of a disabled account: %d", res.StatusCode)
	}
	if res := admin.postForm("/users/xem/enable", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	if res := viewer.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("enabling brought the old session back: %d", res.StatusCode)
	}
	ts.login("xem") // logs in again

	// An administrator cannot lock themselves out.
	res = admin.postForm("/users/admin/disable", nil)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("admin disables themselves: %d", res.StatusCode)
	}
	mustContain(t, "self-disable", res.Body, "Không thể tự khóa tài khoản của mình")
	res = admin.postForm("/users/admin", url.Values{"role": {"viewer"}, "organizations": {orgBinhSon}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("admin drops their own administration: %d", res.StatusCode)
	}

	// Revoking ends every session without disabling.
	again := ts.login("xem")
	if res := admin.postForm("/users/xem/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res := again.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session survived revoke: %d", res.StatusCode)
	}
	ts.login("xem")
}

// An administrator gives an account a new password: typed twice, checked by the same rule as
// any password; the account's sessions end; the old password stops working.
func TestAdminSetsPassword(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	viewer := ts.login("xem")
	admin := ts.login("admin")
	res := admin.postForm("/users/xem/password", url.Values{"new_password": {"mật khẩu mới dài"}, "new_password_again": {"khác hẳn"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("mismatched: %d", res.StatusCode)
	}
	mustContain(t, "mismatched", res.Body, "Hai lần nhập mật khẩu mới không giống nhau")
	res = admin.postForm("/users/xem/password", url.Values{"new_password": {"ngắn"}, "new_password_again": {"ngắn"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("short: %d", res.StatusCode)
	}
	mustContain(t, "short", res.Body, "Mật khẩu phải có ít nhất 10 ký tự", `aria-invalid="true"`)
	res = admin.postForm("/users/xem/password", url.Values{"new_password": {"mật khẩu mới dài"}, "new_password_again": {"mật khẩu mới dài"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d %s", res.StatusCode, res.Body)
	}
	if res := viewer.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session survived a new password: %d", res.StatusCode)
	}
	if res := ts.browser().postForm("/login", url.Values{"username": {"xem"}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password: %d", res.StatusCode)
	}
	if res := ts.browser().postForm("/login", url.Values{"username": {"xem"}, "password": {"mật khẩu mới dài"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password: %d", res.StatusCode)
	}
}

// Anyone changes their own password with the current one; their other sessions end, this
// browser stays logged in.
func TestChangeOwnPassword(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	here, elsewhere := ts.login("kiemphieu"), ts.login("kiemphieu")
	form := func(cur, next, again string) url.Values {
		return url.Values{"current_password": {cur}, "new_password": {next}, "new_password_again": {again}}
	}
	res := here.postForm("/account/password", form("sai mật khẩu", "mật khẩu mới dài", "mật khẩu mới dài"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong current password: %d", res.StatusCode)
	}
	mustContain(t, "wrong current", res.Body, "Mật khẩu hiện tại không đúng")
	res = here.postForm("/account/password", form(testPassword, testPassword, testPassword))
	mustContain(t, "same password", res.Body, "Mật khẩu mới phải khác mật khẩu hiện tại")
	res = here.postForm("/account/password", form(testPassword, "mật khẩu mới dài", "mật khẩu mới dài"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?ok=password-changed" {
		t.Fatalf("change: %d %s %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	home := here.get("/?ok=password-changed")
	if home.StatusCode != http.StatusOK {
		t.Fatalf("this browser after the change: %d", home.StatusCode)
	}
	mustContain(t, "home after change", home.Body, "Đã đổi mật khẩu")
	if res := elsewhere.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session survived: %d", res.StatusCode)
	}
	// The current password is guessed under the login throttle.
	for range 6 {
		res = here.postForm("/account/password", form("đoán mò mật khẩu", "mật khẩu mới hơn nữa", "mật khẩu mới hơn nữa"))
	}
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("guessing the current password: %d (Retry-After %q)", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// Adding an account through the form: the same rules as the API; what was typed stays.
func TestAddAccountThroughTheForm(t *testing.T) {
	ts := newTestSystem(t, systemOptions{})
	admin := ts.login("admin")
	res := admin.postForm("/users", url.Values{"username": {"Mai Lan"}, "password": {"ngắn"}, "organizations": {orgBinhSon}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad account: %d", res.StatusCode)
	}
	mustContain(t, "bad account", res.Body, "Có các lỗi dưới đây", "Mật khẩu phải có ít nhất 10 ký tự", "Phải có ít nhất một vai trò", `value="Mai Lan"`, orgBinhSon)
	res = admin.postForm("/users", url.Values{"username": {"mailan"}, "password": {"mật khẩu đủ dài"}, "role": {"counter"}, "organizations": {orgBinhSon + "\n"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/users/mailan?ok=user-added" {
		t.Fatalf("add: %d %s %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	mustContain(t, "new account", admin.get("/users/mailan?ok=user-added").Body, "Đã tạo tài khoản", "Ban kiểm phiếu", orgBinhSon)
	ts.browser().postForm("/login", url.Values{"username": {"mailan"}, "password": {"mật khẩu đủ dài"}})
	if res := admin.postForm("/users", url.Values{"username": {"mailan"}, "password": {"mật khẩu đủ dài"}, "role": {"counter"}, "organizations": {orgBinhSon}}); res.StatusCode != http.StatusConflict {
		t.Errorf("the same name again: %d", res.StatusCode)
	}
	// Roles and organizations: saved, in force at once.
	res = admin.postForm("/users/mailan", url.Values{"role": {"organizer"}, "organizations": {orgBinhSon + "\n" + orgTanLap}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save roles: %d %s", res.StatusCode, res.Body)
	}
	mustContain(t, "saved", admin.get("/users/mailan").Body, "Ban tổ chức", orgTanLap)
	res = admin.postForm("/users/mailan", url.Values{"organizations": {orgBinhSon}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no role: %d", res.StatusCode)
	}
	mustContain(t, "no role", res.Body, "Phải có ít nhất một vai trò")
}

func apiToken(t *testing.T, ts *testSystem, user, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	res, err := ts.srv.Client().Post(ts.srv.URL+"/api/v1/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("token of %s: %d %v", user, res.StatusCode, err)
	}
	return out.Token
}

func apiStatus(t *testing.T, ts *testSystem, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := ts.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// The accounts pages in a real browser: the list, an account, the password page.
func TestBrowserAccounts(t *testing.T) {
	ctx := newBrowser(t)
	ts := newTestSystem(t, systemOptions{})
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.who-link[href="/users"]`)),
		chromedp.Click(chromedp.CSS(`a.who-link[href="/users"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#accounts`)),
	); err != nil {
		t.Fatalf("open the accounts page: %v", err)
	}
	screenshot(t, ctx, "users")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/users/xem/disable"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/users/xem/enable"]`)),
	); err != nil {
		t.Fatalf("disable xem: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.flash`)))
	if err != nil || !strings.Contains(flash, "Đã khóa tài khoản") {
		t.Errorf("flash %q (%v)", flash, err)
	}
	screenshot(t, ctx, "user")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.who-link[href="/account/password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=current_password]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=current_password]`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password]`), "mật khẩu mới của quản trị"),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password_again]`), "không giống"),
		chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
	); err != nil {
		t.Fatalf("password page: %v", err)
	}
	screenshot(t, ctx, "password")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=current_password]`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password]`), "mật khẩu mới của quản trị"),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password_again]`), "mật khẩu mới của quản trị"),
		chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	); err != nil {
		t.Fatalf("change the password: %v", err)
	}
	flash, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.flash`)))
	if !strings.Contains(flash, "Đã đổi mật khẩu") {
		t.Errorf("after the change: %q", flash)
	}
}
