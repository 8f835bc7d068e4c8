package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

func send(t *testing.T, s *localstack.Stack, rs []rides.Ride) []string {
	t.Helper()
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	ids := rides.IDs(rs)
	if !s.Out.WaitFor(context.Background(), ids, 90*time.Second) {
		t.Fatalf("only %d of %d rides have an outcome", s.Out.Accounted(ids), len(ids))
	}
	return ids
}

// checkPredictions: every ride predicted, bit for bit sklearn's answer; it
// returns the duplicates seen.
func checkPredictions(t *testing.T, s *localstack.Stack, want map[string]float64) int {
	t.Helper()
	dups := 0
	for id, w := range want {
		outs := s.Out.Get(id)
		if len(outs) == 0 {
			t.Fatalf("ride %s lost", id)
		}
		for _, o := range outs {
			var p struct {
				RideID     string  `json:"ride_id"`
				Prediction float64 `json:"prediction"`
				Source     string  `json:"event_id"`
			}
			if o.Stream != localstack.PredictionsStream {
				t.Fatalf("ride %s: output on %s, want %s: %s", id, o.Stream, localstack.PredictionsStream, o.Data)
			}
			if err := json.Unmarshal(o.Data, &p); err != nil {
				t.Fatalf("ride %s: prediction %s: %v", id, o.Data, err)
			}
			if p.RideID != id || p.Source == "" {
				t.Fatalf("ride %s: prediction %s, want its ride_id and the event_id it came from", id, o.Data)
			}
			if math.Float64bits(p.Prediction) != math.Float64bits(w) {
				t.Fatalf("ride %s: prediction %v, sklearn %v", id, p.Prediction, w)
			}
		}
		dups += len(outs) - 1
	}
	return dups
}

func TestEndToEndParity(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{})
	rs, want := stacktest.GoldenRides(t, 3000)
	send(t, s, rs)
	dups := checkPredictions(t, s, want)
	t.Logf("%d rides through kinesalite, esm, the emulator and bootstrap: all equal sklearn bit for bit (%d duplicates)", len(rs), dups)
}

func TestPoisonRecordsDeadLettered(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{Shards: 1})
	valid, want := stacktest.GoldenRides(t, 600)
	poison := rides.Poison(30)
	// Poison first and in between, so that a blocked shard would show.
	rs := append(append(append([]rides.Ride{}, poison[:10]...), valid[:300]...), append(poison[10:], valid[300:]...)...)
	send(t, s, rs)
	checkPredictions(t, s, want)
	for _, p := range poison {
		// One dead letter; a retried invocation may write it again.
		outs := s.Out.Get(p.ID)
		if len(outs) == 0 || slices.ContainsFunc(outs, func(o localstack.Output) bool { return o.Stream != localstack.DLQStream }) {
			t.Fatalf("poison %s: outputs %v", p.ID, outs)
		}
		var dl struct {
			Error string `json:"error"`
			Data  []byte `json:"data"`
		}
		if err := json.Unmarshal(outs[0].Data, &dl); err != nil || string(dl.Data) != string(p.Event) {
			t.Fatalf("poison %s: dead letter %s", p.ID, outs[0].Data)
		}
		if !strings.Contains(dl.Error, p.Reason) {
			t.Errorf("poison %s: reason %q, want it to mention %q", p.ID, dl.Error, p.Reason)
		}
	}
	// Poison must not stop the shard: nothing is given up on. (Function
	// errors are logged, not failed on: the emulator can have a transient
	// one, which the mapping retries.)
	st := &s.Mapping.Stats
	if st.ToOnFailure.Load() != 0 {
		t.Errorf("%d records went to the on-failure stream", st.ToOnFailure.Load())
	}
	// The function's own metrics, summed from its EMF documents as
	// CloudWatch would, count what the streams got.
	m := s.MetricsAfter(s.Out.Count(localstack.PredictionsStream))
	for name, want := range map[string]int{"Predictions": s.Out.Count(localstack.PredictionsStream), "DeadLetters": s.Out.Count(localstack.DLQStream),
		"Invocations": int(st.Invocations.Load())} {
		got := m.Sum(name)
		if name == "Invocations" {
			got = float64(m.Documents)
		}
		if got != float64(want) {
			t.Errorf("metrics: %s %v, the demo counts %d", name, got, want)
		}
	}
	if got := m.Sum("RecordsIn"); got < float64(len(rs)) || st.Retries.Load()+st.PartialFailures.Load()+st.FunctionErrors.Load() == 0 && got != float64(len(rs)) {
		t.Errorf("metrics: RecordsIn %v for %d records sent", got, len(rs))
	}
	if got := m.Sum("InvalidRecords"); got < float64(len(poison)) {
		t.Errorf("metrics: InvalidRecords %v for %d invalid records", got, len(poison))
	}
	if n := st.FunctionErrors.Load(); n != 0 {
		t.Logf("%d function errors during the run", n)
	}
}

