package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/client"
)

// bench is `tinnhiem bench corpus|ingest`: a load corpus, and a load tool that measures the
// upload path from outside (issue 13 point 5).
func (e *cmdEnv) bench(args []string) error {
	if len(args) == 0 {
		return usageError{"bench corpus --out DIR [--rounds N] [--docs N] [--versions N] | bench ingest --server URL --dir DIR [--rounds N] [--concurrency C]"}
	}
	switch args[0] {
	case "corpus":
		return e.benchCorpusCmd(args[1:])
	case "ingest":
		return e.benchIngest(args[1:])
	}
	return usageError{"bench: lệnh con không có: " + args[0]}
}

func (e *cmdEnv) benchCorpusCmd(args []string) error {
	fs := e.flags("bench corpus")
	var spec corpusSpec
	fs.StringVar(&spec.Out, "out", "", "folder to write the corpus into (created)")
	fs.IntVar(&spec.Rounds, "rounds", 55, "rounds (groups of persons)")
	fs.IntVar(&spec.Docs, "docs", 1045, "documents in all")
	fs.IntVar(&spec.Versions, "versions", 0, "instead: this many versions of one person's self-assessment")
	fs.IntVar(&spec.Large, "large", 0, "instead: this many scanned self-assessments of --large-mb each")
	fs.IntVar(&spec.LargeMB, "large-mb", 40, "size of each large file, MB")
	fs.Uint64Var(&spec.Seed, "seed", 1, "random seed (the same seed makes the same files)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || spec.Out == "" {
		return usageError{"bench corpus --out DIR [--rounds N] [--docs N] [--versions N] [--seed S]"}
	}
	start := time.Now()
	m, err := benchCorpus(spec, nil)
	if err != nil {
		return err
	}
	var size int64
	for _, d := range m.Documents {
		if st, err := os.Stat(filepath.Join(spec.Out, d.File)); err == nil {
			size += st.Size()
		}
	}
	fmt.Fprintf(e.stdout, "%d tài liệu, %d nhóm, %.1f MB, %s → %s\n", len(m.Documents), len(m.Groups), float64(size)/1e6, time.Since(start).Round(time.Millisecond), spec.Out)
	return nil
}

// benchConfig is what `bench ingest` was asked.
type benchConfig struct {
	dir         string
	round       string
	rounds      int
	concurrency int
	serverPID   int
	timeout     time.Duration
	physical    bool
	extractors  bool
	limit       int
	batches     int
}

// benchFile is one file to upload and, from a corpus manifest, what its verdict should be.
type benchFile struct {
	path          string
	round         string
	kind, nominee string      // expected; "" when unknown
	form          *uploadForm // the upload's body, built before the clock starts; nil: from the file
}

// benchResult is one file's outcome.
type benchResult struct {
	file    string
	start   time.Time
	latency time.Duration
	server  time.Duration // receipt to verdict, by the server's clock
	err     string        // upload or wait failure
	wrong   string        // a verdict other than expected
	status  string
}

