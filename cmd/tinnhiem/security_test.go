package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tinnhiem/internal/bus"
)

// testCA is a certificate authority made for a test, and a server certificate for 127.0.0.1
// it signed.
type testCA struct {
	CAFile, CertFile, KeyFile string
	Pool                      *x509.CertPool
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA thử nghiệm tinnhiem"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ca := testCA{CAFile: filepath.Join(dir, "ca.pem"), CertFile: filepath.Join(dir, "server.pem"), KeyFile: filepath.Join(dir, "server.key"), Pool: x509.NewCertPool()}
	ca.Pool.AddCert(caCert)
	write := func(path, typ string, der []byte, mode os.FileMode) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(ca.CAFile, "CERTIFICATE", caDER, 0o644)
	write(ca.CertFile, "CERTIFICATE", der, 0o644)
	write(ca.KeyFile, "EC PRIVATE KEY", keyDER, 0o600)
	return ca
}

// --tls-cert/--tls-key: HTTPS on --http, TLS 1.2 or later, HSTS, Secure session cookies; the
// CLI talks to it with --ca (or TINNHIEM_CA).
func TestServeHTTPS(t *testing.T) {
	ca := newTestCA(t)
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ts := startServerClient(t, t.TempDir(), map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword}, "https", client,
		"--workers", "none", "--tls-cert", ca.CertFile, "--tls-key", ca.KeyFile)
	if !strings.HasPrefix(ts.URL, "https://") || !strings.Contains(ts.Log(), "https://") {
		t.Fatalf("server at %s; log:\n%s", ts.URL, ts.Log())
	}

	res, err := client.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("GET /healthz over HTTPS: %d, TLS %+v", res.StatusCode, res.TLS)
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("no HSTS over HTTPS: %q", hsts)
	}

	// Nothing older than TLS 1.2, and no plain HTTP.
	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool, MaxVersion: tls.VersionTLS11}}}
	if res, err := old.Get(ts.URL + "/healthz"); err == nil {
		res.Body.Close()
		t.Error("a TLS 1.1 client was answered")
	}
	plain := "http://" + strings.TrimPrefix(ts.URL, "https://")
	if res, err := http.Get(plain + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the HTTPS port")
		}
	}

	// The browser's session cookie is Secure.
	form := url.Values{"username": {"admin"}, "password": {testAdminPassword}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if c := res.Header.Get("Set-Cookie"); res.StatusCode != http.StatusSeeOther || !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("login over HTTPS: %d, cookie %q", res.StatusCode, c)
	}

	// The CLI: with the CA it talks; without it, it refuses the unknown certificate.
	env := map[string]string{"TINNHIEM_CA": ca.CAFile}
	if out, _, err := ts.cliWith(t, cliOpts{User: "admin", Password: testAdminPassword, Env: env}, "user", "list"); err != nil || !strings.Contains(out, "admin") {
		t.Errorf("CLI with TINNHIEM_CA: %v %s", err, out)
	}
	if out, _, err := ts.cliWith(t, cliOpts{User: "admin", Password: testAdminPassword}, "user", "list", "--ca", ca.CAFile); err != nil || !strings.Contains(out, "admin") {
		t.Errorf("CLI with --ca: %v %s", err, out)
	}
	if _, _, err := ts.cliWith(t, cliOpts{User: "admin", Password: testAdminPassword}, "user", "list"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("CLI without the CA: %v, want a certificate error", err)
	}
	if _, _, err := ts.cliWith(t, cliOpts{User: "admin", Password: testAdminPassword, Env: map[string]string{"TINNHIEM_CA": ca.KeyFile}}, "user", "list"); err == nil {
		t.Error("a CA file without a certificate was accepted")
	}
}

// A certificate and a key go together, and must read.
func TestServeTLSFlagsChecked(t *testing.T) {
	ca := newTestCA(t)
	for _, args := range [][]string{
		{"--tls-cert", ca.CertFile},
		{"--tls-key", ca.KeyFile},
		{"--tls-cert", ca.CertFile, "--tls-key", ca.CAFile},
		{"--trusted-proxies", "proxy.example"},
	} {
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := run(ctx, append([]string{"serve", "--data", dir, "--http", "127.0.0.1:0"}, args...),
			func(k string) string { return map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword}[k] }, strings.NewReader(""), &lockedBuffer{}, &lockedBuffer{})
		cancel()
		if err == nil {
			t.Errorf("serve %q started", args)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("serve %q wrote to the data directory before refusing", args)
		}
	}
}

