package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/internal/bus"
)

// CheckEmpty accepts a data directory that does not exist or holds nothing: a restore never
// writes over data.
func CheckEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		names := make([]string, 0, 3)
		for _, en := range entries[:min(3, len(entries))] {
			names = append(names, en.Name())
		}
		return fmt.Errorf("thư mục dữ liệu %s không trống (%s…); khôi phục chỉ vào thư mục trống, để không ghi đè dữ liệu đang có / the data directory is not empty", dir, strings.Join(names, ", "))
	}
	return nil
}

// RestoreOffline restores the backup in f into the empty data directory dataDir: it starts an
// embedded server of its own there (no listener), with the store encrypted by storeKey,
// restores every stream (see Restore) and stops the server. backupKey opens the backup; it is
// the store key unless the key is being changed. On any failure the directory is emptied again,
// so that the restore can simply be run again.
func RestoreOffline(ctx context.Context, dataDir string, storeKey bus.Key, f io.ReadSeeker, backupKey []byte, progress func(Progress)) (m Manifest, err error) {
	if err := CheckEmpty(dataDir); err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return Manifest{}, err
	}
	defer func() {
		if err != nil {
			if rerr := emptyDir(dataDir); rerr != nil {
				err = fmt.Errorf("%w (and the partly restored %s could not be emptied: %v)", err, dataDir, rerr)
			}
		}
	}()
	e, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: bus.StoreDir(dataDir), Key: storeKey})
	if err != nil {
		return Manifest{}, err
	}
	defer e.Shutdown()
	nc, err := e.Connect("tinnhiem-restore")
	if err != nil {
		return Manifest{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return Manifest{}, err
	}
	return Restore(ctx, js, f, backupKey, RestoreOptions{Replicas: 1, Progress: progress})
}

func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if err := os.RemoveAll(dir + string(os.PathSeparator) + en.Name()); err != nil {
			return err
		}
	}
	return nil
}
