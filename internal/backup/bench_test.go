package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// BenchmarkBackup measures writing a backup of a store holding 64 MB of uploads (in 2 MB
// files) and restoring it into an empty encrypted server: go test -bench Backup -benchtime 3x
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	src := bustest.Start(b)
	uploads, err := src.JS.ObjectStore(ctx, bus.ObjectUploads)
	if err != nil {
		b.Fatal(err)
	}
	const files, size = 32, 2 << 20
	data := make([]byte, size)
	for i := range files {
		if _, err := rand.Read(data); err != nil {
			b.Fatal(err)
		}
		if _, err := uploads.PutBytes(ctx, fmt.Sprint("d", i), data); err != nil {
			b.Fatal(err)
		}
	}
	var file bytes.Buffer
	b.Run("write", func(b *testing.B) {
		b.SetBytes(files * size)
		for range b.N {
			file.Reset()
			if _, err := Write(ctx, src.JS, &file, testKey, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		b.SetBytes(files * size)
		for range b.N {
			if _, err := Verify(bytes.NewReader(file.Bytes()), testKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("restore", func(b *testing.B) {
		b.SetBytes(files * size)
		for range b.N {
			b.StopTimer()
			dst := startEmpty(b)
			b.StartTimer()
			if _, err := Restore(ctx, dst, bytes.NewReader(file.Bytes()), testKey, RestoreOptions{Replicas: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
