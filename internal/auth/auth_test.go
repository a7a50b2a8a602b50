package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// authTestEnv is a Store on the real buckets of an in-process nats-server with a temp store.
type authTestEnv struct {
	store  *Store
	users  jetstream.KeyValue
	tokens jetstream.KeyValue
	ns     *bustest.Server
}

func newAuthTestEnv(t *testing.T) authTestEnv {
	t.Helper()
	ns := bustest.Start(t)
	users, tokens := ns.KV(t, bus.BucketUsers), ns.KV(t, bus.BucketTokens)
	// The cheapest bcrypt cost keeps the tests fast; the cost itself is checked separately.
	return authTestEnv{store: NewStore(users, tokens, bcrypt.MinCost), users: users, tokens: tokens, ns: ns}
}

func TestNewUserValidate(t *testing.T) {
	ok := NewUser{Username: "to-chuc.a_1", Password: "mật khẩu dài", Roles: []string{RoleOrganizer}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}
	tests := []struct {
		name   string
		mutate func(*NewUser)
		want   string // fragment of the only expected problem; "" = valid
	}{
		{"valid", func(*NewUser) {}, ""},
		{"admin needs no organization", func(n *NewUser) { n.Roles, n.Organizations = []string{RoleAdmin}, nil }, ""},
		{"ten runes suffice", func(n *NewUser) { n.Password = "ắắắắắắắắắắ" }, ""},
		{"username upper case", func(n *NewUser) { n.Username = "ToChuc" }, "tên đăng nhập"},
		{"username with diacritics", func(n *NewUser) { n.Username = "tổchức" }, "tên đăng nhập"},
		{"username too short", func(n *NewUser) { n.Username = "a" }, "tên đăng nhập"},
		{"username leading dot", func(n *NewUser) { n.Username = ".abc" }, "tên đăng nhập"},
		{"username too long", func(n *NewUser) { n.Username = strings.Repeat("a", 65) }, "tên đăng nhập"},
		{"password short", func(n *NewUser) { n.Password = "123456789" }, "ít nhất 10 ký tự"},
		{"password over 72 bytes", func(n *NewUser) { n.Password = strings.Repeat("ắ", 25) }, "72 byte"},
		{"no role", func(n *NewUser) { n.Roles = nil }, "ít nhất một vai trò"},
		{"unknown role", func(n *NewUser) { n.Roles = []string{"owner"} }, "vai trò không hợp lệ \"owner\""},
		{"no organization", func(n *NewUser) { n.Organizations = nil }, "ít nhất một tổ chức"},
		{"blank organization", func(n *NewUser) { n.Organizations = []string{"Tỉnh ủy", "  "} }, "tên tổ chức trống"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := ok
			n.Roles = slices.Clone(ok.Roles)
			n.Organizations = slices.Clone(ok.Organizations)
			tc.mutate(&n)
			got := n.Validate()
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("problems %q for a valid user", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("problems %q, want one mentioning %q", got, tc.want)
			}
		})
	}
	all := NewUser{}.Validate()
	if len(all) != 4 {
		t.Errorf("an empty user has %d problems, want 4 (username, password, role, organization): %q", len(all), all)
	}
}

