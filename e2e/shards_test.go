package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// Many shards and parallel batches, end to end: kinesalite, the mapping,
// the real function under one emulator per concurrent batch.

// putInOrder puts entries on ride_events, 500 a call, one call after the
// other, and returns where each landed.
func putInOrder(t *testing.T, c *kinesis.Client, entries []types.PutRecordsRequestEntry) []types.PutRecordsResultEntry {
	t.Helper()
	var res []types.PutRecordsResultEntry
	for i := 0; i < len(entries); i += 500 {
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(localstack.RidesStream),
			Records: entries[i:min(i+500, len(entries))]})
		if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
			t.Fatalf("put rides: %v (%d failed)", err, aws.ToInt32(out.FailedRecordCount))
		}
		res = append(res, out.Records...)
	}
	return res
}

// prediction is one record of ride_prediction.
type prediction struct {
	RideID     string  `json:"ride_id"`
	Prediction float64 `json:"prediction"`
	EventID    string  `json:"event_id"`
}

// TestKeysInOrderAcrossShardsAndParallelBatches: 1,200 real rides under
// 40 partition keys, 30 rides each, on two shards read with
// ParallelizationFactor 3 (six emulators, the stack's default for it).
// Each key's predictions come out on ride_prediction in the order its
// rides were put (repeats from retries aside), each sklearn's answer bit
// for bit, and batches of one shard did run at once.
func TestKeysInOrderAcrossShardsAndParallelBatches(t *testing.T) {
	cfg := stacktest.Mapping
	cfg.BatchSize, cfg.ParallelizationFactor = 25, 3
	s := stacktest.Start(t, localstack.Config{Shards: 2, ESM: cfg})
	if len(s.Emulators) != esm.Concurrency(2, 3) {
		t.Fatalf("%d emulators, want one per concurrent batch, %d", len(s.Emulators), esm.Concurrency(2, 3))
	}
	rs, want := stacktest.GoldenRides(t, 1200)
	const keys = 40
	var entries []types.PutRecordsRequestEntry
	for i, r := range rs {
		entries = append(entries, types.PutRecordsRequestEntry{Data: r.Event, PartitionKey: aws.String(fmt.Sprintf("key-%02d", i%keys))})
	}
	placed := putInOrder(t, s.Client, entries)
	// A key's rides in the order Kinesis holds them: by sequence number.
	byKey := map[string][]string{}
	seqOf := map[string]string{}
	for i, r := range rs {
		key := aws.ToString(entries[i].PartitionKey)
		byKey[key] = append(byKey[key], r.ID)
		seqOf[r.ID] = aws.ToString(placed[i].SequenceNumber)
	}
	for key, ids := range byKey {
		for i := 1; i < len(ids); i++ {
			if !seqBefore(seqOf[ids[i-1]], seqOf[ids[i]]) {
				t.Fatalf("key %s: ride %s was put after %s but has an earlier sequence number", key, ids[i], ids[i-1])
			}
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for s.Out.Count(localstack.PredictionsStream) < len(rs) {
		if time.Now().After(deadline) {
			t.Fatalf("%d predictions of %d rides", s.Out.Count(localstack.PredictionsStream), len(rs))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for key, ids := range byKey {
		var got []string
		seen := map[string]bool{}
		for _, o := range s.Out.Get(key) {
			var p prediction
			if o.Stream != localstack.PredictionsStream || json.Unmarshal(o.Data, &p) != nil {
				t.Fatalf("key %s: %s on %s, want a prediction", key, o.Data, o.Stream)
			}
			if math.Float64bits(p.Prediction) != math.Float64bits(want[p.RideID]) {
				t.Fatalf("ride %s: prediction %v, sklearn %v", p.RideID, p.Prediction, want[p.RideID])
			}
			if _, seq, _ := strings.Cut(p.EventID, ":"); seq != seqOf[p.RideID] {
				t.Fatalf("ride %s: event_id %s, but it was put as %s", p.RideID, p.EventID, seqOf[p.RideID])
			}
			if !seen[p.EventID] {
				seen[p.EventID] = true
				got = append(got, p.RideID)
			}
		}
		if strings.Join(got, " ") != strings.Join(ids, " ") {
			t.Errorf("key %s: predictions for rides\n%v\nwant them in the order put:\n%v", key, got, ids)
		}
	}
	st := &s.Mapping.Stats
	if p := st.MaxInFlight.Load(); p <= 2 {
		t.Errorf("at most %d invocations in flight at once: no shard ran batches in parallel", p)
	}
	t.Logf("%d rides of %d keys, each key in order; %d invocations, up to %d at once", len(rs), keys, st.Invocations.Load(), st.MaxInFlight.Load())
}

// TestPoisonedShardDoesNotHoldBackTheOthers: the first ride of shard 0 can
// never be written (the function's writes of its key are throttled for
// ever, so every invocation reports it as a batch item failure, and the
// mapping retries without end). The rides of the three other shards are
// all predicted meanwhile, and shard 0's checkpoint does not move, also
// after its batch failed again.
func TestPoisonedShardDoesNotHoldBackTheOthers(t *testing.T) {
	cfg := stacktest.Mapping
	cfg.MaxRetries = -1
	s := stacktest.Start(t, localstack.Config{Shards: 4, ESM: cfg, FunctionEnv: []string{"AWS_LAMBDA_FUNCTION_TIMEOUT=2"},
		FunctionEndpoint: func(k string) string {
			p, srv := startProxy(k, 0, 0)
			p.refuseKey = "poison"
			t.Cleanup(srv.Close)
			return srv.URL
		}})
	rs, want := stacktest.GoldenRides(t, 600)
	// Shard i of four holds the hash keys from i × 2^126.
	hashKey := func(shard, i int) *string {
		h := new(big.Int).Lsh(big.NewInt(int64(shard)), 126)
		return aws.String(h.Add(h, big.NewInt(int64(i))).String())
	}
	entries := []types.PutRecordsRequestEntry{{Data: rs[0].Event, PartitionKey: aws.String("poison"), ExplicitHashKey: hashKey(0, 0)}}
	for i, r := range rs[1:] {
		entries = append(entries, types.PutRecordsRequestEntry{Data: r.Event, PartitionKey: aws.String(r.ID), ExplicitHashKey: hashKey(1+i%3, i)})
	}
	putInOrder(t, s.Client, entries)
	delete(want, rs[0].ID)
	if !s.Out.WaitFor(context.Background(), rides.IDs(rs[1:]), 90*time.Second) {
		t.Fatalf("only %d of the %d rides of shards 1 to 3 predicted", s.Out.Accounted(rides.IDs(rs[1:])), len(rs)-1)
	}
	checkPredictions(t, s, want)
	// The poisoned batch takes the function's whole time-out to fail: the
	// other shards may be done before its first answer. Wait for a retry
	// to fail too.
	st := &s.Mapping.Stats
	stacktest.Eventually(t, 30*time.Second, func() bool { return st.PartialFailures.Load() >= 2 }, func() string {
		return fmt.Sprintf("the poisoned ride's batch failed %d times, want a failed retry", st.PartialFailures.Load())
	})
	if cp := s.Mapping.Checkpoint("shardId-000000000000"); cp != "" {
		t.Errorf("shard 0's checkpoint moved past its poisoned first ride, to %s", cp)
	}
	if n := st.SkippedBatches.Load(); n != 0 {
		t.Errorf("%d batches given up on", n)
	}
	t.Logf("%d rides of shards 1 to 3 predicted while shard 0 retried its poisoned batch (%d partial failures)", len(rs)-1, st.PartialFailures.Load())
}
