package esm

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// The tests in this file run the mapping against kinesalite; the function
// is a fakeFunction.

// startKinesalite starts kinesalite with the stream "in" of the given
// shards and the on-failure stream "failures".
func startKinesalite(t *testing.T, shards int32) *kinesis.Client {
	t.Helper()
	_, c := kinesalite.MustStart(t, map[string]int32{"in": shards, "failures": 1})
	return c
}

// startMapping runs a mapping of "in" on k until the test ends; its log
// is shown if the test fails.
func startMapping(t *testing.T, k Kinesis, fn Invoker, cfg Config) *Mapping {
	t.Helper()
	return startPool(t, k, []Invoker{fn}, cfg)
}

// startPool is startMapping with several invokers.
func startPool(t *testing.T, k Kinesis, fns []Invoker, cfg Config) *Mapping {
	t.Helper()
	logs, err := os.Create(filepath.Join(t.TempDir(), "esm.log"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Stream, cfg.OnFailure, cfg.Logger = "in", "failures", slog.New(slog.NewTextHandler(logs, nil))
	cfg.Poll, cfg.RetryWait = 10*time.Millisecond, 10*time.Millisecond
	m := New(k, fns, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("mapping's log (last 4 KiB):\n%s", b[max(0, len(b)-4096):])
		}
		logs.Close()
	})
	return m
}

// putKeys puts one record per key, each record's data being its key, and
// returns their sequence numbers.
func putKeys(t *testing.T, c *kinesis.Client, keys ...string) []string {
	t.Helper()
	in := &kinesis.PutRecordsInput{StreamName: aws.String("in")}
	for _, k := range keys {
		in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: []byte(k), PartitionKey: aws.String(k)})
	}
	out, err := c.PutRecords(context.Background(), in)
	if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
		t.Fatalf("put %v: %v (%d failed)", keys, err, aws.ToInt32(out.FailedRecordCount))
	}
	var seqs []string
	for _, r := range out.Records {
		seqs = append(seqs, aws.ToString(r.SequenceNumber))
	}
	return seqs
}

// recorder is a function that succeeds, after delay, and keeps the data of
// every record it is given, in order.
type recorder struct {
	delay time.Duration
	mu    sync.Mutex
	data  []string
}

func (r *recorder) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	time.Sleep(r.delay)
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range ev.Records {
		r.data = append(r.data, string(rec.Kinesis.Data))
	}
	return ok, nil
}

// got is what the function was given so far.
func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.data...)
}

// waitFor waits until cond holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func keys(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%03d", prefix, i))
	}
	return out
}

// staleIterators is kinesalite, except that once stale is set, the next
// iterator GetRecords returns is made 301 s old, so that kinesalite itself
// answers ExpiredIteratorException when it is used, as it does for an
// iterator held five minutes. kinesalite's iterators are its clock time,
// stream, shard and sequence number encrypted with a fixed key
// (node_modules/kinesalite/db/index.js, createShardIterator).
type staleIterators struct {
	*kinesis.Client
	t       *testing.T
	stale   atomic.Bool
	expired atomic.Int64
}

func (s *staleIterators) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	out, err := s.Client.GetRecords(ctx, in, optFns...)
	var expired *types.ExpiredIteratorException
	if errors.As(err, &expired) {
		s.expired.Add(1)
	}
	if err == nil && out.NextShardIterator != nil && s.stale.CompareAndSwap(true, false) {
		out.NextShardIterator = aws.String(ageIterator(s.t, *out.NextShardIterator, 301*time.Second))
	}
	return out, err
}

var (
	kinesaliteKey, _ = hex.DecodeString("1133a5a833666b49abf28c8ba302930f0b2fb240dccd43cf4dfbc0ca91f17751")
	kinesaliteIV, _  = hex.DecodeString("7bf139dbabbea2d9995d6fcae1dff7da")
)

// ageIterator returns kinesalite's iterator it as if created age earlier.
func ageIterator(t *testing.T, it string, age time.Duration) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(it)
	if err != nil || len(raw) < 8+aes.BlockSize || (len(raw)-8)%aes.BlockSize != 0 {
		t.Fatalf("not a kinesalite iterator: %q", it)
	}
	block, err := aes.NewCipher(kinesaliteKey)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, len(raw)-8)
	cipher.NewCBCDecrypter(block, kinesaliteIV).CryptBlocks(plain, raw[8:])
	plain = plain[:len(plain)-int(plain[len(plain)-1])] // PKCS#7
	created, rest, _ := bytes.Cut(plain, []byte("/"))
	ms, err := strconv.ParseInt(string(created), 10, 64)
	if err != nil {
		t.Fatalf("iterator %q: %v", plain, err)
	}
	plain = append(fmt.Appendf(nil, "%014d/", ms-age.Milliseconds()), rest...)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, kinesaliteIV).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(append(raw[:8:8], plain...))
}

