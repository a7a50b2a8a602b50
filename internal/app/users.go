package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
)

// User is one account (administrators only), without its password hash.
func (a *App) User(ctx context.Context, p auth.Principal, username string) (auth.User, error) {
	if !May(p, ManageUsers, nil) {
		return auth.User{}, forbidden(ManageUsers)
	}
	u, err := a.cfg.Auth.User(ctx, strings.ToLower(strings.TrimSpace(username)))
	if errors.Is(err, auth.ErrNotFound) {
		return auth.User{}, fail(NotFound, "not_found", "không có tài khoản %s", username)
	}
	if err != nil {
		return auth.User{}, internalf("user %s: %w", username, err)
	}
	u.PasswordHash = ""
	return u, nil
}

// UpdateUser changes an account (administrators only): disable or enable it, give it a new
// password, new roles or organizations. Disabling it or giving it a new password ends every
// token and web session of it at once. An administrator cannot disable their own account or
// take away their own administration, so that there is always one left to undo a mistake.
func (a *App) UpdateUser(ctx context.Context, p auth.Principal, username string, c auth.Change) (auth.User, error) {
	if !May(p, ManageUsers, nil) {
		return auth.User{}, forbidden(ManageUsers)
	}
	username = strings.ToLower(strings.TrimSpace(username))
	cur, err := a.User(ctx, p, username)
	if err != nil {
		return auth.User{}, err
	}
	if c.Empty() {
		return auth.User{}, invalid("không có gì để thay đổi", []problem.Problem{{Code: "no_change",
			Message: "cần ít nhất một trong disabled, password, roles, organization"}})
	}
	var ps []problem.Problem
	if c.Password != nil {
		for _, m := range auth.ValidatePassword(*c.Password) {
			ps = append(ps, problem.Problem{Path: "password", Code: "invalid_password", Message: m})
		}
	}
	if c.Roles != nil || c.Organizations != nil {
		path := "organization"
		if c.Roles != nil {
			path = "roles"
		}
		for _, m := range (auth.Change{Roles: c.Roles, Organizations: c.Organizations}).Validate(cur) {
			ps = append(ps, problem.Problem{Path: path, Code: "invalid_user", Message: m})
		}
	}
	if len(ps) > 0 {
		return auth.User{}, invalid("dữ liệu không hợp lệ, không có gì được lưu", ps)
	}
	if username == p.Username {
		if c.Disabled != nil && *c.Disabled {
			return auth.User{}, fail(Conflict, "self", "không thể tự khóa tài khoản của mình; hãy nhờ một quản trị viên khác")
		}
		if c.Roles != nil && slices.Contains(cur.Roles, auth.RoleAdmin) && !slices.Contains(c.Roles, auth.RoleAdmin) {
			return auth.User{}, fail(Conflict, "self", "không thể tự bỏ quyền quản trị của mình; hãy nhờ một quản trị viên khác")
		}
	}
	before, after, err := a.cfg.Auth.Update(ctx, username, c, a.now())
	if errors.Is(err, auth.ErrNotFound) {
		return auth.User{}, fail(NotFound, "not_found", "không có tài khoản %s", username)
	}
	if err != nil {
		return auth.User{}, internalf("update user %s: %w", username, err)
	}
	details := map[string]string{}
	if c.Disabled != nil {
		details["disabled"] = strconv.FormatBool(*c.Disabled)
	}
	if c.Password != nil {
		details["password"] = "changed" // never the password itself
	}
	if c.Roles != nil {
		details["roles"] = strings.Join(before.Roles, ",") + " → " + strings.Join(after.Roles, ",")
	}
	if c.Organizations != nil {
		details["organizations"] = strings.Join(before.Organizations, "; ") + " → " + strings.Join(after.Organizations, "; ")
	}
	if c.EndsTokens() {
		details["tokens_ended"] = "true"
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "user.update", Target: username, Details: details})
	a.log.Info("account changed", "actor", p.Username, "username", username, "tokens_ended", c.EndsTokens())
	return after, nil
}

// RevokeTokens ends every token and web session of an account at once (administrators only).
func (a *App) RevokeTokens(ctx context.Context, p auth.Principal, username string) error {
	if !May(p, ManageUsers, nil) {
		return forbidden(ManageUsers)
	}
	username = strings.ToLower(strings.TrimSpace(username))
	_, err := a.cfg.Auth.RevokeTokens(ctx, username, a.now())
	if errors.Is(err, auth.ErrNotFound) {
		return fail(NotFound, "not_found", "không có tài khoản %s", username)
	}
	if err != nil {
		return internalf("revoke tokens of %s: %w", username, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "user.tokens.revoke", Target: username})
	a.log.Info("tokens ended", "actor", p.Username, "username", username)
	return nil
}

// ChangeOwnPassword replaces the caller's own password, given the current one (checked under
// the login throttle, from the caller's address). Every token and web session of the account
// ends; the caller gets a new one for the face it came through, so that only they stay logged in.
func (a *App) ChangeOwnPassword(ctx context.Context, p auth.Principal, current, next, remote string, via Via) (Login, error) {
	if !May(p, ChangeOwnPassword, nil) {
		return Login{}, forbidden(ChangeOwnPassword)
	}
	var ps []problem.Problem
	if current == "" {
		ps = append(ps, problem.Problem{Path: "current_password", Code: "required", Message: "hãy nhập mật khẩu hiện tại"})
	}
	for _, m := range auth.ValidatePassword(next) {
		ps = append(ps, problem.Problem{Path: "new_password", Code: "invalid_password", Message: m})
	}
	if next != "" && next == current {
		ps = append(ps, problem.Problem{Path: "new_password", Code: "same_password", Message: "mật khẩu mới phải khác mật khẩu hiện tại"})
	}
	if len(ps) > 0 {
		return Login{}, invalid("dữ liệu không hợp lệ, mật khẩu chưa được đổi", ps)
	}
	if _, err := a.checkPassword(ctx, p.Username, current, remote, via.String()); err != nil {
		if e, ok := AsError(err); ok && e.Kind == Unauthorized {
			return Login{}, invalid("mật khẩu chưa được đổi", []problem.Problem{{Path: "current_password", Code: "wrong_password",
				Message: "mật khẩu hiện tại không đúng"}})
		}
		return Login{}, err
	}
	_, u, err := a.cfg.Auth.Update(ctx, p.Username, auth.Change{Password: &next}, a.now())
	if err != nil {
		return Login{}, internalf("change password of %s: %w", p.Username, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "user.password", Target: p.Username, Details: map[string]string{
		"remote": remote, "via": via.String(), "tokens_ended": "true"}})
	ttl := a.cfg.TokenTTL
	if via == ViaWeb {
		ttl = a.cfg.SessionTTL
	}
	tok, err := a.cfg.Auth.IssueTokenFor(ctx, u, a.now(), ttl)
	if err != nil {
		return Login{}, internalf("issue token: %w", err)
	}
	return Login{Token: tok, User: u, ExpiresIn: ttl}, nil
}
