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

// Login checks a username and password from a client address and issues a token. The attempt
// is reserved with the throttle before the password is checked (see auth.Throttle): a refusal
// is TooMany with RetryAfter; a username failing from many places only slows its check down.
func (a *App) Login(ctx context.Context, username, password, remote string, via Via) (Login, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	u, err := a.checkPassword(ctx, username, password, remote, via.String())
	if err != nil {
		return Login{}, err
	}
	now := a.now()
	ttl := a.cfg.TokenTTL
	if via == ViaWeb {
		ttl = a.cfg.SessionTTL
	}
	tok, err := a.cfg.Auth.IssueTokenFor(ctx, u, now, ttl)
	if err != nil {
		return Login{}, internalf("issue token: %w", err)
	}
	a.audit(ctx, audit.Event{Actor: u.Username, Action: "token.create", Details: map[string]string{"remote": remote, "via": via.String()}})
	u.PasswordHash = ""
	return Login{Token: tok, User: u, ExpiresIn: ttl}, nil
}

// checkPassword is the one guarded password check (a login, or the current password given to
// change it): reserved with the throttle first, delayed by the username's slow-down, then
// checked; the outcome goes back to the throttle.
func (a *App) checkPassword(ctx context.Context, username, password, remote, via string) (auth.User, error) {
	res := a.cfg.Throttle.Reserve(username, remote, a.now())
	if !res.Allowed() {
		secs := int(math.Ceil(res.Wait.Seconds()))
		a.log.WarnContext(ctx, "login throttled", "username", username, "remote", remote, "wait_s", secs, "via", via)
		return auth.User{}, &Error{Kind: TooMany, Code: "too_many_attempts", RetryAfter: time.Duration(secs) * time.Second,
			Message: "đăng nhập sai quá nhiều lần; hãy thử lại sau " + itoa(secs) + " giây"}
	}
	if res.Delay > 0 {
		t := time.NewTimer(res.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			res.Cancel()
			return auth.User{}, internalf("login %s: %w", username, ctx.Err())
		}
	}
	u, err := a.cfg.Auth.Check(ctx, username, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		n := res.Fail(a.now())
		a.log.WarnContext(ctx, "login failed", "username", username, "remote", remote, "failures", n, "via", via)
		return auth.User{}, fail(Unauthorized, "bad_credentials", "sai tên đăng nhập hoặc mật khẩu")
	}
	if err != nil {
		res.Cancel()
		return auth.User{}, internalf("login %s: %w", username, err)
	}
	res.Succeed()
	return u, nil
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

// SweepTokens removes the records of tokens that open nothing any more (the server's job,
// run by `serve` every hour).
func (a *App) SweepTokens(ctx context.Context) (int, error) {
	return a.cfg.Auth.SweepTokens(ctx, a.now())
}
