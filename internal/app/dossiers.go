package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/store"
)

// decisionWait is how long a decision waits for the projection to show it.
const decisionWait = 5 * time.Second

// Status is the dossier report of a round: every person's documents, what is missing, their
// requests for explanation, and the papers naming nobody.
func (a *App) Status(ctx context.Context, p auth.Principal, roundID string) (dossier.Round, dossier.Report, error) {
	rd, st, err := a.roundState(ctx, p, roundID, ViewDossiers)
	if err != nil {
		return rd, dossier.Report{}, err
	}
	rep := dossier.Status(rd, st, a.now())
	if !May(p, SeeRequester, &rd) {
		hideRequesters(rep.Nominees)
		hideRequesters(rep.Removed)
	}
	hideRequestText(p, rd, &rep)
	return rd, rep, nil
}

// hideRequesters removes who asked for an explanation: the board knows, viewers do not (DOMAIN.md).
func hideRequesters(ns []dossier.NomineeStatus) {
	for i := range ns {
		for j := range ns[i].Requests {
			ns[i].Requests[j].Requester = ""
		}
	}
}

// roundState opens a round for an action together with its dossier projection. Every face
// reads the same state: the stored projection — given a moment to catch up when the DOSSIER
// stream already holds events it has not applied, so that a verdict just shown on the upload
// page shows in the table too — or, when the projector does not come level in that moment (it
// is down, or runs in another process that is), the round's events replayed: nobody is shown
// less than what has been decided.
func (a *App) roundState(ctx context.Context, p auth.Principal, roundID string, act Action) (dossier.Round, *dossier.State, error) {
	if a.cfg.Dossiers == nil {
		return dossier.Round{}, nil, fail(Unavailable, "unavailable", "máy chủ này chưa bật theo dõi hồ sơ")
	}
	rd, err := a.round(ctx, p, roundID, act)
	if err != nil {
		return dossier.Round{}, nil, err
	}
	st, err := a.state(ctx, rd.ID)
	if err != nil {
		return dossier.Round{}, nil, err
	}
	return rd, st, nil
}

// catchUp is how long a read waits for the projector to apply events already in the stream
// before it replays them itself.
const catchUp = 500 * time.Millisecond

func (a *App) state(ctx context.Context, round string) (*dossier.State, error) {
	st, _, err := a.cfg.Dossiers.Snapshot(ctx, round) // read only: shared, not decoded again
	if err != nil {
		return nil, internalf("dossier state %s: %w", round, err)
	}
	last, err := a.cfg.Dossiers.LastSeq(ctx, round)
	if err != nil {
		a.log.WarnContext(ctx, "dossier stream position", "round", round, "err", err)
		return st, nil
	}
	if last <= st.Seq {
		return st, nil
	}
	wctx, cancel := context.WithTimeout(ctx, catchUp)
	defer cancel()
	err = a.cfg.Dossiers.WaitFor(wctx, round, func(s *dossier.State) bool { st = s; return s.Seq >= last })
	switch {
	case err == nil:
		return st, nil
	case !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return nil, internalf("dossier state %s: %w", round, err)
	}
	a.log.WarnContext(ctx, "dossier projection behind the stream; replaying the round", "round", round, "projected", st.Seq, "stream", last)
	rebuilt, err := a.cfg.Dossiers.Replay(ctx, round)
	if err != nil {
		a.log.WarnContext(ctx, "dossier replay", "round", round, "err", err)
		return st, nil
	}
	return rebuilt, nil
}

// Alerts are the deadline alerts raised for a round, oldest first, with what became of each
// delivery; where they went and why a delivery failed only for those who may know.
func (a *App) Alerts(ctx context.Context, p auth.Principal, roundID string) ([]dossier.Alert, error) {
	if a.cfg.Dossiers == nil {
		return nil, fail(Unavailable, "unavailable", "máy chủ này chưa bật theo dõi hồ sơ")
	}
	rd, err := a.round(ctx, p, roundID, ViewAlerts)
	if err != nil {
		return nil, err
	}
	as, err := a.cfg.Dossiers.Alerts(ctx, rd.ID)
	if err != nil {
		return nil, internalf("alerts of %s: %w", rd.ID, err)
	}
	if !May(p, ViewAlertDelivery, &rd) {
		for i := range as {
			for j := range as[i].Deliveries {
				d := &as[i].Deliveries[j]
				d.Target, d.LastError, d.LeaseOwner = "", "", ""
			}
		}
	}
	return as, nil
}

