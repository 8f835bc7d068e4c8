package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/handler"
	"github.com/nyc-taxi/ridepred/internal/docfiles"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/internal/shadowreport"
	"github.com/nyc-taxi/ridepred/internal/tlc"
	"github.com/nyc-taxi/ridepred/internal/workcopy"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestShadowEndToEnd is issue 23's "done when": in a copy of the
// repository it trains a small challenger (xgboost, trained here, so that
// no model is hard-wired), ships it with make shadow (the serving model's
// files stay as they were) and builds the function, and runs it under the
// emulator with kinesalite, with a shadow stream. Every serving record
// must be, byte for byte, the record the serving model's golden answer
// makes, and every shadow record the shadow's golden answer's, for the
// same event_id; the shadow report must join every ride. Then it deletes
// the shadow stream while rides are flowing: no serving prediction may be
// lost. Last, promoteAndBack: make promote, make shadow-off and make
// undo-refresh.
func TestShadowEndToEnd(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ships a shadow in a copy of the repository and runs it (not under -short or -race)")
	}
	sh := shipShadow(t)
	s := stacktest.Start(t, localstack.Config{Bootstrap: filepath.Join(sh.repo, "build", "bootstrap"), ShadowStream: localstack.ShadowStream})
	trips, err := tlc.Read(filepath.Join(proc.Root(), "model-export", "data", "green_tripdata_2022-02.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	// make demo's rides first (its first 10,000 Feb rides and 12 invalid
	// records), so that the shadow report is the one docs/model.md quotes.
	all := rides.FromTrips(trips, 11500, "feb-")
	first, second := append(all[:10000:10000], rides.Poison(12)...), all[10000:]

	// Both models, every ride.
	send(t, s, first)
	valid := rides.ValidIDs(first)
	if !s.Out.WaitForShadow(context.Background(), valid, 90*time.Second) {
		t.Fatalf("only %d of %d rides have a shadow prediction", s.Out.Shadowed(valid), len(valid))
	}
	sh.check(t, s, valid, localstack.PredictionsStream, sh.servingWant, handler.ModelVersion())
	sh.check(t, s, valid, localstack.ShadowStream, sh.shadowWant, sh.shadowVersion)
	checkShadowReport(t, s, valid, sh.shadowVersion)

	// The shadow stream goes away mid-run: the serving predictions do not.
	ids := rides.IDs(second)
	putDeletingShadow(t, s, second)
	if !s.Out.WaitFor(context.Background(), ids, 90*time.Second) {
		t.Fatalf("after the shadow stream was deleted, only %d of %d rides have an outcome", s.Out.Accounted(ids), len(ids))
	}
	sh.check(t, s, ids, localstack.PredictionsStream, sh.servingWant, handler.ModelVersion())
	if failed := s.MetricsAfter(0).Sum("ShadowWriteFailures"); failed == 0 {
		t.Error("no shadow write failed after the shadow stream was deleted: the test tested nothing")
	}
	sh.promoteAndBack(t)
}

// promoteAndBack: make promote makes the challenger the serving model from
// its own artifacts (no export), with a refresh report, and leaves no
// shadow; the model's tests stay green (check-generated, check-model, go
// test of generated/ and handler/ with the copy's function); make
// shadow-off after it changes nothing; make undo-refresh brings every
// committed byte back.
func (sh shipped) promoteAndBack(t *testing.T) {
	out := workcopy.Run(t, sh.repo, nil, "make", "--no-print-directory", "promote")
	for _, want := range []string{"# Model refresh report", "| parity tests (`go test ./generated`, the library's answers bit for bit) | passed |"} {
		if !strings.Contains(out, want) {
			t.Errorf("make promote's output lacks %q", want)
		}
	}
	if got := constant(t, sh.repo, "generated/model.go", "ModelSHA256"); got != sh.shadowSHA {
		t.Errorf("after make promote generated/ is forest %s, want the shadow's %s", got, sh.shadowSHA)
	}
	if _, err := os.Stat(filepath.Join(sh.repo, "model-export", "shadow")); !os.IsNotExist(err) {
		t.Errorf("make promote left model-export/shadow (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(sh.repo, "generated", "shadow", "none.go")); err != nil {
		t.Errorf("after make promote generated/shadow holds a model: %v", err)
	}
	// The function under the emulator is the copy's, rebuilt: make test's
	// BOOTSTRAP is the repository's.
	workcopy.Run(t, sh.repo, nil, "make", "--no-print-directory", "check-generated", "check-model", "bootstrap")
	workcopy.Run(t, sh.repo, []string{"BOOTSTRAP=" + filepath.Join(sh.repo, "build", "bootstrap")},
		"go", "test", "-count=1", "./generated/...", "./handler/...")

	before := sh.git("status", "--porcelain")
	workcopy.Run(t, sh.repo, nil, "make", "--no-print-directory", "shadow-off")
	if after := sh.git("status", "--porcelain"); after != before {
		t.Errorf("make shadow-off with no shadow changed files:\n%s\nthen:\n%s", before, after)
	}
	workcopy.Run(t, sh.repo, nil, "make", "--no-print-directory", "undo-refresh")
	if status := sh.git("status", "--porcelain"); status != "" {
		t.Fatalf("make undo-refresh after a promotion left changes:\n%s", status)
	}
}

// shipped is a copy of the repository with a challenger shipped as the
// shadow (make shadow), and both models' golden answers.
type shipped struct {
	repo                    string
	git                     func(args ...string) string
	servingWant, shadowWant map[string]float64
	shadowVersion           string
	shadowSHA               string // generated/shadow's ModelSHA256
}

// shipShadow trains an xgboost challenger in a copy of the repository,
// ships it with make shadow, which must leave the serving model's files
// as they were and write the shadow's, and builds the function.
func shipShadow(t *testing.T) shipped {
	tmp, repo := workcopy.Repo(t)
	git := workcopy.Git(t, repo)
	challenger := filepath.Join(tmp, "challenger.pkl")
	workcopy.Run(t, repo, nil, "/usr/bin/python3", "model-export/train_family.py", "--train", "build/model/2022-01.csv",
		"--rows", "8000", "--form", "xgb-pipe", "--out", challenger, "--params", `{"n_estimators": 30, "max_depth": 8, "learning_rate": 0.2}`)
	out := workcopy.Run(t, repo, nil, "make", "--no-print-directory", "shadow", "MODEL="+challenger)
	for _, want := range []string{"# Shadow model report", "| | serving | shadow |", "XGBRegressor", "make shadow-off"} {
		if !strings.Contains(out, want) {
			t.Errorf("make shadow's output lacks %q", want)
		}
	}
	if status := git("status", "--porcelain", "model-export/artifacts", "generated/internal"); status != "" {
		t.Errorf("make shadow changed the serving model's files:\n%s", status)
	}
	for _, f := range []string{"forest.json", "provenance.json", "reference.json", "golden/rides.jsonl.gz", "golden/edges.jsonl.gz", "shadow.md"} {
		if _, err := os.Stat(filepath.Join(repo, "model-export", "shadow", f)); err != nil {
			t.Errorf("make shadow wrote no model-export/shadow/%s: %v", f, err)
		}
	}
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-generated", "bootstrap")
	sh := shipped{repo: repo, git: git,
		servingWant:   goldenByRow(t, filepath.Join(repo, "model-export", "artifacts", "golden")),
		shadowWant:    goldenByRow(t, filepath.Join(repo, "model-export", "shadow", "golden")),
		shadowVersion: versionOf(t, filepath.Join(repo, "model-export", "shadow")),
		shadowSHA:     constant(t, repo, "generated/shadow/model.go", "ModelSHA256"),
	}
	if sh.shadowVersion == handler.ModelVersion() {
		t.Fatalf("the challenger's version %s is the serving model's", sh.shadowVersion)
	}
	return sh
}

// constant is the value of a string constant in a generated file.
func constant(t *testing.T, repo, file, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repo, file))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "\t"+name+" = \"")
	value, _, ok2 := strings.Cut(rest, "\"")
	if !ok || !ok2 {
		t.Fatalf("%s declares no %s", file, name)
	}
	return value
}

