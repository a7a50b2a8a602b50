// Package app is the application core of tinnhiem: what staff can do, whoever asks. The web
// pages (internal/ui) and the JSON API (internal/api) call the same functions here with the
// caller's principal, and get back domain values — or an *Error whose kind says what went wrong
// and whose problems say where. Neither face decides who may do what: they ask May (access.go),
// and the functions here ask it again before they act.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tinnhiem/internal/auth"
	"tinnhiem/internal/metrics"
	"tinnhiem/internal/packetbox"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/store"
)

// Config is what the application core is built on: the stores (store.Open), and the login
// throttle, logger and clock.
type Config struct {
	*store.Stores
	Throttle *auth.Throttle
	Log      *slog.Logger
	Now      func() time.Time
	// TokenTTL is the life of API tokens; SessionTTL of a browser's login.
	TokenTTL, SessionTTL time.Duration
	// BackupKey returns the key backups are encrypted with (the store's); nil where this
	// process makes no backups.
	BackupKey func() ([]byte, error)
	// Metrics counts the documents received (nil: not counted).
	Metrics *metrics.Metrics
	// Packer assembles voters' packets in a child process; nil where this process makes none.
	Packer *packetbox.Runner
	// MaxRequest bounds one upload request's body, MaxFiles its files (DefaultMaxRequest,
	// DefaultMaxFiles when zero).
	MaxRequest int64
	MaxFiles   int
}

// App is the application core. Build it once with New; it holds no state of its own.
type App struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
}

// New returns the core on cfg.
func New(cfg Config) *App {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Throttle == nil {
		cfg.Throttle = auth.NewThrottle(5, time.Second, 5*time.Minute)
	}
	return &App{cfg: cfg, log: cfg.Log, now: cfg.Now}
}

// Now is the core's clock, for the faces that show times relative to it.
func (a *App) Now() time.Time { return a.now() }

// Kind is what went wrong, in the terms every face maps to its own (an HTTP status, a page).
type Kind int

// The kinds of Error.
const (
	Invalid      Kind = iota + 1 // the input has problems; nothing was stored
	BadRequest                   // the request cannot be read at all
	Unauthorized                 // no valid login
	Forbidden                    // logged in, but not allowed
	NotFound                     // nothing there, or nothing this user may know of
	Conflict                     // the state does not allow it now
	TooLarge                     // more than a limit allows
	TooMany                      // slow down (RetryAfter)
	Unavailable                  // a part of the system is not there now; try again
)

// Error is a refusal of the core: a kind, a stable code, a message for people (Vietnamese)
// and, for Invalid, every problem with where it stands.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Problems   []problem.Problem
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	return e.Message + ": " + problem.List(e.Problems).Error()
}

// AsError returns err's *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func fail(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalid refuses an input with its problems.
func invalid(msg string, ps []problem.Problem) *Error {
	return &Error{Kind: Invalid, Code: "invalid", Message: msg, Problems: ps}
}

// internalf wraps a failure of the system itself (a store, the network): no *Error, so each
// face answers it as its own internal error and logs it once.
func internalf(format string, args ...any) error { return fmt.Errorf("app: "+format, args...) }