func TestAddUserAndCheck(t *testing.T) {
	ctx := context.Background()
	env := newAuthTestEnv(t)
	s := env.store
	now := time.Date(2028, 10, 1, 1, 2, 3, 0, time.FixedZone("ICT", 7*3600))
	const pw = "Mật khẩu rất dài 2028"
	orgNFD := norm.NFD.String("  Tỉnh ủy   Bình Sơn ")
	u, err := s.AddUser(ctx, NewUser{Username: "lan", Password: pw, Roles: []string{RoleViewer, RoleOrganizer, RoleViewer}, Organizations: []string{orgNFD, "Đảng ủy xã An Phú"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Roles, []string{RoleOrganizer, RoleViewer}) {
		t.Errorf("roles %q, want sorted without repeats", u.Roles)
	}
	if !slices.Equal(u.Organizations, []string{"Tỉnh ủy Bình Sơn", "Đảng ủy xã An Phú"}) {
		t.Errorf("organizations %q, want NFC with single spaces", u.Organizations)
	}
	if !u.CreatedAt.Equal(now) || u.CreatedAt.Location() != time.UTC {
		t.Errorf("created %v", u.CreatedAt)
	}

	// The password is stored only as a bcrypt hash.
	e, err := env.users.Get(ctx, "lan")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(e.Value()), pw) || strings.Contains(string(e.Value()), "rất dài") {
		t.Fatalf("password stored in clear: %s", e.Value())
	}
	var stored User
	if err := json.Unmarshal(e.Value(), &stored); err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(stored.PasswordHash)); err != nil || cost != bcrypt.MinCost {
		t.Errorf("stored hash %q: cost %d, %v", stored.PasswordHash, cost, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(stored.PasswordHash), []byte(pw)) != nil {
		t.Error("stored hash does not match the password")
	}

	if _, err := s.AddUser(ctx, NewUser{Username: "lan", Password: "another password", Roles: []string{RoleViewer}, Organizations: []string{"X"}}, now); !errors.Is(err, ErrExists) {
		t.Errorf("second lan: %v, want ErrExists", err)
	}
	if got, err := s.User(ctx, "lan"); err != nil || got.PasswordHash != stored.PasswordHash {
		t.Errorf("the existing account was overwritten: %v", err)
	}

	checks := []struct {
		user, pass string
		ok         bool
	}{
		{"lan", pw, true},
		{"lan", pw + " ", false},
		{"lan", strings.ToUpper(pw), false},
		{"lan", "", false},
		{"nobody", pw, false},
		{"LAN", pw, false}, // usernames are lower case; the API lowers them before asking
	}
	for _, c := range checks {
		got, err := s.Check(ctx, c.user, c.pass)
		if c.ok {
			if err != nil || got.Username != "lan" {
				t.Errorf("Check(%q, %q) = %v, %v", c.user, c.pass, got.Username, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Check(%q, %q): %v, want ErrBadCredentials", c.user, c.pass, err)
		}
	}

	// A disabled account can no longer log in.
	stored.Disabled = true
	data, _ := json.Marshal(stored)
	if _, err := env.users.Put(ctx, "lan", data); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, "lan", pw); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled account: %v", err)
	}

	if _, err := s.User(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(nobody): %v", err)
	}
	if _, err := s.AddUser(ctx, NewUser{Username: "binh", Password: "mật khẩu khác", Roles: []string{RoleCounter}, Organizations: []string{"X"}}, now); err != nil {
		t.Fatal(err)
	}
	list, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list {
		names = append(names, u.Username)
		if u.PasswordHash != "" {
			t.Errorf("Users leaks the hash of %s", u.Username)
		}
	}
	if !slices.Equal(names, []string{"binh", "lan"}) {
		t.Errorf("Users %q", names)
	}
}

// An unknown username costs as much as a wrong password, so timing does not reveal accounts.
func TestDummyHashCostsLikeARealOne(t *testing.T) {
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("dummy hash cost %d (%v), want the default %d used by serve", cost, err, bcrypt.DefaultCost)
	}
	if s := NewStore(nil, nil, 0); s.cost != bcrypt.DefaultCost {
		t.Errorf("default cost %d", s.cost)
	}
}