// TestExpiredIteratorRenewed: once kinesalite answers that the shard's
// iterator expired, the mapping reads on from after its checkpoint:
// records put later are delivered, and none twice.
func TestExpiredIteratorRenewed(t *testing.T) {
	c := startKinesalite(t, 1)
	k := &staleIterators{Client: c, t: t}
	k.stale.Store(true)
	fn := &recorder{}
	startMapping(t, k, fn, Config{BatchSize: 10})
	want := keys("a", 10)
	putKeys(t, c, want...)
	waitFor(t, "kinesalite to refuse the stale iterator", func() bool { return k.expired.Load() > 0 })
	more := keys("b", 10)
	putKeys(t, c, more...)
	want = append(want, more...)
	waitFor(t, "the records put after the expiry", func() bool { return len(fn.got()) >= len(want) })
	time.Sleep(100 * time.Millisecond) // room for duplicates to show
	if got := fn.got(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("delivered %v, want %v", got, want)
	}
}

// TestRecordAgeExceeded: records older than MaxRecordAge are not delivered;
// their batch's metadata goes to the on-failure stream with the condition
// RecordAgeExceeded, and the younger records of the same read are
// delivered.
func TestRecordAgeExceeded(t *testing.T) {
	c := startKinesalite(t, 1)
	old := keys("old", 5)
	seqs := putKeys(t, c, old...)
	time.Sleep(2100 * time.Millisecond)
	young := keys("young", 5)
	putKeys(t, c, young...)
	fn := &recorder{}
	m := startMapping(t, c, fn, Config{BatchSize: 100, MaxRecordAge: 2 * time.Second})
	waitFor(t, "the young records", func() bool { return len(fn.got()) >= len(young) })
	waitFor(t, "the old batch's metadata", func() bool { return m.Stats.SkippedBatches.Load() > 0 })
	if got := fn.got(); strings.Join(got, " ") != strings.Join(young, " ") {
		t.Errorf("delivered %v, want only the young records %v", got, young)
	}
	var failed []FailedBatch
	waitFor(t, "the on-failure stream", func() bool {
		recs, err := kinesalite.ReadAll(context.Background(), c, "failures")
		if err != nil {
			t.Fatal(err)
		}
		failed = failed[:0]
		for _, r := range recs {
			var f FailedBatch
			if err := json.Unmarshal(r.Data, &f); err != nil {
				t.Fatal(err)
			}
			failed = append(failed, f)
		}
		return len(failed) > 0
	})
	if len(failed) != 1 {
		t.Fatalf("on-failure stream holds %+v, want one batch", failed)
	}
	f := failed[0]
	if f.RequestContext.Condition != RecordAgeExceeded {
		t.Errorf("condition %q, want %s", f.RequestContext.Condition, RecordAgeExceeded)
	}
	b := f.KinesisBatchInfo
	if b.StartSequenceNumber != seqs[0] || b.EndSequenceNumber != seqs[len(seqs)-1] || b.BatchSize != len(old) {
		t.Errorf("on-failure batch %s..%s of %d, want the old records %s..%s, %d", b.StartSequenceNumber, b.EndSequenceNumber, b.BatchSize,
			seqs[0], seqs[len(seqs)-1], len(old))
	}
}

// TestReshardingFollowsChildren: after a split, then a merge of the two
// children, the mapping reads the children, each only once its parents
// are read to their end, so that every partition key's records are
// delivered in the order they were put, once each. The function is slow,
// so that the split and the merge happen while the parents are still read,
// and the upper child gets five times the records of the lower one, so
// that the merged shard would start before it ended if it waited for the
// lower one alone.
func TestReshardingFollowsChildren(t *testing.T) {
	c := startKinesalite(t, 1)
	fn := &recorder{delay: 20 * time.Millisecond}
	startMapping(t, c, fn, Config{BatchSize: 4})
	var want []string
	// Key k hashes to k/8 of the range: keys 0-3 go to the lower child of
	// the split, 4-7 to the upper one.
	put := func(phase string) {
		var in []types.PutRecordsRequestEntry
		for i := range 10 {
			for k := range 8 {
				if k < 4 && i >= 2 {
					continue
				}
				data := fmt.Sprintf("p%d %s%d", k, phase, i)
				hash := new(big.Int).Lsh(big.NewInt(int64(k)), 125)
				in = append(in, types.PutRecordsRequestEntry{Data: []byte(data), PartitionKey: aws.String(fmt.Sprintf("p%d", k)),
					ExplicitHashKey: aws.String(hash.String())})
				want = append(want, data)
			}
		}
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("in"), Records: in})
		if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
			t.Fatalf("put %s: %v", phase, err)
		}
	}
	reshard := func(op func(context.Context) error) {
		t.Helper()
		if err := op(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the stream to be active", func() bool {
			out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("in")})
			return err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive
		})
	}
	put("a") // shard 0
	reshard(func(ctx context.Context) error {
		_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("in"), ShardToSplit: aws.String("shardId-000000000000"),
			NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}) // 2^127, the middle
		return err
	})
	put("b") // shards 1 and 2
	reshard(func(ctx context.Context) error {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("in"),
			ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
		return err
	})
	put("c") // shard 3
	waitFor(t, "every record", func() bool { return len(fn.got()) >= len(want) })
	time.Sleep(100 * time.Millisecond) // room for duplicates to show
	byKey := func(data []string) map[string][]string {
		m := map[string][]string{}
		for _, d := range data {
			k, _, _ := strings.Cut(d, " ")
			m[k] = append(m[k], d)
		}
		return m
	}
	if diff := cmp.Diff(byKey(want), byKey(fn.got())); diff != "" {
		t.Errorf("records by partition key, in delivery order (-put +delivered):\n%s", diff)
	}
}
