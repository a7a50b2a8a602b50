package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Webhook is one POST of a JSON body to a receiver's URL.
type Webhook struct {
	URL      string
	Secret   string    // signs the body (X-Tinnhiem-Signature: sha256=HMAC); "" = unsigned
	Event    string    // X-Tinnhiem-Event
	Delivery string    // X-Tinnhiem-Delivery: the id a receiver de-duplicates on
	At       time.Time // X-Tinnhiem-Timestamp
}

// PostWebhook posts body; any answer but 2xx is an error carrying the start of the answer.
func PostWebhook(ctx context.Context, client *http.Client, w Webhook, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("địa chỉ webhook không hợp lệ: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "tinnhiem-alerts/1")
	req.Header.Set("X-Tinnhiem-Event", w.Event)
	req.Header.Set("X-Tinnhiem-Delivery", w.Delivery)
	req.Header.Set("X-Tinnhiem-Timestamp", strconv.FormatInt(w.At.Unix(), 10))
	if w.Secret != "" {
		req.Header.Set("X-Tinnhiem-Signature", Sign(w.Secret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("gửi webhook thất bại: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook trả lời HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return nil
}

// Sign is the X-Tinnhiem-Signature value of a webhook body: sha256=<hex HMAC-SHA256>.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
