package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/localproc"
	"github.com/nyc-taxi/ridepred/tools/internal/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// TestBatchTimeoutPutsBack: redrive against kinesalite and a function that
// hangs (the Lambda Runtime Interface Emulator running a bootstrap that
// never asks for its invocation). With -batch-timeout passed, redrive
// exits 1 naming the batch, and the batch's records, none handled, are
// back on -on-failure-stream as one range, with the condition
// RedriveUnfinished (issue 30, finding 5: they were dropped).
func TestBatchTimeoutPutsBack(t *testing.T) {
	rie, _, err := localproc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	k := startKinesalite(t)
	ctx := context.Background()
	for _, s := range []string{"ride_events", "ride_events_failures"} {
		if err := localkinesis.CreateStream(ctx, k.client, s, 1); err != nil {
			t.Fatal(err)
		}
	}
	put := &kinesis.PutRecordsInput{StreamName: aws.String("ride_events")}
	for _, id := range []string{"1", "2", "3"} {
		put.Records = append(put.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String(id),
			Data: []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": ` + id + `}`)})
	}
	out, err := k.client.PutRecords(ctx, put)
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
	var logs localproc.Logs
	e, err := localproc.StartEmulator(rie, []string{hung}, nil, &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	u, _ := url.Parse(e.URL)

	cmd := exec.Command("go", "run", ".", "-in", in, "-function", "function", "-max-retries", "0",
		"-batch-timeout", "3s", "-on-failure-stream", "ride_events_failures")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_KINESIS="+k.endpoint, "AWS_ENDPOINT_URL_LAMBDA="+u.Scheme+"://"+u.Host,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local")
	text, err := cmd.CombinedOutput()
	t.Logf("redrive: %v\n%s", err, text)
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(text), "not done within -batch-timeout") {
		t.Errorf("redrive exited %d; want 1, saying the batch was not done within -batch-timeout", code)
	}
	recs, err := localkinesis.ReadAll(ctx, k.client, "ride_events_failures")
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

type kinesalite struct {
	client   *kinesis.Client
	endpoint string
}

// startKinesalite runs kinesalite until the test ends.
func startKinesalite(t *testing.T) kinesalite {
	t.Helper()
	s, err := localkinesis.Start(os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return kinesalite{localkinesis.Client(s.Endpoint), s.Endpoint}
}