func (e *cmdEnv) benchIngest(args []string) error {
	fs := e.flags("bench ingest")
	cf := e.clientFlags(fs)
	var c benchConfig
	fs.StringVar(&c.dir, "dir", "", "folder of files to upload (a corpus from `bench corpus`, or any files with --round)")
	fs.StringVar(&c.round, "round", "", "upload every file into this existing round instead of creating rounds")
	fs.IntVar(&c.rounds, "rounds", 0, "rounds to create from the corpus' groups (default: one per group)")
	fs.IntVar(&c.concurrency, "concurrency", 8, "uploads in flight; each waits for its verdict before the next")
	fs.IntVar(&c.serverPID, "server-pid", 0, "PID of the server, for its memory (default: found from --server when it is on this machine)")
	fs.DurationVar(&c.timeout, "timeout", 2*time.Minute, "longest wait for one verdict")
	fs.BoolVar(&c.physical, "physical", true, "also measure this machine's limits: object put, publish and KV put on an embedded store")
	fs.BoolVar(&c.extractors, "extractors", true, "also time pdftotext and `tinnhiem extract` over the same files, one process per file")
	fs.IntVar(&c.limit, "limit", 0, "upload only the first N files")
	fs.IntVar(&c.batches, "batches", 1, "also report the files in this many consecutive batches (how cost grows with history)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || c.dir == "" || c.concurrency < 1 {
		return usageError{"bench ingest --server URL --dir DIR [--rounds N | --round R] [--concurrency C] [--server-pid PID]"}
	}
	cl, err := e.connect(cf)
	if err != nil {
		return err
	}
	cl.HTTP = &http.Client{Timeout: c.timeout + 30*time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency * 2, MaxConnsPerHost: c.concurrency * 4}}
	files, err := e.benchFiles(cl, &c)
	if err != nil {
		return err
	}
	if c.limit > 0 && len(files) > c.limit {
		files = files[:c.limit]
	}
	if len(files) == 0 {
		return fmt.Errorf("bench: không có tệp nào trong %s", c.dir)
	}
	out := e.stdout
	fmt.Fprintf(out, "tệp: %d, đồng thời: %d, máy: %d lõi %s\n", len(files), c.concurrency, runtime.NumCPU(), runtime.GOARCH)

	if c.physical {
		if lim, err := measurePhysical(e.ctx, files); err != nil {
			fmt.Fprintf(out, "giới hạn vật lý: không đo được: %v\n", err)
		} else {
			fmt.Fprintf(out, "giới hạn vật lý (kho JetStream nhúng, mã hóa, cùng máy): ghi đối tượng %.0f KB %.0f/s · publish 1 KB %.0f/s · KV put 1 KB %.0f/s · tất cả trong một tài liệu ≈ %.0f tài liệu/s\n",
				lim.objectKB, lim.objectPuts, lim.publishes, lim.kvPuts, lim.perDocument())
		}
	}
	if c.extractors {
		e.benchExtractors(out, files)
	}

	// The bodies of the uploads are built before the clock starts, as a load generator's are, so
	// that the client's share of the machine is what sending them costs and no more.
	if err := prepareForms(files, benchFormMemory); err != nil {
		return err
	}
	pid := c.serverPID
	if pid == 0 {
		pid = localServerPID(cl.Base)
	}
	var mem *memSampler
	var own0, kids0 time.Duration
	if pid > 0 {
		mem = startMemSampler(pid, 50*time.Millisecond)
		own0, kids0 = cpuTimes(pid)
	}
	results := make([]benchResult, len(files))
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) || e.ctx.Err() != nil {
					return
				}
				results[i] = benchOne(e.ctx, cl, files[i], c.timeout)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var peak memPeak
	if mem != nil {
		peak = mem.stop()
		own, kids := cpuTimes(pid)
		peak.cpu, peak.childCPU = own-own0+kids-kids0, kids-kids0
	}
	if c.batches > 1 {
		reportBatches(out, results, c.batches)
	}
	return reportBench(out, results, elapsed, pid, peak)
}

// reportBatches prints docs/s and latencies of consecutive batches of the files, in order.
func reportBatches(out io.Writer, results []benchResult, n int) {
	size := (len(results) + n - 1) / n
	for b := 0; b*size < len(results); b++ {
		batch := results[b*size : min(len(results), (b+1)*size)]
		var lat []time.Duration
		var first, last time.Time
		for _, r := range batch {
			if r.err != "" || r.start.IsZero() {
				continue
			}
			lat = append(lat, r.latency)
			if first.IsZero() || r.start.Before(first) {
				first = r.start
			}
			if end := r.start.Add(r.latency); end.After(last) {
				last = end
			}
		}
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		fmt.Fprintf(out, "  lô %d (tệp %d–%d): %.1f tài liệu/s · p50 %s · p99 %s · max %s\n", b+1, b*size+1, b*size+len(batch),
			float64(len(lat))/last.Sub(first).Seconds(), ms(lat[len(lat)/2]), ms(lat[min(len(lat)-1, len(lat)*99/100)]), ms(lat[len(lat)-1]))
	}
}

