// Command bench measures the Go predictor and Lambda against sklearn and the
// original Python Lambda (model-export/baseline), side by side in one run,
// on the same rides, and prints one table (also written as JSON).
//
//	go run ./tools/measure/bench -out build/bench.json -chart build/cold_start.png
//
// `make bench` builds what it needs first (build/bootstrap, build/function.zip,
// the emulator, build/model/model.pkl) and runs it; its chart goes to
// build/ unless CHART=tools/measure/bench/cold_start.png asks to update the one
// BENCHMARKS.md shows.
//
// Flags: -out (the JSON report), -chart (the cold-start chart), -build (the
// directory with bootstrap, function.zip, aws-lambda-rie and
// model/model.pkl), -python (a Python with sklearn), -cold-runs and
// -python-runs (cold starts measured per Go and per Python row),
// -shadow-rounds (turns of the handler benchmark per shadow variant: none,
// the serving model as its own shadow, a GradientBoosting challenger; see
// shadow.go) and -only-shadow (only those rows: go run ./tools/measure/bench
// -only-shadow -out build/bench-shadow.json -chart ""), -only-cold (only
// the cold starts) and -mlflow-python (the Python with mlflow and moto
// that starts the baseline as the original starts, loading the model
// through MLflow from S3 in moto; cold.go).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/kinesistest"
	"github.com/nyc-taxi/ridepred/tools/internal/baseline"
)