// check: every ride of ids has, on stream, the record the function writes
// for the model's golden answer (want) and version.
func (sh shipped) check(t *testing.T, s *localstack.Stack, ids []string, stream string, want map[string]float64, version string) {
	t.Helper()
	events := eventIDs(t, s)
	for _, id := range ids {
		n := 0
		for _, o := range s.Out.Get(id) {
			if o.Stream != stream {
				continue
			}
			n++
			if w := record(t, id, want, version, events[id]); string(o.Data) != w {
				t.Fatalf("ride %s on %s:\n got %s\nwant %s", id, stream, o.Data, w)
			}
		}
		if n == 0 {
			t.Fatalf("ride %s: nothing on %s", id, stream)
		}
	}
}

// checkShadowReport: the shadow report of the run joins every valid ride,
// with each model's version.
func checkShadowReport(t *testing.T, s *localstack.Stack, valid []string, shadowVersion string) {
	t.Helper()
	c, err := shadowreport.Read(context.Background(), shadowreport.Options{}, shadowreport.Source{Client: s.OutClient, Stream: localstack.PredictionsStream},
		shadowreport.Source{Client: s.OutClient, Stream: localstack.ShadowStream}, shadowreport.Source{Client: s.Client, Stream: localstack.RidesStream})
	if err != nil {
		t.Fatal(err)
	}
	if c.Joined != len(valid) || c.Serving.Only != 0 || c.Shadow.Only != 0 || c.Scored == 0 {
		t.Errorf("shadow report: %d rides joined of %d, %d only serving, %d only shadow, %d with an RMSE", c.Joined, len(valid),
			c.Serving.Only, c.Shadow.Only, c.Scored)
	}
	if c.Shadow.Versions[shadowVersion] != len(valid) || c.Serving.Versions[handler.ModelVersion()] != len(valid) {
		t.Errorf("shadow report's versions: serving %v, shadow %v", c.Serving.Versions, c.Shadow.Versions)
	}
	if workcopy.Origin(t, proc.Root()) == "trained" { // docs/model.md's report is of the seed against the challenger
		var md strings.Builder
		if err := c.Markdown(&md, ""); err != nil {
			t.Fatal(err)
		}
		docfiles.CheckExcerpt(t, filepath.Join("docs", "model.md"), shadowExcerptAfter, md.String())
	}
}

