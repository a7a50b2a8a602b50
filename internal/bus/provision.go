package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Provision creates or updates every stream, bucket and object store tinnhiem uses. It is
// idempotent: every process calls it at start.
func Provision(ctx context.Context, js jetstream.JetStream, replicas int) error {
	if replicas < 1 {
		replicas = 1
	}
	streams := []jetstream.StreamConfig{
		{Name: StreamIngest, Subjects: []string{"tn.ingest.>"}},
		{Name: StreamDossier, Subjects: []string{"tn.dossier.>"}},
		{Name: StreamTally, Subjects: []string{"tn.tally.>"}},
		{Name: StreamPublish, Subjects: []string{"tn.publish.>"}},
		{Name: StreamAlerts, Subjects: []string{"tn.alert.>"}},
		{Name: StreamAudit, Subjects: []string{"tn.audit.>"}, DenyDelete: true, DenyPurge: true},
	}
	// Each stream, bucket and object store is one proposal to the meta leader and, in a
	// cluster, one Raft group to form: made a few at a time, a process starting against a busy
	// cluster is ready in a fraction of the time one after another takes.
	var steps []func() error
	for _, cfg := range streams {
		cfg.Storage = jetstream.FileStorage
		cfg.Replicas = replicas
		cfg.Duplicates = 24 * time.Hour
		steps = append(steps, func() error {
			if err := whilePlacing(ctx, func() error { _, err := js.CreateOrUpdateStream(ctx, cfg); return err }); err != nil {
				return fmt.Errorf("bus: provision stream %s: %w", cfg.Name, err)
			}
			return nil
		})
	}
	buckets := []jetstream.KeyValueConfig{
		{Bucket: BucketRounds, Description: "rounds (đợt lấy phiếu), JSON by round id", History: 16},
		{Bucket: BucketUsers, Description: "user accounts by username"},
		// Each token record carries its own TTL (its expiry) and goes by itself; the marker
		// its removal leaves goes a minute later.
		{Bucket: BucketTokens, Description: "API tokens by sha256 of the token", LimitMarkerTTL: time.Minute},
		{Bucket: BucketDocuments, Description: "document records by document id", History: 8},
		{Bucket: BucketDossiers, Description: "dossier projection per round"},
		{Bucket: BucketTallies, Description: "tally entries and sealed versions per round", History: 32},
		{Bucket: BucketAlerts, Description: "raised alerts, keyed round.deadline.lead"},
		{Bucket: BucketArtifacts, Description: "generated artifact index per round"},
	}
	for _, cfg := range buckets {
		cfg.Storage = jetstream.FileStorage
		cfg.Replicas = replicas
		steps = append(steps, func() error {
			if err := whilePlacing(ctx, func() error { _, err := js.CreateOrUpdateKeyValue(ctx, cfg); return err }); err != nil {
				return fmt.Errorf("bus: provision bucket %s: %w", cfg.Bucket, err)
			}
			return nil
		})
	}
	for _, name := range ObjectStores() {
		cfg := jetstream.ObjectStoreConfig{Bucket: name, Storage: jetstream.FileStorage, Replicas: replicas}
		steps = append(steps, func() error {
			if err := whilePlacing(ctx, func() error { _, err := js.CreateOrUpdateObjectStore(ctx, cfg); return err }); err != nil {
				return fmt.Errorf("bus: provision object store %s: %w", name, err)
			}
			return nil
		})
	}
	return runSome(steps, provisionAtOnce)
}

// provisionAtOnce is how many streams Provision makes at the same time.
const provisionAtOnce = 6

// runSome runs the steps, n at a time, and returns their errors joined.
func runSome(steps []func() error, n int) error {
	errs := make([]error, len(steps))
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, step := range steps {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = step()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// placementWait bounds how long Provision waits for a cluster to be able to place replicas.
const placementWait = time.Minute

// whilePlacing runs op again while the cluster answers that it cannot place the replicas yet
// ("no suitable peers for placement", "JetStream system temporarily unavailable"): nodes of a
// cluster that is starting (or a peer coming back) are seen online by the meta leader a moment
// apart, and a process started with them must not fail for that.
func whilePlacing(ctx context.Context, op func() error) error {
	deadline := time.Now().Add(placementWait)
	for {
		err := op()
		var apiErr *jetstream.APIError
		if err == nil || !errors.As(err, &apiErr) || (apiErr.ErrorCode != errNoSuitablePeers && apiErr.ErrorCode != errTemporarilyUnavailable) ||
			time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// JetStream API error codes of a cluster not ready to place replicas.
const (
	errNoSuitablePeers        jetstream.ErrorCode = 10005
	errTemporarilyUnavailable jetstream.ErrorCode = 10008
)

// Ready reports whether every stream exists; /readyz uses it.
func Ready(ctx context.Context, js jetstream.JetStream) error {
	for _, name := range []string{StreamIngest, StreamDossier, StreamTally, StreamPublish, StreamAlerts, StreamAudit} {
		if _, err := js.Stream(ctx, name); err != nil {
			return fmt.Errorf("stream %s: %w", name, err)
		}
	}
	return nil
}