// A short TINNHIEM_ADMIN_PASSWORD stops serve before anything is written, with a clear message.
func TestServeRefusesShortAdminPassword(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var stderr lockedBuffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, []string{"serve", "--data", dir, "--http", "127.0.0.1:0"},
		func(k string) string { return map[string]string{"TINNHIEM_ADMIN_PASSWORD": "abc"}[k] }, strings.NewReader(""), &lockedBuffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "TINNHIEM_ADMIN_PASSWORD") || !strings.Contains(err.Error(), "ít nhất 10 ký tự") {
		t.Fatalf("serve with a 3-character admin password: %v", err)
	}
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Errorf("the refused start created %s (%v)", dir, statErr)
	}
	if code := exitCode(err, &stderr); code == 0 {
		t.Error("exit code 0")
	}
}

// 50 parallel wrong passwords from one address: at most 10 are checked (the rest refused
// before any check), and the right password from another address then gets in. Behind a
// trusted proxy the address is the forwarded one; from anyone else a forwarded address is
// ignored, so that changing it gains nothing.
func TestServeThrottleHolds(t *testing.T) {
	ts := startServer(t, t.TempDir(), "--workers", "none", "--trusted-proxies", "127.0.0.1/32")
	ts.addUser(t, "lan", "mật khẩu của Lan", []string{"viewer"}, "Tỉnh ủy Bình Sơn")
	login := func(from, user, password string) int {
		body, _ := json.Marshal(map[string]string{"username": user, "password": password})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/tokens", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		res, err := ts.http.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	burst := func(from func(i int) string, user func(i int) string) map[int]int {
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code := login(from(i), user(i), "không phải mật khẩu")
				mu.Lock()
				counts[code]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		return counts
	}

	counts := burst(func(int) string { return "198.51.100.7" }, func(int) string { return "lan" })
	if counts[http.StatusUnauthorized] > 10 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 50 {
		t.Errorf("50 parallel wrong passwords from one address: %v, want at most 10 checked (401), the rest 429", counts)
	}
	start := time.Now()
	if code := login("203.0.113.20", "lan", "mật khẩu của Lan"); code != http.StatusOK {
		t.Errorf("the right password from another address: HTTP %d", code)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the right password from another address took %v", took)
	}

	// Fifty accounts from one address: the address's own limit.
	counts = burst(func(int) string { return "198.51.100.8" }, func(i int) string { return "nguoi-" + string(rune('a'+i%26)) + string(rune('a'+i/26)) })
	if counts[http.StatusUnauthorized] > 10 {
		t.Errorf("50 accounts from one address: %v, want at most 10 checked", counts)
	}

	// Many addresses at one account: never refused, only slowed down; the owner gets in.
	counts = burst(func(i int) string { return "192.0.2." + string(rune('0'+i%10)) + string(rune('0'+i/10)) }, func(int) string { return "admin" })
	if counts[http.StatusTooManyRequests] != 0 {
		t.Errorf("50 addresses at admin: %v; the username alone must never refuse", counts)
	}
	start = time.Now()
	if code := login("203.0.113.21", "admin", testAdminPassword); code != http.StatusOK {
		t.Errorf("admin after a spread-out attack: HTTP %d", code)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("admin after a spread-out attack waited %v", took)
	}
}

// Without --trusted-proxies, X-Forwarded-For is the client's own word: ignored.
func TestServeIgnoresForwardedForFromStrangers(t *testing.T) {
	ts := startServer(t, t.TempDir(), "--workers", "none")
	checked := 0
	for i := range 20 {
		body := `{"username":"admin","password":"không phải mật khẩu"}`
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/tokens", strings.NewReader(body))
		req.Header.Set("X-Forwarded-For", "10.9.8."+string(rune('0'+i%10)))
		res, err := ts.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusUnauthorized {
			checked++
		}
	}
	if checked > 10 {
		t.Errorf("%d of 20 guesses with a forged X-Forwarded-For were checked, want at most 10", checked)
	}
}

