package auth

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

func ptr[T any](v T) *T { return &v }

// Disabling an account or replacing its password ends every token of it at once; enabling it
// again does not bring them back; a change of roles applies to the tokens it has.
func TestUpdateEndsTokens(t *testing.T) {
	ctx := context.Background()
	env := newAuthTestEnv(t)
	s := env.store
	now := time.Date(2028, 11, 1, 8, 0, 0, 0, time.UTC)
	if _, err := s.AddUser(ctx, NewUser{Username: "lan", Password: "mật khẩu của Lan", Roles: []string{RoleViewer}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}, now); err != nil {
		t.Fatal(err)
	}
	issue := func() string {
		t.Helper()
		tok, err := s.IssueToken(ctx, "lan", now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := func(tok string) bool {
		_, err := s.Authenticate(ctx, tok, now)
		if err != nil && !errors.Is(err, ErrBadCredentials) {
			t.Fatal(err)
		}
		return err == nil
	}

	a, b := issue(), issue()
	before, after, err := s.Update(ctx, "lan", Change{Roles: []string{RoleOrganizer, RoleViewer}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before.Roles, []string{RoleViewer}) || !slices.Equal(after.Roles, []string{RoleOrganizer, RoleViewer}) || after.PasswordHash != "" {
		t.Errorf("roles change: before %v after %v (hash %q)", before.Roles, after.Roles, after.PasswordHash)
	}
	if p, err := s.Authenticate(ctx, a, now); err != nil || !p.Has(RoleOrganizer) {
		t.Errorf("a token after a change of roles: %+v %v, want it alive with the new roles", p, err)
	}

	if _, _, err := s.Update(ctx, "lan", Change{Disabled: ptr(true)}, now); err != nil {
		t.Fatal(err)
	}
	if valid(a) || valid(b) {
		t.Error("a token of a disabled account still opens")
	}
	if _, err := s.Check(ctx, "lan", "mật khẩu của Lan"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	if _, _, err := s.Update(ctx, "lan", Change{Disabled: ptr(false)}, now); err != nil {
		t.Fatal(err)
	}
	if valid(a) || valid(b) {
		t.Error("enabling the account again brought its old tokens back")
	}
	c := issue()
	if !valid(c) {
		t.Fatal("a token issued after enabling does not open")
	}

	if _, _, err := s.Update(ctx, "lan", Change{Password: ptr("mật khẩu mới của Lan")}, now); err != nil {
		t.Fatal(err)
	}
	if valid(c) {
		t.Error("a token survived a new password")
	}
	if _, err := s.Check(ctx, "lan", "mật khẩu của Lan"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the old password still logs in: %v", err)
	}
	u, err := s.Check(ctx, "lan", "mật khẩu mới của Lan")
	if err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if !u.PasswordChangedAt.Equal(now) {
		t.Errorf("password changed at %v", u.PasswordChangedAt)
	}

	d := issue()
	if _, err := s.RevokeTokens(ctx, "lan", now); err != nil {
		t.Fatal(err)
	}
	if valid(d) {
		t.Error("a token survived RevokeTokens")
	}
	// A token issued for the account as read before its tokens were ended is born dead.
	if _, err := s.RevokeTokens(ctx, "lan", now); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.IssueTokenFor(ctx, u, now, time.Hour); err != nil || valid(tok) {
		t.Errorf("a token issued under an old epoch opens (%v)", err)
	}

	if _, _, err := s.Update(ctx, "nobody", Change{Disabled: ptr(true)}, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of nobody: %v", err)
	}
	if _, err := s.RevokeTokens(ctx, "../etc", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke of a bad name: %v", err)
	}
}

// Changes made at once by several administrators are all kept (compare-and-set).
func TestUpdateConcurrent(t *testing.T) {
	ctx := context.Background()
	s := newAuthTestEnv(t).store
	now := time.Now()
	if _, err := s.AddUser(ctx, NewUser{Username: "lan", Password: "mật khẩu của Lan", Roles: []string{RoleViewer}, Organizations: []string{"x"}}, now); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RevokeTokens(ctx, "lan", now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	u, err := s.User(ctx, "lan")
	if err != nil || u.TokenEpoch != 8 {
		t.Errorf("epoch %d after 8 revocations (%v)", u.TokenEpoch, err)
	}
}

func TestChangeValidate(t *testing.T) {
	u := User{Username: "lan", Roles: []string{RoleViewer}, Organizations: []string{"x"}}
	for _, c := range []struct {
		name   string
		change Change
		bad    int
	}{
		{"nothing", Change{}, 0},
		{"short password", Change{Password: ptr("ngắn")}, 1},
		{"good password", Change{Password: ptr("đủ dài rồi đấy")}, 0},
		{"unknown role", Change{Roles: []string{"boss"}}, 1},
		{"no organization left", Change{Organizations: []string{}}, 1},
		{"admin needs none", Change{Roles: []string{RoleAdmin}, Organizations: []string{}}, 0},
		{"empty organization", Change{Organizations: []string{" "}}, 1},
	} {
		if got := c.change.Validate(u); len(got) != c.bad {
			t.Errorf("%s: %q", c.name, got)
		}
	}
	if (Change{Roles: []string{RoleViewer}}).EndsTokens() || !(Change{Password: ptr("x")}).EndsTokens() ||
		!(Change{Disabled: ptr(true)}).EndsTokens() || (Change{Disabled: ptr(false)}).EndsTokens() {
		t.Error("EndsTokens")
	}
}

// Token records go: by their own TTL on the server, and by the sweep when ended early.
func TestTokenRecordsRemoved(t *testing.T) {
	ctx := context.Background()
	env := newAuthTestEnv(t)
	s := env.store
	now := time.Now()
	for _, name := range []string{"lan", "binh"} {
		if _, err := s.AddUser(ctx, NewUser{Username: name, Password: "mật khẩu đủ dài", Roles: []string{RoleViewer}, Organizations: []string{"x"}}, now); err != nil {
			t.Fatal(err)
		}
	}
	keys := func() []string {
		t.Helper()
		l, err := env.tokens.ListKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for k := range l.Keys() {
			out = append(out, k)
		}
		return out
	}
	st, err := env.tokens.Status(ctx)
	if err != nil || st.LimitMarkerTTL() != time.Minute {
		t.Fatalf("tokens bucket: marker TTL %v (%v), want 1m", st.LimitMarkerTTL(), err)
	}

	// Expiry on the server: each record carries its TTL, the token's life and a linger.
	tok, err := s.IssueToken(ctx, "lan", now, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := env.ns.JS.Stream(ctx, "KV_"+bus.BucketTokens)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := stream.GetLastMsgForSubject(ctx, "$KV."+bus.BucketTokens+"."+tokenKey(tok))
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Header.Get("Nats-TTL"); got != (2*time.Hour+tokenLinger).String() && got != "7260" && got != "7260s" {
		t.Errorf("record TTL %q, want the token's life and a minute", got)
	}
	// With no linger, a one-second token's record is gone within seconds, and its removal
	// leaves nothing behind once the marker's minute is over.
	s.linger = 0
	short, err := s.IssueToken(ctx, "lan", now, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for slices.Contains(keys(), tokenKey(short)) {
		if time.Now().After(deadline) {
			t.Fatal("a token record with a 1 s TTL is still there after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.linger = tokenLinger

	// The sweep: expired, ended by a change, or of no account.
	live, err := s.IssueToken(ctx, "binh", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueToken(ctx, "lan", now, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeTokens(ctx, "lan", now); err != nil {
		t.Fatal(err)
	}
	n, err := s.SweepTokens(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(); n != 2 || !slices.Equal(got, []string{tokenKey(live)}) {
		t.Errorf("sweep removed %d, kept %q; want 2 removed (lan's two) and only binh's kept", n, got)
	}
	if _, err := s.Authenticate(ctx, live, now); err != nil {
		t.Errorf("the sweep ended a live token: %v", err)
	}
	if n, err := s.SweepTokens(ctx, now.Add(2*time.Hour)); err != nil || n != 1 || len(keys()) != 0 {
		t.Errorf("sweep of an expired token: %d %v, left %q", n, err, keys())
	}
}

// A bucket provisioned before it allowed TTLs still takes tokens; the sweep removes them.
func TestTokensWithoutBucketTTL(t *testing.T) {
	ctx := context.Background()
	env := newAuthTestEnv(t)
	old, err := env.ns.JS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "tokens_of_old"})
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore(env.users, old, 4)
	now := time.Now()
	if _, err := s.AddUser(ctx, NewUser{Username: "lan", Password: "mật khẩu đủ dài", Roles: []string{RoleViewer}, Organizations: []string{"x"}}, now); err != nil {
		t.Fatal(err)
	}
	tok, err := s.IssueToken(ctx, "lan", now, time.Second)
	if err != nil {
		t.Fatalf("token in a bucket without TTLs: %v", err)
	}
	if _, err := s.Authenticate(ctx, tok, now); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepTokens(ctx, now.Add(2*time.Second)); err != nil || n != 1 {
		t.Errorf("sweep: %d %v", n, err)
	}
	tok2, err := s.IssueToken(ctx, "lan", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, tok2); err != nil {
		t.Errorf("revoke in a bucket without TTLs: %v", err)
	}
	if _, err := s.Authenticate(ctx, tok2, now); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("revoked: %v", err)
	}
}
