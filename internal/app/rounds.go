package app

import (
	"context"
	"errors"
	"strconv"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/problem"
)

// Rounds lists the rounds p may see, newest vote first.
func (a *App) Rounds(ctx context.Context, p auth.Principal) ([]dossier.Round, error) {
	all, err := a.cfg.Rounds.List(ctx)
	if err != nil {
		return nil, internalf("list rounds: %w", err)
	}
	out := []dossier.Round{}
	for _, rd := range all {
		if May(p, ViewRound, &rd) {
			out = append(out, redactRound(p, rd))
		}
	}
	return out, nil
}

// Round is one round p may see.
func (a *App) Round(ctx context.Context, p auth.Principal, id string) (dossier.Round, error) {
	rd, err := a.round(ctx, p, id, ViewRound)
	if err != nil {
		return dossier.Round{}, err
	}
	return redactRound(p, rd), nil
}

// redactRound hides the webhook secret: the board learns only that one is set.
func redactRound(p auth.Principal, rd dossier.Round) dossier.Round {
	switch {
	case !May(p, SeeWebhookSecret, &rd):
		rd.Notify.WebhookSecret = ""
	case rd.Notify.WebhookSecret != "":
		rd.Notify.WebhookSecret = "(đã đặt)"
	}
	return rd
}

// ImportRound reads a round file (YAML or JSON) and stores it: a new round, or a new version of
// the round with the same id. It answers the round stored and whether it was created.
func (a *App) ImportRound(ctx context.Context, p auth.Principal, data []byte) (dossier.Round, bool, error) {
	if !May(p, ImportRound, nil) {
		return dossier.Round{}, false, forbidden(ImportRound)
	}
	if len(data) > dossier.MaxRoundFileSize {
		return dossier.Round{}, false, fail(TooLarge, "too_large", "tệp đợt lấy phiếu quá lớn (tối đa %d MB)", dossier.MaxRoundFileSize>>20)
	}
	rd, err := dossier.ParseRound(data)
	var ps problem.List
	if errors.As(err, &ps) {
		return dossier.Round{}, false, invalid("dữ liệu không hợp lệ, không có gì được lưu", ps)
	}
	if err != nil {
		return dossier.Round{}, false, internalf("parse round: %w", err)
	}
	if !p.Sees(rd.Organization) {
		return dossier.Round{}, false, fail(Forbidden, "forbidden", "bạn không thuộc tổ chức %s nên không thể tạo hoặc sửa đợt lấy phiếu của tổ chức này", rd.Organization)
	}
	// An existing round of another organization must not be overwritten, nor revealed: see
	// idUnavailable.
	old, err := a.cfg.Rounds.Get(ctx, rd.ID)
	switch {
	case err == nil && !p.Sees(old.Organization):
		a.audit(ctx, audit.Event{Actor: p.Username, Action: "round.import_refused", Target: rd.ID,
			Details: map[string]string{"why": "the id belongs to a round of another organization"}})
		return dossier.Round{}, false, idUnavailable(rd.ID)
	case err == nil && auth.OrgKey(old.Organization) != auth.OrgKey(rd.Organization) && !p.IsAdmin():
		return dossier.Round{}, false, fail(Forbidden, "forbidden", "không thể chuyển đợt lấy phiếu sang tổ chức khác")
	case err != nil && !errors.Is(err, dossier.ErrNotFound):
		return dossier.Round{}, false, internalf("round %s: %w", rd.ID, err)
	}
	saved, created, err := a.cfg.Rounds.Save(ctx, rd, p.Username, a.now())
	if err != nil {
		return dossier.Round{}, false, internalf("save round: %w", err)
	}
	action := "round.update"
	if created {
		action = "round.create"
	}
	a.audit(ctx, audit.Event{Actor: p.Username, Action: action, Round: saved.ID, Details: map[string]string{
		"version": strconv.Itoa(saved.Version), "nominees": strconv.Itoa(len(saved.Nominees)), "removed": strconv.Itoa(len(saved.Removed)),
	}})
	if !created {
		a.recheckNamesNobody(ctx, saved)
	}
	return redactRound(p, saved), created, nil
}

// idUnavailable refuses a round id that a round of an organization the caller does not belong
// to already has. Ids are one namespace for everyone, so any answer but success tells the
// caller that much; this one tells nothing more: not that a round exists (no 409 "already
// used"), not whose, not what. It is the same refusal as any other problem of the file — 422
// at the path "id", nothing stored — and the remedy it names (another id, or none and one is
// made) works whatever the reason. The attempt is audited in the global trail for the admins.
func idUnavailable(id string) *Error {
	return invalid("dữ liệu không hợp lệ, không có gì được lưu", []problem.Problem{{Path: "id", Code: "id_unavailable",
		Message: "mã đợt " + strconv.Quote(id) + " không dùng được; hãy chọn mã khác, hoặc bỏ trống id để hệ thống tự tạo mã"}})
}

// recheckNamesNobody asks the ingest workers to read again the round's papers refused because
// they named nobody of the round: a person added by this import may be theirs. A failure is
// logged, not answered: the round is saved, and a person can still place such a paper by hand.
// One file is read again once, its first copy: later copies of the same bytes are its repeats.
func (a *App) recheckNamesNobody(ctx context.Context, rd dossier.Round) {
	if a.cfg.Dossiers == nil {
		return
	}
	st, _, err := a.cfg.Dossiers.State(ctx, rd.ID)
	if err != nil {
		a.log.WarnContext(ctx, "recheck after a roster change: dossier state", "round", rd.ID, "err", err)
		return
	}
	first := map[string]dossier.Document{} // by sha256
	for id, e := range st.Docs {
		if !ingest.NamesNobody(e) {
			continue
		}
		d, _, err := a.cfg.Documents.Get(ctx, id)
		if err != nil {
			continue
		}
		key := d.SHA256
		if key == "" {
			key = id
		}
		if f, ok := first[key]; !ok || ingest.Earlier(d.ReceivedAt, d.ID, f.ReceivedAt, f.ID) {
			first[key] = d
		}
	}
	for _, d := range first {
		if err := a.cfg.Uploads.Recheck(ctx, rd.ID, d.ID, rd.Version); err != nil {
			a.log.WarnContext(ctx, "recheck after a roster change not announced", "round", rd.ID, "document_id", d.ID, "err", err)
		}
	}
}

// audit appends an event; a failure is logged (the action itself is done and stays done).
func (a *App) audit(ctx context.Context, e audit.Event) {
	if a.cfg.Audit == nil {
		return
	}
	if err := a.cfg.Audit.Append(ctx, e); err != nil {
		a.log.ErrorContext(ctx, "audit append failed", "action", e.Action, "round", e.Round, "err", err)
	}
}
