package main

import (
	"context"
	"fmt"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

// tallyStores opens what the tally, minutes and publish parts share.
func (s *system) tallyStores(ctx context.Context) (*minutes.Tallies, *publish.Store, error) {
	tkv, err := s.js.KeyValue(ctx, bus.BucketTallies)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %w", bus.BucketTallies, err)
	}
	objects, err := s.js.ObjectStore(ctx, bus.ObjectArtifacts)
	if err != nil {
		return nil, nil, fmt.Errorf("object store %s: %w", bus.ObjectArtifacts, err)
	}
	index, err := s.js.KeyValue(ctx, bus.BucketArtifacts)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %w", bus.BucketArtifacts, err)
	}
	return &minutes.Tallies{KV: tkv, JS: s.js, Now: s.now}, &publish.Store{Objects: objects, Index: index}, nil
}

func (s *system) startMinutes(ctx context.Context) (func(context.Context), error) {
	tallies, artifacts, err := s.tallyStores(ctx)
	if err != nil {
		return nil, err
	}
	w := &minutes.Worker{
		JS: s.js, Tallies: tallies, Rounds: s.rounds, Artifacts: artifacts, Audit: s.audit,
		Log: s.log.With("worker", "minutes"), Concurrency: int(envInt64(s.getenv, "TINNHIEM_MINUTES_CONCURRENCY", 2)),
		Explained: s.explained,
	}
	return w.Start(ctx)
}

// explained lists the persons whose written explanations answered a request, for the session
// minutes ("dossiers and explanations distributed").
func (s *system) explained(ctx context.Context, rd dossier.Round) []minutes.Explained {
	st, _, err := dossier.NewStore(s.js).State(ctx, rd.ID)
	if err != nil {
		s.log.Warn("minutes: dossier state unavailable; explanations not listed", "round", rd.ID, "err", err)
		return nil
	}
	var out []minutes.Explained
	for _, n := range dossier.Status(rd, st, s.now()).Nominees {
		for _, r := range n.Requests {
			if r.AnsweredBy != "" {
				out = append(out, minutes.Explained{Name: n.Name, Position: n.Position})
				break
			}
		}
	}
	return out
}

func (s *system) startPublish(ctx context.Context) (func(context.Context), error) {
	_, artifacts, err := s.tallyStores(ctx)
	if err != nil {
		return nil, err
	}
	w := &publish.Worker{JS: s.js, Store: artifacts, Audit: s.audit, Log: s.log.With("worker", "publish")}
	return w.Start(ctx)
}
