// Package auth holds accounts, roles, organizations and API tokens: who may see and change what.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"tinnhiem/internal/bus"
)

// Roles (DESIGN §4).
const (
	RoleAdmin     = "admin"
	RoleOrganizer = "organizer" // ban tổ chức
	RoleCounter   = "counter"   // ban kiểm phiếu
	RoleViewer    = "viewer"
)

// AllRoles lists every role.
func AllRoles() []string { return []string{RoleAdmin, RoleOrganizer, RoleCounter, RoleViewer} }

// Errors callers map to HTTP statuses.
var (
	ErrNotFound       = errors.New("not found")
	ErrBadCredentials = errors.New("sai tên đăng nhập hoặc mật khẩu")
	ErrExists         = errors.New("already exists")
	// ErrInvalidPassword: a password that breaks the rule of ValidatePassword.
	ErrInvalidPassword = errors.New("mật khẩu không hợp lệ")
)

// User is an account. Passwords are stored only as bcrypt hashes.
type User struct {
	Username      string    `json:"username"`
	PasswordHash  string    `json:"password_hash,omitempty"` // never in an answer: blanked there, so left out
	Roles         []string  `json:"roles"`
	Organizations []string  `json:"organizations"`
	CreatedAt     time.Time `json:"created_at"`
	Disabled      bool      `json:"disabled,omitempty"`
	// TokenEpoch counts the times every token of the account was ended (disabled, password
	// changed, tokens revoked). A token is valid only with the epoch it was issued under, so
	// one write to the account ends all of them at once, in every process.
	TokenEpoch        int       `json:"token_epoch,omitempty"`
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	UpdatedAt         time.Time `json:"updated_at,omitzero"`
}

// Principal is who is making a request.
type Principal struct {
	Username      string   `json:"username"`
	Roles         []string `json:"roles"`
	Organizations []string `json:"organizations"`
}

// Has reports whether the principal holds one of the roles (admin holds every role).
func (p Principal) Has(roles ...string) bool {
	if slices.Contains(p.Roles, RoleAdmin) {
		return true
	}
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the principal is a global administrator.
func (p Principal) IsAdmin() bool { return slices.Contains(p.Roles, RoleAdmin) }

// Sees reports whether the principal may see rounds of the organization.
func (p Principal) Sees(org string) bool {
	if p.IsAdmin() {
		return true
	}
	key := OrgKey(org)
	for _, o := range p.Organizations {
		if OrgKey(o) == key {
			return true
		}
	}
	return false
}

var foldCase = cases.Fold()

// OrgKey compares organization names regardless of case, Unicode form and spacing.
func OrgKey(s string) string {
	return foldCase.String(norm.NFC.String(strings.Join(strings.Fields(s), " ")))
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Store keeps users and tokens in two key-value buckets.
type Store struct {
	users  jetstream.KeyValue
	tokens jetstream.KeyValue
	cost   int
	// noTTL: the tokens bucket refused a per-message TTL once (provisioned by an older
	// version); records are then stored without one and left to SweepTokens.
	noTTL atomic.Bool
	// linger is how long a token's record outlives its expiry (tokenLinger; tests shorten it).
	linger time.Duration
}

// NewStore wraps the buckets. cost is the bcrypt cost (bcrypt.DefaultCost when 0).
func NewStore(users, tokens jetstream.KeyValue, cost int) *Store {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return &Store{users: users, tokens: tokens, cost: cost, linger: tokenLinger}
}

// NewUser is what `tinnhiem user add` and the API take.
type NewUser struct {
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	Roles         []string `json:"roles"`
	Organizations []string `json:"organizations"`
}

// Validate lists the problems of a new account in Vietnamese.
func (n NewUser) Validate() []string {
	var out []string
	if !usernamePattern.MatchString(n.Username) {
		out = append(out, "tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '-', '_' (2–64 ký tự)")
	}
	out = append(out, ValidatePassword(n.Password)...)
	out = append(out, validateRoles(n.Roles, n.Organizations)...)
	return out
}

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

// ValidatePassword lists what is wrong with a password, in Vietnamese: every password — the
// bootstrap admin's too — passes the same rule.
func ValidatePassword(pw string) []string {
	var out []string
	if len([]rune(pw)) < MinPasswordLength {
		out = append(out, fmt.Sprintf("mật khẩu phải có ít nhất %d ký tự", MinPasswordLength))
	}
	if len(pw) > 72 {
		out = append(out, "mật khẩu dài quá 72 byte") // bcrypt reads no further
	}
	return out
}

// validateRoles lists what is wrong with an account's roles and organizations.
func validateRoles(roles, orgs []string) []string {
	var out []string
	if len(roles) == 0 {
		out = append(out, "phải có ít nhất một vai trò (admin, organizer, counter, viewer)")
	}
	for _, r := range roles {
		if !slices.Contains(AllRoles(), r) {
			out = append(out, fmt.Sprintf("vai trò không hợp lệ %q (admin, organizer, counter, viewer)", r))
		}
	}
	if len(orgs) == 0 && !slices.Contains(roles, RoleAdmin) {
		out = append(out, "phải thuộc ít nhất một tổ chức")
	}
	for _, o := range orgs {
		if strings.TrimSpace(o) == "" {
			out = append(out, "tên tổ chức trống")
		}
	}
	return out
}

// AddUser creates an account; ErrExists when the username is taken.
func (s *Store) AddUser(ctx context.Context, n NewUser, now time.Time) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), s.cost)
	if err != nil {
		return User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	u := User{Username: n.Username, PasswordHash: string(hash), Roles: cleanRoles(n.Roles), Organizations: cleanOrgs(n.Organizations),
		CreatedAt: now.UTC(), PasswordChangedAt: now.UTC()}
	data, _ := json.Marshal(u)
	if _, err := s.users.Create(ctx, u.Username, data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return User{}, fmt.Errorf("user %q: %w", u.Username, ErrExists)
		}
		return User{}, fmt.Errorf("auth: store user: %w", err)
	}
	return u, nil
}

