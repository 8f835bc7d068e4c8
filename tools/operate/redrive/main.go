// Redrive replays the batches that the event source mapping gave up on. The
// mapping's on-failure destination (SQS or SNS in AWS) holds only each
// batch's metadata: shard and first and last sequence numbers. Redrive reads
// those records back from the source stream, which keeps them for its
// retention period (7 days in template.yaml), and invokes the function with
// them exactly as the mapping would (same event ids, so consumers can drop
// duplicates), retrying and bisecting until each record is handled. A batch
// that fails again is reported, and its metadata goes back to the
// on-failure stream, if one is given. So does a batch not done within
// -batch-timeout: the range of its records not yet handled goes back,
// written under a short context of its own (the batch's has ended), with
// the condition RedriveUnfinished. Records of a batch that are past the
// stream's retention are gone; the rest are redriven, and the batch is
// reported. Redrive then goes on to the next batch, and exits 1 naming
// every batch that failed.
//
// It invokes the alias the event source mapping invokes, live, by default
// (-function): the bare function name would invoke $LATEST, which after a
// rollback is the code that was rolled back.
//
// In AWS, after fixing what made the batches fail:
//
//	aws sqs receive-message --queue-url "$QUEUE_URL" --max-number-of-messages 10 \
//	  | jq -c '.Messages[].Body | fromjson' > failed.jsonl
//	go run ./tools/operate/redrive -in failed.jsonl -function ride-duration-prediction:live
//
// Against the local stack of make up, whose on-failure destination is a
// stream, in a shell with the variables make up prints (it picks free
// ports; AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_LAMBDA and the rest):
//
//	go run ./tools/operate/redrive -from-stream ride_events_failures -function function
//
// The flags are -in FILE (JSON lines of on-failure messages, - for stdin),
// -from-stream NAME (read every message of a stream instead), -stream (the
// source stream; default: the one each message names), -function (the
// Lambda function to invoke; default ride-duration-prediction:live; the
// local stack's emulator serves "function"), -max-retries, -batch-timeout and
// -on-failure-stream (optional; it must exist).
// Credentials, region and endpoints come from the AWS SDK's environment.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/tools/internal/stdin"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("redrive: ")
	in := flag.String("in", "", "JSON lines of on-failure messages (- for stdin)")
	fromStream := flag.String("from-stream", "", "read the on-failure messages from this stream instead")
	stream := flag.String("stream", "", "the source stream (default: the one each message names)")
	function := flag.String("function", "ride-duration-prediction:live", "the Lambda function to invoke, with its alias")
	retries := flag.Int("max-retries", 2, "retries of a failing batch before it goes back on failure")
	onFailure := flag.String("on-failure-stream", "", "where a batch that fails again goes (default: reported here only)")
	batchTimeout := flag.Duration("batch-timeout", 15*time.Minute, "time for one batch and its retries; what is unfinished then goes back on -on-failure-stream")
	flag.Parse()
	if (*in == "") == (*fromStream == "") || *function == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: redrive (-in FILE | -from-stream NAME) [-function NAME:ALIAS] [-stream NAME] [-max-retries N] [-batch-timeout D] [-on-failure-stream NAME]")
		os.Exit(2)
	}
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	k := kinesis.NewFromConfig(awsCfg)
	if *onFailure != "" {
		if err := checkStream(ctx, k, *onFailure); err != nil {
			fmt.Fprintf(os.Stderr, "redrive: -on-failure-stream: %v\n", err)
			os.Exit(2)
		}
	}
	messages, err := readMessages(ctx, k, *in, *fromStream)
	if err != nil {
		log.Fatal(err)
	}
	batches, err := esm.ParseFailedBatches(messages)
	if err != nil {
		log.Fatal(err)
	}
	r := redriver{k: k, invoker: esm.LambdaInvoker{Client: lambda.NewFromConfig(awsCfg), Name: *function}, stream: *stream,
		cfg: esm.Config{Bisect: true, MaxRetries: *retries, OnFailure: *onFailure, Region: awsCfg.Region,
			Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}, timeout: *batchTimeout}
	var failed []string
	for _, b := range batches {
		if !r.redrive(ctx, b) {
			failed = append(failed, batchName(b))
		}
	}
	if len(failed) > 0 {
		log.Fatalf("%d of %d batches not redriven: %s", len(failed), len(batches), strings.Join(failed, "; "))
	}
}

// redriver redrives one batch after another.
type redriver struct {
	k       *kinesis.Client
	invoker esm.Invoker
	stream  string // "": the one each batch names
	cfg     esm.Config
	timeout time.Duration // for each batch
}

// redrive redrives one batch, as a mapping of its own would, logs how it
// went, and tells whether every record of it was handled.
func (r redriver) redrive(ctx context.Context, b esm.BatchInfo) bool {
	cfg := r.cfg
	cfg.Stream = r.stream
	if cfg.Stream == "" {
		cfg.Stream = esm.StreamName(b.StreamArn)
	}
	m := esm.New(r.k, []esm.Invoker{r.invoker}, cfg)
	batch := batchName(b)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	n, err := m.Redrive(ctx, b)
	cancel()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		log.Printf("%s: not done within -batch-timeout %v (%d records read back): %v", batch, r.timeout, n, err)
	case err != nil:
		log.Printf("%s: %v", batch, err)
	case m.Stats.SkippedBatches.Load() > 0:
		log.Printf("%s: %d records read back, %d still failing", batch, n, m.Stats.ToOnFailure.Load())
	default:
		log.Printf("%s: %d records redriven", batch, n)
		return true
	}
	return false
}

// batchName names a batch in the log: its shard and sequence numbers.
func batchName(b esm.BatchInfo) string {
	return fmt.Sprintf("%s %s..%s", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber)
}

// checkStream tells whether stream is a stream name or ARN that exists.
func checkStream(ctx context.Context, k *kinesis.Client, stream string) error {
	if err := kinesisout.CheckStream(stream); err != nil {
		return err
	}
	in := &kinesis.DescribeStreamSummaryInput{}
	in.StreamName, in.StreamARN = kinesisout.StreamParams(stream)
	if _, err := k.DescribeStreamSummary(ctx, in); err != nil {
		return fmt.Errorf("%s: %w", stream, err)
	}
	return nil
}

// readMessages reads the on-failure messages from a stream, or from a file
// (- for stdin) of JSON lines.
func readMessages(ctx context.Context, k *kinesis.Client, file, stream string) ([][]byte, error) {
	var lines [][]byte
	if stream != "" {
		recs, err := kinesalite.ReadAll(ctx, k, stream)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			lines = append(lines, r.Data)
		}
		return lines, nil
	}
	var r io.Reader = os.Stdin
	if file == "-" {
		stdin.Hint(os.Stderr, os.Stdin, "redrive: reads the on-failure destination's messages on stdin (-in -), one JSON object a line")
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	return lines, sc.Err()
}
