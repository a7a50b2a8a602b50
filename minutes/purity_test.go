package minutes

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain packages link no transport (docs/architecture.md): no NATS, no net/http, no
// net/smtp — not even through a library (the PDF library behind the voters' packet carries
// network code, so it lives in internal/pdfmerge and runs in the packet's child process).
func TestDomainLinksNoTransport(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to list the domain's dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "../dossier", "../ingest", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/nats-io/") || dep == "net/http" || dep == "net/smtp" {
			t.Errorf("the domain links %s", dep)
		}
	}
}