var tokenPattern = regexp.MustCompile(`^tn_[A-Za-z0-9_-]{43}$`)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	env := newAuthTestEnv(t)
	s := env.store
	now := time.Date(2028, 11, 1, 8, 0, 0, 0, time.UTC)
	if _, err := s.AddUser(ctx, NewUser{Username: "mai", Password: "mật khẩu của Mai", Roles: []string{RoleCounter}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}, now); err != nil {
		t.Fatal(err)
	}
	ttl := 2 * time.Hour
	tok, err := s.IssueToken(ctx, "mai", now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	tok2, err := s.IssueToken(ctx, "mai", now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if tok == tok2 {
		t.Fatal("two tokens are equal")
	}
	for _, k := range []string{tok, tok2} {
		if !tokenPattern.MatchString(k) {
			t.Fatalf("token %q does not look like tn_ + 256 random bits", k)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(k, TokenPrefix)); err != nil || len(raw) != 32 {
			t.Errorf("token %q carries %d bytes (%v), want 32", k, len(raw), err)
		}
	}

	p, err := s.Authenticate(ctx, tok, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := Principal{Username: "mai", Roles: []string{RoleCounter}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}
	if p.Username != want.Username || !slices.Equal(p.Roles, want.Roles) || !slices.Equal(p.Organizations, want.Organizations) {
		t.Errorf("principal %+v, want %+v", p, want)
	}

	// Stored only as hashes: every key is the sha256 of a token, no value holds the token.
	lister, err := env.tokens.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
		e, err := env.tokens.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range []string{tok, tok2} {
			secret := strings.TrimPrefix(tk, TokenPrefix)
			if strings.Contains(k, secret) || strings.Contains(string(e.Value()), secret) {
				t.Errorf("token stored in clear under %s: %s", k, e.Value())
			}
		}
	}
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	slices.Sort(keys)
	wantKeys := []string{hash(tok), hash(tok2)}
	slices.Sort(wantKeys)
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("token keys %q, want the sha256 of each token", keys)
	}

	// Expiry: valid up to and including the expiry instant.
	if _, err := s.Authenticate(ctx, tok, now.Add(ttl)); err != nil {
		t.Errorf("token refused at its expiry instant: %v", err)
	}
	if _, err := s.Authenticate(ctx, tok, now.Add(ttl+time.Nanosecond)); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("expired token: %v", err)
	}

	// Revocation ends one token, not the others.
	if err := s.RevokeToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok, now); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := s.Authenticate(ctx, tok2, now); err != nil {
		t.Errorf("the other token died with the revoked one: %v", err)
	}
	if err := s.RevokeToken(ctx, tok); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.RevokeToken(ctx, "tn_never-issued"); err != nil {
		t.Errorf("revoking an unknown token: %v", err)
	}

	for _, bad := range []string{"", "tn_", "Bearer " + tok2, tok2[:len(tok2)-1], tok2 + "x", strings.TrimPrefix(tok2, TokenPrefix), TokenPrefix + strings.Repeat("A", 200)} {
		if _, err := s.Authenticate(ctx, bad, now); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%q): %v, want ErrBadCredentials", bad, err)
		}
	}

	// A token dies with its account being disabled.
	u, err := s.User(ctx, "mai")
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	data, _ := json.Marshal(u)
	if _, err := env.users.Put(ctx, "mai", data); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok2, now); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("token of a disabled account: %v", err)
	}
	// And with the account being deleted.
	if _, err := s.AddUser(ctx, NewUser{Username: "ghost", Password: "mật khẩu của ma", Roles: []string{RoleViewer}, Organizations: []string{"x"}}, now); err != nil {
		t.Fatal(err)
	}
	tok3, err := s.IssueToken(ctx, "ghost", now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.users.Delete(ctx, "ghost"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok3, now); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("token of a missing account: %v", err)
	}
	// No token is issued for an account that does not exist.
	if _, err := s.IssueToken(ctx, "nobody", now, ttl); !errors.Is(err, ErrNotFound) {
		t.Errorf("token for nobody: %v", err)
	}
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	t.Run("generated password", func(t *testing.T) {
		s := newAuthTestEnv(t).store
		gen, created, err := s.Bootstrap(ctx, "", now)
		if err != nil || !created {
			t.Fatalf("Bootstrap: created %v, %v", created, err)
		}
		if len(gen) < 20 {
			t.Fatalf("generated password %q is too short", gen)
		}
		u, err := s.Check(ctx, "admin", gen)
		if err != nil {
			t.Fatalf("the generated password does not log in: %v", err)
		}
		if !slices.Equal(u.Roles, []string{RoleAdmin}) {
			t.Errorf("admin roles %q", u.Roles)
		}
		// Printed once: a second start creates nothing and reveals nothing.
		gen2, created, err := s.Bootstrap(ctx, "", now)
		if err != nil || created || gen2 != "" {
			t.Errorf("second Bootstrap: %q %v %v", gen2, created, err)
		}
		if _, err := s.Check(ctx, "admin", gen); err != nil {
			t.Errorf("second Bootstrap changed the password: %v", err)
		}
	})
	t.Run("password from the environment", func(t *testing.T) {
		s := newAuthTestEnv(t).store
		gen, created, err := s.Bootstrap(ctx, "quản trị viên 2028", now)
		if err != nil || !created || gen != "" {
			t.Fatalf("Bootstrap: %q %v %v", gen, created, err)
		}
		if _, err := s.Check(ctx, "admin", "quản trị viên 2028"); err != nil {
			t.Errorf("given password does not log in: %v", err)
		}
		// Changing the variable later does not reset the password.
		if _, created, err := s.Bootstrap(ctx, "something else entirely", now); err != nil || created {
			t.Errorf("second Bootstrap: %v %v", created, err)
		}
		if _, err := s.Check(ctx, "admin", "something else entirely"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("second Bootstrap replaced the password: %v", err)
		}
	})
	t.Run("racing processes", func(t *testing.T) {
		s := newAuthTestEnv(t).store
		type result struct {
			gen     string
			created bool
			err     error
		}
		out := make(chan result, 3)
		for range 3 {
			go func() {
				g, c, err := s.Bootstrap(ctx, "", now)
				out <- result{g, c, err}
			}()
		}
		var winners []string
		for range 3 {
			r := <-out
			if r.err != nil {
				t.Errorf("Bootstrap: %v", r.err)
			}
			if r.created {
				winners = append(winners, r.gen)
			} else if r.gen != "" {
				t.Error("a losing Bootstrap returned a password")
			}
		}
		if len(winners) != 1 {
			t.Fatalf("%d processes created the admin, want 1", len(winners))
		}
		if _, err := s.Check(ctx, "admin", winners[0]); err != nil {
			t.Errorf("the printed password is not the stored one: %v", err)
		}
	})
}

