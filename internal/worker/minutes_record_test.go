package worker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tinnhiem/dossier"
	"tinnhiem/ingest/pdftext"
	"tinnhiem/internal/audit"
	"tinnhiem/internal/bus"
	"tinnhiem/internal/bus/bustest"
	"tinnhiem/internal/problem"
	"tinnhiem/internal/store"
	"tinnhiem/internal/worker"
	"tinnhiem/minutes"
	"tinnhiem/publish"
)

const roundYAML = `
id: tinh-uy-test
track: party
organization: Tỉnh ủy Bình Sơn
parent_organization: Đảng bộ tỉnh Bình Sơn
title: Lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy
place: Bình Sơn
vote_date: 2028-12-15
summoned: 45
nominees:
  - {id: n01, name: Trần Quốc Hùng, position: Bí thư Tỉnh ủy}
  - {id: n02, name: Nguyễn Thị Thanh Hà, position: Phó Bí thư Thường trực Tỉnh ủy}
  - {id: n03, name: Lê Văn Đức, position: Chủ tịch UBND tỉnh}
  - {id: n04, name: Phạm Minh Tuấn, position: Trưởng Ban Tổ chức Tỉnh ủy}
  - {id: n05, name: Hoàng Thị Lan, position: Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy}
  - {id: n06, name: Đỗ Thanh Tùng, position: Giám đốc Công an tỉnh, appointed: 2028-03-01}
`

// The published 45-member case of DOMAIN.md.
const countsCSV = "nominee,cao,tin_nhiem,thap,invalid\nn01,45,0,0,0\nn02,44,1,0,0\nn03,42,3,0,0\nn04,40,4,1,0\nn05,26,10,9,0\n"

func setup(t *testing.T) (*bustest.Server, dossier.Round, *tallyStore) {
	t.Helper()
	ns := bustest.Start(t)
	rd, err := dossier.ParseRound([]byte(roundYAML))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2028, 12, 15, 10, 30, 0, 0, time.UTC)
	return ns, rd, &tallyStore{Tallies: store.NewTallies(ns.KV(t, bus.BucketTallies), ns.JS), now: now}
}

