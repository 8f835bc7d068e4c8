// Command benchstream measures the local streaming stack's capacity: for
// each point of a grid of shards, parallelization factors and batch sizes
// it starts kinesalite, shards × PF Lambda emulators running the function,
// and the local event source mapping (localstack/esm), and measures
//
//   - rides/s end to end: the rides are put on ride_events first, then the
//     mapping starts, and the clock runs until the function's metrics
//     (EMF) count the last prediction written;
//   - put-to-prediction latency, p50 and p99, of rides then put at a fixed
//     rate on the running stack: from each ride's
//     ApproximateArrivalTimestamp on ride_events to its prediction's on
//     ride_prediction, both kinesalite's clock;
//   - the function's CPU per ride and per batch (its process's user plus
//     system time, and its own HandlerDuration and PredictTimePerRide);
//   - each part's CPU (the two kinesalite servers, the emulators, the
//     functions, the mapping in this process) and the per-batch round
//     trips, from which it names the ceiling.
//
// Then, unless -quota=false, the function alone under the CPU share that
// Lambda gives each memory size (memory / 1,769 MB of a vCPU), in a cgroup
// CPU quota, with GOMAXPROCS=1, batch after batch, writing to a stand-in
// Kinesis that accepts every record at once; and the original Python
// function (model-export/baseline) the same way on the smallest batch.
// This takes root and a cgroup file system with the cpu controller.
//
//	go run ./tools/measure/benchstream
//
// `make bench-stream` builds what it needs and runs it. It writes
// -dir/stream.json, -dir/stream.md and the stack's logs there, the results
// to -json (tools/measure/benchstream/stream.json, which tools/measure/capacity reads), the
// chart to -chart (with /usr/bin/python3 and matplotlib), and its tables
// into -doc (BENCHMARKS.md) between the lines <!-- begin: bench-stream --> and
// <!-- end --> (tools/internal/docsection); -json "", -chart "" and -doc "" write none.
//
// -from REPORT measures nothing: it writes the tables, the chart and the
// document's section again from a report run wrote.
//
// Flags: -shards, -pf and -batch (the grid, comma-separated), -rides (put
// before each drain), -latency-rate and -latency-seconds (the latency
// run), -window (the mapping's batching window), -memory (the memory sizes
// of the quota runs), -quota, -original, -timeout (per phase), -build (the
// directory with bootstrap, aws-lambda-rie and model/model.pkl), -file
// (the Parquet the rides come from), -python.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/internal/tlc"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

type config struct {
	build, rie, bootstrap, python, file string
	dir, json, chart, doc               string
	shards, pfs, batches, memories      []int
	rides                               int
	latencyRate                         float64
	latencySeconds                      float64
	window, timeout                     time.Duration
	quota, original                     bool
}

// Report is what -json receives.
type Report struct {
	Date    string `json:"date"`
	Machine string `json:"machine"`
	// Load is the 1-, 5- and 15-minute load averages at the start and the
	// end of the run: how busy the machine was besides.
	LoadStart [3]float64  `json:"load_start"`
	LoadEnd   [3]float64  `json:"load_end"`
	Seconds   float64     `json:"seconds"`
	Settings  Settings    `json:"settings"`
	Results   []Result    `json:"results"`
	Quota     []QuotaRow  `json:"quota,omitempty"`
	Cold      []ColdStart `json:"cold_starts,omitempty"`
	// QuotaSkipped says why the quota runs did not run, if they did not.
	QuotaSkipped string `json:"quota_skipped,omitempty"`
}

// Settings are the run's, besides the grid.
type Settings struct {
	Rides          int     `json:"rides"`
	LatencyRate    float64 `json:"latency_rate"`
	LatencySeconds float64 `json:"latency_seconds"`
	WindowMs       float64 `json:"window_ms"`
	PollMs         float64 `json:"poll_ms"`
	RideBytes      float64 `json:"ride_bytes"` // mean size of a ride event
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench-stream: ")
	var cfg config
	flag.StringVar(&cfg.build, "build", "build", "directory with bootstrap, aws-lambda-rie and model/model.pkl")
	flag.StringVar(&cfg.python, "python", "/usr/bin/python3", "Python with sklearn (the original and the chart)")
	flag.StringVar(&cfg.file, "file", "model-export/data/green_tripdata_2022-02.parquet", "rides to put")
	flag.StringVar(&cfg.dir, "dir", "build/stream", "directory for stream.json, stream.md and the stack's logs")
	flag.StringVar(&cfg.json, "json", "tools/measure/benchstream/stream.json", "results for tools/measure/capacity (empty: none)")
	flag.StringVar(&cfg.chart, "chart", "tools/measure/benchstream/stream.png", "chart to draw (empty: none)")
	flag.StringVar(&cfg.doc, "doc", "BENCHMARKS.md", "document whose bench-stream section gets the tables (empty: none)")
	shards := flag.String("shards", "1,2,4", "shards of ride_events")
	pfs := flag.String("pf", "1,4", "parallelization factors")
	batches := flag.String("batch", "100,1000,10000", "batch sizes")
	memories := flag.String("memory", "128,256,512,1024,1769", "memory sizes (MB) of the quota runs")
	flag.IntVar(&cfg.rides, "rides", 20000, "rides put before each drain")
	flag.Float64Var(&cfg.latencyRate, "latency-rate", 1000, "rides/s of the latency run")
	flag.Float64Var(&cfg.latencySeconds, "latency-seconds", 5, "length of the latency run")
	flag.DurationVar(&cfg.window, "window", 0, "the mapping's batching window (MaximumBatchingWindowInSeconds)")
	flag.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "longest wait for a phase's predictions")
	flag.BoolVar(&cfg.quota, "quota", true, "measure the function under the CPU share of each memory size")
	flag.BoolVar(&cfg.original, "original", true, "with -quota, measure the original Python function too")
	from := flag.String("from", "", "measure nothing: write the tables, chart and document again from this report, the ceilings named anew")
	flag.Parse()
	var err error
	for _, f := range []struct {
		dst  *[]int
		flag string
	}{{&cfg.shards, *shards}, {&cfg.pfs, *pfs}, {&cfg.batches, *batches}, {&cfg.memories, *memories}} {
		if *f.dst, err = ints(f.flag); err != nil {
			fmt.Fprintln(os.Stderr, err)
			flag.Usage()
			os.Exit(2)
		}
	}
	cfg.rie, cfg.bootstrap = filepath.Join(cfg.build, "aws-lambda-rie"), filepath.Join(cfg.build, "bootstrap")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var r *Report
	if *from != "" {
		r, err = reread(*from)
	} else {
		r, err = run(ctx, cfg)
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := write(cfg, r); err != nil {
		log.Fatal(err)
	}
}

