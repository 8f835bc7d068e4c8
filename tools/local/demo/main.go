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
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/tools/internal/emf"
	"github.com/nyc-taxi/ridepred/tools/internal/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/rides"
	"github.com/nyc-taxi/ridepred/tools/internal/shadowreport"
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
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("demo: ")
	var o options
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
		defaultShadow = shadowStream
	}
	flag.StringVar(&o.shadowStream, "shadow-stream", defaultShadow, `the shadow model's stream, SHADOW_STREAM_NAME ("": none; default `+
		shadowStream+" when make shadow has compiled one in)")
	flag.StringVar(&o.shadowReport, "shadow-report", "build/shadowreport/report.md", "where the demo's shadow report goes (its chart beside it)")
	flag.StringVar(&o.mlflowPython, "mlflow", "", "with -up, also start an MLflow tracking server (artifacts in moto's S3) with this Python, which has mlflow and moto (make up MLFLOW=1: build/venv/bin/python)")
	up := flag.Bool("up", false, "start the stack, print how to use it, and keep it running until Ctrl-C (make up)")
	flag.Parse()
	o.columns = strings.Split(*columns, ",")
	if *shards < 0 || o.parallelization < 1 || o.parallelization > esm.MaxParallelizationFactor {
		flag.Usage()
		os.Exit(2)
	}
	o.shards = int32(*shards)
	if o.shards == 0 {
		o.shards = 4
		if *up {
			o.shards = 1
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *up {
		if err := serve(ctx, o); err != nil {
			log.Fatal(err)
		}
		return
	}
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
}

// Report is what the demo prints.
type Report struct {
	Sent, Valid, Predicted, Duplicates, DeadLettered, Lost int
	// SkippedBatches and SkippedRecords: batches the mapping gave up on;
	// only their metadata is on the on-failure destination, as in AWS, so
	// their rides count as lost until tools/operate/redrive replays them.
	SkippedBatches, SkippedRecords int64
	RMSE                           float64
	RMSERides                      int
	P50, P99                       time.Duration
	Throughput                     float64
	Mapping, CPU                   string
	// Metrics: the function's own, from its EMF documents.
	Metrics emf.Table
	// Shadow: tools/operate/shadowreport's report of the run, with a shadow.
	Shadow []byte
}

func run(ctx context.Context, o options) (*Report, error) {
	valid, err := rides.Load(o.file, o.n, "feb-", o.columns)
	if err != nil {
		return nil, err
	}
	rs := append(valid, rides.Poison(o.poison)...)
	if o.ceiling {
		msg, err := ceiling(ctx, rs, o.shards)
		fmt.Println(msg)
		return nil, err
	}
	var logs io.Writer = io.Discard
	if o.verbose {
		logs = os.Stderr
	}
	mapping, err := o.mapping()
	if err != nil {
		return nil, err
	}
	s, err := StartStack(ctx, StackConfig{RIE: o.rie, Bootstrap: o.bootstrap, Emulators: o.emulators, Shards: o.shards, ESM: mapping,
		MetricsFile: o.metricsFile, ShadowStream: o.shadowStream}, logs)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	log.Printf("started kinesalite (ride_events in %d shards), %d emulators and the event source mapping (parallelization factor %d)",
		o.shards, len(s.Emulators), o.parallelization)

	log.Printf("replaying %d rides and %d invalid records", len(rs)-o.poison, o.poison)
	var mu sync.Mutex
	putAt := make(map[string]time.Time, len(rs))
	start := time.Now()
	if err := rides.Put(ctx, s.Client, ridesStream, rs, o.rate, func(ok []rides.Ride, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ok {
			putAt[r.ID] = at
		}
	}); err != nil {
		return nil, err
	}
	ids := rideIDs(rs)
	if !s.Out.WaitFor(ctx, ids, o.timeout) && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	rep := report(s, rs, putAt, start)
	rep.CPU = fmt.Sprintf("%s, over %.1fs", s.cpuReport(), time.Since(start).Seconds())
	rep.Metrics = s.metricsAfter(rep.Predicted + rep.Duplicates)
	if o.shadowStream != "" {
		if rep.Shadow, err = shadowReport(ctx, s, o, validIDs(rs)); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// shadowReport waits until every valid ride has its shadow prediction
// (or o.timeout passes), then writes tools/operate/shadowreport's report of the
// run to o.shadowReport and returns it.
func shadowReport(ctx context.Context, s *Stack, o options, valid []string) ([]byte, error) {
	if !s.Out.WaitForShadow(ctx, valid, o.timeout) && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c, err := shadowreport.Read(ctx, shadowreport.Options{}, shadowreport.Source{Client: s.OutClient, Stream: predictionsStream},
		shadowreport.Source{Client: s.OutClient, Stream: o.shadowStream}, shadowreport.Source{Client: s.Client, Stream: ridesStream})
	if err != nil {
		return nil, fmt.Errorf("shadow report: %w", err)
	}
	md, err := c.Write(o.shadowReport, "/usr/bin/python3")
	if err != nil {
		return nil, fmt.Errorf("shadow report: %w", err)
	}
	log.Printf("wrote the shadow report to %s", o.shadowReport)
	return md, nil
}

// validIDs are the valid rides' ids, in order.
func validIDs(rs []rides.Ride) []string {
	var ids []string
	for _, r := range rs {
		if r.Valid {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// metricsAfter is the function's metrics once they count the predictions
// the stream got (a function writes its EMF document after its records),
// or after two seconds.
func (s *Stack) metricsAfter(predictions int) emf.Table {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s.Metrics.Table().Sum("Predictions") >= float64(predictions) {
			break
		}
	}
	return s.Metrics.Table()
}

// rideIDs are the rides' ids, in order.
func rideIDs(rs []rides.Ride) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// mapping is the event source mapping of make demo and make up:
// template.yaml's function time-out and record age, the demo's batching
// and retries.
func (o options) mapping() (esm.Config, error) {
	text, err := os.ReadFile(o.template)
	if err != nil {
		return esm.Config{}, err
	}
	cfg, err := mappingFromTemplate(text)
	if err != nil {
		return esm.Config{}, fmt.Errorf("%s: %w", o.template, err)
	}
	cfg.BatchSize, cfg.Window, cfg.Bisect, cfg.MaxRetries, cfg.Poll = o.batch, o.window, true, 5, 20*time.Millisecond
	cfg.ParallelizationFactor = o.parallelization
	return cfg, nil
}

func report(s *Stack, rs []rides.Ride, putAt map[string]time.Time, start time.Time) *Report {
	rep := &Report{Sent: len(rs)}
	var sq float64
	var lat []time.Duration
	var last time.Time
	for _, r := range rs {
		outs := s.Out.Get(r.ID)
		if r.Valid {
			rep.Valid++
		}
		var preds []Output
		for _, o := range outs {
			switch o.Stream {
			case predictionsStream:
				preds = append(preds, o)
			case dlqStream:
				rep.DeadLettered++
			}
		}
		if len(outs) == 0 {
			rep.Lost++
		}
		if len(preds) == 0 {
			continue
		}
		rep.Predicted++
		rep.Duplicates += len(preds) - 1
		lat = append(lat, preds[0].Arrival.Sub(putAt[r.ID]))
		if preds[0].Arrival.After(last) {
			last = preds[0].Arrival
		}
		var p struct {
			Prediction float64 `json:"prediction"`
		}
		if json.Unmarshal(preds[0].Data, &p) == nil && r.Duration >= 1 && r.Duration <= 60 {
			d := p.Prediction - r.Duration
			sq += d * d
			rep.RMSERides++
		}
	}
	if rep.RMSERides > 0 {
		rep.RMSE = math.Sqrt(sq / float64(rep.RMSERides))
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		rep.P50, rep.P99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
		rep.Throughput = float64(rep.Predicted) / last.Sub(start).Seconds()
	}
	st := &s.Mapping.Stats
	rep.SkippedBatches, rep.SkippedRecords = st.SkippedBatches.Load(), st.ToOnFailure.Load()
	rep.Mapping = fmt.Sprintf("%d invocations (up to %d at once, %d emulators), %d partial failures, %d function errors, %d retries, %d bisections",
		st.Invocations.Load(), st.MaxInFlight.Load(), len(s.Emulators), st.PartialFailures.Load(), st.FunctionErrors.Load(), st.Retries.Load(), st.Bisections.Load())
	return rep
}

func (r *Report) print(w io.Writer) {
	fmt.Fprintf(w, "rides sent             %d (%d valid, %d invalid)\n", r.Sent, r.Valid, r.Sent-r.Valid)
	fmt.Fprintf(w, "predictions received   %d (+%d duplicates from retries)\n", r.Predicted, r.Duplicates)
	fmt.Fprintf(w, "dead-lettered          %d\n", r.DeadLettered)
	fmt.Fprintf(w, "skipped by the mapping %d batches, %d records (metadata on the on-failure destination; tools/operate/redrive replays them)\n",
		r.SkippedBatches, r.SkippedRecords)
	fmt.Fprintf(w, "lost                   %d (no prediction and no dead letter)\n", r.Lost)
	fmt.Fprintf(w, "RMSE                   %.4f min over %d rides with 1 <= duration <= 60\n", r.RMSE, r.RMSERides)
	fmt.Fprintf(w, "put-to-prediction      p50 %v, p99 %v\n", r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond))
	fmt.Fprintf(w, "throughput             %.0f rides/s end to end\n", r.Throughput)
	fmt.Fprintf(w, "event source mapping   %s\n", r.Mapping)
	fmt.Fprintf(w, "CPU time               %s\n", r.CPU)
	if r.Metrics.Documents > 0 {
		fmt.Fprintf(w, "\nthe function's metrics, as CloudWatch would show them for the run:\n")
		r.Metrics.Print(w)
	}
	if len(r.Shadow) > 0 {
		fmt.Fprintf(w, "\n")
		w.Write(r.Shadow)
	}
}

// serve is make up: the stack with every stream on one kinesalite, one
// shard each but ride_events (-shards, 1 by default, as the original's CLI
// workflow expects), until ctx ends.
func serve(ctx context.Context, o options) error {
	var logs io.Writer = io.Discard
	if o.verbose {
		logs = os.Stderr
	}
	mapping, err := o.mapping()
	if err != nil {
		return err
	}
	s, err := StartStack(ctx, StackConfig{RIE: o.rie, Bootstrap: o.bootstrap, Emulators: o.emulators, Shards: o.shards, OneServer: true, ESM: mapping,
		MetricsFile: o.metricsFile, ShadowStream: o.shadowStream}, logs)
	if err != nil {
		return err
	}
	defer s.Stop()
	u, err := url.Parse(s.Emulators[0].URL)
	if err != nil {
		return err
	}
	fmt.Printf(upHelp, s.Kinesis.Endpoint, u.Scheme+"://"+u.Host, o.metricsFile, o.shards, o.parallelization, len(s.Emulators))
	if o.shadowStream != "" {
		fmt.Printf(upShadowHelp, o.shadowStream)
	}
	if o.mlflowPython != "" {
		m, stop, err := startMLflow(o.mlflowPython, logs)
		if err != nil {
			return fmt.Errorf("MLflow: %w", err)
		}
		defer stop()
		printMLflowHelp(os.Stdout, m, o.mlflowPython)
	}
	<-ctx.Done()
	log.Print("stopping everything make up started")
	return nil
}

const upHelp = `The local stack is up: kinesalite with ride_events (%[4]d shards),
ride_prediction, ride_events_dlq and ride_events_failures (one shard each),
the function under the Lambda emulator (%[6]d emulators), and the event source
mapping (parallelization factor %[5]d). In another shell:

export AWS_ENDPOINT_URL=%[1]s AWS_ENDPOINT_URL_KINESIS=%[1]s AWS_ENDPOINT_URL_LAMBDA=%[2]s
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_DEFAULT_OUTPUT=text

then the original's commands with AWS CLI v2 (/usr/bin/aws; 2.9 needs --endpoint-url),
as in README.md, "The original's workflow, against make up":

/usr/bin/aws kinesis put-record --endpoint-url "$AWS_ENDPOINT_URL" --stream-name ride_events \
  --partition-key 1 --cli-binary-format raw-in-base64-out \
  --data '{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}'
go run ./tools/operate/tail -stream ride_prediction

and the function's metrics so far, as CloudWatch would show them:

go run ./tools/operate/metrics -file %[3]s

Ctrl-C stops everything.
`

const upShadowHelp = `
A shadow model is compiled in (make shadow): the function writes its
predictions to %[1]s as well (SHADOW_STREAM_NAME). After some rides
(go run ./tools/local/replay -n 5000), compare it with the serving model:

export SHADOW_STREAM_NAME=%[1]s
go run ./tools/operate/shadowreport
`
