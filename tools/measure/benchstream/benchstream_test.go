package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
)

func TestQuantile(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ q, want float64 }{{0.5, 5}, {0.99, 10}, {0.1, 1}, {1, 10}} {
		if got := quantile(xs, c.q); got != c.want {
			t.Errorf("quantile(1..10, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile(nil) = %v, want 0", got)
	}
}

func TestCeiling(t *testing.T) {
	idle := func() map[string]float64 {
		return map[string]float64{partKinesisIn: 0.2, partKinesisOut: 0.2, partEmulators: 0.05, partFunctions: 0.05, partMapping: 0.1}
	}
	busyOut := idle()
	busyOut[partKinesisOut] = 0.97
	busyAll := idle()
	busyAll[partKinesisIn], busyAll[partKinesisOut], busyAll[partMapping] = 0.8, 0.8, float64(numCPU())
	cases := []struct {
		name string
		r    Result
		want string
	}{
		{"a kinesalite at a core", Result{Cores: busyOut}, partKinesisOut},
		{"every core busy", Result{Cores: busyAll}, "machine"},
		{"the machine busy with other work", Result{Cores: idle(), MachineBusy: 0.95, LanesBusy: 0.9}, "machine"},
		{"readers busier", Result{Cores: idle(), LanesBusy: 0.4, ReadsBusy: 0.9}, "reads"},
		{"neither busy", Result{Cores: idle(), LanesBusy: 0.3, ReadsBusy: 0.2}, "batching and polls"},
		{"writes", Result{Cores: idle(), LanesBusy: 0.9, ReadsBusy: 0.3, InvokeMs: 100, HandlerMs: 90, FunctionCPUPerBatchMs: 10}, "writes"},
		{"function CPU", Result{Cores: idle(), LanesBusy: 0.9, ReadsBusy: 0.3, InvokeMs: 100, HandlerMs: 80, FunctionCPUPerBatchMs: 70}, "function CPU"},
		{"emulator", Result{Cores: idle(), LanesBusy: 0.9, ReadsBusy: 0.3, InvokeMs: 100, HandlerMs: 10, FunctionCPUPerBatchMs: 5}, "emulator"},
	}
	for _, c := range cases {
		if got := ceiling(&c.r); !strings.Contains(got, c.want) {
			t.Errorf("%s: ceiling = %q, want it to name %q", c.name, got, c.want)
		}
	}
}

// TestSmoke runs a tiny grid on the real stack (kinesalite, the emulator,
// the function, the mapping), the quota runs when this machine allows
// them, and checks the report, the document section and the chart.
func TestSmoke(t *testing.T) {
	rie, bootstrap, err := proc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	doc := filepath.Join(dir, "BENCHMARKS.md")
	if err := os.WriteFile(doc, []byte("# B\n\n"+docsection.Begin(section)+"\n"+docsection.End+"\n\nkept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config{
		rie: rie, bootstrap: bootstrap, build: filepath.Dir(bootstrap), python: "/usr/bin/python3",
		file: filepath.Join(proc.Root(), "model-export", "data", "green_tripdata_2022-02.parquet"),
		dir:  filepath.Join(dir, "out"), json: filepath.Join(dir, "stream.json"), doc: doc,
		shards: []int{1, 2}, pfs: []int{1, 2}, batches: []int{100}, memories: []int{1769},
		rides: 400, latencyRate: 200, latencySeconds: 1, timeout: time.Minute, quota: true,
	}
	if exec.Command(cfg.python, "-c", "import matplotlib").Run() == nil {
		cfg.chart = filepath.Join(dir, "stream.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(cfg, r); err != nil {
		t.Fatal(err)
	}

	if len(r.Results) != 4 {
		t.Fatalf("%d results, want 4 (2 shard counts × 2 PFs)", len(r.Results))
	}
	for _, x := range r.Results {
		if x.RidesPerSecond <= 0 || x.Invocations == 0 || x.HandlerMs <= 0 || x.MeanBatch > float64(x.Batch) {
			t.Errorf("%v: implausible drain: %+v", x.Point, x)
		}
		if x.LatencyRides != 200 || x.P50Ms <= 0 || x.P50Ms > x.P99Ms {
			t.Errorf("%v: latency run: %d rides, p50 %v ms, p99 %v ms", x.Point, x.LatencyRides, x.P50Ms, x.P99Ms)
		}
		if x.Ceiling == "" || len(x.Cores) != 5 {
			t.Errorf("%v: ceiling %q, cores %v", x.Point, x.Ceiling, x.Cores)
		}
	}
	if r.QuotaSkipped == "" {
		if len(r.Quota) != 1 || r.Quota[0].WallMs <= 0 || r.Quota[0].CPUShare != 1769.0/vCPUMemoryMB || len(r.Cold) != 1 {
			t.Errorf("quota runs: %+v, cold starts %+v", r.Quota, r.Cold)
		}
	} else {
		t.Logf("quota runs skipped: %s", r.QuotaSkipped)
	}

	var back Report
	b, err := os.ReadFile(cfg.json)
	if err != nil || json.Unmarshal(b, &back) != nil || len(back.Results) != 4 {
		t.Errorf("%s does not hold the report: %v", cfg.json, err)
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(text), "\n| 2 | 2 | 100 |"); rows != 1 || !strings.HasSuffix(string(text), docsection.End+"\n\nkept\n") {
		t.Errorf("the document's section was not rewritten as expected:\n%s", text)
	}
	if cfg.chart != "" {
		if _, err := os.Stat(cfg.chart); err != nil {
			t.Errorf("no chart: %v", err)
		}
	}
}
