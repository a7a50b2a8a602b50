package sandbox

import (
	"context"
	"strings"
)

// Hook runs a probe of the test binary in a locked-down child of p.
func (p *Pool) Hook(ctx context.Context, name, arg string) (string, error) {
	return p.hook(ctx, name, arg)
}

// HookOutcome runs a probe as a file is read: a child that dies or overruns on it is a
// verdict (Outcome.Code), as it would be for a file.
func (p *Pool) HookOutcome(ctx context.Context, name string) (Outcome, error) {
	return p.call(ctx, request{Op: "hook", Hook: name}, strings.NewReader(""), 0)
}
