//go:build ignore

// Command score compares the JSON lines printed by `tinnhiem upload` with expect.tsv and
// prints every difference and the totals: kinds and persons over the documents, reasons over
// the bad files, statuses over all.
//
//	go run ./score/main.go expect.tsv results.jsonl…
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type verdict struct {
	File    string `json:"file"`
	Status  string `json:"status"`
	Kind    string `json:"kind"`
	Nominee string `json:"nominee"`
	Reason  string `json:"reason"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: score expect.tsv results.jsonl…")
		os.Exit(2)
	}
	got := map[string]verdict{}
	for _, p := range os.Args[2:] {
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "score:", err)
			os.Exit(1)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var v verdict
			if json.Unmarshal(sc.Bytes(), &v) == nil && v.File != "" {
				got[filepath.Base(v.File)] = v
			}
		}
		f.Close()
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
	defer f.Close()
	var docs, kinds, persons, bad, reasons, all, statuses int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		for i := range c {
			if c[i] == "-" {
				c[i] = ""
			}
		}
		file, status, kind, nominee, reason := c[0], c[2], c[3], c[4], c[5]
		v, ok := got[file]
		if !ok {
			continue
		}
		all++
		if v.Status == status {
			statuses++
		}
		if kind == "" && reason != "" {
			bad++
			if v.Reason == reason {
				reasons++
			}
		} else {
			docs++
			if v.Kind == kind {
				kinds++
			}
			if v.Nominee == nominee {
				persons++
			}
		}
		if v.Status != status || v.Kind != kind || v.Nominee != nominee || v.Reason != reason {
			fmt.Printf("%-22s got %s %s %q %s; want %s %s %q %s\n", file, v.Status, v.Kind, v.Nominee, v.Reason,
				status, kind, nominee, reason)
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	fmt.Printf("kinds %d/%d (%.1f%%), persons %d/%d (%.1f%%), bad-file reasons %d/%d, statuses %d/%d\n",
		kinds, docs, pct(kinds, docs), persons, docs, pct(persons, docs), reasons, bad, statuses, all)
}
