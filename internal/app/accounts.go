package app

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
)

// Login is a successful login: a token and who it is for.
type Login struct {
	Token     string
	User      auth.User
	ExpiresIn time.Duration
}

// Via is the face a login came through: a browser session lasts SessionTTL, an API token TokenTTL.
type Via int

// The faces of a login.
const (
	ViaAPI Via = iota
	ViaWeb
)

// Login checks a username and password from a client address and issues a token. Repeated
// failures slow down further attempts, per username and per address; the wait is answered as
// TooMany with RetryAfter.
func (a *App) Login(ctx context.Context, username, password, remote string, via Via) (Login, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	now := a.now()
	keys := []string{"user:" + username, "addr:" + remote}
	for _, k := range keys {
		if wait := a.cfg.Throttle.Wait(k, now); wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			a.log.WarnContext(ctx, "login throttled", "username", username, "remote", remote, "wait_s", secs, "via", via.String())
			return Login{}, &Error{Kind: TooMany, Code: "too_many_attempts", RetryAfter: time.Duration(secs) * time.Second,
				Message: "đăng nhập sai quá nhiều lần; hãy thử lại sau " + itoa(secs) + " giây"}
		}
	}
	u, err := a.cfg.Auth.Check(ctx, username, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		// The wait runs from the moment the failure is known: a slow check must not use it up.
		n, failedAt := 0, a.now()
		for _, k := range keys {
			n = max(n, a.cfg.Throttle.Fail(k, failedAt))
		}
		a.log.WarnContext(ctx, "login failed", "username", username, "remote", remote, "failures", n, "via", via.String())
		return Login{}, fail(Unauthorized, "bad_credentials", "sai tên đăng nhập hoặc mật khẩu")
	}
	if err != nil {
		return Login{}, internalf("login %s: %w", username, err)
	}
	for _, k := range keys {
		a.cfg.Throttle.Succeed(k)
	}
	ttl := a.cfg.TokenTTL
	if via == ViaWeb {
		ttl = a.cfg.SessionTTL
	}
	tok, err := a.cfg.Auth.IssueToken(ctx, u.Username, now, ttl)
	if err != nil {
		return Login{}, internalf("issue token: %w", err)
	}
	a.audit(ctx, audit.Event{Actor: u.Username, Action: "token.create", Details: map[string]string{"remote": remote, "via": via.String()}})
	u.PasswordHash = ""
	return Login{Token: tok, User: u, ExpiresIn: ttl}, nil
}

func (v Via) String() string {
	if v == ViaWeb {
		return "web"
	}
	return "api"
}

// Authenticate is who holds a token: Unauthorized when it is unknown, expired or its account
// is disabled.
func (a *App) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	p, err := a.cfg.Auth.Authenticate(ctx, token, a.now())
	if errors.Is(err, auth.ErrBadCredentials) {
		return auth.Principal{}, fail(Unauthorized, "unauthorized", "mã truy cập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại")
	}
	if err != nil {
		return auth.Principal{}, internalf("authenticate: %w", err)
	}
	return p, nil
}

// Logout ends a token (audited when it still belonged to someone).
func (a *App) Logout(ctx context.Context, token string, via Via) error {
	if p, err := a.cfg.Auth.Authenticate(ctx, token, a.now()); err == nil {
		a.audit(ctx, audit.Event{Actor: p.Username, Action: "token.revoke", Details: map[string]string{"via": via.String()}})
	}
	if err := a.cfg.Auth.RevokeToken(ctx, token); err != nil {
		return internalf("logout: %w", err)
	}
	return nil
}

// Users lists the accounts (administrators only), without password hashes.
func (a *App) Users(ctx context.Context, p auth.Principal) ([]auth.User, error) {
	if !May(p, ManageUsers, nil) {
		return nil, forbidden(ManageUsers)
	}
	users, err := a.cfg.Auth.Users(ctx)
	if err != nil {
		return nil, internalf("users: %w", err)
	}
	for i := range users {
		users[i].PasswordHash = ""
	}
	return users, nil
}

// AddUser creates an account (administrators only).
func (a *App) AddUser(ctx context.Context, p auth.Principal, n auth.NewUser) (auth.User, error) {
	if !May(p, ManageUsers, nil) {
		return auth.User{}, forbidden(ManageUsers)
	}
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	if msgs := n.Validate(); len(msgs) > 0 {
		ps := make([]problem.Problem, len(msgs))
		for i, m := range msgs {
			ps[i] = problem.Problem{Code: "invalid_user", Message: m}
		}
		return auth.User{}, invalid("dữ liệu không hợp lệ, không có gì được lưu", ps)
	}
	u, err := a.cfg.Auth.AddUser(ctx, n, a.now())
	if errors.Is(err, auth.ErrExists) {
		return auth.User{}, fail(Conflict, "exists", "tên đăng nhập %s đã có", n.Username)
	}
	if err != nil {
		return auth.User{}, internalf("add user: %w", err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "user.add", Target: u.Username, Details: map[string]string{
		"roles": strings.Join(u.Roles, ","), "organizations": strings.Join(u.Organizations, "; "),
	}})
	u.PasswordHash = ""
	return u, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
