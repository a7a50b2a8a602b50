package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"text/tabwriter"

	"tinnhiem/dossier"
	"tinnhiem/internal/initial"
)

type roundOut struct {
	ID             string            `json:"id"`
	Track          string            `json:"track"`
	Organization   string            `json:"organization"`
	Title          string            `json:"title"`
	VoteDate       string            `json:"vote_date"`
	Timezone       string            `json:"timezone"`
	Summoned       int               `json:"summoned"`
	Version        int               `json:"version"`
	OnBallot       int               `json:"on_ballot"`
	DeadlinesLocal map[string]string `json:"deadlines_local"`
	Nominees       []struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Position     string `json:"position"`
		ExemptReason string `json:"exempt_reason"`
	} `json:"nominees"`
	Removed []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"removed"`
}

func (e *cmdEnv) round(args []string) error {
	if len(args) == 0 {
		return usageError{"round import FILE | round list | round show ID"}
	}
	sub, args := args[0], args[1:]
	fs := e.flags("round " + sub)
	cf := e.clientFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "import":
		if len(pos) != 1 {
			return usageError{"round import cần đúng một tệp YAML hoặc JSON"}
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return fmt.Errorf("đọc %s: %w", pos[0], err)
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var out map[string]any
		if err := cl.Do(e.ctx, http.MethodPost, "/api/v1/rounds", data, &out); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, out)
		}
		var r roundOut
		if err := remarshal(out, &r); err != nil {
			return err
		}
		verb := "Đã tạo"
		if r.Version > 1 {
			verb = fmt.Sprintf("Đã cập nhật (phiên bản %d)", r.Version)
		}
		fmt.Fprintf(e.stdout, "%s đợt %s — %s\n", verb, r.ID, r.Title)
		e.printRound(r)
		return nil
	case "list":
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var out []roundOut
		var raw []map[string]any
		if err := cl.Do(e.ctx, http.MethodGet, "/api/v1/rounds", nil, &raw); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, raw)
		}
		if err := remarshal(raw, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MÃ ĐỢT\tNGÀY LẤY PHIẾU\tTỔ CHỨC\tSỐ NGƯỜI\tTIÊU ĐỀ")
		for _, r := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\n", r.ID, r.VoteDate, r.Organization, r.OnBallot, len(r.Nominees), r.Title)
		}
		return tw.Flush()
	case "show":
		if len(pos) != 1 {
			return usageError{"round show cần mã đợt"}
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var raw map[string]any
		if err := cl.Do(e.ctx, http.MethodGet, "/api/v1/rounds/"+url.PathEscape(pos[0]), nil, &raw); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, raw)
		}
		var r roundOut
		if err := remarshal(raw, &r); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s — %s\n", r.ID, r.Title)
		e.printRound(r)
		return nil
	}
	return usageError{"round: lệnh con không có: " + sub}
}

func (e *cmdEnv) printRound(r roundOut) {
	fmt.Fprintf(e.stdout, "Tổ chức: %s · Ngày lấy phiếu: %s · Triệu tập: %d · Múi giờ: %s\n", r.Organization, r.VoteDate, r.Summoned, r.Timezone)
	// Every step the round tracks, in the procedure's order: a State round has the
	// packet and Front steps a Party round has not.
	for _, name := range dossier.AllDeadlines() {
		if at, ok := r.DeadlinesLocal[name]; ok {
			fmt.Fprintf(e.stdout, "%s: %s\n", initial.Upper(dossier.TrackDeadlineLabel(r.Track, name)), at)
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MÃ\tHỌ VÀ TÊN\tCHỨC VỤ\tLẤY PHIẾU")
	for _, n := range r.Nominees {
		status := "có"
		if n.ExemptReason != "" {
			status = "không — " + n.ExemptReason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.ID, n.Name, n.Position, status)
	}
	_ = tw.Flush()
	for _, n := range r.Removed {
		fmt.Fprintf(e.stdout, "Đã rút khỏi danh sách (hồ sơ vẫn được giữ): %s %s\n", n.ID, n.Name)
	}
	fmt.Fprintf(e.stdout, "Lấy phiếu: %d người; không lấy phiếu: %d người\n", r.OnBallot, len(r.Nominees)-r.OnBallot)
}
