package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestBatchTimeoutPutsBack: redrive against kinesalite and a function that
// hangs (the Lambda Runtime Interface Emulator running a bootstrap that
// never asks for its invocation). With -batch-timeout passed, redrive
// exits 1 naming the batch, and the batch's records, none handled, are
// back on -on-failure-stream as one range, with the condition
// RedriveUnfinished (issue 30, finding 5: they were dropped).
func TestBatchTimeoutPutsBack(t *testing.T) {
	rie, _, err := proc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	k, client := kinesalite.MustStart(t, map[string]int32{localstack.RidesStream: 1, localstack.FailuresStream: 1})
	ctx := context.Background()
	put := &kinesis.PutRecordsInput{StreamName: aws.String("ride_events")}
	for _, id := range []string{"1", "2", "3"} {
		put.Records = append(put.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String(id),
			Data: []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": ` + id + `}`)})
	}
	out, err := client.PutRecords(ctx, put)
	if err != nil {
		t.Fatal(err)
	}
	var batch esm.FailedBatch
	batch.KinesisBatchInfo = esm.BatchInfo{ShardID: "shardId-000000000000", StartSequenceNumber: aws.ToString(out.Records[0].SequenceNumber),
		EndSequenceNumber: aws.ToString(out.Records[2].SequenceNumber), BatchSize: 3,
		StreamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/ride_events"}
	in := filepath.Join(t.TempDir(), "failed.jsonl")
	line, _ := json.Marshal(batch)
	if err := os.WriteFile(in, append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}

	hung := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(hung, []byte(hungBootstrap), 0o755); err != nil {
		t.Fatal(err)
	}
	var logs proc.Logs
	e, err := proc.StartEmulator(rie, []string{hung}, nil, &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	u, _ := url.Parse(e.URL)

	cmd := exec.Command(build(t), "-in", in, "-function", "function", "-max-retries", "0",
		"-batch-timeout", "3s", "-on-failure-stream", localstack.FailuresStream)
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_KINESIS="+k.Endpoint, "AWS_ENDPOINT_URL_LAMBDA="+u.Scheme+"://"+u.Host,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local")
	text, err := cmd.CombinedOutput()
	t.Logf("redrive: %v\n%s", err, text)
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(text), "not done within -batch-timeout") {
		t.Errorf("redrive exited %d; want 1, saying the batch was not done within -batch-timeout", code)
	}
	recs, err := kinesalite.ReadAll(ctx, client, localstack.FailuresStream)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("ride_events_failures holds %d messages, want the batch put back", len(recs))
	}
	var back esm.FailedBatch
	if err := json.Unmarshal(recs[0].Data, &back); err != nil {
		t.Fatal(err)
	}
	got, want := back.KinesisBatchInfo, batch.KinesisBatchInfo
	if got.StartSequenceNumber != want.StartSequenceNumber || got.EndSequenceNumber != want.EndSequenceNumber || got.BatchSize != 3 ||
		back.RequestContext.Condition != esm.RedriveUnfinished {
		t.Errorf("put back %+v, want %s..%s (3 records), condition %s", back, want.StartSequenceNumber, want.EndSequenceNumber, esm.RedriveUnfinished)
	}
}

// hungBootstrap never asks the emulator for its invocation, and ends with
// the emulator (without holding its output open, which would keep the
// test waiting for it).
const hungBootstrap = `#!/bin/sh
exec >/dev/null 2>&1 </dev/null
parent=$PPID
while kill -0 "$parent"; do sleep 0.2; done
`

// build builds redrive for the test.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "redrive")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build redrive: %v\n%s", err, out)
	}
	return bin
}

// failingStack is the local stack with a function that writes its
// predictions to ride_prediction_v2, which does not exist yet, so that
// every batch fails; it returns once the mapping has given up on all of n
// golden rides, with the batches it put on the on-failure stream and the
// rides' answers.
func failingStack(t *testing.T, n int, cfg esm.Config) (*localstack.Stack, []esm.BatchInfo, map[string]float64) {
	t.Helper()
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1, ESM: cfg, FunctionEnv: []string{"PREDICTIONS_STREAM_NAME=ride_prediction_v2"}})
	rs, want := stacktest.GoldenRides(t, n)
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if s.Mapping.Stats.ToOnFailure.Load() >= int64(len(rs)) {
			batches := failedBatches(t, s)
			if len(batches) == int(s.Mapping.Stats.SkippedBatches.Load()) {
				return s, batches, want
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records given up on", s.Mapping.Stats.ToOnFailure.Load(), len(rs))
		}
	}
}

