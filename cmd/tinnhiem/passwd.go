package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/term"

	"tinnhiem/internal/client"
)

// userChange is `tinnhiem user disable|enable|passwd|revoke --username U` (administrators):
// disabling, a new password and revoking end every token and web session of the account.
func (e *cmdEnv) userChange(sub string, fs *flag.FlagSet, cf *clientFlags, args []string) error {
	username := fs.String("username", "", "the account")
	password := fs.String("password", "", "passwd: the new password (else env TINNHIEM_NEW_PASSWORD, else asked)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"user " + sub + " cần --username"}
	}
	var body map[string]any
	switch sub {
	case "disable":
		body = map[string]any{"disabled": true}
	case "enable":
		body = map[string]any{"disabled": false}
	case "passwd":
		pw := *password
		if pw == "" {
			pw = e.getenv("TINNHIEM_NEW_PASSWORD")
		}
		if pw == "" {
			var err error
			if pw, err = e.askNewPassword(bufio.NewReader(e.stdin), "Mật khẩu mới của "+*username+": "); err != nil {
				return err
			}
		}
		body = map[string]any{"password": pw}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	path := "/api/v1/users/" + url.PathEscape(*username)
	if sub == "revoke" {
		if err := cl.Do(e.ctx, http.MethodDelete, path+"/tokens", nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã kết thúc mọi mã truy cập và phiên đăng nhập của %s.\n", *username)
		return nil
	}
	if err := cl.Do(e.ctx, http.MethodPatch, path, body, nil); err != nil {
		return err
	}
	switch sub {
	case "disable":
		fmt.Fprintf(e.stdout, "Đã khóa tài khoản %s; mọi mã truy cập và phiên đăng nhập của tài khoản đã kết thúc.\n", *username)
	case "enable":
		fmt.Fprintf(e.stdout, "Đã mở lại tài khoản %s (các phiên đăng nhập cũ không được khôi phục).\n", *username)
	case "passwd":
		fmt.Fprintf(e.stdout, "Đã đặt mật khẩu mới cho %s; mọi mã truy cập và phiên đăng nhập cũ của tài khoản đã kết thúc.\n", *username)
	}
	return nil
}

// passwd is `tinnhiem passwd`: change one's own password. The current one comes from
// TINNHIEM_PASSWORD or is asked; the new one from TINNHIEM_NEW_PASSWORD or is asked twice.
// Every token and session of the account ends; a token saved by `tinnhiem login` for this
// server is replaced by the new one the server gives.
func (e *cmdEnv) passwd(args []string) error {
	fs := e.flags("passwd")
	cf := e.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	in := bufio.NewReader(e.stdin)
	current := e.getenv("TINNHIEM_PASSWORD")
	if current == "" {
		if current, err = e.askSecret(in, "Mật khẩu hiện tại: "); err != nil {
			return err
		}
	}
	next := e.getenv("TINNHIEM_NEW_PASSWORD")
	if next == "" {
		if next, err = e.askNewPassword(in, "Mật khẩu mới: "); err != nil {
			return err
		}
	}
	var out struct {
		Token    string `json:"token"`
		Username string `json:"username"`
	}
	if err := cl.Do(e.ctx, http.MethodPost, "/api/v1/me/password", map[string]string{"current_password": current, "new_password": next}, &out); err != nil {
		return err
	}
	path := client.TokenFile(e.getenv)
	if client.SavedToken(path, cf.server) != "" {
		if err := client.SaveToken(path, cf.server, out.Token); err != nil {
			return fmt.Errorf("lưu mã truy cập mới: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "Đã đổi mật khẩu của %s; mọi mã truy cập và phiên đăng nhập khác của tài khoản đã kết thúc.\n", out.Username)
	return nil
}

// askNewPassword asks for a new password twice.
func (e *cmdEnv) askNewPassword(in *bufio.Reader, prompt string) (string, error) {
	pw, err := e.askSecret(in, prompt)
	if err != nil {
		return "", err
	}
	again, err := e.askSecret(in, "Nhập lại: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("hai lần nhập mật khẩu mới không giống nhau; mật khẩu chưa được đổi")
	}
	return pw, nil
}

// askSecret asks for a password on the terminal without echoing it; from a pipe it reads a line.
func (e *cmdEnv) askSecret(in *bufio.Reader, prompt string) (string, error) {
	fmt.Fprint(e.stderr, prompt)
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	s, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	s = strings.TrimRight(s, "\r\n")
	if s == "" {
		return "", usageError{"chưa nhập mật khẩu"}
	}
	return s, nil
}
