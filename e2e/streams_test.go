package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
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
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1, ESM: stacktest.Mapping,
		FunctionEnv: []string{"PREDICTIONS_STREAM_NAME=" + arn(localstack.PredictionsStream), "DLQ_STREAM_NAME=" + arn(localstack.DLQStream)}})
	valid, want := stacktest.GoldenRides(t, 100)
	poison := rides.Poison(6)
	send(t, s, append(valid, poison...))
	checkPredictions(t, s, want)
	for _, p := range poison {
		if outs := s.Out.Get(p.ID); len(outs) == 0 || outs[0].Stream != localstack.DLQStream {
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
	cfg := stacktest.Mapping
	cfg.MaxRetries = 1
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1, ESM: cfg, FunctionEnv: []string{"DLQ_STREAM_NAME=ride_events_dlq_v2"}})
	valid, want := stacktest.GoldenRides(t, 100)
	poison := rides.Poison(6)
	var rs []rides.Ride
	for i, r := range valid {
		rs = append(rs, r)
		if i%20 == 10 {
			rs = append(rs, poison[i/20])
		}
	}
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	in, err := kinesalite.ReadAll(context.Background(), s.Client, localstack.RidesStream)
	if err != nil {
		t.Fatal(err)
	}
	invalid := map[string]kinesalite.Record{} // by ride id, the partition key
	for _, r := range in {
		if _, ok := want[r.Key]; !ok {
			invalid[r.Key] = r
		}
	}
	if len(invalid) != 5 {
		t.Fatalf("%d invalid records in %s, want 5", len(invalid), localstack.RidesStream)
	}
	// covered tells whether an on-failure batch holds the record.
	covered := func(r kinesalite.Record) bool {
		for _, o := range s.Out.Get(r.Shard) {
			var fb esm.FailedBatch
			if o.Stream != localstack.FailuresStream || json.Unmarshal(o.Data, &fb) != nil {
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
	srv, err := kinesalite.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	counter := &countingPublisher{Publisher: kinesalite.Client(srv.Endpoint)}
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
