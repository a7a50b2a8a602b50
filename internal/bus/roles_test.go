package bus

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startListening runs an embedded server that admits clients only with the credentials it
// writes to the returned directory, provisioned by its own in-process connection.
func startListening(t *testing.T) (*Embedded, string) {
	t.Helper()
	creds := filepath.Join(t.TempDir(), "creds")
	e, err := StartEmbedded(EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", CredsDir: creds, Key: testKey(t, "listen")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	nc, err := e.Connect("serve")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(context.Background(), js, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(context.Background(), "tn.audit._global.user.bootstrap", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	return e, creds
}

func dialRole(t *testing.T, e *Embedded, creds, role string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := DialAuth(e.ClientURL(), role, slog.New(slog.NewTextHandler(io.Discard, nil)), ClientAuth{CredsFile: CredsFile(creds, role)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Fatalf("role %s: %v", role, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// An anonymous client on the listener is refused before it can do anything: no PONG.
func TestAnonymousClientGetsNoPong(t *testing.T) {
	e, _ := startListening(t)
	u, err := url.Parse(e.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	for _, connect := range []string{`{"verbose":false,"pedantic":false}`, `{"user":"admin","pass":"admin"}`, `{"user":"tinnhiem-in-process","pass":"x"}`} {
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(conn, "CONNECT "+connect+"\r\nPING\r\n"); err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(conn)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		conn.Close()
		all := strings.Join(lines, "\n")
		if strings.Contains(all, "PONG") {
			t.Errorf("CONNECT %s: the server answered PING:\n%s", connect, all)
		}
		if !strings.Contains(all, "Authorization Violation") {
			t.Errorf("CONNECT %s: no authorization error:\n%s", connect, all)
		}
	}
	if _, err := nats.Connect(e.ClientURL(), nats.MaxReconnects(0)); err == nil {
		t.Error("nats.Connect without credentials succeeded")
	}
}

// lockedLog collects what a connection's error handler logs.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// No role but ops may delete a stream, purge AUDIT or an event stream or a bucket, or change a
// stream's limits; the AUDIT stream keeps every event. Each attempt must fail because the
// server refused that very subject (a permissions violation), not for any other reason.
func TestOnlyOpsMayDestroy(t *testing.T) {
	e, creds := startListening(t)
	ctx := context.Background()
	type attempt struct {
		subject string // the API subject the server must refuse
		op      func(context.Context, jetstream.JetStream) error
	}
	purge := func(name string) func(context.Context, jetstream.JetStream) error {
		return func(ctx context.Context, js jetstream.JetStream) error {
			s, err := js.Stream(ctx, name)
			if err != nil {
				return err
			}
			return s.Purge(ctx)
		}
	}
	attempts := map[string]attempt{
		"delete AUDIT":   {"$JS.API.STREAM.DELETE.AUDIT", func(ctx context.Context, js jetstream.JetStream) error { return js.DeleteStream(ctx, StreamAudit) }},
		"delete DOSSIER": {"$JS.API.STREAM.DELETE.DOSSIER", func(ctx context.Context, js jetstream.JetStream) error { return js.DeleteStream(ctx, StreamDossier) }},
		"delete tn_users": {"$JS.API.STREAM.DELETE.KV_tn_users", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteKeyValue(ctx, BucketUsers)
		}},
		"delete tn_uploads": {"$JS.API.STREAM.DELETE.OBJ_tn_uploads", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteObjectStore(ctx, ObjectUploads)
		}},
		"purge AUDIT":    {"$JS.API.STREAM.PURGE.AUDIT", purge(StreamAudit)},
		"purge INGEST":   {"$JS.API.STREAM.PURGE.INGEST", purge(StreamIngest)},
		"purge tn_users": {"$JS.API.STREAM.PURGE.KV_tn_users", purge("KV_" + BucketUsers)},
		"shrink AUDIT": {"$JS.API.STREAM.UPDATE.AUDIT", func(ctx context.Context, js jetstream.JetStream) error {
			_, err := js.UpdateStream(ctx, jetstream.StreamConfig{Name: StreamAudit, Subjects: []string{"tn.audit.>"}, MaxMsgs: 1, DenyDelete: true, DenyPurge: true, Storage: jetstream.FileStorage, Duplicates: 24 * time.Hour})
			return err
		}},
		"delete an AUDIT message": {"$JS.API.STREAM.MSG.DELETE.AUDIT", func(ctx context.Context, js jetstream.JetStream) error {
			s, err := js.Stream(ctx, StreamAudit)
			if err != nil {
				return err
			}
			return s.DeleteMsg(ctx, 1)
		}},
		"snapshot AUDIT": {"$JS.API.STREAM.SNAPSHOT.AUDIT", func(ctx context.Context, js jetstream.JetStream) error {
			_, err := js.Conn().RequestWithContext(ctx, "$JS.API.STREAM.SNAPSHOT.AUDIT", []byte(`{"deliver_subject":"x"}`))
			return err
		}},
		"restore AUDIT": {"$JS.API.STREAM.RESTORE.AUDIT", func(ctx context.Context, js jetstream.JetStream) error {
			_, err := js.Conn().RequestWithContext(ctx, "$JS.API.STREAM.RESTORE.AUDIT", []byte(`{"config":{"name":"AUDIT"}}`))
			return err
		}},
	}
	var roles sync.WaitGroup
	for _, role := range Roles {
		if role == RoleOps {
			continue
		}
		roles.Go(func() {
			var log lockedLog
			nc, err := DialAuth(e.ClientURL(), role, slog.New(slog.NewTextHandler(&log, nil)), ClientAuth{CredsFile: CredsFile(creds, role)})
			if err != nil {
				t.Error(err)
				return
			}
			js, err := jetstream.New(nc)
			if err != nil {
				t.Error(err)
				return
			}
			var wg sync.WaitGroup
			for name, a := range attempts {
				if role == RoleHTTP && name == "snapshot AUDIT" {
					continue // the admins' online backup runs through the HTTP front
				}
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
					defer cancel()
					if err := a.op(ctx, js); err == nil {
						t.Errorf("role %s could %s", role, name)
					}
				})
			}
			wg.Wait()
			nc.Close()
			for name, a := range attempts {
				if role == RoleHTTP && name == "snapshot AUDIT" {
					continue
				}
				if !strings.Contains(log.String(), `Permissions Violation for Publish to \"`+a.subject+`\"`) {
					t.Errorf("role %s, %s: the server did not refuse %s:\n%s", role, name, a.subject, log.String())
				}
			}
		})
	}
	roles.Wait()
	_, ops := dialRole(t, e, creds, RoleOps)
	s, err := ops.Stream(ctx, StreamAudit)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 1 {
		t.Errorf("AUDIT holds %d events, want 1", n)
	}
	// The stream itself refuses purges, even from ops.
	if err := s.Purge(ctx); err == nil {
		t.Error("ops purged AUDIT, which denies purge")
	}
	if err := ops.DeleteStream(ctx, StreamAlerts); err != nil {
		t.Errorf("ops may delete a stream: %v", err)
	}
}

// The account secrets (users, tokens) are for the HTTP front only; uploaded files for the
// roles that read them; one role cannot listen on another's inbox or on every inbox.
func TestRolesSeeOnlyWhatTheyNeed(t *testing.T) {
	e, creds := startListening(t)
	ctx := context.Background()
	_, httpJS := dialRole(t, e, creds, RoleHTTP)
	users, err := httpJS.KeyValue(ctx, BucketUsers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Put(ctx, "admin", []byte(`{"hash":"$2a$10$..."}`)); err != nil {
		t.Fatalf("http writes users: %v", err)
	}
	uploads, err := httpJS.ObjectStore(ctx, ObjectUploads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uploads.PutBytes(ctx, "d1", []byte("%PDF-1.7 ...")); err != nil {
		t.Fatalf("http stores an upload: %v", err)
	}
	var wg sync.WaitGroup
	for _, role := range []string{RoleIngest, RoleDossier, RoleMinutes, RolePublish} {
		wg.Go(func() {
			var log lockedLog
			nc, err := DialAuth(e.ClientURL(), role, slog.New(slog.NewTextHandler(&log, nil)), ClientAuth{CredsFile: CredsFile(creds, role)})
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			js, _ := jetstream.New(nc)
			refused := func(what, subject string, err error) {
				t.Helper()
				if err == nil {
					t.Errorf("role %s could %s", role, what)
				}
				// The server's refusal reaches the error handler asynchronously.
				for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), `Permissions Violation for `+subject); time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Errorf("role %s, %s: the server did not refuse %s", role, what, subject)
						return
					}
				}
			}
			users, err := js.KeyValue(ctx, BucketUsers)
			if err != nil {
				t.Errorf("%s opens %s: %v", role, BucketUsers, err)
				return
			}
			tokens, _ := js.KeyValue(ctx, BucketTokens)
			uploads, _ := js.ObjectStore(ctx, ObjectUploads)
			renderings, _ := js.ObjectStore(ctx, ObjectRenderings)
			short := func() context.Context {
				c, cancel := context.WithTimeout(ctx, 2*time.Second)
				t.Cleanup(cancel)
				return c
			}
			_, err = users.Get(short(), "admin")
			refused("read a user", `Publish to \"$JS.API.DIRECT.GET.KV_tn_users.$KV.tn_users.admin\"`, err)
			_, err = users.Put(short(), "mallory", []byte(`{}`))
			refused("add a user", `Publish to \"$KV.tn_users.mallory\"`, err)
			_, err = tokens.Put(short(), "forged", []byte(`{"username":"admin"}`))
			refused("forge a token", `Publish to \"$KV.tn_tokens.forged\"`, err)
			_, err = uploads.GetBytes(short(), "d1")
			if role == RoleIngest {
				if err != nil {
					t.Errorf("ingest cannot read an upload: %v", err)
				}
				// It keeps the PDF rendering of a Word file in the renderings store, and can
				// neither change an original (nor its metadata) nor purge either store.
				if _, err := renderings.PutBytes(short(), "d1.pdf", []byte("%PDF-1.7 rendering")); err != nil {
					t.Errorf("ingest cannot keep a rendering: %v", err)
				}
				// Its sweep announces again an upload whose web front died before announcing it;
				// a tally seal is not its to announce.
				if _, err := js.Publish(short(), "tn.ingest.r1.uploaded", []byte(`{"document_id":"d1","round":"r1"}`)); err != nil {
					t.Errorf("ingest cannot announce an upload again (its sweep): %v", err)
				}
				_, err = js.Publish(short(), "tn.tally.r1.sealed", []byte(`{}`))
				refused("announce a seal", `Publish to \"tn.tally.r1.sealed\"`, err)
				_, err = uploads.PutBytes(short(), "d1", []byte("%PDF-1.7 forged"))
				refused("replace an upload", `Publish to \"$O.tn_uploads.C.`, err)
				for _, name := range []string{ObjectUploads, ObjectRenderings} {
					if st, serr := js.Stream(short(), "OBJ_"+name); serr == nil {
						err = st.Purge(short())
					} else {
						err = serr
					}
					refused("purge "+name, `Publish to \"$JS.API.STREAM.PURGE.OBJ_`+name+`\"`, err)
				}
			} else {
				refused("read an upload", `Publish to \"$JS.API.DIRECT.GET.OBJ_tn_uploads.`, err)
			}
			for _, subj := range []string{"_INBOX.>", InboxPrefix(RoleHTTP) + ".>", ">", "tn.>", "$KV.tn_users.>"} {
				_, err := nc.SubscribeSync(subj)
				_ = nc.Flush()
				refused("subscribe to "+subj, `Subscription to \"`+subj+`\"`, errors.Join(err, errors.New("asynchronous")))
			}
		})
	}
	wg.Wait()
}