// benchFiles lists the files to upload. With a corpus manifest and no --round, it creates the
// rounds whose rosters are the corpus' groups.
func (e *cmdEnv) benchFiles(cl *client.Client, c *benchConfig) ([]benchFile, error) {
	m, ok, err := readCorpusManifest(c.dir)
	if err != nil {
		return nil, err
	}
	if c.round != "" || !ok {
		if c.round == "" {
			return nil, usageError{"bench ingest: " + c.dir + " không có manifest.json (tạo bằng bench corpus); hãy chỉ --round"}
		}
		var out []benchFile
		err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == "manifest.json" || strings.HasPrefix(d.Name(), ".") {
				return err
			}
			out = append(out, benchFile{path: p, round: c.round})
			return nil
		})
		return out, err
	}
	n := c.rounds
	if n <= 0 || n > len(m.Groups) {
		n = len(m.Groups)
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	roundOf := map[string]string{}
	prefix := map[string]string{} // nominee id prefix when several groups share a round
	for j := 0; j < n; j++ {
		id := fmt.Sprintf("bench-%s-%02d", stamp, j+1)
		var groups []corpusGroup
		for i := j; i < len(m.Groups); i += n {
			groups = append(groups, m.Groups[i])
			roundOf[m.Groups[i].Key] = id
			if n < len(m.Groups) {
				prefix[m.Groups[i].Key] = m.Groups[i].Key + "-"
			}
		}
		data, err := benchRoundFile(id, groups, prefix, time.Now())
		if err != nil {
			return nil, err
		}
		if err := cl.Do(e.ctx, http.MethodPost, "/api/v1/rounds", json.RawMessage(data), nil); err != nil {
			return nil, fmt.Errorf("bench: tạo đợt %s: %w", id, err)
		}
	}
	fmt.Fprintf(e.stdout, "đã tạo %d đợt bench-%s-NN\n", n, stamp)
	var out []benchFile
	for _, d := range m.Documents {
		out = append(out, benchFile{path: filepath.Join(c.dir, filepath.FromSlash(d.File)), round: roundOf[d.Group],
			kind: string(d.Kind), nominee: prefix[d.Group] + d.Nominee})
	}
	return out, nil
}

// benchRoundFile is the round file (JSON) of one bench round: the rosters of its groups, a vote
// far enough ahead that every document is on time.
func benchRoundFile(id string, groups []corpusGroup, prefix map[string]string, now time.Time) ([]byte, error) {
	type nominee struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Position string `json:"position"`
	}
	rf := struct {
		ID           string    `json:"id"`
		Track        string    `json:"track"`
		Organization string    `json:"organization"`
		Parent       string    `json:"parent_organization"`
		Title        string    `json:"title"`
		Place        string    `json:"place"`
		VoteDate     string    `json:"vote_date"`
		Summoned     int       `json:"summoned"`
		Required     []string  `json:"required"`
		Nominees     []nominee `json:"nominees"`
	}{ID: id, Track: "party", Organization: groups[0].Organization, Parent: groups[0].Parent,
		Title: "Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Huyện ủy (đo tải)", Place: groups[0].Place,
		VoteDate: now.AddDate(0, 3, 0).Format("2006-01-02"),
		Required: []string{string(dossier.KindSelfAssessment), string(dossier.KindAssetDeclaration)}}
	for _, g := range groups {
		for _, n := range g.Nominees {
			rf.Nominees = append(rf.Nominees, nominee{ID: prefix[g.Key] + n.ID, Name: n.Name, Position: n.Position})
		}
	}
	rf.Summoned = max(3, len(rf.Nominees)*3)
	return json.Marshal(rf)
}

// benchOne uploads one file and waits for its verdict, timing both together.
func benchOne(ctx context.Context, cl *client.Client, f benchFile, timeout time.Duration) benchResult {
	start := time.Now()
	// The upload itself waits for the verdict (one request, as `tinnhiem upload FILE` sends);
	// should the server answer still pending, the document is asked for until the timeout.
	var v docVerdict
	var err error
	if f.form != nil {
		v, err = postForm(ctx, cl, f.round, *f.form, timeout)
	} else {
		v, err = postFile(ctx, cl, f.round, "", "", f.path, timeout)
	}
	if err != nil {
		return benchResult{err: "upload: " + err.Error()}
	}
	if v.Status == "pending" {
		v, err = waitVerdict(ctx, cl, v.DocumentID, start.Add(timeout))
		if err != nil {
			return benchResult{err: "verdict: " + err.Error()}
		}
	}
	r := benchResult{file: f.path, start: start, latency: time.Since(start), status: v.Status}
	if !v.VerdictAt.IsZero() && !v.ReceivedAt.IsZero() {
		r.server = v.VerdictAt.Sub(v.ReceivedAt)
	}
	switch {
	case v.Status == "pending":
		r.err = "verdict: chưa có sau " + timeout.String()
	case f.kind != "" && (v.Status != dossier.StatusAccepted || v.Kind != f.kind || v.Nominee != f.nominee):
		r.wrong = fmt.Sprintf("%s: %s %s %s %s (cần %s %s)", filepath.Base(f.path), v.Status, v.Reason, v.Kind, v.Nominee, f.kind, f.nominee)
	}
	return r
}

