package handler

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/internal/original"
)

// The differential tests: the same records through the original app's
// Lambda function (model-export/baseline, run by internal/original with
// the model generated/ was compiled from) and through this handler (with
// a fake Kinesis, as in production otherwise), judged record by record:
//
//   - where the original predicts, the handler writes a prediction with the
//     same value, bit for bit, and the ride id as the original's json.dumps
//     writes it, byte for byte;
//   - where the original raises (failing its whole batch), the handler
//     dead-letters that record, and only it;
//   - but for the divergences below, where the original predicts and the
//     handler dead-letters on purpose.
//
// TestOriginalCorpus runs odd inputs (original_corpus_test.go),
// TestOriginalFuzz mutations of real rides (original_fuzz_test.go),
// TestOriginalDivergences checks each divergence against the original and
// that README.md lists it.

// divergence is a kind of record the original predicts and the handler
// dead-letters on purpose.
type divergence struct {
	input  string // what the record holds, for docs/contract.md
	error  string // what the handler's dead letter says (a part of it)
	why    string
	record []byte // an example
}

// row is the divergence as README.md's table lists it.
func (d divergence) row() string {
	return "| " + d.input + " | predicts | dead letter `" + d.error + "` | " + d.why + " |"
}

// divergences is every deliberate divergence from the original; README.md
// lists the same rows.
var divergences = []divergence{
	{"a location id that is an array or object (`[130]`), or any `str()` of one", "str() of a JSON array or object is not supported",
		"`'%s'` and `str()` write the container's repr (`[130]_205`), a category no model holds; writing repr exactly takes Python's Unicode tables",
		rideJSON("[130]", "205", "3.66", "1")},
	{"a `ride_id` holding NaN or an infinity (`NaN`, `1e400`, `[Infinity]`)", "holds NaN or an infinity",
		"json.dumps writes `NaN` or `Infinity`, which is not JSON: readers of the predictions stream would fail on the record",
		rideJSON("130", "205", "3.66", "NaN")},
	{"arrays and objects nested 901 to about 990 deep", "nested deeper than 900 levels",
		"the original's limit is Python's recursion limit less its caller's frames (992 levels under the test, fewer under Lambda's runtime); a fixed limit below it never predicts what the original refuses",
		[]byte(`{"x": ` + strings.Repeat("[", 950) + strings.Repeat("]", 950) + `, "ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`)},
}

// rideJSON is a ride event with these JSON texts as its values.
func rideJSON(pu, do, dist, id string) []byte {
	return []byte(`{"ride": {"PULocationID": ` + pu + `, "DOLocationID": ` + do + `, "trip_distance": ` + dist + `}, "ride_id": ` + id + `}`)
}

// TestOriginalDivergences: each divergence is one (the original predicts
// its example, the handler dead-letters it), and docs/contract.md lists it.
func TestOriginalDivergences(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(original.Root(), "docs", "contract.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range divergences {
		if !strings.Contains(string(readme), d.row()+"\n") {
			t.Errorf("docs/contract.md lacks the divergence row\n%s", d.row())
		}
	}
	py := theOriginal(t)
	var records [][]byte
	for _, d := range divergences {
		records = append(records, d.record)
	}
	want, err := py.Run(records)
	if err != nil {
		t.Fatal(err)
	}
	got := runHandler(t, records)
	for i, d := range divergences {
		if want[i].Error != "" || got[i].deadLetter == "" || !strings.Contains(got[i].deadLetter, d.error) {
			t.Errorf("%s: the original %s; the handler %s; want a prediction and a dead letter saying %q", d.input, want[i], got[i], d.error)
		}
	}
}

var (
	originalOnce sync.Once
	originalFn   *original.Lambda
	originalWhy  string
)

// theOriginal is the original function, started once for the package's
// tests (TestMain stops it); the test is skipped when the model generated/
// was compiled from is not at hand.
func theOriginal(t *testing.T) *original.Lambda {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: runs the original Python function")
	}
	originalOnce.Do(func() {
		model, why := original.Model(generated.SourceSHA256)
		if model == "" {
			originalWhy = why
			return
		}
		var err error
		if originalFn, err = original.Start(model); err != nil {
			originalWhy = err.Error()
		}
	})
	if originalFn == nil {
		t.Skip("the original cannot run: " + originalWhy)
	}
	return originalFn
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if originalFn != nil {
		originalFn.Close()
	}
	os.Exit(code)
}