// shadowExcerptAfter is the line of docs/model.md after which it quotes
// make demo's shadow report, in the next fenced block.
const shadowExcerptAfter = "fails when a line below is not in its report):"

// putDeletingShadow puts rs on ride_events and deletes the shadow stream
// once 100 of them have an outcome, before they all have one.
func putDeletingShadow(t *testing.T, s *localstack.Stack, rs []rides.Ride) {
	t.Helper()
	ids := rides.IDs(rs)
	var wg sync.WaitGroup
	wg.Add(1)
	var putErr error
	go func() {
		defer wg.Done()
		putErr = rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 500, nil)
	}()
	for s.Out.Accounted(ids) < 100 {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.OutClient.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String(localstack.ShadowStream)}); err != nil {
		t.Fatal(err)
	}
	if n := s.Out.Accounted(ids); n == len(ids) {
		t.Fatal("every ride was predicted before the shadow stream was deleted: the test tested nothing")
	}
	wg.Wait()
	if putErr != nil {
		t.Fatal(putErr)
	}
}

// goldenByRow reads a model's golden answers for Feb 2022, by the ride id
// rides.FromTrips gives each row.
func goldenByRow(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	all, err := golden.RidesIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, r := range all {
		if r.Month == "2022-02" {
			out[fmt.Sprintf("feb-%d", r.Row)] = r.Prediction
		}
	}
	return out
}

// versionOf is the model_version of the model whose artifacts are in dir,
// as the function names it (handler.ModelVersion): its MLflow run id, or
// "sha256:" and the start of its forest.json's sha256.
func versionOf(t *testing.T, dir string) string {
	t.Helper()
	var prov struct {
		RunID string `json:"run_id"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "provenance.json"))
	if err == nil {
		err = json.Unmarshal(data, &prov)
	}
	if err != nil {
		t.Fatal(err)
	}
	if prov.RunID != "" {
		return prov.RunID
	}
	forest, err := os.ReadFile(filepath.Join(dir, "forest.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(forest)
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// eventIDs maps each ride id on ride_events to its event id,
// shard:sequence.
func eventIDs(t *testing.T, s *localstack.Stack) map[string]string {
	t.Helper()
	recs, err := kinesalite.ReadAll(context.Background(), s.Client, localstack.RidesStream)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs {
		var ev struct {
			RideID string `json:"ride_id"`
		}
		if json.Unmarshal(r.Data, &ev) == nil {
			out[ev.RideID] = r.Shard + ":" + r.Seq
		}
	}
	return out
}

// record is the predictions-stream record the function must write for a
// ride, as a JSON encoder writes it with the original's spacing (the
// handler's own writer is checked against one: TestAppendPredictionAsEncoder).
func record(t *testing.T, id string, want map[string]float64, version, eventID string) string {
	t.Helper()
	p, ok := want[id]
	if !ok || eventID == "" {
		t.Fatalf("ride %s: no golden answer (%v) or no event id (%q)", id, ok, eventID)
	}
	b, err := jsonv2.Marshal(struct {
		RideID     string  `json:"ride_id"`
		Prediction float64 `json:"prediction"`
		Version    string  `json:"model_version"`
		EventID    string  `json:"event_id"`
	}{id, p, version, eventID}, jsontext.SpaceAfterColon(true), jsontext.SpaceAfterComma(true))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