// ints reads a comma-separated list of positive integers.
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// run measures every grid point, then the quota runs.
func run(ctx context.Context, cfg config) (*Report, error) {
	start := time.Now()
	r := &Report{Date: start.UTC().Format(time.RFC3339), Machine: machine(), LoadStart: runinfo.LoadAverages()}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return nil, err
	}
	trips, err := tlc.Read(cfg.file)
	if err != nil {
		return nil, err
	}
	nLatency := int(cfg.latencyRate * cfg.latencySeconds)
	// The quota runs take up to the largest batch from the same rides.
	need := max(cfg.rides+nLatency, slices.Max(cfg.batches))
	all := rides.FromTrips(trips, need, "feb-")
	if len(all) < need {
		return nil, fmt.Errorf("%s has %d rides, fewer than the run needs", cfg.file, len(all))
	}
	drain, latency := all[:cfg.rides], all[cfg.rides:cfg.rides+nLatency]
	size := 0
	for _, rd := range drain {
		size += len(rd.Event)
	}
	r.Settings = Settings{Rides: cfg.rides, LatencyRate: cfg.latencyRate, LatencySeconds: cfg.latencySeconds,
		WindowMs: ms(cfg.window), PollMs: ms(mappingConfig(Point{}, cfg).Poll), RideBytes: float64(size) / float64(len(drain))}

	for _, p := range grid(cfg) {
		log.Printf("%v: %d rides, then %d at %.0f/s (load %.2f)", p, len(drain), len(latency), cfg.latencyRate, loadAverage())
		res, err := runLogged(ctx, p, cfg, drain, latency)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", p, err)
		}
		log.Printf("%v: %.0f rides/s, p50 %.0f ms, p99 %.0f ms, function %.1f µs/ride; ceiling: %s",
			p, res.RidesPerSecond, res.P50Ms, res.P99Ms, res.FunctionCPUPerRideUs, res.Ceiling)
		r.Results = append(r.Results, *res)
	}
	if cfg.quota {
		quotaCfg := cfg
		if !cfg.original {
			quotaCfg.python = ""
		}
		logs, err := os.Create(filepath.Join(cfg.dir, "quota.log"))
		if err != nil {
			return nil, err
		}
		defer logs.Close()
		r.Quota, r.Cold, err = quotaRuns(ctx, quotaCfg, all, &proc.Logs{W: logs})
		if err != nil {
			log.Printf("quota runs skipped: %v", err)
			r.QuotaSkipped = err.Error()
		}
	}
	r.LoadEnd, r.Seconds = runinfo.LoadAverages(), time.Since(start).Seconds()
	return r, nil
}

// reread reads a report that run wrote and names each point's ceiling
// again, as ceiling names it now.
func reread(path string) (*Report, error) {
	var r Report
	if err := runinfo.ReadJSON(path, &r); err != nil {
		return nil, err
	}
	for i := range r.Results {
		r.Results[i].Ceiling = ceiling(&r.Results[i])
	}
	return &r, nil
}

// grid is every point, smallest stack first.
func grid(cfg config) []Point {
	var ps []Point
	for _, s := range cfg.shards {
		for _, pf := range cfg.pfs {
			for _, b := range cfg.batches {
				ps = append(ps, Point{Shards: s, PF: pf, Batch: b})
			}
		}
	}
	return ps
}

// runLogged runs one point with the stack's output in -dir/<point>.log.
func runLogged(ctx context.Context, p Point, cfg config, drain, latency []rides.Ride) (*Result, error) {
	f, err := os.Create(filepath.Join(cfg.dir, fmt.Sprintf("s%d-pf%d-b%d.log", p.Shards, p.PF, p.Batch)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return runPoint(ctx, p, cfg, drain, latency, &proc.Logs{W: f})
}

// write writes the report where cfg says.
func write(cfg config, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	md := markdown(r, cfg.chart)
	files := map[string][]byte{filepath.Join(cfg.dir, "stream.json"): b, filepath.Join(cfg.dir, "stream.md"): []byte(md)}
	if cfg.json != "" {
		files[cfg.json] = b
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Print(md)
	if cfg.chart != "" {
		if err := drawChart(cfg.python, filepath.Join(cfg.dir, "stream.json"), cfg.chart); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	if cfg.doc != "" {
		return docsection.Update(cfg.doc, section, md)
	}
	return nil
}

// loadAverage is the 1-minute load average.
func loadAverage() float64 { return runinfo.LoadAverages()[0] }

func numCPU() int { return runtime.NumCPU() }

// machine names the CPU and its cores.
func machine() string { return fmt.Sprintf("%s, %d cores", runinfo.CPUModel(), numCPU()) }
