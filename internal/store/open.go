// Package store keeps what tinnhiem records in NATS JetStream — key-value records, objects and
// the events appended to streams — behind types named by what they hold: rounds, documents,
// uploads, dossier projections and alerts, tallies. The rules are the domain packages' (dossier,
// ingest, minutes); a store reads, writes compare-and-set, and retries when another writer was
// first.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
	"tinnhiem/publish"
)

// Stores is every store of tinnhiem on one JetStream context.
type Stores struct {
	JS        jetstream.JetStream
	Rounds    *Rounds
	Documents *Documents
	Uploads   *Receiver
	Dossiers  *Dossiers
	Tallies   *Tallies
	Artifacts *publish.Store
	Auth      *auth.Store
	Audit     *audit.Log
}

// Options tune the stores.
type Options struct {
	MaxUpload  int64 // largest upload kept, bytes (default 50 MB)
	BcryptCost int   // bcrypt cost of new passwords (0 = bcrypt's default)
	Now        func() time.Time
}

// Open binds the stores to the streams, buckets and object stores that bus.Provision made.
func Open(ctx context.Context, js jetstream.JetStream, o Options) (*Stores, error) {
	if o.MaxUpload <= 0 {
		o.MaxUpload = 50 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	var err error
	kv := func(name string) jetstream.KeyValue {
		b, e := js.KeyValue(ctx, name)
		if e != nil && err == nil {
			err = fmt.Errorf("store: bucket %s: %w", name, e)
		}
		return RidingKV(b)
	}
	obj := func(name string) jetstream.ObjectStore {
		b, e := js.ObjectStore(ctx, name)
		if e != nil && err == nil {
			err = fmt.Errorf("store: object store %s: %w", name, e)
		}
		return b
	}
	docs := NewDocuments(kv(bus.BucketDocuments))
	if docs.kv != nil {
		if st, e := docs.kv.Status(ctx); e == nil {
			if bs, ok := st.(*jetstream.KeyValueBucketStatus); ok && bs.StreamInfo() != nil && bs.StreamInfo().Config.Replicas > 1 {
				docs.Replicated(DefaultSettle)
			}
		}
	}
	s := &Stores{
		JS:        js,
		Rounds:    NewRounds(kv(bus.BucketRounds)),
		Documents: docs,
		Uploads: &Receiver{Objects: obj(bus.ObjectUploads), Renderings: obj(bus.ObjectRenderings), Docs: docs, JS: js, MaxUpload: o.MaxUpload, Now: o.Now, Flow: NewFlow(0),
			Handoff: NewHandoff(DefaultHandoffBytes, DefaultHandoffTTL)},
		Dossiers:  NewDossiers(js),
		Tallies:   NewTallies(kv(bus.BucketTallies), js),
		Artifacts: &publish.Store{Objects: obj(bus.ObjectArtifacts), Index: kv(bus.BucketArtifacts)},
		Auth:      auth.NewStore(kv(bus.BucketUsers), kv(bus.BucketTokens), o.BcryptCost),
		Audit:     audit.New(js),
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}
