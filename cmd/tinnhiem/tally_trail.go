package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"tinnhiem/internal/client"
)

// sealWarning is one sealing warning as the API gives it.
type sealWarning struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// sealTally seals the entered figures. The sealing warnings (dossiers incomplete, the packet not
// recorded as sent or sent late) never stop it; with --confirm the committee confirms them and
// the minutes print them among the issues.
func (e *cmdEnv) sealTally(cf *clientFlags, round, base string, confirm bool) error {
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	var out struct {
		Version   int           `json:"version"`
		SHA256    string        `json:"sha256"`
		Warnings  []sealWarning `json:"warnings"`
		Confirmed bool          `json:"confirmed"`
	}
	if err := cl.Do(e.ctx, http.MethodPost, base+"/seal", map[string]bool{"confirm": confirm}, &out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã niêm phong kết quả kiểm phiếu đợt %s, phiên bản %d (sha256 %s).\n", round, out.Version, out.SHA256)
	if len(out.Warnings) > 0 {
		fmt.Fprintln(e.stdout, "Cảnh báo khi niêm phong (không ngăn việc niêm phong):")
		for _, w := range out.Warnings {
			fmt.Fprintf(e.stdout, "  - %s\n", w.Message)
		}
		if out.Confirmed {
			fmt.Fprintln(e.stdout, "Ban kiểm phiếu đã xác nhận; các vấn đề trên được ghi vào biên bản.")
		} else {
			fmt.Fprintln(e.stdout, "Các vấn đề trên KHÔNG được ghi vào biên bản (không có --confirm). Muốn ghi: nhập lại với --reason rồi niêm phong với --confirm (phiên bản mới).")
		}
	}
	fmt.Fprintf(e.stdout, "Biên bản đang được lập; tải về: tinnhiem minutes fetch --round %s -o DIR\n", round)
	return nil
}

// printSealWarnings adds to `tally show` what sealing now would warn of, when there are
// figures waiting to be sealed and this account may see them.
func (e *cmdEnv) printSealWarnings(cl *client.Client, base string, raw json.RawMessage) error {
	var t struct {
		Entries []int `json:"entries"`
	}
	if json.Unmarshal(raw, &t) != nil || len(t.Entries) == 0 {
		return nil
	}
	var out struct {
		Warnings []sealWarning `json:"warnings"`
	}
	if err := cl.Do(e.ctx, http.MethodGet, base+"/warnings", nil, &out); err != nil {
		return nil // the figures are shown; the warnings are an extra
	}
	if len(out.Warnings) == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout, "\nCảnh báo khi niêm phong (không ngăn việc niêm phong; ghi vào biên bản nếu niêm phong với --confirm):")
	for _, w := range out.Warnings {
		fmt.Fprintf(e.stdout, "  - %s\n", w.Message)
	}
	return nil
}

// publishTally publishes a sealed version of a round whose results are public.
func (e *cmdEnv) publishTally(cf *clientFlags, round string, version int) error {
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	body := map[string]int{}
	if version > 0 {
		body["version"] = version
	}
	var out struct {
		Version int    `json:"version"`
		Changed bool   `json:"changed"`
		URL     string `json:"url"`
	}
	if err := cl.Do(e.ctx, http.MethodPost, "/api/v1/rounds/"+url.PathEscape(round)+"/publish", body, &out); err != nil {
		return err
	}
	page := strings.TrimRight(cl.Base, "/") + out.URL
	if out.Changed {
		fmt.Fprintf(e.stdout, "Đã công bố kết quả đợt %s (phiên bản %d): %s\n", round, out.Version, page)
	} else {
		fmt.Fprintf(e.stdout, "Kết quả đợt %s (phiên bản %d) đã được công bố trước đó: %s\n", round, out.Version, page)
	}
	return nil
}
