package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"tinnhiem/dossier"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/minutes"
)

// Publication by rule: a round whose results are public (dossier.Round.IsPublic — State-track
// rounds by default, Party rounds only when their file says so) is published by the board once
// a version is sealed; its results are then open to anyone, without login. Before that, and
// always for an internal round, nothing is there: the same "not found" as a round that does not
// exist, so that nothing is revealed.

// Published is a round's publication as the board sees it after publishing.
type Published struct {
	Round dossier.Round
	minutes.Publication
	// Changed is false when that version was published already.
	Changed bool
}

// PublicPath is the public page of a round's results (its JSON: PublicPath + ".json").
func PublicPath(roundID string) string { return "/public/rounds/" + roundID }

// PublicNoticePath is where the public results notice (Thông báo kết quả) is downloaded.
func PublicNoticePath(roundID string) string { return PublicPath(roundID) + "/thong-bao-ket-qua.pdf" }

// Publish makes sealed version version (0: the latest) of a round's results public. It is
// refused for a round whose results are internal, and before anything is sealed.
func (a *App) Publish(ctx context.Context, p auth.Principal, roundID string, version int) (Published, error) {
	rd, err := a.round(ctx, p, roundID, PublishResults)
	if err != nil {
		return Published{}, err
	}
	if a.cfg.Tallies == nil {
		return Published{}, fail(Unavailable, "unavailable", "máy chủ này chưa bật kiểm phiếu")
	}
	if !rd.IsPublic() {
		return Published{}, notPublic(rd)
	}
	pub, changed, err := a.cfg.Tallies.Publish(ctx, rd, version, p.Username, a.now())
	switch {
	case errors.Is(err, minutes.ErrNotPublic):
		return Published{}, notPublic(rd)
	case errors.Is(err, minutes.ErrNotSealed):
		return Published{}, fail(Conflict, "not_sealed", "chưa có kết quả kiểm phiếu được niêm phong: chỉ công bố kết quả đã niêm phong")
	case errors.Is(err, minutes.ErrNoSuchSealed):
		return Published{}, fail(NotFound, "no_version", "%v", err)
	case err != nil:
		return Published{}, internalf("publish %s: %w", rd.ID, err)
	}
	if changed {
		a.audit(ctx, audit.Event{ID: fmt.Sprintf("publish-%s-v%d-%d", rd.ID, pub.Version, pub.PublishedAt.Unix()), Actor: p.Username,
			Action: "results.publish", Round: rd.ID, Details: map[string]string{"version": strconv.Itoa(pub.Version)}})
	}
	return Published{Round: rd, Publication: pub, Changed: changed}, nil
}

// notPublic refuses to publish an internal round, saying why in the rule's words.
func notPublic(rd dossier.Round) *Error {
	msg := "kết quả của đợt này không công bố công khai (publication: internal); muốn công bố, tệp đợt lấy phiếu phải ghi publication: public"
	if rd.Track == dossier.TrackParty {
		msg = "kết quả lấy phiếu tín nhiệm của đợt này (khối Đảng, Quy định 96-QĐ/TW) chỉ thông báo tại hội nghị và cho cấp có thẩm quyền quản lý, không công bố công khai (publication: internal); muốn công bố, tệp đợt lấy phiếu phải ghi publication: public"
	}
	return &Error{Kind: Conflict, Code: "not_public", Message: msg}
}

// errNoPublic is the one answer for a round with no published results, whatever the reason.
func errNoPublic() *Error {
	return fail(NotFound, "not_found", "không có kết quả lấy phiếu tín nhiệm nào được công bố ở địa chỉ này")
}

// PublicResults are the published results of a round, for anyone (no login): per person the
// counts, percentages and thresholds reached. A round that does not exist, is internal or has
// published nothing answers the same NotFound.
func (a *App) PublicResults(ctx context.Context, roundID string) (minutes.PublicResults, error) {
	rd, s, pub, err := a.published(ctx, roundID)
	if err != nil {
		return minutes.PublicResults{}, err
	}
	return minutes.PublicResultsOf(rd, s, pub), nil
}

// PublicNotice renders the results notice (Thông báo kết quả) of a round's published version,
// which must be version (the one PublicResults gave): the same version always renders to the
// same bytes, so a face may keep it.
func (a *App) PublicNotice(ctx context.Context, roundID string, version int) ([]byte, error) {
	rd, s, _, err := a.published(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if s.Version != version {
		return nil, fail(Conflict, "republished", "kết quả vừa được công bố lại (phiên bản %d); hãy tải lại trang", s.Version)
	}
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return nil, internalf("tally %s: %w", rd.ID, err)
	}
	pdf, err := minutes.Notice(rd, rec, s)
	if err != nil {
		return nil, internalf("notice %s v%d: %w", rd.ID, s.Version, err)
	}
	return pdf, nil
}

// NoticeFileName is the download name of a round's results notice.
func NoticeFileName(rd minutes.PublicResults) string {
	return fmt.Sprintf("Thông báo kết quả - %s - v%d.pdf", rd.Round, rd.Version)
}

func (a *App) published(ctx context.Context, roundID string) (dossier.Round, minutes.Sealed, minutes.Publication, error) {
	none := func(err error) (dossier.Round, minutes.Sealed, minutes.Publication, error) {
		return dossier.Round{}, minutes.Sealed{}, minutes.Publication{}, err
	}
	if a.cfg.Tallies == nil || !dossier.ValidRoundID(roundID) {
		return none(errNoPublic())
	}
	rd, err := a.cfg.Rounds.Get(ctx, roundID)
	if errors.Is(err, dossier.ErrNotFound) {
		return none(errNoPublic())
	}
	if err != nil {
		return none(internalf("round %s: %w", roundID, err))
	}
	if !rd.IsPublic() {
		return none(errNoPublic())
	}
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return none(internalf("tally %s: %w", rd.ID, err))
	}
	if rec.Published == nil {
		return none(errNoPublic())
	}
	s, ok := rec.Version(rec.Published.Version)
	if !ok {
		return none(errNoPublic())
	}
	return rd, s, *rec.Published, nil
}

// PublicationOf is a round's publication for the tally page: whether its results are public by
// rule, and which version was published (nil: none).
func (a *App) PublicationOf(ctx context.Context, p auth.Principal, roundID string) (public bool, pub *minutes.Publication, err error) {
	rd, err := a.round(ctx, p, roundID, ViewRound)
	if err != nil {
		return false, nil, err
	}
	if a.cfg.Tallies == nil {
		return rd.IsPublic(), nil, nil
	}
	rec, _, err := a.cfg.Tallies.Get(ctx, rd.ID)
	if err != nil {
		return false, nil, internalf("tally %s: %w", rd.ID, err)
	}
	if !rd.IsPublic() {
		return false, nil, nil
	}
	return true, rec.Published, nil
}
