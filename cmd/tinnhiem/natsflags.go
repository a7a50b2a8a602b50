package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"tinnhiem/internal/bus"
)

// natsOptions are the flags that keep NATS closed and its data encrypted, shared by serve,
// worker and restore.
type natsOptions struct {
	keyFile  string // --encryption-key-file: the store key (embedded), the backup key (--nats-url)
	credsDir string // --nats-creds-dir: where a listening embedded server writes each role's credentials
	creds    string // --nats-creds: this process's credentials for an external server
	tlsCA    string // --nats-tls-ca
	tlsCert  string // --nats-tls-cert: client certificate; the listener's certificate when embedded
	tlsKey   string // --nats-tls-key

	key bus.Key // the key in use once loaded (store key, or the backup key with --nats-url)
}

// natsFlags defines the flags on fs. serve and restore take the key and (serve) the
// credentials directory; every command that connects takes credentials and TLS.
func (e *cmdEnv) natsFlags(fs *flag.FlagSet, embedded bool) *natsOptions {
	o := &natsOptions{}
	if embedded {
		fs.StringVar(&o.keyFile, "encryption-key-file", e.getenv("TINNHIEM_ENCRYPTION_KEY_FILE"),
			"key that encrypts the data at rest, created (mode 0600) if missing; default "+bus.KeyFileName+" beside --data; with --nats-url the key of backups (env TINNHIEM_ENCRYPTION_KEY_FILE)")
		fs.StringVar(&o.credsDir, "nats-creds-dir", e.getenv("TINNHIEM_NATS_CREDS_DIR"),
			"with --nats-listen: directory of each NATS role's credentials, created if missing; default nats-creds beside --data (env TINNHIEM_NATS_CREDS_DIR)")
	}
	fs.StringVar(&o.creds, "nats-creds", e.getenv("TINNHIEM_NATS_CREDS"), "NATS credentials file of this process's role (env TINNHIEM_NATS_CREDS)")
	fs.StringVar(&o.tlsCA, "nats-tls-ca", e.getenv("TINNHIEM_NATS_TLS_CA"), "CA certificate that signed the NATS servers' certificates (env TINNHIEM_NATS_TLS_CA)")
	fs.StringVar(&o.tlsCert, "nats-tls-cert", e.getenv("TINNHIEM_NATS_TLS_CERT"), "NATS client certificate; with --nats-listen, the embedded server's certificate (env TINNHIEM_NATS_TLS_CERT)")
	fs.StringVar(&o.tlsKey, "nats-tls-key", e.getenv("TINNHIEM_NATS_TLS_KEY"), "key of --nats-tls-cert (env TINNHIEM_NATS_TLS_KEY)")
	return o
}

// defaultCredsDir is where a listening embedded server keeps the roles' credentials: beside
// the data directory, like the key, so that neither travels with a copy of the data.
const defaultCredsDir = "nats-creds"

// embeddedConfig loads (or creates) the store key and, when listening, names the credentials
// directory. The key's path is logged once, as the README promises.
func (o *natsOptions) embeddedConfig(dataDir, listen string, log *slog.Logger) (bus.EmbeddedConfig, error) {
	keyFile := o.keyFile
	if keyFile == "" {
		var err error
		if keyFile, err = bus.DefaultKeyFile(dataDir); err != nil {
			return bus.EmbeddedConfig{}, err
		}
	}
	key, created, err := bus.LoadOrCreateKey(keyFile, dataDir)
	if err != nil {
		return bus.EmbeddedConfig{}, err
	}
	o.key = key
	if created {
		log.Info("encryption key created; back it up apart from the data: without it the data cannot be read", "key_file", key.Path)
	} else {
		log.Info("data encrypted at rest", "key_file", key.Path)
	}
	if bus.KeyFileTooOpen(key.Path) {
		log.Warn("the encryption key file is readable by every user of the machine; chmod 600 it", "key_file", key.Path)
	}
	cfg := bus.EmbeddedConfig{StoreDir: bus.StoreDir(dataDir), Listen: listen, Key: key, Logger: log}
	if listen != "" {
		cfg.CredsDir = o.credsDir
		if cfg.CredsDir == "" {
			cfg.CredsDir = filepath.Join(filepath.Dir(dataDir), defaultCredsDir)
		}
		cfg.TLSCert, cfg.TLSKey = o.tlsCert, o.tlsKey
		log.Info("NATS listener requires credentials", "creds_dir", cfg.CredsDir, "tls", cfg.TLSCert != "")
	} else if o.creds != "" || o.tlsCA != "" {
		return bus.EmbeddedConfig{}, usageError{"--nats-creds và --nats-tls-ca dùng với --nats-url (máy chủ NATS bên ngoài)"}
	}
	return cfg, nil
}

// clientAuth is how this process proves itself to an external NATS server.
func (o *natsOptions) clientAuth() bus.ClientAuth {
	return bus.ClientAuth{CredsFile: o.creds, TLSCA: o.tlsCA, TLSCert: o.tlsCert, TLSKey: o.tlsKey}
}

// role is the NATS role of this process's credentials ("" without any).
func (o *natsOptions) role() (string, error) {
	r, err := o.clientAuth().Role()
	if err != nil {
		return "", fmt.Errorf("--nats-creds: %w", err)
	}
	return r, nil
}

// backupKey is the key that encrypts online backups: the store key of the embedded server, or
// with --nats-url the key file given (the cluster's own key lives in its configuration).
func (o *natsOptions) backupKey() ([]byte, error) {
	if !o.key.IsZero() {
		return o.key.Bytes(), nil
	}
	if o.keyFile == "" {
		return nil, errors.New("máy chủ chưa có khóa cho bản sao lưu: chạy serve với --encryption-key-file / no backup key: start serve with --encryption-key-file")
	}
	k, err := bus.LoadKey(o.keyFile)
	if err != nil {
		return nil, err
	}
	o.key = k
	return k.Bytes(), nil
}
