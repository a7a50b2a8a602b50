package worker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
)

// giveUpToAudit records a message a consumer gives up on in the audit trail, once per stream
// message (the event id is keyed by the stream sequence, so a second report of the same
// failure — the handler's and then the server's advisory — is de-duplicated).
func giveUpToAudit(log *audit.Log, actor, action string) func(context.Context, bus.Failure) error {
	return func(ctx context.Context, f bus.Failure) error {
		if log == nil {
			return errors.New("no audit log to record the failure in")
		}
		return log.Append(ctx, audit.Event{
			ID: fmt.Sprintf("%s-failed-%d", actor, f.StreamSeq), Actor: actor, Action: action, Round: roundOf(f.Subject),
			Details: map[string]string{"subject": f.Subject, "deliveries": strconv.Itoa(f.Delivered), "error": dossier.Truncate(errText(f.Cause), 500)},
		})
	}
}

// roundOf reads the round from a subject tn.<area>.<round>.…, "" when it has none.
func roundOf(subject string) string {
	parts := strings.Split(subject, ".")
	if len(parts) >= 3 && parts[0] == "tn" && dossier.ValidRoundID(parts[2]) {
		return parts[2]
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