// benchFormMemory bounds the upload bodies prepareForms keeps in memory; the files past it are
// read when they are sent.
const benchFormMemory = 1 << 30

// prepareForms builds the upload bodies of the small files, up to budget bytes in all.
func prepareForms(files []benchFile, budget int64) error {
	for i := range files {
		form, ok, err := smallForm("", "", files[i].path)
		if err != nil {
			return err
		}
		if !ok || int64(len(form.body)) > budget {
			continue
		}
		budget -= int64(len(form.body))
		files[i].form = &form
	}
	return nil
}

func reportBench(out io.Writer, results []benchResult, elapsed time.Duration, pid int, peak memPeak) error {
	var lat []time.Duration
	errs, wrong := map[string]int{}, []string{}
	statuses := map[string]int{}
	for _, r := range results {
		switch {
		case r.err != "":
			errs[truncate(r.err, 160)]++
		default:
			lat = append(lat, r.latency)
			statuses[r.status]++
			if r.wrong != "" {
				wrong = append(wrong, r.wrong)
			}
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	nerr := 0
	for _, n := range errs {
		nerr += n
	}
	fmt.Fprintf(out, "kết quả: %d tài liệu trong %s → %.1f tài liệu/s\n", len(results), elapsed.Round(time.Millisecond), float64(len(results))/elapsed.Seconds())
	fmt.Fprintf(out, "tải lên → kết luận: p50 %s · p90 %s · p99 %s · max %s\n", ms(q(0.50)), ms(q(0.90)), ms(q(0.99)), ms(q(1)))
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range statuses {
			if !yield(k) {
				return
			}
		}
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, statuses[k]))
	}
	fmt.Fprintf(out, "kết luận: %s · lỗi: %d · khác dự kiến: %d\n", strings.Join(parts, ", "), nerr, len(wrong))
	// Where the slowest spent their time: the pipeline (receipt to verdict, server's clock), or
	// the rest (sending the file, queueing for the server, the answer).
	slow := slices.Clone(results)
	slices.SortFunc(slow, func(a, b benchResult) int { return int(b.latency - a.latency) })
	for _, r := range slow[:min(3, len(slow))] {
		if r.err == "" && r.latency > 0 {
			fmt.Fprintf(out, "  chậm: %s %s (nhận → kết luận %s, gửi tệp và trả lời %s)\n", filepath.Base(r.file), ms(r.latency), ms(r.server), ms(r.latency-r.server))
		}
	}
	for msg, n := range errs {
		fmt.Fprintf(out, "  lỗi ×%d: %s\n", n, msg)
	}
	for i, w := range wrong {
		if i == 10 {
			fmt.Fprintf(out, "  … và %d tài liệu khác\n", len(wrong)-10)
			break
		}
		fmt.Fprintf(out, "  khác dự kiến: %s\n", w)
	}
	switch {
	case pid <= 0:
		fmt.Fprintln(out, "bộ nhớ máy chủ: không đo (máy chủ không ở máy này; chỉ --server-pid)")
	default:
		fmt.Fprintf(out, "bộ nhớ máy chủ (pid %d): đỉnh %.0f MB cùng tiến trình con (lấy mẫu mỗi 50 ms), riêng máy chủ VmHWM %.0f MB, tiến trình con lớn nhất %.0f MB\n",
			pid, float64(peak.total)/1e6, float64(peak.hwm)/1e6, float64(peak.child)/1e6)
		perDoc := peak.cpu / time.Duration(len(results))
		kids := peak.childCPU / time.Duration(len(results))
		fmt.Fprintf(out, "CPU máy chủ cùng tiến trình con: %s, %.2f ms mỗi tài liệu (tiến trình máy chủ %.2f ms, tiến trình con %.2f ms) → tối đa ≈ %.0f tài liệu/s trên %d lõi nếu chỉ có máy chủ chạy\n",
			peak.cpu.Round(time.Millisecond), ms64(perDoc), ms64(perDoc-kids), ms64(kids), float64(runtime.NumCPU())/perDoc.Seconds(), runtime.NumCPU())
	}
	if nerr > 0 {
		return silentError{1}
	}
	return nil
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// physicalLimits are what this machine's embedded JetStream store does alone.
type physicalLimits struct {
	objectKB                       float64
	objectPuts, publishes, kvPuts  float64
	perDocObjects, perDocPublishes int
	perDocKVWrites                 int
}

