package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"tinnhiem/internal/metrics"
)

// metricsPort is where every deploy file puts --metrics-listen (and prometheus.yml looks).
const metricsPort = "9464"

var metricRef = regexp.MustCompile(`\btinnhiem_[a-z_]+`)

// checkRefs reports the tinnhiem_ metrics an expression names that tinnhiem does not export
// (histograms are referred to by their _bucket, _sum and _count series).
func checkRefs(t *testing.T, where, expr string, known []string) int {
	t.Helper()
	n := 0
	for _, ref := range metricRef.FindAllString(expr, -1) {
		n++
		base := ref
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(ref, suffix); ok && slices.Contains(known, b) {
				base = b
			}
		}
		if !slices.Contains(known, base) {
			t.Errorf("%s: %s is not a metric of tinnhiem (%v)", where, ref, known)
		}
	}
	return n
}

// The scrape configuration loads the rules and looks where the manifests serve the metrics.
func TestPrometheusConfig(t *testing.T) {
	data, err := Files.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string           `yaml:"job_name"`
			StaticConfigs []map[string]any `yaml:"static_configs"`
			DNSSDConfigs  []struct {
				Names []string `yaml:"names"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
			KubernetesSDConfigs []map[string]any `yaml:"kubernetes_sd_configs"`
			RelabelConfigs      []struct {
				Regex string `yaml:"regex"`
			} `yaml:"relabel_configs"`
		} `yaml:"scrape_configs"`
	}
	var top struct {
		Global        map[string]any `yaml:"global"`
		RuleFiles     []string       `yaml:"rule_files"`
		Alerting      map[string]any `yaml:"alerting"`
		ScrapeConfigs []any          `yaml:"scrape_configs"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&top); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.RuleFiles {
		if _, err := Files.ReadFile("prometheus/" + f); err != nil {
			t.Errorf("rule file %s: %v", f, err)
		}
	}
	jobs := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		jobs[sc.JobName] = true
		switch sc.JobName {
		case "tinnhiem":
			if len(sc.KubernetesSDConfigs) == 0 || !slices.ContainsFunc(sc.RelabelConfigs, func(r struct {
				Regex string `yaml:"regex"`
			}) bool {
				return r.Regex == "metrics"
			}) {
				t.Error("the kubernetes job does not keep the ports named metrics")
			}
		case "tinnhiem-compose":
			if len(sc.DNSSDConfigs) != 1 || itoa(sc.DNSSDConfigs[0].Port) != metricsPort {
				t.Errorf("compose job: %+v, want port %s", sc.DNSSDConfigs, metricsPort)
			}
			for _, svc := range []string{"web", "ingest", "dossier", "minutes", "publish"} {
				if len(sc.DNSSDConfigs) == 1 && !slices.Contains(sc.DNSSDConfigs[0].Names, svc) {
					t.Errorf("compose job does not scrape %s", svc)
				}
			}
		case "tinnhiem-systemd":
			targets := ""
			for _, s := range sc.StaticConfigs {
				targets += " " + strings.Join(toStrings(s["targets"]), " ")
			}
			if !strings.Contains(targets, "127.0.0.1:"+metricsPort) {
				t.Errorf("systemd job scrapes %q, not serve's 127.0.0.1:%s", targets, metricsPort)
			}
		}
	}
	for _, j := range []string{"tinnhiem", "tinnhiem-compose", "tinnhiem-systemd", "node"} {
		if !jobs[j] {
			t.Errorf("no scrape job %s", j)
		}
	}
}

// The alert rules parse, name only metrics tinnhiem exports, and cover what issue 14 asks for:
// consumer lag, verdict latency, failing alert delivery and disk.
func TestAlertRules(t *testing.T) {
	data, err := Files.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatal(err)
	}
	known := metrics.New().Names()
	alerts := map[string]bool{}
	refs := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Annotations["summary"] == "" {
				t.Errorf("group %s: incomplete rule %+v", g.Name, r)
			}
			if s := r.Labels["severity"]; s != "page" && s != "ticket" {
				t.Errorf("%s: severity %q, want page or ticket", r.Alert, s)
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("%s: unbalanced parentheses in %s", r.Alert, r.Expr)
			}
			if alerts[r.Alert] {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			alerts[r.Alert] = true
			refs += checkRefs(t, r.Alert, r.Expr, known)
		}
	}
	for _, a := range []string{"TinnhiemConsumerLag", "TinnhiemVerdictLatency", "TinnhiemAlertDeliveryFailing", "TinnhiemDiskLow", "TinnhiemDown"} {
		if !alerts[a] {
			t.Errorf("no alert %s", a)
		}
	}
	if refs < 10 {
		t.Errorf("only %d references to tinnhiem's metrics in the rules", refs)
	}
	// The rules' own unit tests (promtool test rules) test this file.
	tests, err := Files.ReadFile("prometheus/alerts_test.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rt struct {
		RuleFiles []string `yaml:"rule_files"`
		Tests     []any    `yaml:"tests"`
	}
	if err := yaml.Unmarshal(tests, &rt); err != nil || !slices.Contains(rt.RuleFiles, "alerts.yml") || len(rt.Tests) == 0 {
		t.Errorf("alerts_test.yml: %v %+v", err, rt.RuleFiles)
	}
}

