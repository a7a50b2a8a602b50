package bus_test

import (
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// With a certificate, the embedded listener speaks TLS only: a role gets in over TLS with the
// CA, nobody gets in without TLS.
func TestEmbeddedListenerTLS(t *testing.T) {
	key, err := bus.NewKey(strings.Repeat("t", 64), "test")
	if err != nil {
		t.Fatal(err)
	}
	pki := t.TempDir()
	bustest.WritePKI(t, pki)
	creds := filepath.Join(t.TempDir(), "creds")
	e, err := bus.StartEmbedded(bus.EmbeddedConfig{
		StoreDir: t.TempDir(), Listen: "127.0.0.1:0", CredsDir: creds, Key: key,
		TLSCert: filepath.Join(pki, "server.crt"), TLSKey: filepath.Join(pki, "server.key"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	u, _ := url.Parse(e.ClientURL())
	addr := "127.0.0.1:" + u.Port()
	if nc, err := nats.Connect("nats://"+addr, nats.MaxReconnects(0), nats.Timeout(3*time.Second)); err == nil {
		nc.Close()
		t.Error("a client without TLS connected")
	}
	nc, err := bus.DialAuth("tls://"+addr, "tls-test", slog.New(slog.DiscardHandler), bus.ClientAuth{CredsFile: bus.CredsFile(creds, bus.RoleIngest), TLSCA: filepath.Join(pki, "ca.crt")})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Errorf("ingest over TLS: %v", err)
	}
	if _, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", CredsDir: creds, TLSCert: filepath.Join(pki, "server.crt")}); err == nil {
		t.Error("a certificate without its key was accepted")
	}
}
