package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/tools/internal/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
	"github.com/nyc-taxi/ridepred/tools/internal/rides"
)

// The function's stream settings as users write them, with kinesalite and
// the real function. A malformed name in either setting stops the start
// (handler/cmd/bootstrap's TestMalformedStreamStopsStartUnderEmulator); a
// missing prediction stream fails every batch until the mapping gives up,
// and redrive then writes it (TestPermanentOutputErrorThenRedrive).

// TestStreamARNs: both settings given as ARNs, as pasted from the console:
// every ride is predicted and every invalid record dead-lettered.
func TestStreamARNs(t *testing.T) {
	arn := func(name string) string { return "arn:aws:kinesis:us-east-1:000000000000:stream/" + name }
	s := startStack(t, StackConfig{Shards: 1, Emulators: 1, ESM: templateMapping,
		FunctionEnv: []string{"PREDICTIONS_STREAM_NAME=" + arn(predictionsStream), "DLQ_STREAM_NAME=" + arn(dlqStream)}})
	valid, want := goldenRides(t, 100)
	poison := rides.Poison(6)
	send(t, s, append(valid, poison...))
	checkPredictions(t, s, want)
	for _, p := range poison {
		if outs := s.Out.Get(p.ID); len(outs) == 0 || outs[0].Stream != dlqStream {
			t.Errorf("invalid record %s: outputs %v, want a dead letter", p.ID, outs)
		}
	}
	if n := s.Mapping.Stats.SkippedBatches.Load(); n != 0 {
		t.Errorf("%d batches given up on", n)
	}
}

