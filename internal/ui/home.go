package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
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
	all, err := s.api.Rounds.List(r.Context())
	if err != nil {
		s.internal(w, r, p, err)
		return
	}
	now := s.api.Now()
	pg := homePage{chrome: chrome{Title: "Các đợt lấy phiếu tín nhiệm", User: newUserView(p), Flash: flash(r)}, Rounds: []roundRow{},
		CanImport: p.Has(auth.RoleOrganizer)}
	var visible []dossier.Round
	for _, rd := range all {
		if p.Sees(rd.Organization) {
			visible = append(visible, rd)
		}
	}
	// Each round's summary costs a few reads of NATS; an administrator may see hundreds.
	pg.Rounds = make([]roundRow, len(visible))
	sem := make(chan struct{}, homeConcurrency)
	var wg sync.WaitGroup
	for i, rd := range visible {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			pg.Rounds[i] = s.roundRow(r.Context(), rd, now)
		}()
	}
	wg.Wait()
	s.render(w, r, http.StatusOK, "home", pg)
}

func (s *Server) roundRow(ctx context.Context, rd dossier.Round, now time.Time) roundRow {
	row := roundRow{ID: rd.ID, URL: "/rounds/" + rd.ID, VoteDate: voteDate(rd.VoteDate), Organization: rd.Organization,
		Title: rd.Title, Track: trackLabel(rd.Track)}
	rep, err := s.report(ctx, rd, now)
	if err != nil {
		// One round's projection failing must not hide the others.
		s.api.Log.Error("ui: dossier status", "round", rd.ID, "err", err)
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

// report computes a round's dossier status from its projection.
func (s *Server) report(ctx context.Context, rd dossier.Round, now time.Time) (dossier.Report, error) {
	st, err := s.state(ctx, rd.ID)
	if err != nil {
		return dossier.Report{}, err
	}
	return dossier.Status(rd, st, now), nil
}

// state is a round's dossier projection as stored by the projector — unless the DOSSIER stream
// already holds events the stored state has not applied (the projector is lagging, or not
// running in this deployment). Then the page replays the round's events itself, so that staff
// never see less than what has been decided: a verdict shown on the upload page must show in
// the table too.
func (s *Server) state(ctx context.Context, round string) (*dossier.State, error) {
	if s.dossiers == nil {
		return nil, nil
	}
	st, _, err := s.dossiers.State(ctx, round)
	if err != nil {
		return nil, err
	}
	last, err := s.lastDossierSeq(ctx, round)
	if err != nil {
		s.api.Log.Warn("ui: dossier stream position", "round", round, "err", err)
		return st, nil
	}
	if last <= st.Seq {
		return st, nil
	}
	rebuilt, err := s.dossiers.Replay(ctx, round)
	if err != nil {
		s.api.Log.Warn("ui: dossier replay", "round", round, "err", err)
		return st, nil
	}
	return rebuilt, nil
}

// lastDossierSeq is the stream sequence of the newest DOSSIER event of a round (0 when none).
func (s *Server) lastDossierSeq(ctx context.Context, round string) (uint64, error) {
	if s.api.JS == nil {
		return 0, nil
	}
	stream, err := s.api.JS.Stream(ctx, bus.StreamDossier)
	if err != nil {
		return 0, err
	}
	var last uint64
	for _, subj := range []string{dossier.DocumentSubject(round), dossier.DecisionSubject(round)} {
		m, err := stream.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		last = max(last, m.Sequence)
	}
	return last, nil
}