// Credentials survive restarts (workers keep their copies), are readable by their owner only,
// and accounts.conf grants an external server exactly the permissions the embedded one does.
func TestCredentialsFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "creds")
	users, created, err := EnsureCreds(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(created, Roles) {
		t.Errorf("created %v, want every role", created)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("credentials directory mode %v %v, want 0700", fi.Mode().Perm(), err)
	}
	for _, role := range Roles {
		fi, err := os.Stat(CredsFile(dir, role))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", role, fi.Mode().Perm(), err)
		}
		c, err := ReadCreds(CredsFile(dir, role))
		if err != nil || c.Role != role || c.PublicKey != users[role] {
			t.Errorf("%s: read back %+v %v", role, c, err)
		}
	}
	again, created, err := EnsureCreds(dir)
	if err != nil || len(created) != 0 || !reflect.DeepEqual(again, users) {
		t.Errorf("second EnsureCreds: created %v, same keys %v, %v", created, reflect.DeepEqual(again, users), err)
	}

	opts, err := server.ProcessConfigFile(filepath.Join(dir, AccountsFile))
	if err != nil {
		t.Fatalf("accounts.conf: %v", err)
	}
	if opts.SystemAccount != "SYS" {
		t.Errorf("system account %q", opts.SystemAccount)
	}
	seen := map[string]bool{}
	for _, u := range opts.Nkeys {
		role := ""
		for r, pub := range users {
			if pub == u.Nkey {
				role = r
			}
		}
		if role == "" {
			t.Errorf("accounts.conf has an unknown user %s", u.Nkey)
			continue
		}
		seen[role] = true
		if u.Account == nil || u.Account.Name != AccountName {
			t.Errorf("%s is not in account %s", role, AccountName)
		}
		want, _ := Permissions(role)
		if want == nil {
			if u.Permissions != nil {
				t.Errorf("ops is restricted in accounts.conf: %+v", u.Permissions)
			}
			continue
		}
		if u.Permissions == nil || !slices.Equal(u.Permissions.Publish.Allow, want.Publish.Allow) || !slices.Equal(u.Permissions.Subscribe.Allow, want.Subscribe.Allow) {
			t.Errorf("%s: accounts.conf permissions differ from the embedded server's", role)
		}
	}
	if len(seen) != len(Roles) {
		t.Errorf("accounts.conf has users for %v, want every role", seen)
	}

	bad := filepath.Join(t.TempDir(), "bad.creds")
	if err := os.WriteFile(bad, []byte("# tinnhiem NATS credentials, role: root\nSUAxyz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCreds(bad); err == nil {
		t.Error("a credentials file naming no known role was accepted")
	}
}

