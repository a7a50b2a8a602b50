package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"tinnhiem/internal/client"
)

// clientFlags are the connection flags every client subcommand takes.
type clientFlags struct {
	server string
	user   string
	ca     string
}

func (e *cmdEnv) clientFlags(fs *flag.FlagSet) *clientFlags {
	c := &clientFlags{}
	fs.StringVar(&c.server, "server", envOr(e.getenv, "TINNHIEM_SERVER", "http://127.0.0.1:8080"), "tinnhiem server (env TINNHIEM_SERVER)")
	fs.StringVar(&c.user, "user", e.getenv("TINNHIEM_USER"), "log in as this user with TINNHIEM_PASSWORD (env TINNHIEM_USER)")
	fs.StringVar(&c.ca, "ca", e.getenv("TINNHIEM_CA"), "PEM file of a CA to trust for an HTTPS server, besides the system's (env TINNHIEM_CA)")
	return c
}

// newClient is a client of the server, trusting --ca when given; not yet logged in.
func (c *clientFlags) newClient() (*client.Client, error) {
	cl := client.New(c.server, "")
	if c.ca != "" {
		if err := cl.UseCA(c.ca); err != nil {
			return nil, usageError{"--ca: " + err.Error()}
		}
	}
	return cl, nil
}

// connect returns an authenticated client: TINNHIEM_TOKEN, else --user with TINNHIEM_PASSWORD,
// else the token saved by `tinnhiem login`.
func (e *cmdEnv) connect(c *clientFlags) (*client.Client, error) {
	cl, err := c.newClient()
	if err != nil {
		return nil, err
	}
	if tok := e.getenv("TINNHIEM_TOKEN"); tok != "" {
		cl.Token = tok
		return cl, nil
	}
	if c.user != "" {
		pw := e.getenv("TINNHIEM_PASSWORD")
		if pw == "" {
			return nil, usageError{"--user cần mật khẩu trong TINNHIEM_PASSWORD"}
		}
		tok, err := cl.Login(e.ctx, c.user, pw)
		if err != nil {
			return nil, fmt.Errorf("đăng nhập: %w", err)
		}
		cl.Token = tok
		return cl, nil
	}
	if tok := client.SavedToken(client.TokenFile(e.getenv), c.server); tok != "" {
		cl.Token = tok
		return cl, nil
	}
	return nil, usageError{"chưa đăng nhập: đặt TINNHIEM_TOKEN, hoặc --user với TINNHIEM_PASSWORD, hoặc chạy \"tinnhiem login\""}
}

func (e *cmdEnv) login(args []string) error {
	fs := e.flags("login")
	cf := e.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	user, pw := cf.user, e.getenv("TINNHIEM_PASSWORD")
	in := bufio.NewReader(e.stdin)
	if user == "" {
		fmt.Fprint(e.stderr, "Tên đăng nhập: ")
		user = readLine(in)
	}
	if pw == "" {
		var err error
		if pw, err = e.askSecret(in, "Mật khẩu: "); err != nil { // not echoed on a terminal
			return err
		}
	}
	cl, err := cf.newClient()
	if err != nil {
		return err
	}
	tok, err := cl.Login(e.ctx, user, pw)
	if err != nil {
		return err
	}
	path := client.TokenFile(e.getenv)
	if err := client.SaveToken(path, cf.server, tok); err != nil {
		return fmt.Errorf("lưu mã truy cập: %w", err)
	}
	fmt.Fprintf(e.stdout, "Đã đăng nhập %s là %s (mã lưu tại %s)\n", cf.server, user, path)
	return nil
}

func readLine(r *bufio.Reader) string {
	s, _ := r.ReadString('\n')
	return strings.TrimSpace(s)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