// perDocument is how many documents a second the store alone allows, counting what one
// document costs it today: one object put, the publishes (announce, verdict, audit ×2) and the
// KV writes (pending marker ×2, record ×2, copies, version, projection).
func (l physicalLimits) perDocument() float64 {
	cost := float64(l.perDocObjects)/l.objectPuts + float64(l.perDocPublishes)/l.publishes + float64(l.perDocKVWrites)/l.kvPuts
	return 1 / cost
}

// measurePhysical times, on an embedded encrypted JetStream store in a temporary folder, an
// object put of the corpus' mean file size, an acknowledged publish and a KV put, each one at a
// time for about a second.
func measurePhysical(ctx context.Context, files []benchFile) (physicalLimits, error) {
	lim := physicalLimits{perDocObjects: 1, perDocPublishes: 4, perDocKVWrites: 7}
	var total int64
	for _, f := range files {
		if st, err := os.Stat(f.path); err == nil {
			total += st.Size()
		}
	}
	size := max(1024, int(total/int64(len(files))))
	lim.objectKB = float64(size) / 1024
	dir, err := os.MkdirTemp("", "tinnhiem-bench-store-*")
	if err != nil {
		return lim, err
	}
	defer os.RemoveAll(dir)
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	key, err := bus.NewKey(hex.EncodeToString(secret[:]), filepath.Join(dir, "key"))
	if err != nil {
		return lim, err
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{StoreDir: filepath.Join(dir, "js"), Key: key})
	if err != nil {
		return lim, err
	}
	defer srv.Shutdown()
	nc, err := srv.Connect("bench")
	if err != nil {
		return lim, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return lim, err
	}
	if err := bus.Provision(ctx, js, 1); err != nil {
		return lim, err
	}
	obj, err := js.ObjectStore(ctx, bus.ObjectUploads)
	if err != nil {
		return lim, err
	}
	kv, err := js.KeyValue(ctx, bus.BucketDocuments)
	if err != nil {
		return lim, err
	}
	blob := make([]byte, size)
	_, _ = rand.Read(blob)
	small := bytes.Repeat([]byte("x"), 1024)
	rate := func(op func(i int) error) (float64, error) {
		start := time.Now()
		n := 0
		for ; time.Since(start) < time.Second; n++ {
			if err := op(n); err != nil {
				return 0, err
			}
		}
		return float64(n) / time.Since(start).Seconds(), nil
	}
	if lim.objectPuts, err = rate(func(i int) error {
		_, err := obj.Put(ctx, jetstream.ObjectMeta{Name: "o" + strconv.Itoa(i)}, bytes.NewReader(blob))
		return err
	}); err != nil {
		return lim, err
	}
	if lim.publishes, err = rate(func(i int) error {
		_, err := js.Publish(ctx, "tn.ingest.bench.uploaded", small)
		return err
	}); err != nil {
		return lim, err
	}
	if lim.kvPuts, err = rate(func(i int) error {
		_, err := kv.Put(ctx, "bench."+strconv.Itoa(i), small)
		return err
	}); err != nil {
		return lim, err
	}
	return lim, nil
}

