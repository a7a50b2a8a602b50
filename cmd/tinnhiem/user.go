package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// stringList is a repeatable flag; values are kept whole (a reason may contain commas).
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func (e *cmdEnv) user(args []string) error {
	if len(args) == 0 {
		return usageError{"user add … | user list | user disable|enable|passwd|revoke --username U"}
	}
	sub, args := args[0], args[1:]
	fs := e.flags("user " + sub)
	cf := e.clientFlags(fs)
	switch sub {
	case "add":
		username := fs.String("username", "", "the new account's login name")
		password := fs.String("password", "", "password (else env TINNHIEM_NEW_PASSWORD)")
		var roles, orgs stringList
		fs.Var(&roles, "role", "role: admin, organizer, counter, viewer (repeatable or comma-separated)")
		fs.Var(&orgs, "org", "organization the user belongs to (repeatable)")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		pw := *password
		if pw == "" {
			pw = e.getenv("TINNHIEM_NEW_PASSWORD")
		}
		var rs []string
		for _, r := range roles {
			for _, p := range strings.Split(r, ",") {
				if p = strings.TrimSpace(p); p != "" {
					rs = append(rs, p)
				}
			}
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var out map[string]any
		body := map[string]any{"username": *username, "password": pw, "roles": rs, "organizations": []string(orgs)}
		if err := cl.Do(e.ctx, http.MethodPost, "/api/v1/users", body, &out); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã tạo tài khoản %s (vai trò: %s; tổ chức: %s)\n", *username, strings.Join(rs, ", "), strings.Join(orgs, "; "))
		return nil
	case "list":
		if _, err := parse(fs, args); err != nil {
			return err
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var users []struct {
			Username      string   `json:"username"`
			Roles         []string `json:"roles"`
			Organizations []string `json:"organizations"`
			Disabled      bool     `json:"disabled"`
		}
		if err := cl.Do(e.ctx, http.MethodGet, "/api/v1/users", nil, &users); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TÀI KHOẢN\tVAI TRÒ\tTỔ CHỨC\tTRẠNG THÁI")
		for _, u := range users {
			state := "hoạt động"
			if u.Disabled {
				state = "đã khóa"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, strings.Join(u.Roles, ","), strings.Join(u.Organizations, "; "), state)
		}
		return tw.Flush()
	case "disable", "enable", "passwd", "revoke":
		return e.userChange(sub, fs, cf, args)
	}
	return usageError{"user: lệnh con không có: " + sub}
}

func (e *cmdEnv) auditCmd(args []string) error {
	fs := e.flags("audit")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id (empty: global events, admin only)")
	limit := fs.Int("limit", 0, "only the last N events")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	path := "/api/v1/audit"
	if *round != "" {
		path = "/api/v1/rounds/" + url.PathEscape(*round) + "/audit"
	}
	if *limit > 0 {
		path += fmt.Sprintf("?limit=%d", *limit)
	}
	var events []struct {
		At      time.Time         `json:"at"`
		Actor   string            `json:"actor"`
		Action  string            `json:"action"`
		Round   string            `json:"round"`
		Target  string            `json:"target"`
		Details map[string]string `json:"details"`
	}
	var raw json.RawMessage
	if err := cl.Do(e.ctx, http.MethodGet, path, nil, &raw); err != nil {
		return err
	}
	if *asJSON {
		_, err := fmt.Fprintln(e.stdout, string(raw))
		return err
	}
	if err := json.Unmarshal(raw, &events); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "THỜI GIAN (UTC)\tNGƯỜI\tTHAO TÁC\tĐỐI TƯỢNG\tCHI TIẾT")
	for _, ev := range events {
		var det []string
		for k, v := range ev.Details {
			det = append(det, k+"="+v)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.At.Format(time.RFC3339), ev.Actor, ev.Action, ev.Target, strings.Join(det, " "))
	}
	return tw.Flush()
}

func remarshal(in, out any) error {
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}