// TestMissingDeadLetterStream: the dead-letter stream does not exist. The
// valid rides are predicted; each invalid record, which nothing could
// write, is reported for a retry and, once the mapping gives up, lies in a
// batch on the on-failure stream, for redrive: none is checkpointed
// unwritten.
func TestMissingDeadLetterStream(t *testing.T) {
	cfg := templateMapping
	cfg.MaxRetries = 1
	s := startStack(t, StackConfig{Shards: 1, Emulators: 1, ESM: cfg, FunctionEnv: []string{"DLQ_STREAM_NAME=ride_events_dlq_v2"}})
	valid, want := goldenRides(t, 100)
	poison := rides.Poison(6)
	var rs []rides.Ride
	for i, r := range valid {
		rs = append(rs, r)
		if i%20 == 10 {
			rs = append(rs, poison[i/20])
		}
	}
	if err := rides.Put(context.Background(), s.Client, ridesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	in, err := localkinesis.ReadAll(context.Background(), s.Client, ridesStream)
	if err != nil {
		t.Fatal(err)
	}
	invalid := map[string]localkinesis.Record{} // by ride id, the partition key
	for _, r := range in {
		if _, ok := want[r.Key]; !ok {
			invalid[r.Key] = r
		}
	}
	if len(invalid) != 5 {
		t.Fatalf("%d invalid records in %s, want 5", len(invalid), ridesStream)
	}
	// covered tells whether an on-failure batch holds the record.
	covered := func(r localkinesis.Record) bool {
		for _, o := range s.Out.Get(r.Shard) {
			var fb esm.FailedBatch
			if o.Stream != failuresStream || json.Unmarshal(o.Data, &fb) != nil {
				continue
			}
			b := fb.KinesisBatchInfo
			if !seqBefore(r.Seq, b.StartSequenceNumber) && !seqBefore(b.EndSequenceNumber, r.Seq) {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var missing []string
		for id, r := range invalid {
			if !covered(r) {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			slices.Sort(missing)
			t.Fatalf("invalid records %v neither written nor in an on-failure batch", missing)
		}
	}
	checkPredictions(t, s, want)
	for id := range invalid {
		for _, o := range s.Out.Get(id) {
			t.Errorf("invalid record %s has an output on %s", id, o.Stream)
		}
	}
}

// TestCallRefusalAgainstKinesalite: kinesalite's own refusal of a
// malformed stream name (what Kinesis answers an ARN-shaped or mistyped
// setting with, when nothing checks it first) is taken as the call's: one
// call, no splitting, every entry Permanent.
func TestCallRefusalAgainstKinesalite(t *testing.T) {
	srv, err := localkinesis.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	counter := &countingPublisher{Publisher: localkinesis.Client(srv.Endpoint)}
	entries := make([]kinesisout.Entry, 500)
	for i := range entries {
		entries[i] = kinesisout.Entry{Data: []byte(`{"prediction": 1}`), Key: "k", Rec: i}
	}
	failed, _ := kinesisout.Publish(context.Background(), counter, "not a stream name", entries, kinesisout.DefaultRetry)
	if len(failed) != len(entries) || counter.calls != 1 {
		t.Fatalf("%d of %d entries failed in %d calls; want all in 1", len(failed), len(entries), counter.calls)
	}
	for _, f := range failed {
		if f.Class != kinesisout.Permanent {
			t.Fatalf("entry %d: %v (%v), want Permanent", f.Rec, f.Class, f.Err)
		}
	}
}

type countingPublisher struct {
	kinesisout.Publisher
	calls int
}

func (c *countingPublisher) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	c.calls++
	return c.Publisher.PutRecords(ctx, in, opts...)
}

// seqBefore compares sequence numbers, decimal integers of any length.
func seqBefore(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// TestRedriveEnds: redrive while the prediction stream is still missing.
// A missing -on-failure-stream is refused before anything is invoked;
// without one, every batch is tried, each fails within -batch-timeout, and
// redrive exits 1 naming them all.
func TestRedriveEnds(t *testing.T) {
	cfg := templateMapping
	cfg.MaxRetries, cfg.BatchSize = 0, 40
	s := startStack(t, StackConfig{Shards: 1, Emulators: 1, ESM: cfg, FunctionEnv: []string{"PREDICTIONS_STREAM_NAME=ride_prediction_v2"}})
	rs, _ := goldenRides(t, 120)
	if err := rides.Put(context.Background(), s.Client, ridesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	var batches []esm.BatchInfo
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if s.Mapping.Stats.ToOnFailure.Load() >= int64(len(rs)) {
			recs, err := localkinesis.ReadAll(context.Background(), s.Client, failuresStream)
			if err != nil {
				t.Fatal(err)
			}
			batches = batches[:0]
			for _, r := range recs {
				var fb esm.FailedBatch
				if err := json.Unmarshal(r.Data, &fb); err != nil {
					t.Fatal(err)
				}
				batches = append(batches, fb.KinesisBatchInfo)
			}
			if len(batches) == int(s.Mapping.Stats.SkippedBatches.Load()) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records given up on", s.Mapping.Stats.ToOnFailure.Load(), len(rs))
		}
	}
	if len(batches) < 2 {
		t.Fatalf("%d batches given up on; the test needs several", len(batches))
	}
	bin := filepath.Join(t.TempDir(), "redrive")
	if out, err := exec.Command("go", "build", "-o", bin, "../../operate/redrive").CombinedOutput(); err != nil {
		t.Fatalf("build redrive: %v\n%s", err, out)
	}
	u, _ := url.Parse(s.Emulators[0].URL)
	redrive := func(args ...string) (string, int) {
		// A redrive that never ends fails here rather than hanging the test.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-from-stream", failuresStream, "-function", "function"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_KINESIS="+s.Kinesis.Endpoint, "AWS_ENDPOINT_URL_LAMBDA="+u.Scheme+"://"+u.Host,
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("redrive %v: %v in %v\n%s", args, err, time.Since(start).Round(time.Millisecond), out)
		return string(out), cmd.ProcessState.ExitCode()
	}
	before := s.Out.Count(failuresStream)
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
	if n := s.Out.Count(failuresStream); n != before {
		t.Errorf("redrive without -on-failure-stream wrote %d on-failure messages", n-before)
	}
}