func TestPrincipal(t *testing.T) {
	admin := Principal{Username: "admin", Roles: []string{RoleAdmin}}
	org := Principal{Username: "lan", Roles: []string{RoleOrganizer}, Organizations: []string{"Tỉnh ủy Bình Sơn", "Đảng ủy xã An Phú"}}
	viewer := Principal{Username: "cuc", Roles: []string{RoleViewer}, Organizations: []string{"Tỉnh ủy Bình Sơn"}}
	none := Principal{Username: "x"}
	tests := []struct {
		p     Principal
		roles []string
		want  bool
	}{
		{admin, []string{RoleOrganizer}, true},
		{admin, []string{RoleCounter, RoleViewer}, true},
		{admin, nil, true},
		{org, []string{RoleOrganizer}, true},
		{org, []string{RoleCounter}, false},
		{org, []string{RoleCounter, RoleOrganizer}, true},
		{viewer, []string{RoleOrganizer}, false},
		{viewer, []string{RoleViewer}, true},
		{none, []string{RoleViewer}, false},
	}
	for _, tc := range tests {
		if got := tc.p.Has(tc.roles...); got != tc.want {
			t.Errorf("%s.Has(%q) = %v", tc.p.Username, tc.roles, got)
		}
	}
	if !admin.IsAdmin() || org.IsAdmin() {
		t.Error("IsAdmin")
	}
	sees := []struct {
		p    Principal
		org  string
		want bool
	}{
		{admin, "Bất kỳ tổ chức nào", true},
		{org, "Tỉnh ủy Bình Sơn", true},
		{org, "tỉnh ủy bình sơn", true},
		{org, "  TỈNH ỦY   BÌNH SƠN ", true},
		{org, norm.NFD.String("Tỉnh ủy Bình Sơn"), true},
		{org, "Đảng ủy xã An Phú", true},
		{org, "Tỉnh ủy Bình Định", false},
		{org, "Tỉnh ủy Bình", false},
		{org, "", false},
		{viewer, "Đảng ủy xã An Phú", false},
		{none, "Tỉnh ủy Bình Sơn", false},
	}
	for _, tc := range sees {
		if got := tc.p.Sees(tc.org); got != tc.want {
			t.Errorf("%s.Sees(%q) = %v", tc.p.Username, tc.org, got)
		}
	}
}
