// Package client is the HTTP client the command-line tools use to talk to a running server.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Client calls the tinnhiem API.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
	// RetryFor is how long requests are sent again when the server answers 503 with a
	// Retry-After (it keeps nothing of such a request: it is failing over, or full), waiting what
	// it asks each time. Zero: DefaultRetryFor; negative: never.
	RetryFor time.Duration
}

// DefaultRetryFor is longer than a NATS cluster takes to elect a new stream leader.
const DefaultRetryFor = time.Minute

// Problem mirrors the API's field problem.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error is an error answer of the API.
type Error struct {
	Status   int
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Problems []Problem `json:"problems"`
	// RequestID is the answer's X-Request-Id: what an operator looks for in the logs.
	RequestID string `json:"-"`
	// RetryAfter is what a 503 or 429 asked: come back after this long; 0 when it did not say.
	RetryAfter time.Duration `json:"-"`
}

// Retryable reports whether err is an answer that kept nothing and asks to be sent again later.
func Retryable(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusServiceUnavailable && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d, %s", e.Message, e.Status, e.Code)
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", mã yêu cầu %s", e.RequestID)
	}
	b.WriteString(")")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// New returns a client for base (e.g. http://127.0.0.1:8080).
func New(base, token string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Timeout: 5 * time.Minute}}
}

// Do sends a request with an optional JSON or raw body and decodes a JSON answer into out. A 503
// with Retry-After is sent again (see RetryFor), except with a streamed (io.Reader) body.
func (c *Client) Do(ctx context.Context, method, path string, body any, out any) error {
	var data []byte
	ctype := ""
	var stream io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		data, ctype = b, "application/octet-stream"
	case json.RawMessage:
		data, ctype = b, "application/json"
	case io.Reader:
		stream = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return err
		}
		ctype = "application/json"
	}
	build := func() (*http.Request, error) {
		var rd io.Reader
		switch {
		case stream != nil:
			rd = stream
		case data != nil:
			rd = bytes.NewReader(data)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
		if err != nil {
			return nil, err
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return req, nil
	}
	if stream != nil {
		req, err := build()
		if err != nil {
			return err
		}
		return c.Send(req, out)
	}
	return c.SendRetry(ctx, build, out)
}

// SendRetry sends the request build makes, and again — a fresh one each time — while the server
// answers 503 with a Retry-After, waiting what it asks, for at most RetryFor in all.
func (c *Client) SendRetry(ctx context.Context, build func() (*http.Request, error), out any) error {
	budget := c.RetryFor
	if budget == 0 {
		budget = DefaultRetryFor
	}
	deadline := time.Now().Add(budget)
	for {
		req, err := build()
		if err != nil {
			return err
		}
		err = c.Send(req, out)
		wait, again := Retryable(err)
		if !again || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// Send performs a prepared request with the token and decodes the answer.
func (c *Client) Send(req *http.Request, out any) error {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("không kết nối được máy chủ %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if w, ok := out.(io.Writer); ok {
		_, err := io.Copy(w, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("câu trả lời của máy chủ không đọc được: %w", err)
	}
	return nil
}

// Open performs a GET and returns the response for streaming (the caller closes the body).
func (c *Client) Open(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("không kết nối được máy chủ %s: %w", c.Base, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

func decodeError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var retry time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retry = time.Duration(s) * time.Second
	}
	var body struct {
		Error Error `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && body.Error.Message != "" {
		body.Error.Status, body.Error.RetryAfter, body.Error.RequestID = resp.StatusCode, retry, resp.Header.Get("X-Request-Id")
		return &body.Error
	}
	return &Error{Status: resp.StatusCode, Code: "http_error", Message: strings.TrimSpace(string(data)), RetryAfter: retry, RequestID: resp.Header.Get("X-Request-Id")}
}

// Login exchanges a username and password for a token.
func (c *Client) Login(ctx context.Context, username, password string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	if err := c.Do(ctx, http.MethodPost, "/api/v1/tokens", map[string]string{"username": username, "password": password}, &out); err != nil {
		return "", err
	}
	return out.Token, nil
}

// TokenFile is where `tinnhiem login` saves tokens, one per server.
func TokenFile(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "tinnhiem", "tokens.json")
}

// SavedToken reads the token saved for base.
func SavedToken(path, base string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var m map[string]string
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	return m[strings.TrimRight(base, "/")]
}

// SaveToken stores the token for base, readable by the owner only.
func SaveToken(path, base, token string) error {
	m := map[string]string{}
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &m)
	}
	m[strings.TrimRight(base, "/")] = token
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// UseCA makes the client trust the certificate authorities in the PEM file caFile besides the
// system's, for a server whose certificate an organization's own CA signed (`serve
// --tls-cert`). The connection speaks TLS 1.2 or later.
func (c *Client) UseCA(caFile string) error {
	data, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("đọc tệp CA: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("tệp CA %s không chứa chứng chỉ PEM nào", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	c.HTTP.Transport = tr
	return nil
}