// failedBatches are the batches on the stack's on-failure stream.
func failedBatches(t *testing.T, s *localstack.Stack) []esm.BatchInfo {
	t.Helper()
	recs, err := kinesalite.ReadAll(context.Background(), s.Client, localstack.FailuresStream)
	if err != nil {
		t.Fatal(err)
	}
	var batches []esm.BatchInfo
	for _, r := range recs {
		var fb esm.FailedBatch
		if err := json.Unmarshal(r.Data, &fb); err != nil {
			t.Fatal(err)
		}
		batches = append(batches, fb.KinesisBatchInfo)
	}
	return batches
}

// TestFromStreamPutsBack: the function writes to a stream that does not
// exist, so every batch fails until the mapping gives up and puts the
// batch's metadata on the on-failure stream. Once the stream exists,
// redrive -from-stream reads the records back from ride_events and puts
// them through the function: every ride is predicted, bit for bit
// sklearn's answer, none lost.
func TestFromStreamPutsBack(t *testing.T) {
	cfg := stacktest.Mapping
	cfg.MaxRetries = 1
	s, _, want := failingStack(t, 150, cfg)
	if err := kinesalite.CreateStream(context.Background(), s.OutClient, "ride_prediction_v2", 1); err != nil {
		t.Fatal(err)
	}
	redrive := exec.Command(build(t), "-from-stream", localstack.FailuresStream, "-function", "function")
	redrive.Env = stacktest.AWSEnv(t, s)
	out, err := redrive.CombinedOutput()
	if err != nil {
		t.Fatalf("redrive: %v\n%s", err, out)
	}
	t.Logf("redrive:\n%s", out)
	recs, err := kinesalite.ReadAll(context.Background(), s.OutClient, "ride_prediction_v2")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range recs {
		var p struct {
			RideID     string  `json:"ride_id"`
			Prediction float64 `json:"prediction"`
		}
		if json.Unmarshal(r.Data, &p) == nil {
			got[p.RideID] = p.Prediction
		}
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || math.Float64bits(g) != math.Float64bits(w) {
			t.Fatalf("ride %s after redrive: %v (present %v), sklearn %v", id, g, ok, w)
		}
	}
}

// TestRedriveEnds: redrive while the prediction stream is still missing.
// A missing -on-failure-stream is refused before anything is invoked;
// without one, every batch is tried, each fails within -batch-timeout, and
// redrive exits 1 naming them all.
func TestRedriveEnds(t *testing.T) {
	cfg := stacktest.Mapping
	cfg.MaxRetries, cfg.BatchSize = 0, 40
	s, batches, _ := failingStack(t, 120, cfg)
	if len(batches) < 2 {
		t.Fatalf("%d batches given up on; the test needs several", len(batches))
	}
	bin := build(t)
	redrive := func(args ...string) (string, int) {
		// A redrive that never ends fails here rather than hanging the test.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-from-stream", localstack.FailuresStream, "-function", "function"}, args...)...)
		cmd.Env = stacktest.AWSEnv(t, s)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("redrive %v: %v in %v\n%s", args, err, time.Since(start).Round(time.Millisecond), out)
		return string(out), cmd.ProcessState.ExitCode()
	}
	before := s.Out.Count(localstack.FailuresStream)
	if out, code := redrive("-on-failure-stream", "ride_events_failures_v2"); code != 2 || !strings.Contains(out, "ride_events_failures_v2") {
		t.Errorf("a missing on-failure stream: exit %d, want 2 and a message naming it", code)
	}
	out, code := redrive("-max-retries", "0", "-batch-timeout", "30s")
	if code != 1 {
		t.Fatalf("redrive of failing batches: exit %d, want 1", code)
	}
	last := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
	for _, b := range batches {
		if !strings.Contains(last, fmt.Sprintf("%s %s..%s", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber)) {
			t.Errorf("redrive's last line does not name batch %s %s..%s: %s", b.ShardID, b.StartSequenceNumber, b.EndSequenceNumber, last)
		}
	}
	if n := s.Out.Count(localstack.FailuresStream); n != before {
		t.Errorf("redrive without -on-failure-stream wrote %d on-failure messages", n-before)
	}
}
