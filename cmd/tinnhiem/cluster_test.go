package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tinnhiem/internal/bus/bustest"
)

// The deploy issue's promise: the same workers run separately against a NATS cluster. An HTTP
// front end with no workers, two ingest replicas and the other workers each in their own
// "process" (run call) share a three-node cluster with replicated streams.
func TestSeparateWorkersOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	natsURL := bustest.StartCluster(t, 3).URL
	ts := startServerEnv(t, "", map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword},
		"--nats-url", natsURL, "--workers", "none", "--replicas", "3")
	for _, kind := range []string{"ingest", "ingest", "dossier", "minutes", "publish"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		var logBuf lockedBuffer
		go func() {
			done <- run(ctx, []string{"worker", kind, "--nats-url", natsURL, "--replicas", "3"},
				func(k string) string { return map[string]string{"TINNHIEM_BCRYPT_COST": "4"}[k] }, strings.NewReader(""), io.Discard, &logBuf)
		}()
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("worker %s: %v\n%s", kind, err, logBuf.String())
				}
			case <-time.After(30 * time.Second):
				t.Errorf("worker %s did not stop", kind)
			}
		})
	}
	if _, err := ts.cli(t, "round", "import", writeFile(t, "round.yaml",
		strings.Replace(strings.Replace(round45, "2028-12-15", "2099-12-15", 1), "id: btv-45", "id: cum", 1))); err != nil {
		t.Fatal(err)
	}
	asset, err := os.ReadFile("../../ingest/pdftext/testdata/lo-ke-khai-tai-san.pdf")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for i := 0; i < 6; i++ {
		// Different bytes each time (a trailing comment), so none is a duplicate.
		files = append(files, writeFile(t, fmt.Sprintf("kk-%d.pdf", i), string(asset)+fmt.Sprintf("\n%% %d\n", i)))
	}
	out, err := ts.cli(t, append([]string{"upload", "--round", "cum", "--timeout", "90s"}, files...)...)
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var u uploadLine
		if err := json.Unmarshal([]byte(line), &u); err != nil {
			t.Fatal(err)
		}
		if u.Status != "accepted" || u.Nominee != "n01" {
			t.Errorf("%s: %+v", u.File, u)
		}
	}
	csv := "nominee,cao,tin_nhiem,thap,invalid\nn01,45,0,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\nn06,30,10,5,0\n" // in 2099, Đỗ Thanh Tùng's 2028 appointment exempts no more
	if _, err := ts.cli(t, "tally", "import", "--round", "cum", "--present", "45", "--issued", "45", "--collected", "45", writeFile(t, "c.csv", csv)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.cli(t, "tally", "seal", "--round", "cum"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for deadline := time.Now().Add(90 * time.Second); ; {
		out, err = ts.cli(t, "minutes", "fetch", "--round", "cum", "-o", dir)
		if err == nil && strings.Count(out, ".pdf") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("minutes not rendered by the separate workers: %v %s", err, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	for _, p := range pdfs {
		if data, _ := os.ReadFile(p); !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s is not a PDF", p)
		}
	}
}
