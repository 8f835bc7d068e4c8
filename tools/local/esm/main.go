// Command esm is a local event source mapping for Kinesis, behaving as
// Lambda's does: it reads every shard of the input stream, builds
// events.KinesisEvent batches, invokes the function through the Runtime
// Interface Emulator's HTTP endpoint (one invocation in flight per emulator,
// up to -parallelization-factor per shard, each partition key's records in
// order), honours batchItemFailures, retries with bisection on
// function errors, sends what it gives up on (retries exhausted, records
// too old) to an on-failure stream, checkpoints each shard, renews expired
// iterators, and follows a resharded stream's children after their parents.
//
// In a shell with the variables `make up` prints (it picks free ports;
// AWS_ENDPOINT_URL_KINESIS for kinesalite, AWS_ENDPOINT_URL_LAMBDA for an
// emulator):
//
//	go run ./tools/local/esm -function-url "$AWS_ENDPOINT_URL_LAMBDA/2015-03-31/functions/function/invocations"
//
// The flags mirror the mapping's settings: -batch-size (BatchSize),
// -maximum-batching-window-in-seconds, -parallelization-factor (1 to 10:
// concurrent batches per shard), -bisect-batch-on-function-error,
// -maximum-retry-attempts (-1: until success),
// -maximum-record-age-in-seconds (-1: no limit), -starting-position
// (TRIM_HORIZON or LATEST), -on-failure-stream (DestinationConfig.OnFailure);
// and -stream, -function-url (repeat for several emulators: a batch waits
// while every emulator runs one, so give shards × parallelization factor
// of them for none to wait),
// -function-timeout (give the emulator the same AWS_LAMBDA_FUNCTION_TIMEOUT:
// past it the invocation is a function error, but the next one waits until
// the emulator is done), -checkpoints (a file; resumes from it).
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

type urls []string

func (u *urls) String() string     { return strings.Join(*u, ",") }
func (u *urls) Set(s string) error { *u = append(*u, s); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("esm: ")
	var fns urls
	flag.Var(&fns, "function-url", "the emulator's invoke URL (repeat for several emulators)")
	stream := flag.String("stream", localstack.RidesStream, "stream to read")
	batch := flag.Int("batch-size", 100, "BatchSize: records per invocation, at most 10,000")
	window := flag.Float64("maximum-batching-window-in-seconds", 0, "MaximumBatchingWindowInSeconds")
	pf := flag.Int("parallelization-factor", 1, "ParallelizationFactor: concurrent batches per shard, 1 to 10")
	bisect := flag.Bool("bisect-batch-on-function-error", true, "BisectBatchOnFunctionError")
	retries := flag.Int("maximum-retry-attempts", 3, "MaximumRetryAttempts (-1: until success)")
	age := flag.Int("maximum-record-age-in-seconds", -1, "MaximumRecordAgeInSeconds (-1: no limit)")
	start := flag.String("starting-position", "TRIM_HORIZON", "StartingPosition: TRIM_HORIZON or LATEST")
	onFailure := flag.String("on-failure-stream", localstack.FailuresStream, "DestinationConfig.OnFailure stream")
	timeout := flag.Duration("function-timeout", 30*time.Second, "function time-out")
	checkpoints := flag.String("checkpoints", "", "file to keep each shard's checkpoint in")
	flag.Parse()
	if len(fns) == 0 || (*start != "TRIM_HORIZON" && *start != "LATEST") || *pf < 1 || *pf > esm.MaxParallelizationFactor {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := kinesalite.FromEnv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var invokers []esm.Invoker
	for _, u := range fns {
		invokers = append(invokers, esm.HTTPInvoker{URL: u})
	}
	m := esm.New(c, invokers, esm.Config{
		Stream: *stream, StartingPosition: types.ShardIteratorType(*start), BatchSize: *batch,
		Window: time.Duration(*window * float64(time.Second)), ParallelizationFactor: *pf, Bisect: *bisect, MaxRetries: *retries,
		MaxRecordAge: time.Duration(*age) * time.Second, OnFailure: *onFailure, FunctionTimeout: *timeout, Checkpoints: *checkpoints,
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	})
	if err := m.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
