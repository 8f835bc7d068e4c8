// Command bench measures the Go predictor and Lambda against sklearn and the
// original Python Lambda (model-export/baseline), side by side in one run,
// on the same rides: the predictor, the handler on a 1,000-record event,
// cold starts (as a process and under the Lambda emulator; the original
// loads its model through MLflow from S3 in moto, as it does in AWS, and
// from local disk), the build side, and what a shadow model costs. It
// prints one table and stores the raw results, with the run's date,
// commit, Go, machine and load average, as JSON.
//
//	make bench
//	go run ./tools/measure/bench -python-runs 5 -shadow-rounds 3   # a shorter run
//	go run ./tools/measure/bench -from tools/measure/bench/results.json   # BENCHMARKS.md's tables again, measuring nothing
//
// `make bench` builds what it needs first (build/bootstrap, build/function.zip,
// the emulator, build/model/model.pkl) and runs it. The results go to -out
// (tools/measure/bench/results.json, committed), and BENCHMARKS.md's
// sections <!-- begin: bench --> and <!-- begin: bench-shadow --> (-section
// names them) are generated from them (-doc; a test fails when they
// differ). The chart goes to -chart (build/cold_start.png unless
// CHART=tools/measure/bench/cold_start.png asks to update the one
// BENCHMARKS.md shows).
//
// Flags: -build (the directory with bootstrap, function.zip,
// aws-lambda-rie and model/model.pkl), -python (a Python with sklearn),
// -turns (of each Go benchmark in process; the fastest counts),
// -cold-runs and -python-runs (cold starts measured per Go and per Python
// row), -shadow-rounds (turns of the handler benchmark per shadow variant:
// none, the serving model as its own shadow, a GradientBoosting
// challenger; see shadow.go), -only-shadow (only those rows), -only-cold
// (only the cold starts: go run ./tools/measure/bench -only-cold -out
// tools/measure/bench/cold_mlflow.json -section bench-cold -chart "") and
// -mlflow-python (the Python with mlflow and moto that starts the baseline
// as the original starts; cold.go).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

type config struct {
	build, py, rie   string
	mlflowPy         string // the Python with mlflow that starts the baseline as the original starts
	coldRuns, pyRuns int
	turns            int // of each Go benchmark in process; the fastest counts
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
	out := flag.String("out", "tools/measure/bench/results.json", "JSON results to write")
	doc := flag.String("doc", "BENCHMARKS.md", "document whose sections get the tables (empty: none)")
	section := flag.String("section", "bench", "the document's section for the table; shadow rows go to NAME-shadow")
	from := flag.String("from", "", "measure nothing: write the document's tables again from these stored results")
	chart := flag.String("chart", "build/cold_start.png", "cold-start chart to write (needs matplotlib; empty: none)")
	flag.StringVar(&cfg.build, "build", "build", "build directory (bootstrap, function.zip, aws-lambda-rie, model/model.pkl)")
	flag.StringVar(&cfg.py, "python", "/usr/bin/python3", "Python with sklearn")
	flag.StringVar(&cfg.mlflowPy, "mlflow-python", "build/venv/bin/python", "Python with mlflow and moto, for the baseline's cold start as the original's (make deps' venv)")
	flag.IntVar(&cfg.coldRuns, "cold-runs", 30, "cold starts per Go measurement")
	flag.IntVar(&cfg.pyRuns, "python-runs", 10, "cold starts per Python measurement")
	flag.IntVar(&cfg.turns, "turns", 3, "turns of each Go benchmark in process (Predict, PredictBatch, the handler); the fastest counts")
	flag.IntVar(&cfg.shadowRounds, "shadow-rounds", 7, "turns of the handler benchmark per shadow variant")
	flag.BoolVar(&cfg.onlyShadow, "only-shadow", false, "measure only what a shadow costs (the handler's CPU per record and the sizes)")
	flag.BoolVar(&cfg.onlyCold, "only-cold", false, "measure only the cold starts")
	flag.Parse()
	cfg.rie = filepath.Join(cfg.build, "aws-lambda-rie")
	if (cfg.onlyCold || cfg.onlyShadow) && !isSet("out") {
		// A part's rows alone would replace the whole run's stored ones.
		fmt.Fprintln(os.Stderr, "bench: -only-cold and -only-shadow want their own -out (and -section), not the whole run's results")
		os.Exit(2)
	}

	if *from != "" {
		r, err := readReport(*from)
		if err != nil {
			log.Fatal(err)
		}
		if err := updateDoc(*doc, *section, *from, r); err != nil {
			log.Fatal(err)
		}
		return
	}
	r, err := run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	printTable(os.Stdout, r.Rows)
	if err := writeReport(*out, r); err != nil {
		log.Fatal(err)
	}
	if *doc != "" {
		if err := updateDoc(*doc, *section, *out, r); err != nil {
			log.Fatal(err)
		}
	}
	if *chart != "" {
		if err := command.Run(nil, cfg.py, "tools/measure/bench/chart.py", *out, *chart); err != nil {
			log.Fatalf("chart: %v", err)
		}
	}
}

// isSet reports whether the flag name was given.
func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