// Rebuild replays a round's DOSSIER events and compares the result with the live projection;
// with replace, a differing live state is replaced.
func (a *App) Rebuild(ctx context.Context, p auth.Principal, roundID string, replace bool) (store.RebuildResult, error) {
	if a.cfg.Dossiers == nil {
		return store.RebuildResult{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật theo dõi hồ sơ")
	}
	rd, err := a.round(ctx, p, roundID, RebuildDossiers)
	if err != nil {
		return store.RebuildResult{}, err
	}
	res, err := a.cfg.Dossiers.Rebuild(ctx, rd.ID, replace, 5*time.Second)
	if err != nil {
		return res, internalf("rebuild %s: %w", rd.ID, err)
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: "dossier.rebuild", Round: rd.ID, Details: map[string]string{
		"equal": strconv.FormatBool(res.Equal), "replaced": strconv.FormatBool(res.Replaced),
		"documents": strconv.Itoa(res.Documents), "seq": strconv.FormatUint(res.RebuiltSeq, 10),
	}})
	return res, nil
}

// Decision is the outcome of a board decision on a late request for explanation.
type Decision struct {
	dossier.RequestDecision
	Nominee string
	// Applied: the status already shows it (else the projector is behind; it is safely in the
	// stream). State is the request's state once applied.
	Applied bool
	State   string
}

// Decide records the board's decision on a request for explanation received after its
// deadline: accept (the person then owes an explanation) or set_aside. It is published as an
// event, so that a rebuild reproduces it, and audited.
func (a *App) Decide(ctx context.Context, p auth.Principal, roundID, requestID, decision, note string) (Decision, error) {
	rd, st, err := a.roundState(ctx, p, roundID, DecideRequest)
	if err != nil {
		return Decision{}, err
	}
	e, found := st.Docs[requestID]
	if !found || e.Kind != dossier.KindExplanationRequest {
		return Decision{}, fail(NotFound, "not_found", "không có đề nghị giải trình %s trong đợt %s", requestID, rd.ID)
	}
	if status := dossier.EffectiveStatus(rd, e); status != dossier.StatusLate {
		return Decision{}, fail(Conflict, "conflict", "đề nghị giải trình %s không nộp sau hạn (trạng thái: %s); chỉ đề nghị nộp sau hạn mới cần ban tổ chức quyết định",
			requestID, dossier.StatusLabel(status))
	}
	d := dossier.RequestDecision{Round: rd.ID, Request: requestID, Decision: strings.TrimSpace(decision),
		Note: dossier.NFC(note), By: p.Username, At: a.now().UTC()}
	if err := d.Validate(); err != nil {
		return Decision{}, invalid("dữ liệu không hợp lệ, không có gì được lưu", []problem.Problem{{Path: "decision", Code: "bad_decision", Message: err.Error()}})
	}
	seq, err := a.cfg.Dossiers.Decide(ctx, d)
	if err != nil {
		return Decision{}, internalf("decide %s: %w", requestID, err)
	}
	a.audit(ctx, audit.Event{
		ID: "decision-" + requestID + "-" + strconv.FormatUint(seq, 10), Actor: p.Username, Action: "request.decision",
		Round: rd.ID, Target: requestID, Details: map[string]string{"decision": d.Decision, "note": d.Note, "nominee": e.Nominee},
	})
	out := Decision{RequestDecision: d, Nominee: e.Nominee}
	wctx, cancel := context.WithTimeout(ctx, decisionWait)
	defer cancel()
	err = a.cfg.Dossiers.WaitFor(wctx, rd.ID, store.DecisionApplied(requestID, seq))
	if errors.Is(err, context.DeadlineExceeded) {
		return out, nil
	}
	if err != nil {
		return out, internalf("decision %s: %w", requestID, err)
	}
	out.Applied = true
	if st, _, err := a.cfg.Dossiers.State(ctx, rd.ID); err == nil {
		rep := dossier.Status(rd, st, a.now())
		for _, ns := range append(rep.Nominees, rep.Removed...) {
			for _, rq := range ns.Requests {
				if rq.DocumentID == requestID {
					out.State = rq.State
				}
			}
		}
	}
	return out, nil
}
