// Command tinnhiem runs the confidence-vote paperwork system: `tinnhiem serve` starts everything,
// `tinnhiem worker KIND` runs one kind of worker against a NATS cluster, and the other
// subcommands are clients of a running server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tinnhiem/internal/packetbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// silentError has already been reported to the user; only its exit code matters.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	var se silentError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "tinnhiem:", ue.msg)
		fmt.Fprintln(stderr, "Xem: tinnhiem help")
		return 2
	default:
		fmt.Fprintln(stderr, "tinnhiem:", err)
		return 1
	}
}

const usage = `tinnhiem — hồ sơ, kiểm phiếu và biên bản lấy phiếu tín nhiệm

Máy chủ:
  tinnhiem serve [--data DIR] [--http ADDR] [--nats-url URL] [--workers all|none|ingest,dossier,…]
  tinnhiem worker ingest|dossier|minutes|publish --nats-url URL
        (serve và worker: --metrics-listen ADDR cho Prometheus, cổng riêng, không qua --http)
  tinnhiem extract [--json] [--ocr] FILE   in văn bản của tệp (PDF, Word, ODT, RTF, ảnh) (NFC)
  tinnhiem restore --data DIR [--encryption-key-file K] FILE   khôi phục bản sao lưu vào thư mục trống
  tinnhiem nats creds --dir DIR | nats provision              thông tin đăng nhập NATS theo vai trò; tạo luồng

Dùng với máy chủ đang chạy (--server, TINNHIEM_SERVER; đăng nhập: TINNHIEM_TOKEN,
hoặc --user/TINNHIEM_USER với TINNHIEM_PASSWORD, hoặc mã lưu bởi "tinnhiem login"):
  tinnhiem login [--user NAME]
  tinnhiem round import FILE | round list | round show ID
  tinnhiem user add --username U --role R[,R] --org "Tổ chức" [--password P] | user list
  tinnhiem user disable|enable|passwd|revoke --username U    khóa, mở, đặt mật khẩu, kết thúc phiên
  tinnhiem passwd                        đổi mật khẩu của chính mình
  tinnhiem audit [--round R]
  tinnhiem upload --round R [--nominee ID] [--kind K] FILE…
  tinnhiem document show ID | document review ID --kind K --nominee ID | document download ID -o FILE [--pdf]
  tinnhiem status --round R [--json | --csv]
  tinnhiem dossier rebuild --round R [--check] | dossier alerts --round R [--json]
  tinnhiem dossier decide --round R --request ID --decision accept|set_aside [--note "…"]
  tinnhiem tally import --round R --present N --issued N --collected N [--absent "Họ tên: lý do"]…
        [--committee "Họ tên: Trưởng ban"]… [--entry 1|2] [--session session.yaml] [--reason "…"] FILE.csv
  tinnhiem tally show --round R [--json] | tally seal --round R [--confirm]
  tinnhiem tally publish --round R [--version N]   công bố kết quả (đợt công khai)
  tinnhiem minutes fetch --round R -o DIR
  tinnhiem ballot --round R -o FILE [--copies N]    phiếu lấy phiếu tín nhiệm (PDF)
  tinnhiem packet --round R -o FILE                 tài liệu gửi trước cuộc lấy phiếu: hồ sơ gửi người tham gia, báo cáo gửi đại biểu (PDF)
  tinnhiem packet sent --round R --sent-at YYYY-MM-DD[THH:MM] --channel "…"   ghi nhận đã gửi
  tinnhiem backup -o FILE | -o DIR/ [--keep N]    sao lưu toàn bộ hệ thống (quản trị viên)
  tinnhiem bench corpus --out DIR [--rounds N] [--docs N]   tạo bộ hồ sơ PDF để đo tải
  tinnhiem bench ingest --dir DIR [--rounds N | --round R] [--concurrency C]   đo tải đường tải lên
`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"thiếu lệnh"}
	}
	cmd, rest := args[0], args[1:]
	e := &cmdEnv{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return e.serve(rest)
	case "worker":
		return e.worker(rest)
	case "extract":
		return e.extract(rest)
	case "login":
		return e.login(rest)
	case "round":
		return e.round(rest)
	case "user":
		return e.user(rest)
	case "passwd":
		return e.passwd(rest)
	case "audit":
		return e.auditCmd(rest)
	case "upload":
		return e.upload(rest)
	case "document":
		return e.document(rest)
	case "status":
		return e.status(rest)
	case "dossier":
		return e.dossierCmd(rest)
	case "tally":
		return e.tally(rest)
	case "minutes":
		return e.minutesCmd(rest)
	case "ballot":
		return e.ballot(rest)
	case "packet":
		return e.packet(rest)
	case packetbox.Subcommand:
		return e.packetAssemble(rest)
	case "backup":
		return e.backup(rest)
	case "restore":
		return e.restore(rest)
	case "nats":
		return e.natsCmd(rest)
	case "bench":
		return e.bench(rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("lệnh không có: %q", cmd)}
}

// cmdEnv carries what every subcommand needs.
type cmdEnv struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func (e *cmdEnv) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses flags wherever they stand among the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
