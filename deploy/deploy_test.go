package deploy

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"gopkg.in/yaml.v3"
)

// The manifests must parse, and every container must run a tinnhiem subcommand that exists.
func TestManifestsParse(t *testing.T) {
	for _, name := range []string{"compose.yaml", "kubernetes/tinnhiem.yaml"} {
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

// The NATS configurations must be accepted by the nats-server we embed.
func TestNATSConfigs(t *testing.T) {
	t.Setenv("NATS_NAME", "nats-1")
	err := fs.WalkDir(Files, "nats", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := Files.ReadFile(path)
		tmp := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			return err
		}
		opts, err := server.ProcessConfigFile(tmp)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if !opts.JetStream {
			t.Errorf("%s: JetStream is not enabled", path)
		}
		if opts.MaxPayload < 8<<20 {
			t.Errorf("%s: max_payload %d is below the 8 MB the workers need", path, opts.MaxPayload)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
