package bus

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"golang.org/x/crypto/chacha20"

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

// BenchmarkStoreCipher measures what nats-server's block cipher costs on a 60 KB upload: the
// XChaCha20 key stream it uses under ChaCha (golang.org/x/crypto, no assembly on amd64) against
// the AES-CTR stream it uses under AES (the processor's AES instructions). storeCipher's choice
// for new stores rests on it:
// go test -run XXX -bench StoreCipher ./internal/bus/
func BenchmarkStoreCipher(b *testing.B) {
	key := make([]byte, 32)
	buf := make([]byte, 60<<10)
	b.Run("chacha20", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			c, err := chacha20.NewUnauthenticatedCipher(key, make([]byte, chacha20.NonceSizeX))
			if err != nil {
				b.Fatal(err)
			}
			c.XORKeyStream(buf, buf)
		}
	})
	b.Run("aes-ctr", func(b *testing.B) {
		blk, err := aes.NewCipher(key)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			cipher.NewCTR(blk, make([]byte, aes.BlockSize)).XORKeyStream(buf, buf)
		}
	})
}