func TestThrottledOutput(t *testing.T) {
	for _, tc := range []struct {
		name               string
		entries, wholeCall float64
		rides              int
		env                []string
	}{
		{"entries", 0.3, 0, 2000, nil},
		{"whole calls", 0, 0.3, 2000, nil},
		// A 2 s function time-out leaves the handler too little time to
		// retry everything: it reports batch item failures, the mapping
		// re-invokes from the lowest one, and rides after it that were
		// already written come out twice.
		{"persistent", 0.5, 0.1, 300, []string{"AWS_LAMBDA_FUNCTION_TIMEOUT=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var proxy *faultProxy
			s := stacktest.Start(t, localstack.Config{FunctionEnv: tc.env, ESM: esm.Config{BatchSize: 200, Bisect: true, MaxRetries: -1,
				Poll: 20 * time.Millisecond, RetryWait: 20 * time.Millisecond}, FunctionEndpoint: func(k string) string {
				p, srv := startProxy(k, tc.entries, tc.wholeCall)
				t.Cleanup(srv.Close)
				proxy = p
				return srv.URL
			}})
			rs, want := stacktest.GoldenRides(t, tc.rides)
			send(t, s, rs)
			dups := checkPredictions(t, s, want)
			if proxy.entries.Load()+proxy.calls.Load() == 0 {
				t.Fatal("the proxy injected no faults")
			}
			st := &s.Mapping.Stats
			t.Logf("injected %d entry and %d call failures; all %d rides predicted; %d duplicates (same ride id and source sequence number); "+
				"esm: %d partial failures, %d function errors, %d to on-failure", proxy.entries.Load(), proxy.calls.Load(), len(rs), dups,
				st.PartialFailures.Load(), st.FunctionErrors.Load(), st.ToOnFailure.Load())
		})
	}
}

func TestFunctionCrashMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a crashing Lambda binary and runs the local stack")
	}
	rs, want := stacktest.GoldenRides(t, 1500)
	crashID := rs[700].ID
	// The crash hook is built in only with -tags e2ecrash.
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc e2ecrash", "-o", bootstrap, "../handler/cmd/bootstrap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the crashing bootstrap: %v\n%s", err, out)
	}
	s := stacktest.Start(t, localstack.Config{Bootstrap: bootstrap, Shards: 1, Emulators: 1, FunctionEnv: []string{
		"RIDEPRED_TEST_CRASH_RIDE_ID=" + crashID, "RIDEPRED_TEST_CRASH_MARKER=" + filepath.Join(t.TempDir(), "crashed")}})
	send(t, s, rs)
	checkPredictions(t, s, want)
	if s.Mapping.Stats.FunctionErrors.Load() == 0 {
		t.Fatal("the function never crashed")
	}
	t.Logf("function crashed on ride %s; esm saw %d function errors and %d bisections; no ride lost",
		crashID, s.Mapping.Stats.FunctionErrors.Load(), s.Mapping.Stats.Bisections.Load())
}
