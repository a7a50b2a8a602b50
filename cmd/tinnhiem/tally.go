package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"tinnhiem/internal/client"
	"tinnhiem/minutes/document"
)

func (e *cmdEnv) tally(args []string) error {
	if len(args) == 0 {
		return usageError{"tally import|show|seal|publish --round R"}
	}
	sub, args := args[0], args[1:]
	fs := e.flags("tally " + sub)
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	asJSON := fs.Bool("json", false, "print JSON (show)")
	present := fs.Int("present", 0, "số người có mặt")
	issued := fs.Int("issued", 0, "số phiếu phát ra")
	collected := fs.Int("collected", 0, "số phiếu thu vào")
	invalidBallots := fs.Int("invalid-ballots", 0, "whole ballots found void (count CSV only)")
	entry := fs.Int("entry", 1, "double entry: 1 or 2")
	reason := fs.String("reason", "", "why a sealed tally is corrected")
	version := fs.Int("version", 0, "show: a sealed version (default: the draft, else the latest sealed)")
	session := fs.String("session", "", "YAML or JSON file with the session details (chair, secretary, venue, times…)")
	confirm := fs.Bool("confirm", false, "seal: the committee confirms the sealing warnings; they go into the minutes' issues")
	var absent, committee stringList
	fs.Var(&absent, "absent", `absent person "Họ tên: lý do" (repeatable)`)
	fs.Var(&committee, "committee", `counting committee member "Họ tên: Trưởng ban|Thư ký|Ủy viên" (repeatable)`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" {
		return usageError{"tally " + sub + " cần --round"}
	}
	base := "/api/v1/rounds/" + url.PathEscape(*round) + "/tally"
	switch sub {
	case "import":
		if len(pos) != 1 {
			return usageError{"tally import cần đúng một tệp CSV"}
		}
		csv, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		body := map[string]any{
			"present": *present, "issued": *issued, "collected": *collected, "invalid_ballots": *invalidBallots,
			"entry": *entry, "csv": string(csv), "absent": []string(absent), "committee": []string(committee), "reason": *reason,
		}
		if *session != "" {
			data, err := os.ReadFile(*session)
			if err != nil {
				return err
			}
			var sess map[string]any
			if err := yaml.Unmarshal(data, &sess); err != nil {
				return fmt.Errorf("tệp %s không đúng cú pháp YAML hoặc JSON%s; hãy kiểm tra thụt lề và dấu ':' (chi tiết: %v)", *session, yamlLine(err), err)
			}
			body["session"] = sess
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var out struct {
			Result struct {
				Warnings []struct{ Field, Message string }
			}
		}
		if err := cl.Do(e.ctx, http.MethodPost, base, body, &out); err != nil {
			return err
		}
		if *reason != "" {
			fmt.Fprintf(e.stdout, "Đã nhập lần %d bản sửa cho đợt %s (lý do: %s); khi niêm phong sẽ thành phiên bản mới, bản cũ vẫn được giữ. Xem: tinnhiem tally show --round %s\n", *entry, *round, *reason, *round)
		} else {
			fmt.Fprintf(e.stdout, "Đã nhập lần %d cho đợt %s (chưa niêm phong). Xem: tinnhiem tally show --round %s\n", *entry, *round, *round)
		}
		for _, w := range out.Result.Warnings {
			fmt.Fprintf(e.stdout, "Lưu ý: %s\n", w.Message)
		}
		return nil
	case "show":
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		path := base
		if *version > 0 {
			path += "?version=" + strconv.Itoa(*version)
		}
		var raw json.RawMessage
		if err := cl.Do(e.ctx, http.MethodGet, path, nil, &raw); err != nil {
			return err
		}
		if *asJSON {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			return printJSON(e.stdout, v)
		}
		if err := e.printTally(raw); err != nil {
			return err
		}
		return e.printSealWarnings(cl, base, raw)
	case "seal":
		return e.sealTally(cf, *round, base, *confirm)
	case "publish":
		return e.publishTally(cf, *round, *version)
	}
	return usageError{"tally: lệnh con không có: " + sub}
}

func (e *cmdEnv) printTally(raw json.RawMessage) error {
	var t struct {
		Summoned, Present, Issued, Collected int
		QuorumMet                            bool   `json:"quorum_met"`
		Sealed                               bool   `json:"sealed"`
		Version                              int    `json:"version"`
		DenominatorText                      string `json:"denominator_text"`
		Differences                          []struct{ Field, First, Second string }
		Warnings                             []struct{ Field, Message string }
		Nominees                             []struct {
			Order  int
			Name   string
			Counts struct {
				Cao, Thap, Valid, Invalid int
				TinNhiem                  int `json:"tin_nhiem"`
			}
			PercentText struct {
				Cao, Thap string
				TinNhiem  string `json:"tin_nhiem"`
			} `json:"percent_text"`
			Flags struct {
				OverHalf  bool `json:"over_half_low"`
				TwoThirds bool `json:"two_thirds_low"`
			}
		}
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	state := "CHƯA NIÊM PHONG"
	if t.Sealed {
		state = "ĐÃ NIÊM PHONG"
	}
	quorum := "đủ số người dự theo quy định (ít nhất 2/3 số được triệu tập)"
	if !t.QuorumMet {
		quorum = "KHÔNG đủ 2/3 số người được triệu tập"
	}
	fmt.Fprintf(e.stdout, "Phiên bản %d — %s\nTriệu tập %d · có mặt %d · phát ra %d · thu vào %d · %s\nTỷ lệ tính trên %s\n\n",
		t.Version, state, t.Summoned, t.Present, t.Issued, t.Collected, quorum, t.DenominatorText)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TT\tHỌ VÀ TÊN\tHỢP LỆ\tTÍN NHIỆM CAO\tTÍN NHIỆM\tTÍN NHIỆM THẤP\tGHI CHÚ")
	for _, n := range t.Nominees {
		note := ""
		switch {
		case n.Flags.TwoThirds:
			note = "≥ 2/3 tín nhiệm thấp"
		case n.Flags.OverHalf:
			note = "> 1/2 tín nhiệm thấp"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d (%s)\t%d (%s)\t%d (%s)\t%s\n", n.Order, n.Name, n.Counts.Valid,
			n.Counts.Cao, n.PercentText.Cao, n.Counts.TinNhiem, n.PercentText.TinNhiem, n.Counts.Thap, n.PercentText.Thap, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, w := range t.Warnings {
		if i == 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "Lưu ý: %s\n", w.Message)
	}
	if len(t.Differences) > 0 {
		fmt.Fprintf(e.stdout, "\nHai lần nhập khác nhau ở %d chỗ (phải thống nhất trước khi niêm phong):\n", len(t.Differences))
		for _, d := range t.Differences {
			fmt.Fprintf(e.stdout, "  - %s: lần 1 %q, lần 2 %q\n", d.Field, d.First, d.Second)
		}
	}
	return nil
}

func (e *cmdEnv) minutesCmd(args []string) error {
	if len(args) == 0 || args[0] != "fetch" {
		return usageError{"minutes fetch --round R -o DIR"}
	}
	fs := e.flags("minutes fetch")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	dir := fs.String("o", ".", "output directory")
	version := fs.Int("version", 0, "sealed version (default: the latest)")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for the minutes workers to finish a sealed version")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *round == "" {
		return usageError{"minutes fetch cần --round"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	roundPath := "/api/v1/rounds/" + url.PathEscape(*round)
	// The sealed versions say what to wait for: sealing only starts the rendering, so the
	// artifacts of a version may be absent, or some of them, for a moment after the seal.
	var tally struct {
		Versions []struct {
			Version int `json:"version"`
		} `json:"versions"`
	}
	if err := cl.Do(e.ctx, http.MethodGet, roundPath+"/tally?sealed=1", nil, &tally); err != nil {
		var ce *client.Error
		if errors.As(err, &ce) && ce.Status == http.StatusNotFound && ce.Code == "no_tally" {
			return fmt.Errorf("chưa có biên bản cho đợt %s: kết quả kiểm phiếu phải được niêm phong trước (tinnhiem tally seal)", *round)
		}
		return err
	}
	want, sealed := *version, false
	for _, v := range tally.Versions {
		if *version == 0 && v.Version > want {
			want = v.Version
		}
		sealed = sealed || v.Version == want
	}
	if *version != 0 && !sealed {
		return fmt.Errorf("đợt %s không có phiên bản niêm phong %d", *round, *version)
	}
	if want == 0 {
		return fmt.Errorf("chưa có biên bản cho đợt %s: kết quả kiểm phiếu phải được niêm phong trước (tinnhiem tally seal)", *round)
	}
	type artifact struct {
		Version  int    `json:"version"`
		Kind     string `json:"kind"`
		FileName string `json:"file_name"`
		SHA256   string `json:"sha256"`
		URL      string `json:"url"`
	}
	var ready []artifact
	for deadline := time.Now().Add(*timeout); ; {
		var list []artifact
		if err := cl.Do(e.ctx, http.MethodGet, roundPath+"/artifacts", nil, &list); err != nil {
			return err
		}
		ready = ready[:0]
		for _, a := range list {
			if a.Version == want {
				ready = append(ready, a)
			}
		}
		if len(ready) >= len(document.Kinds()) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("biên bản phiên bản %d của đợt %s chưa lập xong sau %s (%d/%d tài liệu); hãy thử lại sau",
				want, *round, *timeout, len(ready), len(document.Kinds()))
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	for _, a := range ready {
		path, err := fetchArtifact(e, cl, a.URL, *dir, a.FileName, a.SHA256)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s  %s\n", a.SHA256, path)
	}
	return nil
}

func fetchArtifact(e *cmdEnv, cl *client.Client, path, dir, name, sum string) (string, error) {
	resp, err := cl.Open(e.ctx, path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	out := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
	tmp := out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	h := newSHA256()
	if _, err := copyBoth(f, h, resp.Body); err != nil {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if got := h.hex(); got != sum {
		os.Remove(tmp)
		return "", fmt.Errorf("tệp %s tải về sai mã kiểm tra (sha256 %s, cần %s)", name, got, sum)
	}
	return out, os.Rename(tmp, out)
}

// yamlLine is " (dòng N)" for a YAML error that names its line, else "".
func yamlLine(err error) string {
	if m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(err.Error()); m != nil {
		return " (dòng " + m[1] + ")"
	}
	return ""
}
