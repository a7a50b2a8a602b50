// Command pdfcompare measures tinnhiem's PDF text extraction (ingest/pdftext)
// against poppler's pdftotext on a folder of PDFs: files refused by reason,
// crashes and timeouts, word recall, Vietnamese and Greek letters, and time.
//
//	pdfcompare [-timeout 45s] [-v] [-worst 20] [-csv FILE] DIR|FILE…
//
// Each file is read by a child process of this binary (`pdfcompare extract
// --json`, the same code and limits as the ingest workers' child) and by
// `pdftotext -enc UTF-8`, one after the other, so that their CPU times
// compare on a machine shared with other work.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tinnhiem/ingest/pdftext"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errSilent) {
			fmt.Fprintln(os.Stderr, "pdfcompare:", err)
		}
		os.Exit(1)
	}
}

var errSilent = errors.New("reported")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "extract" {
		// The child side: one file in a process of its own.
		return child(ctx, args[1:], stdout, stderr)
	}
	fl := flag.NewFlagSet("pdfcompare", flag.ContinueOnError)
	fl.SetOutput(stderr)
	timeout := fl.Duration("timeout", 45*time.Second, "wall-clock limit per file and tool (a timeout counts against the tool)")
	cpu := fl.Int("cpu-limit", 30, "CPU seconds of our extraction child")
	mem := fl.Int64("mem-limit", 512<<20, "memory limit of our extraction child in bytes")
	decompressed := fl.Int64("max-decompressed", 64<<20, "decompressed-bytes cap of our extraction child")
	verbose := fl.Bool("v", false, "print one line per file")
	worst := fl.Int("worst", 15, "list this many files with the lowest word recall")
	csvPath := fl.String("csv", "", "write one row per file to this CSV file")
	pdftotext := fl.String("pdftotext", "pdftotext", "the pdftotext binary")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() == 0 {
		return errors.New("usage: pdfcompare [flags] DIR|FILE…")
	}
	files, err := pdfFiles(fl.Args())
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cfg := config{
		self: self, pdftotext: *pdftotext, timeout: *timeout,
		childArgs: []string{"extract", "--json", "--timeout", (*timeout * 9 / 10).String(),
			"--mem-limit", strconv.FormatInt(*mem, 10), "--cpu-limit", strconv.Itoa(*cpu),
			"--max-decompressed", strconv.FormatInt(*decompressed, 10)},
	}
	var rows []row
	for i, f := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := compare(ctx, cfg, f)
		rows = append(rows, r)
		if *verbose {
			fmt.Fprintf(stderr, "%4d/%d %s\n", i+1, len(files), r.line())
		}
	}
	if *csvPath != "" {
		if err := writeCSV(*csvPath, rows); err != nil {
			return err
		}
	}
	summarize(stdout, rows, *worst)
	return nil
}

type config struct {
	self, pdftotext string
	childArgs       []string
	timeout         time.Duration
}

// pdfFiles lists the PDFs named or found under the arguments, sorted.
func pdfFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".pdf") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// row is the comparison of one file.
type row struct {
	file string
	// Ours: a code (reason, "crash" or "timeout") or "" when read.
	ourCode         string
	ourDetail       string
	ourText         string
	ourCPU, ourWall time.Duration
	// pdftotext: read when it exits 0 with at least one word.
	popRead           bool
	popGarbled        bool // pdftotext's text is mostly not text
	popText           string
	popCPU, popWall   time.Duration
	popWords, matched int
	splitMatched      int // matched, also crediting words pdftotext splits
	ourWords          int
}

func (r row) recall() float64 {
	if r.popWords == 0 {
		return 1
	}
	return float64(r.matched) / float64(r.popWords)
}

func (r row) splitRecall() float64 {
	if r.popWords == 0 {
		return 1
	}
	return float64(r.splitMatched) / float64(r.popWords)
}

func (r row) line() string {
	status := r.ourCode
	if status == "" {
		status = "ok"
	}
	if r.popGarbled {
		status += "*" // pdftotext's text is garbled
	}
	return fmt.Sprintf("%-14s recall %6.2f%% words %6d/%6d  ours %7.3fs  pdftotext %7.3fs  %s",
		status, 100*r.recall(), r.matched, r.popWords, r.ourCPU.Seconds(), r.popCPU.Seconds(), r.file)
}

// Codes of our failures that are no verdict on the file.
const (
	codeCrash   = "crash"
	codeTimeout = "timeout"
)

func compare(ctx context.Context, cfg config, path string) row {
	r := row{file: path}
	r.ourText, r.ourCode, r.ourDetail, r.ourCPU, r.ourWall = ours(ctx, cfg, path)
	out, err, cpu, wall := runTool(ctx, cfg.timeout, cfg.pdftotext, "-enc", "UTF-8", "-q", path, "-")
	r.popCPU, r.popWall = cpu, wall
	if err == nil {
		r.popText = string(out)
	}
	pl := wordList(r.popText)
	pw := bag(pl)
	r.popWords = len(pl)
	r.popRead = err == nil && r.popWords > 0
	r.popGarbled = r.popRead && garbled(r.popText)
	ow := words(r.ourText)
	r.ourWords = total(ow)
	r.matched = matched(pw, ow)
	r.splitMatched = splitMatched(pl, ow)
	return r
}

// ours runs the extraction child on path.
func ours(ctx context.Context, cfg config, path string) (text, code, detail string, cpu, wall time.Duration) {
	out, err, cpu, wall := runTool(ctx, cfg.timeout, cfg.self, append(slices.Clone(cfg.childArgs), "--", path)...)
	if errors.Is(err, context.DeadlineExceeded) {
		return "", codeTimeout, "no answer within " + cfg.timeout.String(), cpu, wall
	}
	var res struct {
		pdftext.Result
		Error *struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		} `json:"error"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil || (res.Error == nil && err != nil) {
		return "", codeCrash, fmt.Sprint(err), cpu, wall
	}
	if res.Error != nil {
		c := res.Error.Code
		if c == "" {
			c = codeCrash
		}
		return "", c, res.Error.Detail, cpu, wall
	}
	return res.Text, "", "", cpu, wall
}

// runTool runs a command and returns its standard output, its error
// (context.DeadlineExceeded after the timeout), and its CPU and wall time.
func runTool(ctx context.Context, timeout time.Duration, name string, args ...string) ([]byte, error, time.Duration, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var cpu time.Duration
	if st := cmd.ProcessState; st != nil {
		cpu = st.UserTime() + st.SystemTime()
	}
	if ctx.Err() != nil {
		err = context.DeadlineExceeded
	}
	return out.Bytes(), err, cpu, wall
}

func writeCSV(path string, rows []row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"file", "our_code", "recall", "split_recall", "pdftotext_words", "our_words", "matched", "our_cpu_s", "pdftotext_cpu_s", "our_wall_s", "pdftotext_wall_s", "detail"})
	for _, r := range rows {
		w.Write([]string{r.file, r.ourCode, fmt.Sprintf("%.4f", r.recall()), fmt.Sprintf("%.4f", r.splitRecall()), strconv.Itoa(r.popWords), strconv.Itoa(r.ourWords),
			strconv.Itoa(r.matched), fmt.Sprintf("%.3f", r.ourCPU.Seconds()), fmt.Sprintf("%.3f", r.popCPU.Seconds()),
			fmt.Sprintf("%.3f", r.ourWall.Seconds()), fmt.Sprintf("%.3f", r.popWall.Seconds()), r.ourDetail})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