// handlerOutcome is what the handler wrote for one record: its prediction
// record or its dead letter's error.
type handlerOutcome struct {
	record, deadLetter string
}

func (o handlerOutcome) String() string {
	if o.deadLetter != "" {
		return fmt.Sprintf("dead-letters it: %.300q", o.deadLetter)
	}
	return fmt.Sprintf("writes %.300q", o.record)
}

// runHandler runs records through the handler as one Kinesis event and
// returns what it wrote to each stream for each record, checking that it
// wrote one record for each.
func runHandler(t *testing.T, records [][]byte) []handlerOutcome {
	t.Helper()
	fake := newFake()
	res := invoke(t, New(fake, Config{Retry: fastRetry}), kinesisEvent(t, records...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("batch item failures: %v", res.BatchItemFailures)
	}
	out := make([]handlerOutcome, len(records))
	n := make([]int, len(records))
	const marker = `"event_id": "shardId-000000000000:seq-`
	for _, w := range fake.written["ride_prediction"] {
		i, err := strconv.Atoi(strings.TrimSuffix(w[strings.LastIndex(w, marker)+len(marker):], `"}`))
		if err != nil || i >= len(records) {
			t.Fatalf("prediction record %.200q answers no record", w)
		}
		out[i].record = w
		n[i]++
	}
	for _, w := range fake.written["ride_events_dlq"] {
		var dl deadLetter
		if err := json.Unmarshal([]byte(w), &dl); err != nil {
			t.Fatal(err)
		}
		i, err := strconv.Atoi(strings.TrimPrefix(dl.SequenceNumber, "seq-"))
		if err != nil || i >= len(records) {
			t.Fatalf("dead letter %.200q answers no record", w)
		}
		out[i].deadLetter = dl.Error
		n[i]++
	}
	for i, k := range n {
		if k != 1 {
			t.Fatalf("record %d (%.200q): %d records written, want 1", i, records[i], k)
		}
	}
	return out
}

// verdict is how the handler's outcome for one record compares with the
// original's.
type verdict int

const (
	bothPredict verdict = iota
	bothRefuse
	diverges // a listed divergence
	mismatch
)

// judge compares the handler's outcome with the original's: what is
// wrong, if anything, and the verdict.
func judge(want original.Outcome, got handlerOutcome) (verdict, string) {
	switch {
	case want.Error != "" && got.deadLetter != "":
		return bothRefuse, ""
	case want.Error != "":
		return mismatch, "the original raises, the handler predicts"
	case got.deadLetter != "":
		for _, d := range divergences {
			if strings.Contains(got.deadLetter, d.error) {
				return diverges, ""
			}
		}
		return mismatch, "the original predicts, the handler dead-letters (and no divergence says so)"
	}
	wantID, wantPred, ok1 := want.Prediction()
	gotID, gotPred, ok2 := original.SplitRecord(got.record)
	if !ok1 || !ok2 {
		return mismatch, "a record is not {\"ride_id\": ..., \"prediction\": ...}"
	}
	if wantID != gotID {
		return mismatch, "the ride ids differ"
	}
	w, err1 := strconv.ParseFloat(wantPred, 64)
	g, err2 := strconv.ParseFloat(gotPred, 64)
	if err1 != nil || err2 != nil || math.Float64bits(w) != math.Float64bits(g) {
		return mismatch, "the predictions differ"
	}
	return bothPredict, ""
}

// differ runs records through both and reports every mismatch; it counts
// the verdicts in seen.
func differ(t *testing.T, py *original.Lambda, records [][]byte, seen map[verdict]int) {
	t.Helper()
	want, err := py.Run(records)
	if err != nil {
		t.Fatal(err)
	}
	got := runHandler(t, records)
	for i := range records {
		v, what := judge(want[i], got[i])
		seen[v]++
		if v == mismatch {
			t.Errorf("%s for record %.400q:\nthe original %s\nthe handler %s", what, records[i], want[i], got[i])
		}
	}
}
