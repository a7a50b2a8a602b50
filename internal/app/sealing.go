package app

import (
	"context"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/minutes"
)

// Sealing warnings (minutes.SealWarnings): what went wrong before the vote — dossiers still
// incomplete, the packet not recorded as sent or sent late. They never stop a seal; the
// counting committee confirms them, and the confirmed ones go into the minutes' issues.

// SealOutcome is a seal and what the committee was warned of.
type SealOutcome struct {
	minutes.Sealed
	// Warnings are the sealing warnings at the moment of sealing.
	Warnings []problem.Problem
	// Confirmed: the committee confirmed them, and the version's minutes print them
	// (Sealed.Issues).
	Confirmed bool
}

// SealWarnings are the warnings the committee would be given if it sealed round roundID now.
// Whoever may see the draft figures may see them.
func (a *App) SealWarnings(ctx context.Context, p auth.Principal, roundID string) (dossier.Round, []problem.Problem, error) {
	rd, err := a.round(ctx, p, roundID, ViewDraftTally)
	if err != nil {
		return rd, nil, err
	}
	warnings, _, err := a.sealTrail(ctx, rd)
	return rd, warnings, err
}

// SealConfirming seals a round's entered figures (Seal). When confirm is set, the sealing
// warnings of this moment go into the new version's minutes as confirmed issues; either way the
// answer carries them.
func (a *App) SealConfirming(ctx context.Context, p auth.Principal, roundID string, confirm bool) (SealOutcome, error) {
	rd, err := a.round(ctx, p, roundID, SealTally)
	if err != nil {
		return SealOutcome{}, err
	}
	warnings, issues, err := a.sealTrail(ctx, rd)
	if err != nil {
		return SealOutcome{}, err
	}
	if !confirm {
		issues = nil
	}
	s, err := a.sealVersion(ctx, p, rd, issues)
	if err != nil {
		return SealOutcome{}, err
	}
	return SealOutcome{Sealed: s, Warnings: warnings, Confirmed: confirm && len(s.Issues) > 0}, nil
}

// sealTrail is the sealing warnings of a round at this moment and the issues they add to the
// minutes, from its dossier status and packet record; none where this server keeps no dossiers.
func (a *App) sealTrail(ctx context.Context, rd dossier.Round) ([]problem.Problem, []string, error) {
	if a.cfg.Dossiers == nil {
		return []problem.Problem{}, nil, nil
	}
	st, err := a.state(ctx, rd.ID)
	if err != nil {
		return nil, nil, err
	}
	rep := dossier.Status(rd, st, a.now())
	sent := st.PacketSent()
	warnings := minutes.SealWarnings(rd, rep, sent)
	if warnings == nil {
		warnings = []problem.Problem{}
	}
	return warnings, minutes.SealIssues(rd, rep, sent), nil
}
