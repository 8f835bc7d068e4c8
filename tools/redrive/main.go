// Redrive replays the batches that the event source mapping gave up on. The
// mapping's on-failure destination (SQS or SNS in AWS) holds only each
// batch's metadata: shard and first and last sequence numbers. Redrive reads
// those records back from the source stream, which keeps them for its
// retention period (7 days in template.yaml), and invokes the function with
// them exactly as the mapping would (same event ids, so consumers can drop
// duplicates), retrying and bisecting until each record is handled. A batch
// that fails again goes back to the on-failure destination stream, if one is
// given.
//
// In AWS, after fixing what made the batches fail:
//
//	aws sqs receive-message --queue-url "$QUEUE_URL" --max-number-of-messages 10 \
//	  | jq -c '.Messages[].Body | fromjson' > failed.jsonl
//	go run ./tools/redrive -in failed.jsonl -function ride-duration-prediction
//
// Against the local stack (make demo, make up), whose on-failure
// destination is a stream:
//
//	AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:9000 \
//	  go run ./tools/redrive -from-stream ride_events_failures -function function
//
// The flags are -in FILE (JSON lines of on-failure messages, - for stdin),
// -from-stream NAME (read every message of a stream instead), -stream (the
// source stream; default: the one each message names), -function (the
// Lambda function to invoke), -max-retries and -on-failure-stream.
// Credentials, region and endpoints come from the AWS SDK's environment.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nyc-taxi/ridepred/tools/internal/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("redrive: ")
	in := flag.String("in", "", "JSON lines of on-failure messages (- for stdin)")
	fromStream := flag.String("from-stream", "", "read the on-failure messages from this stream instead")
	stream := flag.String("stream", "", "the source stream (default: the one each message names)")
	function := flag.String("function", "", "the Lambda function to invoke")
	retries := flag.Int("max-retries", 2, "retries of a failing batch before it goes back on failure")
	onFailure := flag.String("on-failure-stream", "", "where a batch that fails again goes (default: reported here only)")
	flag.Parse()
	if (*in == "") == (*fromStream == "") || *function == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: redrive (-in FILE | -from-stream NAME) -function NAME [-stream NAME] [-max-retries N] [-on-failure-stream NAME]")
		os.Exit(2)
	}
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	k := kinesis.NewFromConfig(awsCfg)
	batches, err := readBatches(ctx, k, *in, *fromStream)
	if err != nil {
		log.Fatal(err)
	}
	invoker := lambdaInvoker{client: lambda.NewFromConfig(awsCfg), name: *function}
	failed := 0
	for _, b := range batches {
		name := *stream
		if name == "" {
			name = streamName(b.StreamArn)
		}
		m := esm.New(k, []esm.Invoker{invoker}, esm.Config{Stream: name, Bisect: true, MaxRetries: *retries, OnFailure: *onFailure,
			Region: awsCfg.Region, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
		n, err := m.Redrive(ctx, b)
		switch {
		case err != nil:
			log.Printf("%s %s..%s: %v", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber, err)
			failed++
		case m.Stats.SkippedBatches.Load() > 0:
			log.Printf("%s %s..%s: %d records read back, %d still failing", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber, n, m.Stats.ToOnFailure.Load())
			failed++
		default:
			log.Printf("%s %s..%s: %d records redriven", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber, n)
		}
	}
	if failed > 0 {
		log.Fatalf("%d of %d batches not redriven", failed, len(batches))
	}
}

// readBatches reads the on-failure messages from a file or a stream.
func readBatches(ctx context.Context, k *kinesis.Client, file, stream string) ([]esm.BatchInfo, error) {
	var lines [][]byte
	if stream != "" {
		recs, err := localkinesis.ReadAll(ctx, k, stream)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			lines = append(lines, r.Data)
		}
	} else {
		var r io.Reader = os.Stdin
		if file != "-" {
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
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	var out []esm.BatchInfo
	for i, line := range lines {
		var m esm.FailedBatch
		if err := json.Unmarshal(line, &m); err != nil || m.KinesisBatchInfo.ShardID == "" {
			return nil, fmt.Errorf("message %d is not a Kinesis on-failure message (%v): %.200s", i+1, err, line)
		}
		out = append(out, m.KinesisBatchInfo)
	}
	return out, nil
}

// streamName is the name in a stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME).
func streamName(arn string) string {
	_, name, _ := strings.Cut(arn, ":stream/")
	return name
}

// lambdaInvoker invokes a function through the Lambda API (or the Runtime
// Interface Emulator, which serves the same path). A function error is an
// error, as the mapping sees it.
type lambdaInvoker struct {
	client *lambda.Client
	name   string
}

func (l lambdaInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	out, err := l.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(l.name), Payload: payload})
	if err != nil {
		return nil, err
	}
	if out.FunctionError != nil {
		return nil, errors.New("function error " + aws.ToString(out.FunctionError) + ": " + string(out.Payload))
	}
	return out.Payload, nil
}
