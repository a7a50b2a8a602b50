package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tinnhiem/dossier"
	"tinnhiem/ingest"
	"tinnhiem/ingest/ingesttest"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/ingest/sandbox"
	"tinnhiem/internal/app"
	"tinnhiem/internal/app/apptest"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/auth"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/pdffixture"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
)

// TestMain lets this test binary serve as the sandboxed `extract` child of the ingest worker.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "extract" {
		if err := sandbox.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// extractor is the sandbox the test workers read with: children of this test binary.
func extractor(t testing.TB) *sandbox.Extractor {
	ex := sandbox.New(sandbox.Config{Exe: os.Args[0], TempDir: t.TempDir(),
		// Under -race the child is the race-instrumented test binary, many times slower than
		// the real one: a smaller decompression cap keeps the bomb case quick.
		Limits: sandbox.ReadOptions{PDF: pdftext.Limits{MaxDecompressed: 16 << 20}},
		// The race detector's shadow memory counts against the child's address-space limit: at
		// the default a race-built child sometimes died reading the bomb (corrupt, not
		// too_complex) before the decompression cap stopped it. The limits themselves are the
		// sandbox package's tests.
		Text: sandbox.Profile{Mem: 2 << 30}})
	t.Cleanup(func() { ex.Close() })
	return ex
}

type pipeline struct {
	t      testing.TB
	ns     *bustest.Server
	rounds *store.Rounds
	docs   *store.Documents
	recv   *store.Receiver
	core   *app.App
	admin  auth.Principal
	now    time.Time
	stop   func(context.Context)
	worker *worker.Ingest
}

// newPipeline starts a real nats-server, stores the rounds and returns a receiver; call start
// to run an ingest worker.
func newPipeline(t testing.TB, rounds ...dossier.Round) *pipeline {
	p := &pipeline{t: t, now: time.Date(2028, 11, 20, 3, 0, 0, 0, time.UTC)}
	env := apptest.Start(t, apptest.Options{MaxUpload: 8 << 20, Now: func() time.Time { return p.now }})
	p.ns, p.core, p.rounds, p.docs, p.recv = env.NS, env.App, env.Stores.Rounds, env.Stores.Documents, env.Stores.Uploads
	p.admin, _ = env.User(t, "bantochuc", []string{auth.RoleAdmin})
	for _, r := range rounds {
		if _, _, err := p.rounds.Save(context.Background(), r, "admin", p.now); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (p *pipeline) start(concurrency int) { p.startWith(concurrency, nil) }

// startWith runs the ingest worker with the receiver's handoff (nil: the worker reads every file
// from the store).
func (p *pipeline) startWith(concurrency int, handoff *store.Handoff) {
	p.t.Helper()
	p.worker = &worker.Ingest{
		JS: p.ns.JS, Originals: store.NewObjectReader(p.ns.JS, bus.ObjectUploads), Renderings: p.ns.Objects(p.t, bus.ObjectRenderings), Docs: p.docs, Rounds: p.rounds, Audit: audit.New(p.ns.JS),
		Sandbox: extractor(p.t),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)), Concurrency: concurrency, TempDir: p.t.TempDir(),
		Handoff: handoff,
	}
	stop, err := p.worker.Start(context.Background())
	if err != nil {
		p.t.Fatal(err)
	}
	p.stop = stop
	p.t.Cleanup(func() { p.stop(context.Background()) })
}

func (p *pipeline) upload(round, name string, data []byte, declared ingest.Declared) dossier.Document {
	p.t.Helper()
	ctx := context.Background()
	d, err := p.recv.Store(ctx, store.Upload{Round: round, File: name, Uploader: "bantochuc", Body: bytes.NewReader(data)})
	if err != nil {
		p.t.Fatal(err)
	}
	d.DeclaredKind, d.DeclaredNominee = declared.Kind, declared.Nominee
	d, err = p.recv.Commit(ctx, d)
	if err != nil {
		p.t.Fatal(err)
	}
	return d
}

