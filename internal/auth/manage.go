package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

	"tinnhiem/internal/bus"
)

// Change is a change to an account by an administrator; a nil field stays as it is.
type Change struct {
	Disabled      *bool
	Password      *string
	Roles         []string
	Organizations []string
}

// Empty reports whether the change changes nothing.
func (c Change) Empty() bool {
	return c.Disabled == nil && c.Password == nil && c.Roles == nil && c.Organizations == nil
}

// Validate lists the problems of the change for the account as it is now, in Vietnamese.
func (c Change) Validate(u User) []string {
	var out []string
	if c.Password != nil {
		out = append(out, ValidatePassword(*c.Password)...)
	}
	if c.Roles != nil || c.Organizations != nil {
		roles, orgs := u.Roles, u.Organizations
		if c.Roles != nil {
			roles = c.Roles
		}
		if c.Organizations != nil {
			orgs = c.Organizations
		}
		out = append(out, validateRoles(roles, orgs)...)
	}
	return out
}

// EndsTokens reports whether the change ends every token and session of the account: it is
// disabled, or its password is replaced.
func (c Change) EndsTokens() bool {
	return (c.Disabled != nil && *c.Disabled) || c.Password != nil
}

// Update applies c to the account (ErrNotFound when there is none) and returns it as it was
// and as it is now. Disabling it or replacing its password ends every token of it at once.
// The caller validates c first (Validate).
func (s *Store) Update(ctx context.Context, username string, c Change, now time.Time) (before, after User, err error) {
	var hash []byte
	if c.Password != nil {
		if hash, err = bcrypt.GenerateFromPassword([]byte(*c.Password), s.cost); err != nil {
			return User{}, User{}, fmt.Errorf("auth: hash password: %w", err)
		}
	}
	return s.update(ctx, username, func(u *User) {
		if c.Disabled != nil {
			u.Disabled = *c.Disabled
		}
		if hash != nil {
			u.PasswordHash = string(hash)
			u.PasswordChangedAt = now.UTC()
		}
		if c.Roles != nil {
			u.Roles = cleanRoles(c.Roles)
		}
		if c.Organizations != nil {
			u.Organizations = cleanOrgs(c.Organizations)
		}
		if c.EndsTokens() {
			u.TokenEpoch++
		}
		u.UpdatedAt = now.UTC()
	})
}

// RevokeTokens ends every token and session of the account at once.
func (s *Store) RevokeTokens(ctx context.Context, username string, now time.Time) (User, error) {
	_, after, err := s.update(ctx, username, func(u *User) {
		u.TokenEpoch++
		u.UpdatedAt = now.UTC()
	})
	return after, err
}

// update changes an account compare-and-set, reading it again when another writer was first.
func (s *Store) update(ctx context.Context, username string, change func(*User)) (before, after User, err error) {
	if !usernamePattern.MatchString(username) {
		return User{}, User{}, ErrNotFound
	}
	for attempt := 0; ; attempt++ {
		u, rev, err := bus.GetJSON[User](ctx, s.users, username)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return User{}, User{}, ErrNotFound
		}
		if err != nil {
			return User{}, User{}, fmt.Errorf("auth: get user: %w", err)
		}
		before, after = u, u
		after.Roles, after.Organizations = append([]string(nil), u.Roles...), append([]string(nil), u.Organizations...)
		change(&after)
		data, _ := json.Marshal(after)
		_, err = s.users.Update(ctx, username, data, rev)
		if err == nil {
			before.PasswordHash, after.PasswordHash = "", ""
			return before, after, nil
		}
		if !bus.IsConflict(err) || attempt >= 10 {
			return User{}, User{}, fmt.Errorf("auth: update user: %w", err)
		}
	}
}

// SweepTokens removes the records of tokens that open nothing any more — expired, ended by a
// change of their account, or of no account — and answers how many. Records with a TTL go by
// themselves; this catches those of a bucket without TTLs and those ended early.
func (s *Store) SweepTokens(ctx context.Context, now time.Time) (int, error) {
	lister, err := s.tokens.ListKeys(ctx)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer func() { _ = lister.Stop() }()
	users := map[string]*User{}
	removed := 0
	for key := range lister.Keys() {
		rec, _, err := bus.GetJSON[tokenRecord](ctx, s.tokens, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("auth: get token: %w", err)
		}
		dead := now.After(rec.ExpiresAt)
		if !dead {
			u, seen := users[rec.Username]
			if !seen {
				got, err := s.User(ctx, rec.Username)
				switch {
				case err == nil:
					u = &got
				case !errors.Is(err, ErrNotFound):
					return removed, err
				}
				users[rec.Username] = u
			}
			dead = u == nil || u.Disabled || u.TokenEpoch != rec.Epoch
		}
		if !dead {
			continue
		}
		if err := s.removeToken(ctx, key); err != nil {
			return removed, fmt.Errorf("auth: remove token: %w", err)
		}
		removed++
	}
	return removed, nil
}
