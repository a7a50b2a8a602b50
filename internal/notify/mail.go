// Package notify sends messages out of the system: mail over SMTP and signed webhooks. It knows
// nothing of alerts or rounds; the alert deliverer (internal/worker) decides what to send.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// SMTP is the mail relay alerts are sent through.
type SMTP struct {
	Addr     string // host:port; empty = mail is not configured and e-mail deliveries wait
	From     string
	User     string // optional AUTH PLAIN (only over TLS, or to localhost)
	Password string
	Timeout  time.Duration // per message; default 30s
	// TLS configures STARTTLS, used whenever the server offers it; nil = verify against Addr's host.
	TLS *tls.Config
}

// SendMail delivers one message to one recipient over SMTP, with STARTTLS when offered and AUTH
// when a user is configured, within cfg.Timeout.
func SendMail(ctx context.Context, cfg SMTP, to string, msg []byte) error {
	if cfg.Addr == "" {
		return errors.New("chưa cấu hình máy chủ thư (TINNHIEM_SMTP_ADDR)")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("địa chỉ máy chủ thư %q không hợp lệ: %w", cfg.Addr, err)
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("không kết nối được máy chủ thư %s: %w", cfg.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("máy chủ thư %s: %w", cfg.Addr, err)
	}
	defer c.Close()
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("máy chủ thư từ chối (%s): %w", what, err)
		}
		return nil
	}
	if err := step("EHLO", c.Hello("tinnhiem")); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := step("STARTTLS", c.StartTLS(tc)); err != nil {
			return err
		}
	}
	if cfg.User != "" {
		if err := step("AUTH", c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, host))); err != nil {
			return err
		}
	}
	if err := step("MAIL FROM", c.Mail(cfg.From)); err != nil {
		return err
	}
	if err := step("RCPT TO "+to, c.Rcpt(to)); err != nil {
		return err
	}
	w, err := c.Data()
	if err := step("DATA", err); err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := step("DATA", w.Close()); err != nil {
		return err
	}
	_ = c.Quit()
	return nil
}
