// Command demo runs the whole pipeline on this machine, without an AWS
// account: kinesalite as Kinesis, the Lambda binary under the Runtime
// Interface Emulator, tools/local/esm's event source mapping in between. It
// replays Feb 2022 rides onto ride_events, waits until every ride has a
// prediction on ride_prediction or an entry on a dead-letter or on-failure
// stream, prints what happened (rides lost must be 0), and stops all it
// started, also on Ctrl-C or failure. `make demo` builds what it needs and
// runs it; `make up` runs it with -up.
//
//	make demo                                                  # 10,000 rides, 4 shards
//	go run ./tools/local/demo -n 2000 -shards 2 -parallelization-factor 3   # after make package rie kinesalite
//
// Flags: -n rides (10,000), -rate rides/s (0: as fast as possible),
// -poison invalid records mixed in, -file (the Parquet the rides come
// from), -shards (of ride_events: 4, and 1 with -up), -parallelization-factor
// (the mapping's, 1 to 10), -emulators (0: one per batch the mapping may
// run at once, shards × parallelization factor, at most 16), -batch-size,
// -window, -timeout, -metrics-file (build/metrics.jsonl: the function's EMF
// documents), -v (the stack's logs on stderr), -rie and -bootstrap (the emulator and the
// function binary, as make builds them), -template (template.yaml, whose
// function Timeout and MaximumRecordAgeInSeconds the stack takes); -up
// starts the stack and keeps it up until Ctrl-C, printing the variables
// that point the AWS CLI and the tools at it (`make up`), and with -mlflow
// PYTHON (make up MLFLOW=1) an MLflow tracking server beside it, its
// artifacts in moto's S3, for the course's workflow; -kinesalite-only
// measures kinesalite alone with the same rides, the stack's likely
// ceiling. With a shadow model compiled in (make shadow), the stack also
// has the shadow's stream, -shadow-stream (ride_prediction_shadow), and
// the demo ends with tools/operate/shadowreport's report, written to
// -shadow-report (build/shadowreport/report.md, its chart beside it).
//
// Each run stores its summary, its time and the machine's (date, commit,
// load average) in -record (build/demo.json). README.md's quick start
// shows the run committed as tools/local/demo/demo.json, and a test fails
// when they differ:
//
//	cp build/demo.json tools/local/demo/demo.json   # after make demo
//	go run ./tools/local/demo -from tools/local/demo/demo.json   # rewrites README.md's demo section
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

type options struct {
	file, rie, bootstrap string
	metricsFile          string
	template             string
	shadowStream         string // "": no shadow stream
	shadowReport         string
	n, poison, emulators int
	shards               int32
	parallelization      int
	rate                 float64
	batch                int
	window, timeout      time.Duration
	verbose, ceiling     bool
	mlflowPython         string   // "": no MLflow tracking server with -up
	columns              []string // the TLC columns each ride carries
	record               string   // where the run's Record goes ("": nowhere)
	up                   bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("demo: ")
	o, from, doc := parseFlags()
	if from != "" {
		if err := updateReadme(doc, from); err != nil {
			log.Fatal(err)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.up {
		if err := serve(ctx, o); err != nil {
			log.Fatal(err)
		}
		return
	}
	info, start := runinfo.Start("."), time.Now()
	rep, err := run(ctx, o)
	if rep != nil {
		rep.print(os.Stdout)
	}
	if ctx.Err() != nil {
		log.Print("interrupted; stopped everything it started")
		os.Exit(130)
	}
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
	if rep == nil {
		return
	}
	if rep.Lost > 0 {
		log.Printf("%d rides lost", rep.Lost)
		os.Exit(1)
	}
	if err := o.store(info, start, rep); err != nil {
		log.Fatal(err)
	}
}

// parseFlags are the options, and -from and -doc (with -from, the demo
// only writes the stored run into the doc).
func parseFlags() (o options, from, doc string) {
	flag.StringVar(&o.file, "file", "model-export/data/green_tripdata_2022-02.parquet", "rides to replay")
	flag.StringVar(&o.rie, "rie", "build/aws-lambda-rie", "the Runtime Interface Emulator")
	flag.StringVar(&o.bootstrap, "bootstrap", "build/bootstrap", "the Lambda binary")
	flag.StringVar(&o.template, "template", "template.yaml", "the SAM template whose function time-out and record age the stack takes")
	flag.IntVar(&o.n, "n", 10000, "rides to replay")
	flag.IntVar(&o.poison, "poison", 12, "invalid records to mix in")
	columns := flag.String("columns", strings.Join(rides.ModelColumns(), ","), "the TLC columns each ride carries, under their own names (default: those the shipped models' prepare_features read)")
	flag.IntVar(&o.emulators, "emulators", 0, "emulators running the function (0: shards × parallelization factor, at most 16)")
	shards := flag.Int("shards", 0, "shards of ride_events (0: 4, and 1 with -up)")
	flag.IntVar(&o.parallelization, "parallelization-factor", 1, "the event source mapping's ParallelizationFactor, 1 to 10")
	flag.Float64Var(&o.rate, "rate", 0, "rides per second (0: as fast as possible)")
	flag.IntVar(&o.batch, "batch-size", 1000, "event source mapping BatchSize")
	flag.DurationVar(&o.window, "window", 50*time.Millisecond, "event source mapping batching window")
	flag.DurationVar(&o.timeout, "timeout", 90*time.Second, "how long to wait for every ride's outcome")
	flag.BoolVar(&o.verbose, "v", false, "show the servers' and function's logs")
	flag.BoolVar(&o.ceiling, "kinesalite-only", false, "measure kinesalite alone with the same rides, and stop")
	flag.StringVar(&o.metricsFile, "metrics-file", "build/metrics.jsonl", "where the function's EMF documents go, for go run ./tools/operate/metrics and ./tools/operate/dashboard -draw (empty: nowhere)")
	defaultShadow := ""
	if shadow.Shipped {
		defaultShadow = localstack.ShadowStream
	}
	flag.StringVar(&o.shadowStream, "shadow-stream", defaultShadow, `the shadow model's stream, SHADOW_STREAM_NAME ("": none; default `+
		localstack.ShadowStream+" when make shadow has compiled one in)")
	flag.StringVar(&o.shadowReport, "shadow-report", "build/shadowreport/report.md", "where the demo's shadow report goes (its chart beside it)")
	flag.StringVar(&o.mlflowPython, "mlflow", "", "with -up, also start an MLflow tracking server (artifacts in moto's S3) with this Python, which has mlflow and moto (make up MLFLOW=1: build/venv/bin/python)")
	flag.BoolVar(&o.up, "up", false, "start the stack, print how to use it, and keep it running until Ctrl-C (make up)")
	flag.StringVar(&o.record, "record", "build/demo.json", "where the run's summary, time and machine go (copy it to "+storedRecord+" for README.md; empty: nowhere)")
	flag.StringVar(&from, "from", "", "run nothing: write this stored run ("+storedRecord+") into -doc's demo section")
	flag.StringVar(&doc, "doc", "README.md", "the document -from writes")
	flag.Parse()
	o.columns = strings.Split(*columns, ",")
	if *shards < 0 || o.parallelization < 1 || o.parallelization > esm.MaxParallelizationFactor {
		flag.Usage()
		os.Exit(2)
	}
	o.shards = int32(*shards)
	if o.shards == 0 {
		o.shards = 4
		if o.up {
			o.shards = 1
		}
	}
	return o, from, doc
}
