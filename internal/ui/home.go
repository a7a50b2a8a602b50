package ui

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"tinnhiem/dossier"
	"tinnhiem/internal/app"
	"tinnhiem/internal/auth"
)

type homePage struct {
	chrome
	Rounds    []roundRow
	CanImport bool
}

type roundRow struct {
	ID, URL       string
	VoteDate      string
	Organization  string
	Title         string
	Track         string
	OnBallot      int
	Exempt        int
	Complete      int
	Incomplete    int
	OpenRequests  int
	NeedsReview   int
	Summary       string
	SummaryClass  string
	DossierFailed bool
}

// homeConcurrency bounds how many rounds' dossiers the home page reads at once.
const homeConcurrency = 8

// home lists the rounds the user may see, newest vote first, with how complete their dossiers are.
func (s *Server) home(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	visible, err := s.app.Rounds(r.Context(), p)
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	pg := homePage{chrome: chrome{Title: "Các đợt lấy phiếu tín nhiệm", User: newUserView(p), Flash: flash(r)}, Rounds: []roundRow{},
		CanImport: app.May(p, app.ImportRound, nil)}
	// Each round's summary costs a few reads of NATS; an administrator may see hundreds.
	pg.Rounds = make([]roundRow, len(visible))
	sem := make(chan struct{}, homeConcurrency)
	var wg sync.WaitGroup
	for i, rd := range visible {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			pg.Rounds[i] = s.roundRow(r.Context(), p, rd)
		}()
	}
	wg.Wait()
	s.render(w, r, http.StatusOK, "home", pg)
}

func (s *Server) roundRow(ctx context.Context, p auth.Principal, rd dossier.Round) roundRow {
	row := roundRow{ID: rd.ID, URL: "/rounds/" + rd.ID, VoteDate: voteDate(rd.VoteDate), Organization: rd.Organization,
		Title: rd.Title, Track: trackLabel(rd.Track)}
	_, rep, err := s.app.Status(ctx, p, rd.ID)
	if err != nil {
		// One round's projection failing must not hide the others.
		s.log.ErrorContext(ctx, "ui: dossier status", "round", rd.ID, "err", err)
		row.DossierFailed = true
		row.Summary, row.SummaryClass = "chưa đọc được tình trạng hồ sơ", "info"
		for _, n := range rd.Nominees {
			if n.OnBallot() {
				row.OnBallot++
			} else {
				row.Exempt++
			}
		}
		return row
	}
	sm := rep.Summary
	row.OnBallot, row.Exempt, row.Complete, row.Incomplete = sm.OnBallot, sm.Exempt, sm.Complete, sm.Incomplete
	row.OpenRequests, row.NeedsReview = sm.OpenRequests, sm.NeedsReview
	row.Summary = fmt.Sprintf("%d/%d người đủ hồ sơ", sm.Complete, sm.OnBallot)
	row.SummaryClass = "ok"
	if sm.Incomplete > 0 {
		row.SummaryClass = "warn"
	}
	return row
}