func (p *pipeline) await(id string) dossier.Document {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d, _, err := p.docs.Get(context.Background(), id)
		if err != nil {
			p.t.Fatal(err)
		}
		if d.Final() {
			return d
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no verdict for %s (%s) after 90s", id, d.File)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every document of the recognition corpus, rendered to PDF, goes through the whole pipeline —
// object store, JetStream, sandboxed extraction, recognition, deadline — and comes out with
// the kind and person the corpus expects.
func TestPipelineCorpus(t *testing.T) {
	cases, rosters := ingesttest.LoadCorpus(t)
	var rounds []dossier.Round
	for name, people := range rosters {
		rounds = append(rounds, ingesttest.RoundWith(t, "r-"+name, people, "2028-11-25"))
	}
	p := newPipeline(t, rounds...)
	p.start(2)
	ids := map[string]ingesttest.CorpusCase{}
	sent := map[string]int{}
	for _, c := range cases {
		text, err := os.ReadFile(filepath.Join(ingesttest.CorpusDir(), c.File))
		if err != nil {
			t.Fatal(err)
		}
		// A text used by two cases (once declared, once not) is made a different file the
		// second time, or it would be judged a duplicate of the first, not read on its own.
		key := c.Roster + "/" + c.File
		body := string(text) + strings.Repeat("\n", sent[key])
		sent[key]++
		d := p.upload("r-"+c.Roster, strings.TrimSuffix(c.File, ".txt")+".pdf", pdffixture.Text(t, body),
			ingest.Declared{Kind: dossier.Kind(c.Declared.Kind), Nominee: c.Declared.Nominee})
		ids[d.ID] = c
	}
	right := 0
	for id, c := range ids {
		d := p.await(id)
		ok := string(d.Kind) == c.Kind && d.Nominee == c.Nominee
		if c.Nominee == "" {
			// Nobody (or not one person) identifiable: kept for a person to decide, or refused.
			ok = d.Nominee == "" && (d.Status == dossier.StatusNeedsReview || d.Reason == "unknown_nominee")
		} else if contains(c.Warnings, "kind_mismatch") || contains(c.Warnings, "nominee_mismatch") {
			// Declared values the content contradicts are kept, for a person to confirm.
			ok = ok && d.Status == dossier.StatusNeedsReview
		} else if d.Status != dossier.StatusAccepted {
			ok = false
		}
		if d.Reason == "unknown_kind" {
			// A paper of an office, not of a dossier: refused as such, read as it is.
			ok = c.Kind == "other" && string(d.Kind) == c.Kind && d.Nominee == c.Nominee
		}
		if ok {
			right++
		} else {
			t.Errorf("%s: got %s/%s/%s (%s), want kind %s nominee %q", c.File, d.Status, d.Kind, d.Nominee, d.Reason, c.Kind, c.Nominee)
		}
	}
	t.Logf("corpus through the pipeline: %d/%d right", right, len(ids))
}

// Every kind of bad file ends in its own reason; the worker keeps going.
func TestPipelineBadFiles(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", people, "2028-11-25"))
	p.recv.MaxUpload = 4 << 20
	p.start(2)
	good := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nVề phẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con chấp hành pháp luật.")
	encrypted, err := os.ReadFile(ingesttest.Path("pdftext", "testdata", "bad-encrypted-aes256.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		data   []byte
		status string
		reason string
	}{
		{"good.pdf", good, dossier.StatusAccepted, ""},
		{"empty.pdf", nil, dossier.StatusRejected, "empty"},
		// Told from the bytes, whatever the name: a broken image, a broken Word file, a web page.
		{"anh.pdf", pdffixture.PNGHeader, dossier.StatusRejected, "corrupt"},
		{"bao-cao.docx", []byte("PK\x03\x04\x14\x00\x06\x00word/document.xml"), dossier.StatusRejected, "corrupt"},
		{"trang-web.pdf", []byte("<html><body>Báo cáo tự đánh giá</body></html>"), dossier.StatusRejected, "not_pdf"},
		{"encrypted.pdf", encrypted, dossier.StatusRejected, "encrypted"},
		{"truncated.pdf", good[:len(good)/3], dossier.StatusRejected, "corrupt"},
		{"garbage.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 4000)...), dossier.StatusRejected, "corrupt"},
		{"bomb.pdf", pdffixture.Bomb(64<<20, []byte(" ")), dossier.StatusRejected, "too_complex"},
		{"cycle.pdf", pdffixture.Cycle(), dossier.StatusRejected, "corrupt"},
		{"pages.pdf", pdffixture.Pages(t, 520), dossier.StatusRejected, "too_many_pages"},
		{"scan.pdf", pdffixture.Scan(t), dossier.StatusNeedsReview, "no_text_layer"},
		{"huge.pdf", append(append([]byte{}, good...), bytes.Repeat([]byte(" "), 5<<20)...), dossier.StatusRejected, "too_large"},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = p.upload("r1", c.name, c.data, ingest.Declared{}).ID
	}
	for i, c := range cases {
		d := p.await(ids[i])
		if d.Status != c.status || d.Reason != c.reason {
			t.Errorf("%s: %s/%s (%s), want %s/%s", c.name, d.Status, d.Reason, d.Message, c.status, c.reason)
		}
		if d.Status == dossier.StatusRejected && d.Message == "" {
			t.Errorf("%s: rejected without a message for people", c.name)
		}
	}
	// The worker survived all of that: a good file after them still gets its verdict.
	after := p.upload("r1", "after.pdf", pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Nguyễn Thị Thanh Hà\nNhà ở, quyền sử dụng đất. Tổng thu nhập."), ingest.Declared{})
	if d := p.await(after.ID); d.Status != dossier.StatusAccepted || d.Nominee != "n02" || d.Kind != dossier.KindAssetDeclaration {
		t.Fatalf("file after the bad ones: %+v", d)
	}
}

// Deadlines are judged on the server's receipt time; a declared kind or person that the
// content contradicts is kept with a warning.
func TestPipelineDeadlineAndDeclared(t *testing.T) {
	people := []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", people, "2028-11-25"))
	p.start(1)
	doc := pdffixture.Text(t, "BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con gương mẫu chấp hành pháp luật.")
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	p.now = time.Date(2028, 11, 25, 23, 59, 59, 0, loc)
	onTime := p.upload("r1", "a.pdf", doc, ingest.Declared{})
	p.now = time.Date(2028, 11, 26, 0, 0, 0, 0, loc)
	late := p.upload("r1", "b.pdf", append(append([]byte{}, doc...), '\n'), ingest.Declared{})
	mismatch := p.upload("r1", "c.pdf", append(append([]byte{}, doc...), ' ', '\n'), ingest.Declared{Kind: dossier.KindAssetDeclaration, Nominee: "n02"})
	unknown := p.upload("r1", "d.pdf", doc, ingest.Declared{Nominee: "n99"})

	if d := p.await(onTime.ID); d.Status != dossier.StatusAccepted || d.Kind != dossier.KindSelfAssessment || d.Nominee != "n01" {
		t.Errorf("last second of the deadline day: %s %s %s", d.Status, d.Kind, d.Nominee)
	}
	if d := p.await(late.ID); d.Status != dossier.StatusLate || d.Message == "" {
		t.Errorf("first second after the deadline: %s (%s)", d.Status, d.Message)
	}
	d := p.await(mismatch.ID)
	if d.Kind != dossier.KindAssetDeclaration || d.Nominee != "n02" || !contains(d.Warnings, "kind_mismatch") || !contains(d.Warnings, "nominee_mismatch") {
		t.Errorf("declared values contradicted by the content: %s %s %v", d.Kind, d.Nominee, d.Warnings)
	}
	if d.Status != dossier.StatusNeedsReview || d.Reason != ingest.ReasonNomineeMismatch || d.Message == "" {
		t.Errorf("contradicted paper counts without review: %s/%s %q", d.Status, d.Reason, d.Message)
	}
	if d := p.await(unknown.ID); d.Status != dossier.StatusRejected || d.Reason != "unknown_nominee" {
		t.Errorf("declared person not on the roster: %s %s", d.Status, d.Reason)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The same bytes again for the same person and kind is a duplicate of the first; a different
// file becomes the current version and the earlier one stays listed.
func TestPipelineDuplicatesAndVersions(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	p.start(1)
	v1 := pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nNhà ở: một căn hộ.")
	v2 := pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng\nNhà ở: một căn hộ; quyền sử dụng đất: 200 m2.")
	first := p.await(p.upload("r1", "kk.pdf", v1, ingest.Declared{}).ID)
	again := p.await(p.upload("r1", "kk-lan-2.pdf", v1, ingest.Declared{}).ID)
	second := p.await(p.upload("r1", "kk-bo-sung.pdf", v2, ingest.Declared{}).ID)
	if first.Status != dossier.StatusAccepted || again.Reason != "duplicate" || again.DuplicateOf != first.ID || second.Status != dossier.StatusAccepted {
		t.Fatalf("first %s, again %s/%s of %s, second %s", first.Status, again.Status, again.Reason, again.DuplicateOf, second.Status)
	}
	vs, _, err := p.docs.Versions(context.Background(), "r1", "n01", dossier.KindAssetDeclaration)
	if err != nil {
		t.Fatal(err)
	}
	// Both received at the test clock's one instant: listed in either order, each once.
	if len(vs) != 2 || !slices.ContainsFunc(vs, func(v ingest.Version) bool { return v.ID == first.ID }) ||
		!slices.ContainsFunc(vs, func(v ingest.Version) bool { return v.ID == second.ID }) {
		t.Fatalf("versions %+v", vs)
	}
}

// Stopping the worker in the middle of a batch and starting another: every upload ends with
// exactly one verdict, published exactly once.
func TestPipelineRestartMidBatch(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}, "2028-11-25"))
	const n = 24
	var ids []string
	for i := 0; i < n; i++ {
		name := []string{"Trần Quốc Hùng", "Nguyễn Thị Thanh Hà"}[i%2]
		data := pdffixture.Text(t, fmt.Sprintf("BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: %s\nLần bổ sung số %d.", name, i))
		ids = append(ids, p.upload("r1", fmt.Sprintf("f%02d.pdf", i), data, ingest.Declared{}).ID)
	}
	p.start(2)
	// Let a few verdicts land, then stop abruptly (no grace) and start a new worker.
	deadline := time.Now().Add(60 * time.Second)
	for countFinal(t, p, ids) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.stop(ctx)
	p.start(2)
	for _, id := range ids {
		if d := p.await(id); d.Status != dossier.StatusAccepted {
			t.Errorf("%s: %s %s", d.File, d.Status, d.Reason)
		}
	}
	// Exactly one verdict event per document in the DOSSIER stream.
	per := map[string]int{}
	cons, err := p.ns.JS.OrderedConsumer(context.Background(), bus.StreamDossier, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := cons.Next(jetstream.FetchMaxWait(2 * time.Second))
			if err != nil {
				return
			}
			var ev dossier.DocumentEvent
			_ = json.Unmarshal(m.Data(), &ev)
			per[ev.Document.ID]++
		}
	}()
	wg.Wait()
	for _, id := range ids {
		if per[id] != 1 {
			t.Errorf("document %s has %d verdict events, want 1", id, per[id])
		}
	}
}

// A document recorded but never announced (the receiving process died in between) is found by
// the sweep and gets its verdict.
func TestPipelineSweepAnnouncesLostUploads(t *testing.T) {
	p := newPipeline(t, ingesttest.RoundWith(t, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}}, "2028-11-25"))
	p.now = time.Now() // the sweep judges age on the worker's real clock
	ctx := context.Background()
	d, err := p.recv.Store(ctx, store.Upload{Round: "r1", File: "mat.pdf", Uploader: "bantochuc",
		Body: bytes.NewReader(pdffixture.Text(t, "BẢN KÊ KHAI TÀI SẢN, THU NHẬP\nNgười kê khai: Trần Quốc Hùng"))})
	if err != nil {
		t.Fatal(err)
	}
	// What Commit does before announcing, and no more.
	if err := p.docs.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := p.docs.MarkPending(ctx, d.ID, d.ReceivedAt); err != nil {
		t.Fatal(err)
	}
	p.start(1)
	if n, err := p.worker.Sweep(ctx, 0); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if got := p.await(d.ID); got.Status != dossier.StatusAccepted {
		t.Fatalf("lost upload: %s %s", got.Status, got.Reason)
	}
	// Once the verdict is published the marker is gone: nothing left to sweep.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ids, err := p.docs.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still pending after the verdict: %v", ids)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countFinal(t testing.TB, p *pipeline, ids []string) int {
	n := 0
	for _, id := range ids {
		if d, _, err := p.docs.Get(context.Background(), id); err == nil && d.Final() {
			n++
		}
	}
	return n
}

// BenchmarkPipeline measures documents per second through the whole ingest pipeline (store,
// JetStream, sandboxed child extraction, recognition, verdict) with two workers.
func BenchmarkPipeline(b *testing.B) {
	p := newPipeline(b, ingesttest.RoundWith(b, "r1", []ingesttest.Person{{ID: "n01", Name: "Trần Quốc Hùng"}, {ID: "n02", Name: "Nguyễn Thị Thanh Hà"}}, "2028-11-25"))
	p.start(2)
	docs := make([][]byte, 8)
	for i := range docs {
		docs[i] = pdffixture.Text(b, fmt.Sprintf("BÁO CÁO TỰ ĐÁNH GIÁ\nHọ và tên: Trần Quốc Hùng\nphẩm chất chính trị; đạo đức, lối sống; ý thức tổ chức kỷ luật; kết quả thực hiện chức trách, nhiệm vụ được giao; vợ, con. Bản %d.", i))
	}
	b.ResetTimer()
	start := time.Now()
	ids := make([]string, b.N)
	for i := 0; i < b.N; i++ {
		ids[i] = p.upload("r1", "f.pdf", docs[i%len(docs)], ingest.Declared{}).ID
	}
	for _, id := range ids {
		p.await(id)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
}

// review confirms a document's kind and person through the application core, as the board does.
func (p *pipeline) review(id string, rv ingest.Review) (dossier.Document, error) {
	p.t.Helper()
	d, err := p.core.Review(context.Background(), p.admin, id, app.ReviewRequest{Kind: string(rv.Kind), Nominee: rv.Nominee, Note: rv.Note})
	if e, ok := app.AsError(err); ok && e.Code == "not_reviewable" {
		return d, fmt.Errorf("%w: %s", ingest.ErrNotReviewable, e.Message)
	}
	return d, err
}
