package sandbox

import "context"

// Hook runs a probe of the test binary in a locked-down child of p.
func (p *Pool) Hook(ctx context.Context, name, arg string) (string, error) {
	return p.hook(ctx, name, arg)
}
