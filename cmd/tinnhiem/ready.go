package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"tinnhiem/internal/bus"
)

// readyTimeout bounds /readyz's questions to NATS: a load balancer must hear the truth within
// its own timeout (typically 2–5 s), not after it.
const readyTimeout = 1500 * time.Millisecond

// readyStreams are the streams a process needs to take work: every event stream and the
// buckets and object store an upload is written to and a request is authenticated with.
var readyStreams = append(bus.Streams(), "KV_"+bus.BucketDocuments, "KV_"+bus.BucketRounds, "KV_"+bus.BucketTokens, "OBJ_"+bus.ObjectUploads)

// ready is /readyz: connected to NATS, and every stream the work needs answers, with a leader,
// within readyTimeout. The streams are asked at once, so one that does not answer (a stream
// whose leader was lost and is being elected) makes the answer "not ready" after readyTimeout,
// naming it, rather than after one timeout per stream.
func (s *system) ready(ctx context.Context) error {
	if st := s.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("nats: %s", st)
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	errs := make([]error, len(readyStreams))
	var wg sync.WaitGroup
	for i, name := range readyStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.js.Stream(ctx, name)
			if err != nil {
				errs[i] = fmt.Errorf("stream %s: %w", name, err)
				return
			}
			if c := st.CachedInfo().Cluster; c != nil && c.Leader == "" && len(c.Replicas) > 0 {
				errs[i] = fmt.Errorf("stream %s: no leader", name)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