// Every name the roles grant exists after provisioning, and provisioning makes nothing the
// roles do not know of: the two lists cannot drift apart.
func TestRolesKnowEveryProvisionedStream(t *testing.T) {
	e, creds := startListening(t)
	_, js := dialRole(t, e, creds, RoleOps)
	var names []string
	for n := range js.StreamNames(context.Background()).Name() {
		names = append(names, n)
	}
	slices.Sort(names)
	want := allStreams()
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("provisioned %v, roles know %v", names, want)
	}
	missing, err := Missing(context.Background(), js)
	if err != nil || len(missing) != 0 {
		t.Errorf("Missing after provisioning: %v %v", missing, err)
	}
}

// A credentials file is read from wherever an operator points --nats-creds: whatever it holds
// gives an error or credentials, never a panic.
func FuzzReadCreds(f *testing.F) {
	dir := f.TempDir()
	if _, _, err := EnsureCreds(dir); err != nil {
		f.Fatal(err)
	}
	for _, role := range Roles {
		data, _ := os.ReadFile(CredsFile(dir, role))
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n"))
	f.Add([]byte("# tinnhiem NATS credentials, role: ops\nSUxyz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.creds")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := ReadCreds(p)
		if err == nil && !c.JWT && c.PublicKey == "" {
			t.Errorf("credentials without a key accepted: %+v", c)
		}
		if err == nil && c.Role != "" && !slices.Contains(Roles, c.Role) {
			t.Errorf("unknown role accepted: %q", c.Role)
		}
	})
}
