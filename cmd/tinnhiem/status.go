package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/internal/store"
)

// status prints the dossier of every person of a round: a table by default, the API's JSON
// array with --json (DESIGN §4), CSV for Excel with --csv.
func (e *cmdEnv) status(args []string) error {
	fs := e.flags("status")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	asCSV := fs.Bool("csv", false, "print the status as CSV (UTF-8 with BOM, for Excel)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || len(pos) > 0 {
		return usageError{"status --round R [--json | --csv]"}
	}
	if *asJSON && *asCSV {
		return usageError{"chọn một trong --json và --csv"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	base := "/api/v1/rounds/" + url.PathEscape(*round) + "/dossiers"
	switch {
	case *asCSV:
		return cl.Do(e.ctx, http.MethodGet, base+"?format=csv", nil, e.stdout)
	case *asJSON:
		return cl.Do(e.ctx, http.MethodGet, base, nil, e.stdout)
	}
	var rep dossier.Report
	if err := cl.Do(e.ctx, http.MethodGet, base+"?view=full", nil, &rep); err != nil {
		return err
	}
	e.printStatus(rep)
	return nil
}

func (e *cmdEnv) printStatus(rep dossier.Report) {
	s := rep.Summary
	fmt.Fprintf(e.stdout, "Đợt %s — %d người lấy phiếu: %d đủ hồ sơ, %d chưa đủ; %d không lấy phiếu; %d tài liệu\n",
		rep.Round, s.OnBallot, s.Complete, s.Incomplete, s.Exempt, s.Documents)
	// Columns: every kind shown for someone on the ballot, in the usual order.
	var kinds []dossier.Kind
	for _, k := range dossier.AllKinds() {
		for _, ns := range rep.Nominees {
			if _, ok := ns.Documents[k]; ok && ns.Exempt == "" {
				kinds = append(kinds, k)
				break
			}
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	head := []string{"MÃ", "HỌ VÀ TÊN"}
	for _, k := range kinds {
		head = append(head, strings.ToUpper(k.Label()))
	}
	head = append(head, "CHƯA GIẢI TRÌNH", "TÌNH TRẠNG")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, ns := range rep.Nominees {
		row := []string{ns.Nominee, ns.Name}
		for _, k := range kinds {
			if st, ok := ns.Documents[k]; ok {
				row = append(row, dossier.StatusLabel(st))
			} else {
				row = append(row, "—")
			}
		}
		state := "đủ hồ sơ"
		switch {
		case ns.Exempt != "":
			state = "không lấy phiếu: " + ns.Exempt
		case !ns.Complete && ns.Overdue:
			state = "CHƯA ĐỦ, QUÁ HẠN"
		case !ns.Complete:
			state = "chưa đủ"
		}
		row = append(row, fmt.Sprint(ns.OpenRequests), state)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()

	var waiting []string
	for _, ns := range slices.Concat(rep.Nominees, rep.Removed) {
		for _, rq := range ns.Requests {
			if rq.State == dossier.RequestAwaitingDecision {
				waiting = append(waiting, fmt.Sprintf("  %s (người: %s %s)", rq.DocumentID, ns.Nominee, ns.Name))
			}
		}
	}
	if len(waiting) > 0 {
		fmt.Fprintf(e.stdout, "\nĐề nghị giải trình nộp sau hạn, chờ ban tổ chức quyết định (tinnhiem dossier decide --round %s --request ID --decision accept|set_aside):\n%s\n",
			rep.Round, strings.Join(waiting, "\n"))
	}
	for _, ns := range rep.Removed {
		n := 0
		for _, vs := range ns.Versions {
			n += len(vs)
		}
		fmt.Fprintf(e.stdout, "Đã rút khỏi danh sách (tài liệu vẫn được giữ): %s %s — %d tài liệu\n", ns.Nominee, ns.Name, n)
	}
	// Documents whose owner or kind is unknown: those a person can confirm, and those refused
	// for their file (empty, corrupt, encrypted…), which only a new upload can replace.
	var toReview, refused []dossier.DocVersion
	for _, d := range slices.Concat(rep.ToReview, rep.Unassigned) {
		if d.Reason == ingest.ReasonDuplicate {
			continue // a repeat of a file kept: nothing to confirm or send again
		}
		if ingest.Reviewable(d.Status, d.Reason) {
			toReview = append(toReview, d)
		} else {
			refused = append(refused, d)
		}
	}
	if len(toReview) > 0 {
		fmt.Fprintf(e.stdout, "\nTài liệu cần người xác nhận loại và người nộp (%d) — xác nhận: tinnhiem document review ID --kind K --nominee ID\n", len(toReview))
		for _, d := range toReview {
			who := "chưa rõ của ai"
			if d.Nominee != "" {
				who = "khai là của " + d.Nominee
			}
			fmt.Fprintf(e.stdout, "  %s  %s  %s  %s  %s\n", d.DocumentID, dossier.StatusLabel(d.Status), who, d.Reason, d.File)
		}
	}
	if len(refused) > 0 {
		fmt.Fprintf(e.stdout, "\nTệp bị từ chối, không đọc được (%d) — cần nộp lại tệp khác (xem lý do: tinnhiem document show ID):\n", len(refused))
		for _, d := range refused {
			fmt.Fprintf(e.stdout, "  %s  %s  %s\n", d.DocumentID, d.Reason, d.File)
		}
	}
}

// dossierCmd groups the board's dossier operations: rebuild, alerts, decide.
func (e *cmdEnv) dossierCmd(args []string) error {
	if len(args) == 0 {
		return usageError{"dossier rebuild|alerts|decide --round R"}
	}
	sub, args := args[0], args[1:]
	fs := e.flags("dossier " + sub)
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	asJSON := fs.Bool("json", false, "print JSON")
	check := fs.Bool("check", false, "rebuild: only compare, do not replace the live state")
	request := fs.String("request", "", "decide: document id of the late request for explanation")
	decision := fs.String("decision", "", "decide: accept or set_aside")
	note := fs.String("note", "", "decide: the board's note")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || len(pos) > 0 {
		return usageError{"dossier " + sub + " cần --round R (và không nhận đối số khác)"}
	}
	base := "/api/v1/rounds/" + url.PathEscape(*round)
	switch sub {
	case "rebuild":
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		path := base + "/dossiers/rebuild"
		if *check {
			path += "?check=1"
		}
		var res store.RebuildResult
		if err := cl.Do(e.ctx, http.MethodPost, path, nil, &res); err != nil {
			return err
		}
		if *asJSON {
			if err := printJSON(e.stdout, res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(e.stdout, "Dựng lại đợt %s từ luồng sự kiện: %d tài liệu, %d quyết định (đến sự kiện số %d).\n",
				res.Round, res.Documents, res.Decisions, res.RebuiltSeq)
			switch {
			case res.Equal:
				fmt.Fprintln(e.stdout, "Trùng khớp với trạng thái đang dùng.")
			case res.Replaced:
				fmt.Fprintln(e.stdout, "KHÁC trạng thái đang dùng; đã thay bằng bản dựng lại. Khác biệt:")
			default:
				fmt.Fprintln(e.stdout, "KHÁC trạng thái đang dùng; chưa thay (chạy lại không có --check để sửa). Khác biệt:")
			}
			for _, d := range res.Differences {
				fmt.Fprintln(e.stdout, "  "+d)
			}
		}
		if !res.Equal && !res.Replaced {
			return silentError{1}
		}
		return nil
	case "alerts":
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		if *asJSON {
			return cl.Do(e.ctx, http.MethodGet, base+"/alerts", nil, e.stdout)
		}
		var as []dossier.Alert
		if err := cl.Do(e.ctx, http.MethodGet, base+"/alerts", nil, &as); err != nil {
			return err
		}
		if len(as) == 0 {
			fmt.Fprintf(e.stdout, "Đợt %s chưa có cảnh báo nào.\n", *round)
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "HẠN\tLÚC HẠN\tBÁO TRƯỚC\tLẬP LÚC\tSỐ NGƯỜI\tĐÃ GỬI")
		for _, a := range as {
			sent := 0
			for _, d := range a.Deliveries {
				if d.State == dossier.DeliverySent {
					sent++
				}
			}
			lead := "trước " + dossier.DurationLabel(time.Duration(a.LeadSeconds)*time.Second)
			if a.Lead == dossier.LeadOverdue {
				lead = "đã quá hạn"
			}
			raised := a.RaisedAt.Format("15:04 02/01/2006")
			if r := (dossier.Round{Timezone: a.Timezone}); a.Timezone != "" {
				raised = r.FormatTime(a.RaisedAt)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d/%d\n", dossier.TrackDeadlineLabel(a.Track, a.Deadline), a.DeadlineLocal, lead, raised,
				len(a.Persons), sent, len(a.Deliveries))
		}
		return tw.Flush()
	case "decide":
		if *request == "" || *decision == "" {
			return usageError{"dossier decide cần --request ID và --decision accept|set_aside"}
		}
		cl, err := e.connect(cf)
		if err != nil {
			return err
		}
		var out struct {
			Request  string `json:"request"`
			Nominee  string `json:"nominee"`
			Decision string `json:"decision"`
			Applied  bool   `json:"applied"`
			State    string `json:"state"`
		}
		path := base + "/requests/" + url.PathEscape(*request) + "/decision"
		if err := cl.Do(e.ctx, http.MethodPost, path, map[string]string{"decision": *decision, "note": *note}, &out); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, out)
		}
		verb := "chấp nhận"
		if out.Decision == dossier.DecisionSetAside {
			verb = "không xem xét"
		}
		fmt.Fprintf(e.stdout, "Đã ghi quyết định %s đề nghị giải trình %s (người: %s).\n", verb, out.Request, out.Nominee)
		if !out.Applied {
			fmt.Fprintln(e.stdout, "Tình trạng hồ sơ sẽ cập nhật khi bộ theo dõi hồ sơ xử lý xong.")
		}
		return nil
	}
	return usageError{"dossier: lệnh con không có: " + sub}
}