// Row is one line of the table: the Go figure, the baseline's, and how many
// times better Go is (baseline/go, or go/baseline for rates).
type Row struct {
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Go       float64 `json:"go"`
	Baseline float64 `json:"baseline,omitempty"`
	Ratio    float64 `json:"ratio,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// Report is what -out receives.
type Report struct {
	Date    string               `json:"date"`
	Machine string               `json:"machine"`
	Rows    []Row                `json:"rows"`
	Samples map[string][]float64 `json:"cold_start_samples_ms"`
}

type config struct {
	build, py, rie   string
	mlflowPy         string // the Python with mlflow that starts the baseline as the original starts
	coldRuns, pyRuns int
	shadowRounds     int
	onlyShadow       bool
	onlyCold         bool
}

// model is the seed's pickle, which the Python baseline serves.
func (c config) model() string { return filepath.Join(c.build, "model", "model.pkl") }

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var cfg config
	out := flag.String("out", "build/bench.json", "JSON report to write")
	chart := flag.String("chart", "build/cold_start.png", "cold-start chart to write (needs matplotlib)")
	flag.StringVar(&cfg.build, "build", "build", "build directory (bootstrap, function.zip, aws-lambda-rie, model/model.pkl)")
	flag.StringVar(&cfg.py, "python", "/usr/bin/python3", "Python with sklearn")
	flag.StringVar(&cfg.mlflowPy, "mlflow-python", "build/venv/bin/python", "Python with mlflow and moto, for the baseline's cold start as the original's (make deps' venv)")
	flag.IntVar(&cfg.coldRuns, "cold-runs", 30, "cold starts per Go measurement")
	flag.IntVar(&cfg.pyRuns, "python-runs", 10, "cold starts per Python measurement")
	flag.IntVar(&cfg.shadowRounds, "shadow-rounds", 7, "turns of the handler benchmark per shadow variant")
	flag.BoolVar(&cfg.onlyShadow, "only-shadow", false, "measure only what a shadow costs (the handler's CPU per record and the sizes)")
	flag.BoolVar(&cfg.onlyCold, "only-cold", false, "measure only the cold starts")
	flag.Parse()
	cfg.rie = filepath.Join(cfg.build, "aws-lambda-rie")

	r, err := run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	printTable(os.Stdout, r.Rows)
	b, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	// The same table in Markdown, for BENCHMARKS.md.
	md := strings.TrimSuffix(*out, ".json") + ".md"
	if err := os.WriteFile(md, []byte(markdown(r.Rows)), 0o644); err != nil {
		log.Fatal(err)
	}
	if *chart != "" {
		if err := command.Run(nil, cfg.py, "tools/measure/bench/chart.py", *out, *chart); err != nil {
			log.Fatalf("chart: %v", err)
		}
	}
}

func run(cfg config) (*Report, error) {
	host, _ := os.Hostname()
	r := &Report{Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(host), Samples: map[string][]float64{}}
	dir := filepath.Join(cfg.build, "_bench")
	in, err := prepare(dir)
	if err != nil {
		return nil, err
	}
	if cfg.onlyCold {
		return r, coldRows(cfg, in, dir, r)
	}
	if cfg.onlyShadow {
		log.Print("shadow: the handler's CPU per record and the sizes, with and without a shadow")
		rows, err := shadowRows(cfg, dir, cfg.shadowRounds)
		r.Rows = rows
		return r, err
	}

	log.Print("predictor: Go vs sklearn on the same shuffled Feb 2022 rides")
	var sk struct {
		SingleNs float64 `json:"single_ns"`
		BatchNs  float64 `json:"batch_ns_per_ride"`
	}
	if err := baseline.Bench(cfg.py, cfg.model(), "", &sk, "sklearn", in.ridesFile); err != nil {
		return nil, err
	}
	single := testing.Benchmark(func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			generated.Predict(in.features[i%len(in.features)])
		}
	})
	outBuf := make([]float64, len(in.features))
	batch := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			generated.PredictBatch(in.features, outBuf)
		}
	})
	batchNs := float64(batch.NsPerOp()) / float64(len(in.features))
	r.Rows = append(r.Rows,
		faster("Predict, one ride", "µs/ride", float64(single.NsPerOp())/1e3, sk.SingleNs/1e3, "sklearn predict([ride])"),
		faster("PredictBatch", "µs/ride", batchNs/1e3, sk.BatchNs/1e3, fmt.Sprintf("%d rides in one call; sklearn n_jobs=1", len(in.features))),
		Row{Name: "Predict allocations", Unit: "allocs/ride", Go: float64(single.AllocsPerOp())},
	)

	log.Print("handler: a 1,000-record Kinesis event in process")
	var py struct {
		RidesPerSecond float64 `json:"rides_per_second"`
	}
	if err := baseline.Bench(cfg.py, cfg.model(), "", &py, "inprocess", in.eventFile); err != nil {
		return nil, err
	}
	h := handler.New(kinesistest.Nop{}, handler.Config{Metrics: io.Discard}) // as the function: with its EMF document
	hb := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Invoke(context.Background(), in.event); err != nil {
				b.Fatal(err)
			}
		}
	})
	goRate := 1000 / (float64(hb.NsPerOp()) / 1e9)
	r.Rows = append(r.Rows,
		Row{Name: "Kinesis event, 1,000 rides, in process", Unit: "rides/s", Go: goRate, Baseline: py.RidesPerSecond, Ratio: goRate / py.RidesPerSecond,
			Note: "Go: decode, validate, predict, encode, no-op client; Python: the original's loop, TEST_RUN"},
		Row{Name: "handler allocations", Unit: "allocs/record", Go: float64(hb.AllocsPerOp()) / 1000},
	)

	if err := coldRows(cfg, in, dir, r); err != nil {
		return nil, err
	}

	log.Print("build side")
	rows, err := buildRows(cfg, dir)
	if err != nil {
		return nil, err
	}
	r.Rows = append(r.Rows, rows...)

	log.Print("shadow: the handler's CPU per record and the sizes, with and without a shadow")
	if rows, err = shadowRows(cfg, dir, cfg.shadowRounds); err != nil {
		return nil, err
	}
	r.Rows = append(r.Rows, rows...)
	return r, nil
}

// faster is a row where smaller is better: ratio = baseline / go.
func faster(name, unit string, goV, base float64, note string) Row {
	return Row{Name: name, Unit: unit, Go: goV, Baseline: base, Ratio: base / goV, Note: note}
}

type inputs struct {
	features  []generated.Features
	ridesFile string // JSON lines of ride events, same order as features
	rideLine  []byte // the original app's test ride event
	rideFile  string
	event     []byte // a Kinesis event of 1,000 shuffled rides
	eventFile string
}

// prepare writes the shared inputs: Feb 2022's rides shuffled with a fixed
// seed, the original app's test ride, and a 1,000-record Kinesis event.
func prepare(dir string) (*inputs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	feb, err := golden.ShuffledFeb()
	if err != nil {
		return nil, err
	}
	in := &inputs{ridesFile: filepath.Join(dir, "rides.jsonl"), rideFile: filepath.Join(dir, "ride.json"), eventFile: filepath.Join(dir, "event1000.json")}
	var lines bytes.Buffer
	var ev events.KinesisEvent
	for i, r := range feb {
		line := golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i)
		rd, err := ride.Parse(line) // the model's own prepare_features, compiled
		if err != nil {
			return nil, fmt.Errorf("ride %d: %w", i, err)
		}
		in.features = append(in.features, rd.Features)
		lines.Write(append(line, '\n'))
		if i < 1000 {
			seq := fmt.Sprintf("4963985421087004627883773062009474352417584859150%07d", i)
			ev.Records = append(ev.Records, events.KinesisEventRecord{EventID: "shardId-000000000000:" + seq, EventSource: "aws:kinesis",
				Kinesis: events.KinesisRecord{Data: line, PartitionKey: fmt.Sprint(i), SequenceNumber: seq, KinesisSchemaVersion: "1.0"}})
		}
	}
	in.rideLine = []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`)
	if in.event, err = json.Marshal(ev); err != nil {
		return nil, err
	}
	for path, data := range map[string][]byte{in.ridesFile: lines.Bytes(), in.rideFile: in.rideLine, in.eventFile: in.event} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func goBuild(out, pkg string) error {
	return command.Run(nil, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
}

// ms is d in milliseconds, the unit of the table's times.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

func spread(goV, py []float64) string {
	q := func(xs []float64) string {
		s := slices.Sorted(slices.Values(xs))
		return fmt.Sprintf("%.1f–%.1f ms over %d runs", s[0], s[len(s)-1], len(s))
	}
	return "Go " + q(goV) + ", Python " + q(py)
}

func machine(host string) string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.Equal(bytes.TrimSpace(k), []byte("model name")) {
				cpu = string(bytes.TrimSpace(v))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s", cpu, numCPU(), host)
}
