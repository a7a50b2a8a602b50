package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"tinnhiem/internal/packetbox"
)

// packetRunner is the child process that assembles voters' packets for this server
// (`tinnhiem packet-assemble`), with its limits from the environment.
func packetRunner(getenv func(string) string) (*packetbox.Runner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("serve: packet assembly: %w", err)
	}
	return packetbox.New(exe, nil,
		envInt64(getenv, "TINNHIEM_PACKET_MEM", packetbox.DefaultMemLimit),
		time.Duration(envInt64(getenv, "TINNHIEM_PACKET_CPU_SECONDS", int64(packetbox.DefaultCPUTime/time.Second)))*time.Second,
		time.Duration(envInt64(getenv, "TINNHIEM_PACKET_TIMEOUT_SECONDS", int64(packetbox.DefaultTimeout/time.Second)))*time.Second,
		envInt64(getenv, "TINNHIEM_PACKET_MAX_BYTES", packetbox.DefaultMaxInput),
		int(envInt64(getenv, "TINNHIEM_PACKET_CONCURRENCY", packetbox.DefaultConcurrency)),
	), nil
}

// packetAssemble is the hidden child subcommand: it reads the documents on stdin and writes
// the packet on stdout, under the limits its parent gives.
func (e *cmdEnv) packetAssemble(args []string) error {
	return packetbox.Main(e.ctx, args, e.stdin, e.stdout, e.stderr)
}

// packet downloads a round's voters' packet.
func (e *cmdEnv) packet(args []string) error {
	if len(args) > 0 && args[0] == "sent" {
		return e.packetSent(args[1:])
	}
	fs := e.flags("packet")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	out := fs.String("o", "", "output file (PDF)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || *out == "" || len(pos) > 0 {
		return usageError{"packet --round R -o FILE"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	resp, err := cl.Open(e.ctx, "/api/v1/rounds/"+url.PathEscape(*round)+"/packet")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := saveDownload(resp, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã lưu tài liệu gửi trước cuộc lấy phiếu (hồ sơ gửi người tham gia; báo cáo gửi đại biểu ở khối Nhà nước) của đợt %s vào %s (%d byte): %s tài liệu đã ghép, %s loại tài liệu không có, %s tài liệu không ghép được (xem mục lục).\n",
		*round, *out, n, headerOr(resp, "X-Packet-Merged"), headerOr(resp, "X-Packet-Missing"), headerOr(resp, "X-Packet-Unreadable"))
	return nil
}

// ballot downloads a round's ballot paper.
func (e *cmdEnv) ballot(args []string) error {
	fs := e.flags("ballot")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	out := fs.String("o", "", "output file (PDF)")
	copies := fs.Int("copies", 0, "numbered copies (Phiếu số 1/N …); 0 prints one unnumbered ballot")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || *out == "" || len(pos) > 0 {
		return usageError{"ballot --round R -o FILE [--copies N]"}
	}
	if *copies < 0 {
		return usageError{"--copies phải là số bản phiếu (1, 2, …)"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	path := "/api/v1/rounds/" + url.PathEscape(*round) + "/ballot"
	if *copies > 0 {
		path += fmt.Sprintf("?copies=%d", *copies)
	}
	resp, err := cl.Open(e.ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := saveDownload(resp, *out)
	if err != nil {
		return err
	}
	what := "một phiếu"
	if *copies > 0 {
		what = fmt.Sprintf("%d phiếu đánh số", *copies)
	}
	fmt.Fprintf(e.stdout, "Đã lưu phiếu lấy phiếu tín nhiệm của đợt %s (%s) vào %s (%d byte).\n", *round, what, *out, n)
	return nil
}

// saveDownload writes a response body to path through a temporary file beside it, so that an
// interrupted download never leaves a partial file under the name asked for.
func saveDownload(resp *http.Response, path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, resp.Body)
	if err != nil {
		tmp.Close()
		return n, fmt.Errorf("tải về bị ngắt: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), path)
}

func headerOr(resp *http.Response, key string) string {
	if v := resp.Header.Get(key); v != "" {
		return v
	}
	return "?"
}

// packetSent records when and how the packet went out, or with neither flag shows the record.
func (e *cmdEnv) packetSent(args []string) error {
	fs := e.flags("packet sent")
	cf := e.clientFlags(fs)
	round := fs.String("round", "", "round id")
	sentAt := fs.String("sent-at", "", "when it was sent: YYYY-MM-DD or YYYY-MM-DDTHH:MM in the round's time zone")
	channel := fs.String("channel", "", `how it was sent, in words ("bản giấy qua Văn phòng Tỉnh ủy")`)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *round == "" || len(pos) > 0 {
		return usageError{`packet sent --round R --sent-at YYYY-MM-DD[THH:MM] --channel "…"`}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	path := "/api/v1/rounds/" + url.PathEscape(*round) + "/packet/sent"
	var out struct {
		Recorded      bool   `json:"recorded"`
		When          string `json:"when"`
		Channel       string `json:"channel"`
		RecordedBy    string `json:"recorded_by"`
		DeadlineLocal string `json:"deadline_local"`
		OnTime        bool   `json:"on_time"`
	}
	var raw json.RawMessage
	if *sentAt == "" && *channel == "" {
		err = cl.Do(e.ctx, http.MethodGet, path, nil, &raw)
	} else {
		err = cl.Do(e.ctx, http.MethodPost, path, map[string]string{"sent_at": *sentAt, "channel": *channel}, &raw)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return printJSON(e.stdout, v)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	if !out.Recorded {
		fmt.Fprintf(e.stdout, "Chưa ghi nhận việc gửi hồ sơ của đợt %s (hạn gửi: %s).\n", *round, out.DeadlineLocal)
		return nil
	}
	late := "đúng hạn"
	if !out.OnTime {
		late = "SAU HẠN (hạn gửi: " + out.DeadlineLocal + ")"
	}
	fmt.Fprintf(e.stdout, "Đợt %s: hồ sơ đã gửi %s (%s), %s; ghi nhận bởi %s.\n", *round, out.When, out.Channel, late, out.RecordedBy)
	return nil
}
