package deploy

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"gopkg.in/yaml.v3"

	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
)

// The manifests must parse, and every container must run a tinnhiem subcommand that exists.
func TestManifestsParse(t *testing.T) {
	for _, name := range []string{"compose.yaml", "kubernetes/tinnhiem.yaml", "kubernetes/nats.yaml", "kubernetes/backup.yaml"} {
		data, err := Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		docs := 0
		for {
			var v map[string]any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: document %d: %v", name, docs+1, err)
			}
			docs++
		}
		if docs == 0 {
			t.Fatalf("%s: no YAML documents", name)
		}
	}
	k8s, _ := Files.ReadFile("kubernetes/tinnhiem.yaml")
	for _, kind := range []string{"ingest", "dossier", "minutes", "publish"} {
		if !strings.Contains(string(k8s), `args: ["worker", "`+kind+`"`) {
			t.Errorf("kubernetes manifest runs no %s worker", kind)
		}
	}
}

// The NATS configurations must be accepted by the nats-server we embed, keep tinnhiem's
// streams encrypted, admit only the nkey users of accounts.conf (generated the way the README
// says) and, for the cluster, speak TLS on the client and route ports.
func TestNATSConfigs(t *testing.T) {
	dir := t.TempDir()
	users, _, err := bus.EnsureCreds(dir)
	if err != nil {
		t.Fatal(err)
	}
	tlsDir := t.TempDir()
	bustest.WritePKI(t, tlsDir)
	t.Setenv("NATS_NAME", "nats-1")
	t.Setenv("JS_KEY", strings.Repeat("k", 64))
	t.Setenv("NATS_TLS_CERT", filepath.Join(tlsDir, "server.crt"))
	t.Setenv("NATS_TLS_KEY", filepath.Join(tlsDir, "server.key"))
	t.Setenv("NATS_TLS_CA", filepath.Join(tlsDir, "ca.crt"))
	confs := map[string]*server.Options{}
	err = fs.WalkDir(Files, "nats", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := Files.ReadFile(path)
		tmp := filepath.Join(dir, filepath.Base(path))
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			return err
		}
		opts, err := server.ProcessConfigFile(tmp)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		confs[filepath.Base(path)] = opts
		if !opts.JetStream {
			t.Errorf("%s: JetStream is not enabled", path)
		}
		if opts.MaxPayload < 8<<20 {
			t.Errorf("%s: max_payload %d is below the 8 MB the workers need", path, opts.MaxPayload)
		}
		if opts.JetStreamKey != os.Getenv("JS_KEY") || opts.JetStreamCipher != server.ChaCha {
			t.Errorf("%s: the store is not encrypted with JS_KEY (cipher %v)", path, opts.JetStreamCipher)
		}
		if len(opts.Users) != 0 || opts.NoAuthUser != "" || len(opts.Nkeys) != len(bus.Roles) {
			t.Errorf("%s: users %d, no_auth_user %q, nkeys %d: want exactly the %d roles", path, len(opts.Users), opts.NoAuthUser, len(opts.Nkeys), len(bus.Roles))
		}
		for _, u := range opts.Nkeys {
			if u.Account == nil || u.Account.Name != bus.AccountName {
				t.Errorf("%s: user %s outside the %s account", path, u.Nkey, bus.AccountName)
			}
		}
		if opts.HTTPHost != "127.0.0.1" {
			t.Errorf("%s: monitoring on %q, want loopback only", path, opts.HTTPHost)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if single := confs["single.conf"]; single != nil && single.Host != "127.0.0.1" {
		t.Errorf("single.conf listens on %q without TLS; want loopback", single.Host)
	}
	cluster := confs["cluster.conf"]
	if cluster == nil {
		t.Fatal("no cluster.conf")
	}
	if cluster.TLSConfig == nil {
		t.Error("cluster.conf: no TLS on the client port")
	}
	if cluster.Cluster.TLSConfig == nil || cluster.Cluster.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert {
		t.Error("cluster.conf: routes without mutual TLS")
	}

	// A node started from cluster.conf (alone, on free ports, with a private store) admits a
	// role over TLS and nobody else.
	opts := cluster
	opts.StoreDir, opts.Port, opts.HTTPPort, opts.Cluster.Port, opts.Routes = t.TempDir(), -1, 0, -1, nil
	opts.NoLog, opts.NoSigs, opts.JetStream = true, true, false
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("node not ready")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", s.Addr().(*net.TCPAddr).Port)
	ca := filepath.Join(tlsDir, "ca.crt")
	if nc, err := nats.Connect("nats://"+addr, nats.MaxReconnects(0), nats.Timeout(3*time.Second)); err == nil {
		nc.Close()
		t.Error("a client without TLS or credentials connected")
	}
	if nc, err := nats.Connect("tls://"+addr, nats.RootCAs(ca), nats.MaxReconnects(0), nats.Timeout(3*time.Second)); err == nil {
		nc.Close()
		t.Error("an anonymous client connected over TLS")
	}
	log := slog.New(slog.DiscardHandler)
	nc, err := bus.DialAuth("tls://"+addr, "deploy-test", log, bus.ClientAuth{CredsFile: bus.CredsFile(dir, bus.RoleIngest), TLSCA: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Errorf("the ingest role over TLS: %v", err)
	}
	if len(users) != len(bus.Roles) {
		t.Errorf("%d users generated", len(users))
	}
}

// Every tinnhiem process in the manifests proves itself with its own role's credentials and is
// given no other role's: the web front http.creds, each worker its own, provisioning ops.
func TestManifestsMountOwnCredentials(t *testing.T) {
	data, _ := Files.ReadFile("kubernetes/tinnhiem.yaml")
	dec := yaml.NewDecoder(bytes.NewReader(data))
	checked := 0
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct{ Name string }
			Spec     struct {
				Template podTemplate `yaml:"template"`
			}
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != "Deployment" && doc.Kind != "Job" {
			continue
		}
		pod := doc.Spec.Template.Spec
		for _, c := range pod.Containers {
			role := credsRole(c.Args)
			want := map[string]string{"serve": bus.RoleHTTP, "nats": bus.RoleOps}[c.Args[0]]
			if c.Args[0] == "worker" {
				want = c.Args[1]
			}
			if role != want {
				t.Errorf("%s: runs with %q credentials, want %q", doc.Metadata.Name, role, want)
			}
			for _, v := range pod.Volumes {
				if v.Secret.SecretName != "tinnhiem-nats-creds" {
					continue
				}
				if len(v.Secret.Items) != 1 || v.Secret.Items[0].Key != want+".creds" || v.Secret.DefaultMode != 0o440 {
					t.Errorf("%s: mounts %+v of the credentials secret, want only %s.creds, mode 0440 (the pod's group, which the container runs in)", doc.Metadata.Name, v.Secret, want)
				}
			}
			checked++
		}
	}
	if checked != 6 {
		t.Errorf("checked %d tinnhiem containers, want 6 (provision, web, 4 workers)", checked)
	}

	data, _ = Files.ReadFile("compose.yaml")
	var compose struct {
		Services map[string]struct {
			Image   string   `yaml:"image"`
			Command []string `yaml:"command"`
			Secrets []string `yaml:"secrets"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	tinnhiemServices := 0
	for name, svc := range compose.Services {
		if strings.HasPrefix(name, "nats-") || svc.Image != "tinnhiem" { // the NATS nodes, Prometheus
			continue
		}
		tinnhiemServices++
		role := credsRole(svc.Command)
		var creds []string
		for _, s := range svc.Secrets {
			if strings.HasSuffix(s, "_creds") {
				creds = append(creds, s)
			}
		}
		if role == "" || len(creds) != 1 || creds[0] != role+"_creds" {
			t.Errorf("compose %s: credentials %q, secrets %v", name, role, creds)
		}
	}
	if tinnhiemServices != 6 {
		t.Errorf("checked %d tinnhiem services of compose, want 6 (provision, web, 4 workers)", tinnhiemServices)
	}
}

type podTemplate struct {
	Spec struct {
		Containers []struct {
			Args []string `yaml:"args"`
		} `yaml:"containers"`
		Volumes []struct {
			Secret struct {
				SecretName  string `yaml:"secretName"`
				DefaultMode int    `yaml:"defaultMode"`
				Items       []struct{ Key string }
			} `yaml:"secret"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

// credsRole is the role named by the --nats-creds argument: ".../ingest.creds" (a Kubernetes
// secret item) or "/run/secrets/ingest_creds" (a compose secret) → "ingest".
func credsRole(args []string) string {
	for i, a := range args {
		if a == "--nats-creds" && i+1 < len(args) {
			base := filepath.Base(args[i+1])
			return strings.TrimSuffix(strings.TrimSuffix(base, ".creds"), "_creds")
		}
	}
	return ""
}
