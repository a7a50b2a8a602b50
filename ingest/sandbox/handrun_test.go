package sandbox_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"tinnhiem/ingest/reader"
	"tinnhiem/internal/pdffixture"
)

// extractCmd is `tinnhiem extract ARGS…` run by hand (this test binary stands in for tinnhiem).
func extractCmd(args ...string) *exec.Cmd {
	return exec.Command(os.Args[0], append([]string{"extract"}, args...)...)
}

// By hand, one process reads the file: the text is the pool's, and a refusal fails with its
// reason in Vietnamese.
func TestExtractByHand(t *testing.T) {
	var out, errb bytes.Buffer
	cmd := extractCmd("../pdftext/testdata/lo-de-nghi-giai-trinh.pdf")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if !strings.HasPrefix(out.String(), "ĐẢNG CỘNG SẢN VIỆT NAM\n") {
		t.Errorf("text: %q", out.String())
	}
	// From standard input, the same.
	in, err := os.Open("../pdftext/testdata/lo-de-nghi-giai-trinh.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var fromStdin bytes.Buffer
	cmd = extractCmd("-")
	cmd.Stdin, cmd.Stdout = in, &fromStdin
	if err := cmd.Run(); err != nil || fromStdin.String() != out.String() {
		t.Errorf("from standard input: %v, %d bytes", err, fromStdin.Len())
	}
	// Written to a file: the file-size limit leaves room for the text.
	f, err := os.Create(t.TempDir() + "/out.txt")
	if err != nil {
		t.Fatal(err)
	}
	cmd = extractCmd("../pdftext/testdata/lo-de-nghi-giai-trinh.pdf")
	cmd.Stdout = f
	if err := cmd.Run(); err != nil {
		t.Fatalf("to a file: %v", err)
	}
	f.Close()
	if b, _ := os.ReadFile(f.Name()); !bytes.Equal(b, out.Bytes()) {
		t.Errorf("to a file: %d bytes, want %d", len(b), out.Len())
	}

	out.Reset()
	errb.Reset()
	cmd = extractCmd("--json", writeFile(t, "x.pdf", []byte("<html>không phải PDF</html>")))
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err == nil {
		t.Error("a refused file exits 0")
	}
	var res struct {
		reader.Result
		Message string `json:"message"`
		Error   struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Code != "not_pdf" || res.Error.Code != "not_pdf" || !strings.Contains(res.Message, "Tệp không phải PDF") {
		t.Errorf("json: %v %s", err, out.String())
	}
	// A scan: the text layer's answer, and a hint to read it by OCR.
	errb.Reset()
	cmd = extractCmd(writeFile(t, "scan.pdf", pdffixture.Scan(t)))
	cmd.Stderr = &errb
	if err := cmd.Run(); err == nil || !strings.Contains(errb.String(), "--ocr") {
		t.Errorf("scan: %v %q", err, errb.String())
	}
	if err := extractCmd("--bogus").Run(); err == nil {
		t.Error("bad flag accepted")
	}
}

// By hand the process limits itself, as a pool's child is limited: seen from outside while it
// works on a file that never ends, until its CPU limit ends it. It starts no other process.
func TestExtractByHandLimitsItself(t *testing.T) {
	cmd := extractCmd("--cpu-limit", "2", writeFile(t, "loop.pdf", pdffixture.EndlessLoop()))
	cmd.Env = append(os.Environ(), "TINNHIEM_TEST_SECRET=x")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
	var status, limits string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(proc + "/status")
		if strings.Contains(string(b), "Seccomp:\t2") {
			status = string(b)
			l, _ := os.ReadFile(proc + "/limits")
			limits = string(l)
			break
		}
	}
	if status == "" {
		cmd.Process.Kill()
		t.Fatalf("never saw the process under seccomp: %s", errb.String())
	}
	if !strings.Contains(status, "NoNewPrivs:\t1") {
		t.Error("no_new_privs not set")
	}
	for _, want := range []string{"Max cpu time              2", "Max file size             0", "Max core file size        0", "Max open files            16"} {
		if !strings.Contains(limits, want) {
			t.Errorf("limits lack %q:\n%s", want, limits)
		}
	}
	if children, _ := os.ReadFile(proc + "/task/" + strconv.Itoa(cmd.Process.Pid) + "/children"); len(bytes.TrimSpace(children)) > 0 {
		t.Errorf("extract started processes: %s", children)
	}
	start := time.Now()
	err := cmd.Wait()
	if err == nil {
		t.Fatal("an endless file ended well")
	}
	t.Logf("ended after %v more: %v", time.Since(start).Round(time.Millisecond), err)
	if time.Since(start) > 10*time.Second {
		t.Errorf("the CPU limit took %v", time.Since(start))
	}
}

// By hand, images are read by OCR in the tools profile, in this one process.
func TestExtractByHandImage(t *testing.T) {
	needTools(t)
	var png []byte
	for _, s := range samples(t) {
		if s.name == "page.png" {
			png = s.data
		}
	}
	var out, errb bytes.Buffer
	cmd := extractCmd("--json", writeFile(t, "page.png", png))
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var res reader.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || !res.OCR || !strings.Contains(res.Text, "Phan Thị Thu Trang") {
		t.Errorf("%v %+v", err, res)
	}
}