// A round id another organization uses is refused as a problem of the file at "id": nothing
// of that round — that it exists, whose it is, its title — is in the answer; the attempt is in
// the admins' audit trail.
func TestRoundIDOfAnotherOrganization(t *testing.T) {
	ts := startServer(t, t.TempDir(), "--workers", "none")
	if _, err := ts.cli(t, "round", "import", writeFile(t, "a.yaml", roundBinhSon)); err != nil {
		t.Fatal(err)
	}
	ts.addUser(t, "to-chuc-b", "mật khẩu tổ chức B", []string{"organizer"}, "Đảng ủy xã An Phú")
	tok := ts.token(t, "to-chuc-b", "mật khẩu tổ chức B")
	theirs := strings.NewReplacer("organization: Tỉnh ủy Bình Sơn", "organization: Đảng ủy xã An Phú",
		"title: ", "title: Đợt của An Phú — ").Replace(roundBinhSon)
	res := ts.api(t, http.MethodPost, "/api/v1/rounds", tok, theirs)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("import with A's id: %d %s", res.Status, res.Body)
	}
	var body apiError
	res.decode(t, &body)
	if len(body.Error.Problems) != 1 || body.Error.Problems[0].Path != "id" || !strings.Contains(body.Error.Problems[0].Message, "không dùng được") {
		t.Errorf("answer %s", res.Body)
	}
	for _, leak := range []string{"Tỉnh ủy Bình Sơn", "đã được dùng", "đã có", "tồn tại", "Trần Quốc Hùng", "Ban Thường vụ"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("the answer says %q: %s", leak, res.Body)
		}
	}
	// The same file with another id, or none, goes in.
	if res := ts.api(t, http.MethodPost, "/api/v1/rounds", tok, strings.Replace(theirs, "id: binh-son-btv-2028", "id: an-phu-2028", 1)); res.Status != http.StatusCreated {
		t.Errorf("with its own id: %d %s", res.Status, res.Body)
	}
	var events []struct {
		Actor, Action, Target string
	}
	ts.api(t, http.MethodGet, "/api/v1/audit", ts.token(t, "admin", testAdminPassword), nil).decode(t, &events)
	found := false
	for _, e := range events {
		found = found || (e.Action == "round.import_refused" && e.Actor == "to-chuc-b" && e.Target == "binh-son-btv-2028")
	}
	if !found {
		t.Error("the refused import is not in the audit trail")
	}
	var roundTrail []struct{ Action string }
	ts.api(t, http.MethodGet, "/api/v1/rounds/binh-son-btv-2028/audit", ts.token(t, "admin", testAdminPassword), nil).decode(t, &roundTrail)
	for _, e := range roundTrail {
		if e.Action == "round.import_refused" {
			t.Error("the refusal is in A's round trail, where A's staff would learn who tried")
		}
	}
}

// A web front that holds only the http role's NATS credentials does every account operation —
// tokens with their TTL, ending them, the sweep — without a permission refused.
func TestAccountsWithTheHTTPRole(t *testing.T) {
	root := t.TempDir()
	natsAddr := freeAddr(t)
	startServer(t, filepath.Join(root, "data"), "--nats-listen", natsAddr, "--workers", "none")
	front := startServerEnv(t, "", map[string]string{"TINNHIEM_ADMIN_PASSWORD": testAdminPassword},
		"--nats-url", "nats://"+natsAddr, "--nats-creds", bus.CredsFile(filepath.Join(root, "nats-creds"), bus.RoleHTTP), "--workers", "none")
	front.addUser(t, "lan", "mật khẩu của Lan", []string{"viewer"}, "Tỉnh ủy Bình Sơn")
	admin := front.token(t, "admin", testAdminPassword)
	tok := front.newToken(t, "lan", "mật khẩu của Lan")
	if res := front.api(t, http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{"disabled": true}); res.Status != http.StatusOK {
		t.Fatalf("disable: %d %s", res.Status, res.Body)
	}
	if res := front.api(t, http.MethodGet, "/api/v1/me", tok, nil); res.Status != http.StatusUnauthorized {
		t.Errorf("token after disabling: %d", res.Status)
	}
	front.api(t, http.MethodPatch, "/api/v1/users/lan", admin, map[string]any{"disabled": false})
	tok = front.newToken(t, "lan", "mật khẩu của Lan")
	if res := front.api(t, http.MethodDelete, "/api/v1/tokens", tok, nil); res.Status != http.StatusNoContent {
		t.Errorf("logout: %d", res.Status)
	}
	if res := front.api(t, http.MethodDelete, "/api/v1/users/lan/tokens", admin, nil); res.Status != http.StatusNoContent {
		t.Errorf("revoke: %d", res.Status)
	}
	// The sweep ran at start (it lists the tokens bucket); logout purged a record.
	front.Stop()
	if strings.Contains(front.Log(), "Permissions Violation") || strings.Contains(front.Log(), `msg="token sweep" err=`) {
		t.Errorf("the http role was refused:\n%s", front.Log())
	}
}
