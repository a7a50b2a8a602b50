// Package apptest builds the application core on a real in-process nats-server, provisioned as
// in production, for the tests of the core and of its faces (the API, the pages) and workers.
package apptest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/store"
)

// Env is a core with its stores on a test server.
type Env struct {
	NS     *bustest.Server
	Stores *store.Stores
	App    *app.App
	Now    func() time.Time
}

// Options tune Start.
type Options struct {
	Now       func() time.Time // the core's clock; default time.Now
	MaxUpload int64
	TokenTTL  time.Duration
	Throttle  *auth.Throttle // default: lenient (tests log in often)
	Log       *slog.Logger
	BackupKey func() ([]byte, error)
	// MaxRequest and MaxFiles bound an upload request (app defaults when zero).
	MaxRequest int64
	MaxFiles   int
}

// Start runs a server and builds the core on it.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	ns := bustest.Start(t)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Throttle == nil {
		o.Throttle = auth.NewThrottle(100, time.Millisecond, time.Minute)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, ns.JS, store.Options{MaxUpload: o.MaxUpload, BcryptCost: bcrypt.MinCost, Now: o.Now})
	if err != nil {
		t.Fatal(err)
	}
	core := app.New(app.Config{Stores: st, Now: o.Now, TokenTTL: o.TokenTTL, Throttle: o.Throttle, Log: o.Log, BackupKey: o.BackupKey,
		MaxRequest: o.MaxRequest, MaxFiles: o.MaxFiles})
	return &Env{NS: ns, Stores: st, App: core, Now: o.Now}
}

// User creates an account and returns who it is and a token of it.
func (e *Env) User(t testing.TB, username string, roles []string, orgs ...string) (auth.Principal, string) {
	t.Helper()
	ctx := context.Background()
	u := auth.NewUser{Username: username, Password: "mật khẩu đủ dài " + username, Roles: roles, Organizations: orgs}
	if _, err := e.Stores.Auth.AddUser(ctx, u, e.Now()); err != nil {
		t.Fatal(err)
	}
	tok, err := e.Stores.Auth.IssueToken(ctx, username, e.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Stores.Auth.Authenticate(ctx, tok, e.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p, tok
}

// Round parses a round file and stores it.
func (e *Env) Round(t testing.TB, file string) dossier.Round {
	t.Helper()
	r, err := dossier.ParseRound([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	saved, _, err := e.Stores.Rounds.Save(context.Background(), r, "test", e.Now())
	if err != nil {
		t.Fatal(err)
	}
	return saved
}