func entry(t *testing.T, no int, csv string, present int, reason string) minutes.Entry {
	t.Helper()
	sheet, err := minutes.ParseSheet(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	in := sheet.Input(minutes.Attendance{Present: present, Issued: present, Collected: present},
		[]minutes.Member{{Name: "Nguyễn Văn An", Role: "Trưởng ban"}, {Name: "Lê Thị Bình", Role: "Thư ký"}, {Name: "Phạm Văn Cường", Role: "Ủy viên"}})
	return minutes.Entry{No: no, Input: in, By: "counter1", Reason: reason, Session: minutes.Session{Chair: "Trần Quốc Hùng", Secretary: "Lê Thị Bình"}}
}

func TestImportDraftSeal(t *testing.T) {
	ctx := context.Background()
	ns, rd, tallies := setup(t)
	if _, err := tallies.Draft(ctx, rd); !errors.Is(err, minutes.ErrNoEntry) {
		t.Fatalf("draft before import: %v, want ErrNoEntry", err)
	}
	if _, err := tallies.Seal(ctx, rd, "counter1"); !errors.Is(err, minutes.ErrNoEntry) {
		t.Fatalf("seal before import: %v, want ErrNoEntry", err)
	}
	res, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Sealed || res.Summoned != 45 {
		t.Fatalf("draft result: sealed=%v summoned=%d", res.Sealed, res.Summoned)
	}
	want := []string{"100%", "97,78%", "93,33%", "88,89%", "57,78%"}
	for i, n := range res.Nominees {
		if n.PercentText.Cao != want[i] {
			t.Errorf("%s: cao %s, want %s", n.Nominee, n.PercentText.Cao, want[i])
		}
	}
	s, err := tallies.Seal(ctx, rd, "counter1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 1 || !s.Result.Sealed || len(s.SHA256) != 64 || !bytes.Contains(s.Canonical, []byte("Nguyễn Thị Thanh Hà")) {
		t.Fatalf("sealed: version %d sealed %v sha %q", s.Version, s.Result.Sealed, s.SHA256)
	}
	// The seal is announced once, with a message id: sealing again re-announces without a duplicate.
	if _, err := tallies.Seal(ctx, rd, "counter1"); err != nil {
		t.Fatal(err)
	}
	st, err := ns.JS.Stream(ctx, bus.StreamTally)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(ctx)
	if info.State.Msgs != 1 {
		t.Fatalf("TALLY stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestImportRefusesAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	_, rd, tallies := setup(t)
	_, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 29, "")) // 29 of 45 < 2/3
	if !minutes.BelowQuorum(err) {
		t.Fatalf("below quorum: %v", err)
	}
	bad := strings.Replace(countsCSV, "n05,26", "n99,26", 1)
	var ve problem.List
	if _, err := tallies.Import(ctx, rd, entry(t, 1, bad, 45, "")); !errors.As(err, &ve) {
		t.Fatalf("unknown nominee column: %v", err)
	}
	exempt := countsCSV + "n06,1,0,0,0\n"
	if _, err := tallies.Import(ctx, rd, entry(t, 1, exempt, 45, "")); !errors.As(err, &ve) {
		t.Fatalf("exempt person on the ballot: %v", err)
	}
	rec, _, err := tallies.Get(ctx, rd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Entries) != 0 || len(rec.Versions) != 0 {
		t.Fatalf("a refused import stored something: %+v", rec)
	}
}

func TestDoubleEntryMustAgree(t *testing.T) {
	ctx := context.Background()
	_, rd, tallies := setup(t)
	if _, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	typo := strings.Replace(countsCSV, "n04,40,4,1", "n04,40,5,0", 1)
	if _, err := tallies.Import(ctx, rd, entry(t, 2, typo, 45, "")); err != nil {
		t.Fatal(err)
	}
	d, err := tallies.Draft(ctx, rd)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Differences) != 2 {
		t.Fatalf("differences %+v, want the two cells of n04", d.Differences)
	}
	for _, diff := range d.Differences {
		if !strings.Contains(diff.Field, "n04") {
			t.Errorf("difference %+v does not name the person", diff)
		}
	}
	var de *minutes.DiffError
	if _, err := tallies.Seal(ctx, rd, "counter1"); !errors.As(err, &de) {
		t.Fatalf("seal with differing entries: %v", err)
	}
	// Both entries by one account: allowed, but said.
	if _, err := tallies.Import(ctx, rd, entry(t, 2, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	if d, err := tallies.Draft(ctx, rd); err != nil || !hasWarning(d.Result, minutes.CodeSameEnterer, "counter1") {
		t.Fatalf("one account entering twice: %v, warnings %+v", err, d.Result.Warnings)
	}
	second := entry(t, 2, countsCSV, 45, "")
	second.By = "counter2"
	if _, err := tallies.Import(ctx, rd, second); err != nil {
		t.Fatal(err)
	}
	if d, err := tallies.Draft(ctx, rd); err != nil || hasWarning(d.Result, minutes.CodeSameEnterer, "") {
		t.Fatalf("two members entering: %v, warnings %+v", err, d.Result.Warnings)
	}
	if _, err := tallies.Seal(ctx, rd, "counter1"); err != nil {
		t.Fatalf("seal after the entries agree: %v", err)
	}
}

func hasWarning(res minutes.Result, code, text string) bool {
	for _, w := range res.Warnings {
		if w.Code == code && strings.Contains(w.Message, text) {
			return true
		}
	}
	return false
}

func TestCorrectionIsANewVersion(t *testing.T) {
	ctx := context.Background()
	_, rd, tallies := setup(t)
	if _, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	v1, err := tallies.Seal(ctx, rd, "counter1")
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(countsCSV, "n05,26,10,9", "n05,27,9,9", 1)
	if _, err := tallies.Import(ctx, rd, entry(t, 1, fixed, 45, "")); !errors.Is(err, minutes.ErrSealedNeedReason) {
		t.Fatalf("correction without reason: %v", err)
	}
	if _, err := tallies.Import(ctx, rd, entry(t, 1, fixed, 45, "Sai sót khi cộng phiếu của đồng chí Hoàng Thị Lan")); err != nil {
		t.Fatal(err)
	}
	v2, err := tallies.Seal(ctx, rd, "counter1")
	if err != nil {
		t.Fatal(err)
	}
	rec, _, _ := tallies.Get(ctx, rd.ID)
	if v2.Version != 2 || len(rec.Versions) != 2 || v2.Reason == "" {
		t.Fatalf("versions: %d, v2 %+v", len(rec.Versions), v2.Version)
	}
	old, _ := rec.Version(1)
	if old.SHA256 != v1.SHA256 || old.Result.Nominees[4].Counts.Cao != 26 {
		t.Fatal("version 1 changed after the correction")
	}
}

// The minutes worker renders the three documents on seal; the publish worker verifies them;
// the PDF text carries every name and figure.
func TestWorkersRenderAndPublish(t *testing.T) {
	ctx := context.Background()
	ns, rd, tallies := setup(t)
	rounds := store.NewRounds(ns.KV(t, bus.BucketRounds))
	if _, _, err := rounds.Save(ctx, rd, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	artifacts := &publish.Store{Objects: ns.Objects(t, bus.ObjectArtifacts), Index: ns.KV(t, bus.BucketArtifacts)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	al := audit.New(ns.JS)
	mw := &worker.Minutes{JS: ns.JS, Tallies: tallies.Tallies, Rounds: rounds, Artifacts: artifacts, Audit: al, Log: log}
	stopM, err := mw.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stopM(ctx)
	pw := &publish.Worker{JS: ns.JS, Store: artifacts, Audit: al, Log: log}
	stopP, err := pw.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stopP(ctx)

	if _, err := tallies.Import(ctx, rd, entry(t, 1, countsCSV, 45, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := tallies.Seal(ctx, rd, "counter1"); err != nil {
		t.Fatal(err)
	}
	var list []publish.Artifact
	deadline := time.Now().Add(60 * time.Second)
	for {
		list, err = artifacts.List(ctx, rd.ID)
		if err != nil {
			t.Fatal(err)
		}
		verified := 0
		for _, a := range list {
			if a.Verified {
				verified++
			}
		}
		if verified == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("artifacts after 60s: %+v", list)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, a := range list {
		rc, err := artifacts.Open(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
		res, err := pdftext.Extract(bytes.NewReader(data), int64(len(data)), pdftext.Limits{})
		if err != nil {
			t.Fatalf("%s: extract: %v", a.Kind, err)
		}
		text := strings.Join(strings.Fields(res.Text), " ")
		for _, wantText := range []string{"Trần Quốc Hùng", "Nguyễn Thị Thanh Hà", "Hoàng Thị Lan", "97,78%", "57,78%", "93,33%", "88,89%"} {
			if !strings.Contains(text, wantText) {
				t.Errorf("%s: %q missing from the PDF text", a.Kind, wantText)
			}
		}
		extra := map[string][]string{
			"bien-ban-kiem-phieu": {"Nguyễn Văn An", "Trưởng ban", "Lê Thị Bình", "Phạm Văn Cường"},
			"bien-ban-hoi-nghi":   {"Đỗ Thanh Tùng", "Mới được bầu/bổ nhiệm"},
		}
		if wants, ok := extra[a.Kind]; ok {
			for _, wantText := range wants {
				if !strings.Contains(text, wantText) {
					t.Errorf("%s: %q missing from the PDF text", a.Kind, wantText)
				}
			}
		}
	}
	events, err := al.List(ctx, rd.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if got := fmt.Sprint(actions); !strings.Contains(got, "minutes.render") || !strings.Contains(got, "artifacts.ready") {
		t.Fatalf("audit actions %v lack the render and publication", actions)
	}
}

// tallyStore is the tally store at a fixed clock.
type tallyStore struct {
	*store.Tallies
	now time.Time
}

func (t *tallyStore) Import(ctx context.Context, rd dossier.Round, e minutes.Entry) (minutes.Result, error) {
	return t.Enter(ctx, rd, e, t.now)
}

func (t *tallyStore) Seal(ctx context.Context, rd dossier.Round, by string) (minutes.Sealed, error) {
	return t.Tallies.Seal(ctx, rd, by, t.now)
}

func (t *tallyStore) Draft(ctx context.Context, rd dossier.Round) (minutes.Draft, error) {
	rec, _, err := t.Get(ctx, rd.ID)
	if err != nil {
		return minutes.Draft{}, err
	}
	return rec.Draft(rd)
}

func TestSessionOnAnotherDayWarns(t *testing.T) {
	ctx := context.Background()
	_, rd, tallies := setup(t)
	e := entry(t, 1, countsCSV, 45, "")
	e.Session.SessionOpenedAt = "2028-12-20T08:00"
	res, err := tallies.Import(ctx, rd, e)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(res, minutes.CodeSessionDate, "2028-12-20") {
		t.Errorf("warnings %+v", res.Warnings)
	}
	if d, err := tallies.Draft(ctx, rd); err != nil || !hasWarning(d.Result, minutes.CodeSessionDate, "2028-12-15") {
		t.Errorf("draft: %v %+v", err, d.Result.Warnings)
	}
}