func cleanRoles(rs []string) []string {
	roles := slices.Clone(rs)
	sort.Strings(roles)
	return slices.Compact(roles)
}

func cleanOrgs(os []string) []string {
	orgs := make([]string, 0, len(os))
	for _, o := range os {
		orgs = append(orgs, norm.NFC.String(strings.Join(strings.Fields(o), " ")))
	}
	return orgs
}

// User returns an account or ErrNotFound.
func (s *Store) User(ctx context.Context, username string) (User, error) {
	if !usernamePattern.MatchString(username) {
		return User{}, ErrNotFound
	}
	u, _, err := bus.GetJSON[User](ctx, s.users, username)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	return u, nil
}

// Users lists every account (without hashes).
func (s *Store) Users(ctx context.Context) ([]User, error) {
	lister, err := s.users.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	var out []User
	for k := range lister.Keys() {
		u, err := s.User(ctx, k)
		if err != nil {
			continue
		}
		u.PasswordHash = ""
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, nil
}

// Check verifies a password; ErrBadCredentials for an unknown user or a wrong password.
func (s *Store) Check(ctx context.Context, username, password string) (User, error) {
	u, err := s.User(ctx, username)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real comparison so that timing does not reveal usernames.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if u.Disabled || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// dummyHash is a bcrypt hash (cost 10) of a throw-away password, compared against for unknown users.
var dummyHash = []byte("$2a$10$0rs996FeQ2R8evfRLDw/P.7z2O2AMw39DYgxlg5JSVgf6hSShM8Zy")

// token records are keyed by the sha256 of the token; the token itself is never stored.
type tokenRecord struct {
	Username  string    `json:"username"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Epoch     int       `json:"epoch,omitempty"` // the account's TokenEpoch when issued
}

// TokenPrefix marks tinnhiem tokens so they are recognisable in logs and secret scanners.
const TokenPrefix = "tn_"

// tokenLinger is how long a token's record outlives its expiry before the server removes it
// (the record's own TTL): Authenticate judges expiry itself, to the nanosecond.
const tokenLinger = time.Minute

// IssueToken creates a random 256-bit token for the account, valid for ttl; ErrNotFound when
// there is no such account.
func (s *Store) IssueToken(ctx context.Context, username string, now time.Time, ttl time.Duration) (string, error) {
	u, err := s.User(ctx, username)
	if err != nil {
		return "", err
	}
	return s.IssueTokenFor(ctx, u, now, ttl)
}

// IssueTokenFor creates a token for u as it was read (its password just checked): should the
// account have been disabled or its tokens ended since, the token is born dead.
func (s *Store) IssueTokenFor(ctx context.Context, u User, now time.Time, ttl time.Duration) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	rec := tokenRecord{Username: u.Username, CreatedAt: now.UTC(), ExpiresAt: now.Add(ttl).UTC(), Epoch: u.TokenEpoch}
	data, _ := json.Marshal(rec)
	if err := s.putToken(ctx, tokenKey(tok), data, ttl+s.linger); err != nil {
		return "", fmt.Errorf("auth: store token: %w", err)
	}
	return tok, nil
}

// putToken stores a token record that the server removes by itself after ttl (the bucket's
// per-message TTL). A bucket provisioned before it allowed TTLs takes the record without one;
// SweepTokens removes it once expired.
func (s *Store) putToken(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if !s.noTTL.Load() {
		_, err := s.tokens.Create(ctx, key, data, jetstream.KeyTTL(max(ttl, time.Second)))
		if !ttlDisabled(err) {
			return err
		}
		s.noTTL.Store(true)
	}
	_, err := s.tokens.Put(ctx, key, data)
	return err
}

// ttlDisabled: the bucket does not allow per-message TTLs (JetStream error 10166).
func ttlDisabled(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == 10166
}

// Authenticate resolves a token to its principal; ErrBadCredentials when unknown, expired,
// ended (its account disabled, its password changed, its tokens revoked) or of no account.
func (s *Store) Authenticate(ctx context.Context, token string, now time.Time) (Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return Principal{}, ErrBadCredentials
	}
	rec, _, err := bus.GetJSON[tokenRecord](ctx, s.tokens, tokenKey(token))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Principal{}, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: get token: %w", err)
	}
	if now.After(rec.ExpiresAt) {
		return Principal{}, ErrBadCredentials
	}
	u, err := s.User(ctx, rec.Username)
	if errors.Is(err, ErrNotFound) || (err == nil && (u.Disabled || u.TokenEpoch != rec.Epoch)) {
		return Principal{}, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{Username: u.Username, Roles: u.Roles, Organizations: u.Organizations}, nil
}

// RevokeToken removes a token (logout).
func (s *Store) RevokeToken(ctx context.Context, token string) error {
	if err := s.removeToken(ctx, tokenKey(token)); err != nil {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}

// removeToken purges a token record; the purge marker itself expires (where the bucket allows
// TTLs), so nothing of the token stays.
func (s *Store) removeToken(ctx context.Context, key string) error {
	if !s.noTTL.Load() {
		err := s.tokens.Purge(ctx, key, jetstream.PurgeTTL(markerTTL))
		if !ttlDisabled(err) {
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return nil
			}
			return err
		}
		s.noTTL.Store(true)
	}
	if err := s.tokens.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return err
	}
	return nil
}

// markerTTL is how long the marker of a removed token record stays (JetStream's minimum).
const markerTTL = time.Second

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Bootstrap makes sure the admin account exists. When it is created without a password given,
// one is generated and returned so the caller can print it once.
func (s *Store) Bootstrap(ctx context.Context, password string, now time.Time) (generated string, created bool, err error) {
	if password != "" {
		if msgs := ValidatePassword(password); len(msgs) > 0 {
			return "", false, fmt.Errorf("%w: %s", ErrInvalidPassword, strings.Join(msgs, "; "))
		}
	}
	if _, err := s.User(ctx, "admin"); err == nil {
		return "", false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", false, err
	}
	if password == "" {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", false, fmt.Errorf("auth: random password: %w", err)
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
		generated = password
	}
	_, err = s.AddUser(ctx, NewUser{Username: "admin", Password: password, Roles: []string{RoleAdmin}}, now)
	if errors.Is(err, ErrExists) {
		return "", false, nil // another process created it first
	}
	if err != nil {
		return "", false, err
	}
	return generated, true, nil
}