// The Grafana dashboard is valid JSON whose every query names metrics tinnhiem exports.
func TestGrafanaDashboard(t *testing.T) {
	data, err := Files.ReadFile("grafana/tinnhiem.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID        string `json:"uid"`
		Title      string `json:"title"`
		Templating struct {
			List []struct {
				Name, Type string
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			GridPos struct{ X, Y, W, H int }
			Targets []struct {
				Expr  string `json:"expr"`
				RefID string `json:"refId"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	if dash.UID == "" || dash.Title == "" || len(dash.Templating.List) == 0 || dash.Templating.List[0].Type != "datasource" {
		t.Errorf("dashboard uid %q title %q templating %+v", dash.UID, dash.Title, dash.Templating)
	}
	known := metrics.New().Names()
	seen := map[string]bool{}
	queries := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: grid %+v", p.Title, p.GridPos)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			queries++
			checkRefs(t, p.Title, q.Expr, known)
			for _, ref := range metricRef.FindAllString(q.Expr, -1) {
				seen[strings.TrimSuffix(strings.TrimSuffix(ref, "_bucket"), "_count")] = true
			}
		}
	}
	// Every metric of the contract has a panel.
	for _, name := range []string{"tinnhiem_documents_received_total", "tinnhiem_verdicts_total", "tinnhiem_ingest_duration_seconds",
		"tinnhiem_extract_duration_seconds", "tinnhiem_consumer_pending_messages", "tinnhiem_consumer_redeliveries_total",
		"tinnhiem_alerts_sent_total", "tinnhiem_minutes_render_seconds", "tinnhiem_http_requests_total", "tinnhiem_http_request_duration_seconds"} {
		if !seen[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
	if queries < 15 {
		t.Errorf("only %d queries", queries)
	}
}

// Metrics are on in every deploy file: each tinnhiem process of the Kubernetes manifest serves
// them on a port named metrics, compose sets TINNHIEM_METRICS_LISTEN for every tinnhiem service,
// and the systemd unit of serve listens on loopback.
func TestManifestsServeMetrics(t *testing.T) {
	data, _ := Files.ReadFile("kubernetes/tinnhiem.yaml")
	dec := yaml.NewDecoder(bytes.NewReader(data))
	deployments := 0
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct{ Name string }
			Spec     struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Args  []string `yaml:"args"`
							Ports []struct {
								ContainerPort int    `yaml:"containerPort"`
								Name          string `yaml:"name"`
							} `yaml:"ports"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			}
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != "Deployment" {
			continue
		}
		deployments++
		for _, c := range doc.Spec.Template.Spec.Containers {
			i := slices.Index(c.Args, "--metrics-listen")
			if i < 0 || i+1 >= len(c.Args) || !strings.HasSuffix(c.Args[i+1], ":"+metricsPort) {
				t.Errorf("%s: no --metrics-listen …:%s in %v", doc.Metadata.Name, metricsPort, c.Args)
			}
			if !slices.ContainsFunc(c.Ports, func(p struct {
				ContainerPort int    `yaml:"containerPort"`
				Name          string `yaml:"name"`
			}) bool {
				return p.Name == "metrics" && itoa(p.ContainerPort) == metricsPort
			}) {
				t.Errorf("%s: no container port named metrics (%s)", doc.Metadata.Name, metricsPort)
			}
		}
	}
	if deployments != 5 {
		t.Errorf("%d deployments checked, want 5 (web and 4 workers)", deployments)
	}

	data, _ = Files.ReadFile("compose.yaml")
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	for name, svc := range compose.Services {
		if svc.Image != "tinnhiem" || len(svc.Command) == 0 || (svc.Command[0] != "serve" && svc.Command[0] != "worker") {
			continue
		}
		if !strings.HasSuffix(svc.Environment["TINNHIEM_METRICS_LISTEN"], ":"+metricsPort) {
			t.Errorf("compose %s: TINNHIEM_METRICS_LISTEN=%q", name, svc.Environment["TINNHIEM_METRICS_LISTEN"])
		}
	}
	if p, ok := compose.Services["prometheus"]; !ok || !strings.HasPrefix(p.Image, "prom/prometheus") {
		t.Error("compose has no prometheus service")
	}

	unit, _ := Files.ReadFile("systemd/tinnhiem.service")
	if !strings.Contains(string(unit), "--metrics-listen 127.0.0.1:"+metricsPort) {
		t.Error("the systemd unit of serve serves no metrics on loopback")
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// The alert rules load and pass their own unit tests under promtool (.ci/run installs it
// with the prometheus package; elsewhere the test skips when promtool is missing).
func TestAlertRulesUnderPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing: .ci/run installs the prometheus package")
		}
		t.Skip("promtool not installed")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
