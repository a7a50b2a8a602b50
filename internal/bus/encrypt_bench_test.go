package bus

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func newJS(nc *nats.Conn) (jetstream.JetStream, error) {
	return jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(256))
}

// BenchmarkPublishAtRest measures what encryption at rest costs the write path: JetStream
// publishes of 1 KB events, acknowledged, into an unencrypted and an encrypted store:
// go test -run XXX -bench PublishAtRest ./internal/bus/
func BenchmarkPublishAtRest(b *testing.B) {
	for _, tc := range []struct {
		name string
		key  Key
	}{{"plain", Key{}}, {"encrypted", testKey(b, "bench")}} {
		b.Run(tc.name, func(b *testing.B) {
			e, err := StartEmbedded(EmbeddedConfig{StoreDir: b.TempDir(), Key: tc.key})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Shutdown()
			nc, err := e.Connect("bench")
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			js, err := newJS(nc)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := Provision(ctx, js, 1); err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 1024)
			b.SetBytes(int64(len(payload)))
			b.ResetTimer()
			for range b.N {
				if _, err := js.PublishAsync("tn.dossier.r.document", payload); err != nil {
					b.Fatal(err)
				}
			}
			<-js.PublishAsyncComplete()
		})
	}
}
