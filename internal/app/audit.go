package app

import (
	"bytes"
	"context"
	"strings"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
)

// AuditTrail is the audit trail of a round (roundID), or the whole trail ("", admins only),
// oldest first, at most limit events (0 = all).
func (a *App) AuditTrail(ctx context.Context, p auth.Principal, roundID string, limit int) ([]audit.Event, error) {
	scope := ""
	if roundID == "" {
		if !May(p, ViewAllAudit, nil) {
			return nil, forbidden(ViewAllAudit)
		}
	} else {
		rd, err := a.round(ctx, p, roundID, ViewRoundAudit)
		if err != nil {
			return nil, err
		}
		scope = rd.ID
	}
	events, err := a.cfg.Audit.List(ctx, scope, limit)
	if err != nil {
		return nil, internalf("audit: %w", err)
	}
	if events == nil {
		events = []audit.Event{}
	}
	return events, nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func joinComma(ss []string) string { return strings.Join(ss, ", ") }