// benchExtractors times pdftotext and `tinnhiem extract` over the same files, one process per
// file, as many at once as there are cores: the cost of reading the text, outside the server.
func (e *cmdEnv) benchExtractors(out io.Writer, files []benchFile) {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(out, "trích văn bản: không đo được: %v\n", err)
		return
	}
	run := func(name string, args func(path string) []string) (time.Duration, int, error) {
		start := time.Now()
		var next atomic.Int64
		var failed atomic.Int64
		var wg sync.WaitGroup
		var firstErr error
		var once sync.Once
		for w := 0; w < runtime.NumCPU(); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(files) || e.ctx.Err() != nil {
						return
					}
					cmd := exec.CommandContext(e.ctx, name, args(files[i].path)...)
					cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
					if err := cmd.Run(); err != nil {
						failed.Add(1)
						once.Do(func() { firstErr = err })
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start), int(failed.Load()), firstErr
	}
	report := func(label string, d time.Duration, failed int, err error) float64 {
		if err != nil && failed == len(files) {
			fmt.Fprintf(out, "  %s: không chạy được: %v\n", label, err)
			return 0
		}
		fmt.Fprintf(out, "  %s: %s, %.0f tệp/s (%d lỗi)\n", label, d.Round(time.Millisecond), float64(len(files))/d.Seconds(), failed)
		return d.Seconds()
	}
	fmt.Fprintf(out, "trích văn bản %d tệp, mỗi tệp một tiến trình, %d cùng lúc:\n", len(files), runtime.NumCPU())
	var tp, tt float64
	if path, err := exec.LookPath("pdftotext"); err == nil {
		d, n, err := run(path, func(p string) []string { return []string{"-q", "-enc", "UTF-8", p, "-"} })
		tp = report("pdftotext", d, n, err)
	} else {
		fmt.Fprintln(out, "  pdftotext: không có trên máy này")
	}
	d, n, err := run(self, func(p string) []string { return []string{"extract", p} })
	tt = report("tinnhiem extract", d, n, err)
	if tp > 0 && tt > 0 {
		fmt.Fprintf(out, "  tinnhiem extract / pdftotext: %.2f\n", tt/tp)
	}
}

// localServerPID finds the process listening on the server URL's port, when the host is this
// machine: from the socket's inode in /proc/net/tcp*, then the process holding it.
func localServerPID(base string) int {
	u, err := url.Parse(base)
	if err != nil {
		return 0
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return 0
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" { // LISTEN
				continue
			}
			local := fields[1]
			if i := strings.LastIndexByte(local, ':'); i >= 0 {
				if lp, err := strconv.ParseInt(local[i+1:], 16, 32); err == nil && int(lp) == p {
					inodes[fields[9]] = true
				}
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := os.ReadDir("/proc")
	for _, pe := range procs {
		pid, err := strconv.Atoi(pe.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", pe.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", pe.Name(), "fd", fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") && inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				return pid
			}
		}
	}
	return 0
}

// memPeak is what the sampler saw: the highest sum of the server's and its children's resident
// memory, the server's own high-water mark, and the largest child.
type memPeak struct {
	total, hwm, child int64
	cpu               time.Duration // CPU time the server and its children used during the load
	childCPU          time.Duration // of which its children (the extraction sandboxes)
}

type memSampler struct {
	pid  int
	mu   sync.Mutex
	peak memPeak
	done chan struct{}
	wg   sync.WaitGroup
}

func startMemSampler(pid int, every time.Duration) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	self := rss(m.pid)
	total, biggest := self, int64(0)
	parentCmd, _ := os.ReadFile("/proc/" + strconv.Itoa(m.pid) + "/cmdline")
	for _, c := range descendants(m.pid) {
		// A child between fork and exec still runs the server's memory image, which its RSS
		// counts again: only a child that has become its own program counts.
		if cmd, err := os.ReadFile("/proc/" + strconv.Itoa(c) + "/cmdline"); err != nil || bytes.Equal(cmd, parentCmd) {
			continue
		}
		r := rss(c)
		total += r
		biggest = max(biggest, r)
	}
	m.mu.Lock()
	m.peak.total = max(m.peak.total, total)
	m.peak.child = max(m.peak.child, biggest)
	m.mu.Unlock()
}

func (m *memSampler) stop() memPeak {
	close(m.done)
	m.wg.Wait()
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peak.hwm = statusKB(m.pid, "VmHWM:") * 1024
	return m.peak
}

// cpuTime is the CPU time a process and its reaped children have used (user + system).
func cpuTime(pid int) time.Duration {
	own, children := cpuTimes(pid)
	return own + children
}

// cpuTimes is the CPU time a process used itself, and that its reaped children used.
func cpuTimes(pid int) (own, children time.Duration) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	// Fields after the command name (which may hold spaces) start at state, field 3.
	rest := string(data)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 15 {
		return 0, 0
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(n) * time.Second / 100 // USER_HZ is 100 on Linux
	}
	return tick(11) + tick(12), tick(13) + tick(14) // utime+stime, cutime+cstime
}

// rss is a process's resident memory in bytes (0 when it is gone).
func rss(pid int) int64 { return statusKB(pid, "VmRSS:") * 1024 }

func statusKB(pid int, field string) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// descendants lists the children of pid, theirs, and so on (from /proc/PID/task/*/children).
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(p) + "/task")
		for _, t := range tasks {
			data, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/task/" + t.Name() + "/children")
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(data)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}
