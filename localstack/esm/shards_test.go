package esm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"
)

// The tests in this file run the mapping on a stream of several shards in
// kinesalite; the function is a fake.

// putRounds puts perKey records for each of keys, "KEY N" with N from 0,
// one PutRecords call per N so that each key's records are put in order,
// and returns the last sequence number put on each shard. hash, if not
// nil, gives a key's ExplicitHashKey.
func putRounds(t *testing.T, c *kinesis.Client, keys []string, perKey int, hash func(key string) string) map[string]string {
	t.Helper()
	last := map[string]string{}
	for n := range perKey {
		in := &kinesis.PutRecordsInput{StreamName: aws.String("in")}
		for _, k := range keys {
			e := types.PutRecordsRequestEntry{Data: fmt.Appendf(nil, "%s %d", k, n), PartitionKey: aws.String(k)}
			if hash != nil {
				e.ExplicitHashKey = aws.String(hash(k))
			}
			in.Records = append(in.Records, e)
		}
		out, err := c.PutRecords(context.Background(), in)
		if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
			t.Fatalf("put round %d: %v (%d failed)", n, err, aws.ToInt32(out.FailedRecordCount))
		}
		for _, r := range out.Records {
			last[aws.ToString(r.ShardId)] = aws.ToString(r.SequenceNumber)
		}
	}
	return last
}

// TestShardsAndParallelBatchesKeepKeysInOrder: 64 keys over four shards,
// read with ParallelizationFactor 4 and as many invokers as Lambda's
// concurrency would be (16): batches of one shard run at once, yet no
// key is ever in two invocations at once or out of order, and every
// shard's checkpoint reaches its last record.
func TestShardsAndParallelBatchesKeepKeysInOrder(t *testing.T) {
	c := startKinesalite(t, 4)
	keys := keys("key", 64)
	last := putRounds(t, c, keys, 25, nil)
	if len(last) != 4 {
		t.Fatalf("the keys went to %d shards, want all 4", len(last))
	}
	fn := newInOrder(3 * time.Millisecond)
	pool := make([]Invoker, Concurrency(4, 4))
	for i := range pool {
		pool[i] = fn
	}
	m := startPool(t, c, pool, Config{BatchSize: 10, ParallelizationFactor: 4})
	waitFor(t, "every shard's checkpoint at its last record", func() bool {
		for shard, seq := range last {
			if m.Checkpoint(shard) != seq {
				return false
			}
		}
		return true
	})
	n, errs := fn.done()
	if diff := cmp.Diff([]string(nil), errs); diff != "" {
		t.Errorf("order broken (-want +got):\n%s", diff)
	}
	if n != len(keys)*25 {
		t.Errorf("%d records delivered, want %d", n, len(keys)*25)
	}
	// More than one per shard: parallel batches within shards.
	if p := m.Stats.MaxInFlight.Load(); p <= 4 {
		t.Errorf("at most %d invocations in flight at once, want more than the 4 shards", p)
	}
	t.Logf("%d records of %d keys, in order; up to %d invocations in flight", n, len(keys), m.Stats.MaxInFlight.Load())
}

// poisoned fails every invocation that holds the record "poison" and
// keeps the data of the others, with the shard they came from.
type poisoned struct {
	mu      sync.Mutex
	byShard map[string][]string
}

func (p *poisoned) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	for _, r := range ev.Records {
		if string(r.Kinesis.Data) == "poison" {
			return nil, errors.New("poisoned batch")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range ev.Records {
		shard, _, _ := strings.Cut(r.EventID, ":")
		p.byShard[shard] = append(p.byShard[shard], string(r.Kinesis.Data))
	}
	return ok, nil
}

func (p *poisoned) got() map[string][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string][]string{}
	for shard, data := range p.byShard {
		out[shard] = slices.Clone(data)
	}
	return out
}

// TestPoisonedShardHoldsBackOnlyItself: the first record of shard 0 fails
// its batch for ever (no bisection, retries without end), and the
// function has a single emulator. Shard 0 delivers nothing past it and
// its checkpoint does not move, while the three other shards deliver
// every record, each key in order.
func TestPoisonedShardHoldsBackOnlyItself(t *testing.T) {
	c := startKinesalite(t, 4)
	if _, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("in"), Data: []byte("poison"),
		PartitionKey: aws.String("poison"), ExplicitHashKey: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	// Key i goes to shard i%4: kinesalite splits the hash range evenly.
	keys := keys("key", 16)
	shardOf := map[string]int{}
	for i, k := range keys {
		shardOf[k] = i % 4
	}
	putRounds(t, c, keys, 10, func(k string) string {
		return new(big.Int).Add(new(big.Int).Lsh(big.NewInt(int64(shardOf[k])), 126), big.NewInt(1)).String()
	})
	fn := &poisoned{byShard: map[string][]string{}}
	m := startMapping(t, c, fn, Config{BatchSize: 8, MaxRetries: -1})
	want := map[string][]string{}
	for n := range 10 {
		for _, k := range keys {
			if shardOf[k] != 0 {
				shard := fmt.Sprintf("shardId-%012d", shardOf[k])
				want[shard] = append(want[shard], fmt.Sprintf("%s %d", k, n))
			}
		}
	}
	waitFor(t, "shards 1 to 3", func() bool {
		got := fn.got()
		return len(got["shardId-000000000001"])+len(got["shardId-000000000002"])+len(got["shardId-000000000003"]) >= 3*40
	})
	if diff := cmp.Diff(want, fn.got()); diff != "" {
		t.Errorf("records delivered by shard (-want +got):\n%s", diff)
	}
	if m.Stats.Retries.Load() == 0 {
		t.Error("the poisoned batch was not retried")
	}
	if cp := m.Checkpoint("shardId-000000000000"); cp != "" {
		t.Errorf("shard 0's checkpoint moved past its poisoned first record, to %s", cp)
	}
}
