package bus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nkeys"
)

// NATS users are nkeys: the server knows only each user's public key and checks a signature of
// a fresh nonce at every connection, so no secret crosses the network (even without TLS), none
// is kept by the server, and the server's configuration holds nothing secret — only each
// process's credentials file holds its seed. Passwords would have to be stored by the server
// (or bcrypt-hashed in its configuration) and sent on every connect.

// CredsFile is the name of a role's credentials file in a credentials directory.
func CredsFile(dir, role string) string { return filepath.Join(dir, role+".creds") }

// AccountsFile is the nats-server configuration of the tinnhiem account, written beside the
// credentials for an external server or cluster (include it from nats-server.conf).
const AccountsFile = "accounts.conf"

var roleLine = regexp.MustCompile(`(?m)^# tinnhiem NATS credentials, role: ([a-z]+)\s*$`)

// EnsureCreds makes sure dir holds a credentials file (mode 0600, dir 0700) for every role,
// generating the missing ones, and returns each role's public key. Existing files are kept, so
// workers holding copies keep working across restarts. It also (re)writes accounts.conf.
func EnsureCreds(dir string) (users map[string]string, created []string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("bus: credentials directory %s: %w", dir, err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("bus: credentials directory %s: %w", dir, err)
		}
	}
	users = map[string]string{}
	for _, role := range Roles {
		path := CredsFile(dir, role)
		c, err := ReadCreds(path)
		if errors.Is(err, fs.ErrNotExist) {
			if err := writeCreds(path, role); err != nil {
				return nil, nil, err
			}
			created = append(created, role)
			c, err = ReadCreds(path)
		}
		if err != nil {
			return nil, nil, err
		}
		if c.Role != role {
			return nil, nil, fmt.Errorf("bus: %s holds the credentials of role %q, not %q", path, c.Role, role)
		}
		users[role] = c.PublicKey
	}
	conf, err := AccountsConfig(users)
	if err != nil {
		return nil, nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, AccountsFile), []byte(conf), 0o600); err != nil {
		return nil, nil, err
	}
	return users, created, nil
}

// Creds is what a credentials file tells a client.
type Creds struct {
	Path      string
	Role      string // "" for a file not written by tinnhiem
	PublicKey string // the nkey user, "" for a JWT credentials file
	JWT       bool   // a decentralised-auth (operator mode) .creds file: JWT and seed
}

// ReadCreds reads a credentials file: tinnhiem's (role comment and nkey seed), any file holding
// a user nkey seed, or an operator-mode .creds file with a user JWT.
func ReadCreds(path string) (Creds, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Creds{}, err
	}
	defer clear(data)
	c := Creds{Path: path}
	if m := roleLine.FindSubmatch(data); m != nil {
		c.Role = string(m[1])
		if !slices.Contains(Roles, c.Role) {
			return Creds{}, fmt.Errorf("bus: %s: no NATS role %q", path, c.Role)
		}
	}
	if bytes.Contains(data, []byte("BEGIN NATS USER JWT")) {
		c.JWT = true
		return c, nil
	}
	kp, err := nkeys.ParseDecoratedNKey(data)
	if err != nil {
		return Creds{}, fmt.Errorf("bus: %s holds no NATS user seed: %w", path, err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil || !nkeys.IsValidPublicUserKey(pub) {
		return Creds{}, fmt.Errorf("bus: %s: not a NATS user seed", path)
	}
	c.PublicKey = pub
	return c, nil
}

func writeCreds(path, role string) error {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return err
	}
	defer kp.Wipe()
	seed, err := kp.Seed()
	if err != nil {
		return err
	}
	defer clear(seed)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# tinnhiem NATS credentials, role: %s\n", role)
	fmt.Fprintf(&b, "# Secret: readable by the process of this role only. Use: --nats-creds %s\n", filepath.Base(path))
	b.Write(seed)
	b.WriteString("\n")
	defer clear(b.Bytes())
	return writeFileAtomic(path, b.Bytes(), 0o600)
}

// writeFileAtomic writes through a temporary file and a rename, so that a reader never sees a
// half-written file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// AccountName is the account tinnhiem's users belong to in an external server's configuration.
// (The embedded server keeps them in its global account, where the store has always been: an
// account's name is part of the key that encrypts its streams, so it never changes.)
const AccountName = "TINNHIEM"

// AccountsConfig renders the nats-server configuration of the tinnhiem account: one nkey user
// per role with that role's permissions, JetStream enabled, and a system account with no
// users. users maps each role to its public key.
func AccountsConfig(users map[string]string) (string, error) {
	var b strings.Builder
	b.WriteString("# tinnhiem's NATS account: one nkey user per role, each allowed only what its work needs.\n")
	b.WriteString("# Generated by tinnhiem (internal/bus/roles.go); the seeds are in the <role>.creds files.\n")
	b.WriteString("accounts {\n  " + AccountName + " {\n    jetstream: enabled\n    users: [\n")
	for _, role := range Roles {
		pub, ok := users[role]
		if !ok || !nkeys.IsValidPublicUserKey(pub) {
			return "", fmt.Errorf("bus: no valid public key for role %s", role)
		}
		perms, err := Permissions(role)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "      # %s\n      {nkey: %s", role, pub)
		if perms != nil {
			b.WriteString(", permissions: {\n        publish: {allow: ")
			writeList(&b, perms.Publish.Allow)
			b.WriteString("}\n        subscribe: {allow: ")
			writeList(&b, perms.Subscribe.Allow)
			b.WriteString("}\n      }")
		}
		b.WriteString("}\n")
	}
	b.WriteString("    ]\n  }\n  SYS {}\n}\nsystem_account: SYS\n")
	return b.String(), nil
}

func writeList(b *strings.Builder, items []string) {
	b.WriteString("[")
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(it))
	}
	b.WriteString("]")
}
