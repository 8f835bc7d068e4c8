// Package esm is a local stand-in for Lambda's event source mapping for
// Kinesis: it reads every shard of a stream, batches records into
// events.KinesisEvent, invokes the function, honours batchItemFailures,
// retries and bisects on function errors, and, like Lambda, sends only the
// metadata of a batch it gives up on to the on-failure destination (a
// stream here, SQS or SNS in AWS).
package esm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// Kinesis is the part of the SDK client the mapping uses.
type Kinesis interface {
	ListShards(ctx context.Context, params *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, params *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, params *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
	PutRecords(ctx context.Context, params *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

var _ Kinesis = (*kinesis.Client)(nil)

// Invoker calls the function once. An error means a function error: an
// error response, a bad status, a time-out or a crash.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Config mirrors the event source mapping's settings.
type Config struct {
	Stream           string
	StartingPosition types.ShardIteratorType // TRIM_HORIZON or LATEST
	BatchSize        int                     // BatchSize, at most 10,000
	MaxBatchBytes    int                     // the invoke payload limit, 6 MB
	Window           time.Duration           // MaximumBatchingWindowInSeconds
	Bisect           bool                    // BisectBatchOnFunctionError
	MaxRetries       int                     // MaximumRetryAttempts; -1 retries until success
	OnFailure        string                  // DestinationConfig.OnFailure: a stream
	FunctionTimeout  time.Duration           // an invocation longer than this is a function error
	Poll             time.Duration           // wait after an empty GetRecords
	RetryWait        time.Duration           // first wait before a retry; doubles, with jitter
	Checkpoints      string                  // optional file keeping each shard's last handled sequence number
	Region           string
	Logger           *slog.Logger
}

// Stats counts what the mapping did.
type Stats struct {
	Invocations, Records, PartialFailures, FunctionErrors, Bisections, Retries atomic.Int64
	// ToOnFailure counts the records of the batches given up on, and
	// SkippedBatches those batches, whose metadata went to OnFailure.
	ToOnFailure, SkippedBatches atomic.Int64
}

// Mapping is one event source mapping.
type Mapping struct {
	k     Kinesis
	fns   chan Invoker // one invocation in flight per invoker
	cfg   Config
	Stats Stats

	mu          sync.Mutex
	checkpoints map[string]string
}

// New returns a mapping that invokes through fns, one call in flight each.
func New(k Kinesis, fns []Invoker, cfg Config) *Mapping {
	if cfg.BatchSize <= 0 || cfg.BatchSize > 10000 {
		cfg.BatchSize = 100
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = 6 << 20
	}
	if cfg.StartingPosition == "" {
		cfg.StartingPosition = types.ShardIteratorTypeTrimHorizon
	}
	if cfg.FunctionTimeout <= 0 {
		cfg.FunctionTimeout = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 50 * time.Millisecond
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 100 * time.Millisecond
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Mapping{k: k, fns: make(chan Invoker, len(fns)), cfg: cfg, checkpoints: map[string]string{}}
	for _, f := range fns {
		m.fns <- f
	}
	if b, err := os.ReadFile(cfg.Checkpoints); err == nil {
		json.Unmarshal(b, &m.checkpoints)
	}
	return m
}

// Run reads every shard until ctx ends.
func (m *Mapping) Run(ctx context.Context) error {
	out, err := m.k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(m.cfg.Stream)})
	if err != nil {
		return fmt.Errorf("list shards of %s: %w", m.cfg.Stream, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(out.Shards))
	for _, sh := range out.Shards {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if err := m.shard(ctx, id); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("shard %s: %w", id, err)
			}
		}(aws.ToString(sh.ShardId))
	}
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

func collect(ch chan error) (out []error) {
	for err := range ch {
		out = append(out, err)
	}
	return out
}

func (m *Mapping) shard(ctx context.Context, id string) error {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(m.cfg.Stream), ShardId: aws.String(id), ShardIteratorType: m.cfg.StartingPosition}
	m.mu.Lock()
	if seq := m.checkpoints[id]; seq != "" {
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(seq)
	}
	m.mu.Unlock()
	it, err := m.k.GetShardIterator(ctx, in)
	if err != nil {
		return err
	}
	iter := it.ShardIterator
	var pending []types.Record
	var first time.Time
	for ctx.Err() == nil {
		got := 0
		if len(pending) < m.cfg.BatchSize && iter != nil {
			res, err := m.k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(min(10000, m.cfg.BatchSize-len(pending))))})
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				m.cfg.Logger.Warn("get records", "shard", id, "error", err.Error())
				sleep(ctx, m.cfg.Poll)
				continue
			}
			iter, got = res.NextShardIterator, len(res.Records)
			if got > 0 && len(pending) == 0 {
				first = time.Now()
			}
			pending = append(pending, res.Records...)
		}
		n := m.batchLen(pending)
		full := n < len(pending) || len(pending) >= m.cfg.BatchSize
		if len(pending) == 0 || !full && time.Since(first) < m.cfg.Window {
			if got == 0 {
				sleep(ctx, m.cfg.Poll)
			}
			continue
		}
		batch := pending[:n]
		m.deliver(ctx, id, batch, 0)
		if ctx.Err() != nil {
			return nil
		}
		m.checkpoint(id, aws.ToString(batch[n-1].SequenceNumber))
		pending = append(pending[:0:0], pending[n:]...)
		first = time.Now()
	}
	return nil
}

// batchLen is how many leading records fit in one invocation payload.
func (m *Mapping) batchLen(recs []types.Record) int {
	size := 0
	for i, r := range recs {
		size += len(r.Data)*4/3 + len(aws.ToString(r.PartitionKey)) + 600 // base64 and the record's JSON
		if i == m.cfg.BatchSize || size > m.cfg.MaxBatchBytes && i > 0 {
			return i
		}
	}
	return len(recs)
}

// deliver invokes the function with recs until they are handled: processed,
// or sent to the on-failure stream once retries run out.
func (m *Mapping) deliver(ctx context.Context, shard string, recs []types.Record, retries int) {
	wait := m.cfg.RetryWait
	for ctx.Err() == nil {
		from, err := m.invoke(ctx, shard, recs)
		switch {
		case err == nil && from < 0:
			return
		case err == nil:
			m.Stats.PartialFailures.Add(1)
			m.cfg.Logger.Info("partial batch failure", "shard", shard, "records", len(recs), "retry_from", aws.ToString(recs[from].SequenceNumber))
			recs = recs[from:]
		case m.cfg.Bisect && len(recs) > 1:
			m.Stats.FunctionErrors.Add(1)
			m.Stats.Bisections.Add(1)
			m.cfg.Logger.Warn("function error, bisecting", "shard", shard, "records", len(recs), "error", err.Error())
			half := len(recs) / 2
			m.deliver(ctx, shard, recs[:half], retries)
			m.deliver(ctx, shard, recs[half:], retries)
			return
		default:
			m.Stats.FunctionErrors.Add(1)
			m.cfg.Logger.Warn("function error", "shard", shard, "records", len(recs), "error", err.Error())
		}
		if m.cfg.MaxRetries >= 0 && retries >= m.cfg.MaxRetries {
			m.onFailure(ctx, shard, recs, retries+1, err)
			return
		}
		retries++
		m.Stats.Retries.Add(1)
		sleep(ctx, time.Duration(rand.Int64N(int64(wait)))+wait/2)
		wait = min(2*wait, 5*time.Second)
	}
}

// invoke makes one invocation. It returns the index of the first record to
// retry (-1 if none) or a function error.
func (m *Mapping) invoke(ctx context.Context, shard string, recs []types.Record) (int, error) {
	payload, err := json.Marshal(m.event(shard, recs))
	if err != nil {
		return 0, err
	}
	var fn Invoker
	select {
	case fn = <-m.fns:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	ictx, cancel := context.WithTimeout(ctx, m.cfg.FunctionTimeout)
	body, err := fn.Invoke(ictx, payload)
	cancel()
	m.fns <- fn
	m.Stats.Invocations.Add(1)
	if err != nil {
		return 0, err
	}
	var res struct {
		events.KinesisEventResponse
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return 0, fmt.Errorf("function response is not JSON: %.200s", body)
	}
	if res.ErrorMessage != nil || res.ErrorType != "" {
		return 0, fmt.Errorf("function error %s: %s", res.ErrorType, aws.ToString(res.ErrorMessage))
	}
	from := -1
	for _, f := range res.BatchItemFailures {
		i := index(recs, f.ItemIdentifier)
		if i < 0 {
			// As Lambda does: an identifier not in the batch fails all of it.
			i = 0
		}
		if from < 0 || i < from {
			from = i
		}
	}
	done := len(recs)
	if from >= 0 {
		done = from
	}
	m.Stats.Records.Add(int64(done))
	return from, nil
}

func index(recs []types.Record, seq string) int {
	for i, r := range recs {
		if aws.ToString(r.SequenceNumber) == seq && seq != "" {
			return i
		}
	}
	return -1
}

// event builds the payload Lambda would send for recs.
func (m *Mapping) event(shard string, recs []types.Record) events.KinesisEvent {
	arn := m.arn()
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(recs))}
	for i, r := range recs {
		seq := aws.ToString(r.SequenceNumber)
		ev.Records[i] = events.KinesisEventRecord{
			AwsRegion: m.cfg.Region, EventID: shard + ":" + seq, EventName: "aws:kinesis:record", EventSource: "aws:kinesis",
			EventSourceArn: arn, EventVersion: "1.0", InvokeIdentityArn: "arn:aws:iam::000000000000:role/local-esm",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: aws.ToTime(r.ApproximateArrivalTimestamp)},
				Data:                        r.Data, PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: seq, KinesisSchemaVersion: "1.0",
			},
		}
	}
	return ev
}

// FailedBatch is what the on-failure destination receives when the
// mapping gives up on a batch, as Lambda sends it to SQS or SNS: where the
// batch is in the stream and why, never the records. They stay in the
// source stream for its retention period; tools/redrive reads them back
// from there.
type FailedBatch struct {
	RequestContext struct {
		Condition              string `json:"condition"` // RetryAttemptsExhausted
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		FunctionError          string `json:"functionError,omitempty"`
	} `json:"requestContext"`
	Version          string    `json:"version"`
	Timestamp        time.Time `json:"timestamp"`
	KinesisBatchInfo BatchInfo `json:"KinesisBatchInfo"`
}

// BatchInfo locates a batch in its stream.
type BatchInfo struct {
	ShardID                         string    `json:"shardId"`
	StartSequenceNumber             string    `json:"startSequenceNumber"`
	EndSequenceNumber               string    `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord time.Time `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  time.Time `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int       `json:"batchSize"`
	StreamArn                       string    `json:"streamArn"`
}

// onFailure puts the batch's metadata on the on-failure stream, retrying
// until it succeeds or ctx ends: without it nobody would know what to
// redrive.
func (m *Mapping) onFailure(ctx context.Context, shard string, recs []types.Record, invokes int, funcErr error) {
	m.Stats.ToOnFailure.Add(int64(len(recs)))
	m.Stats.SkippedBatches.Add(1)
	var fb FailedBatch
	fb.RequestContext.Condition, fb.RequestContext.ApproximateInvokeCount = "RetryAttemptsExhausted", invokes
	if funcErr != nil {
		fb.RequestContext.FunctionError = funcErr.Error()
	}
	fb.Version, fb.Timestamp = "1.0", time.Now().UTC()
	first, last := recs[0], recs[len(recs)-1]
	fb.KinesisBatchInfo = BatchInfo{
		ShardID: shard, StartSequenceNumber: aws.ToString(first.SequenceNumber), EndSequenceNumber: aws.ToString(last.SequenceNumber),
		ApproximateArrivalOfFirstRecord: aws.ToTime(first.ApproximateArrivalTimestamp), ApproximateArrivalOfLastRecord: aws.ToTime(last.ApproximateArrivalTimestamp),
		BatchSize: len(recs), StreamArn: m.arn(),
	}
	m.cfg.Logger.Error("sending the batch's metadata to the on-failure destination", "shard", shard, "records", len(recs),
		"start", fb.KinesisBatchInfo.StartSequenceNumber, "end", fb.KinesisBatchInfo.EndSequenceNumber)
	data, _ := json.Marshal(fb)
	entry := []kinesisout.Entry{{Data: data, Key: shard}}
	for wait := m.cfg.RetryWait; ctx.Err() == nil; wait = min(2*wait, 5*time.Second) {
		failed, _ := kinesisout.Publish(ctx, m.k, m.cfg.OnFailure, entry, kinesisout.DefaultRetry)
		if len(failed) == 0 {
			return
		}
		m.cfg.Logger.Error("on-failure destination", "error", failed[0].Err.Error())
		sleep(ctx, wait)
	}
}

func (m *Mapping) arn() string {
	return fmt.Sprintf("arn:aws:kinesis:%s:000000000000:stream/%s", m.cfg.Region, m.cfg.Stream)
}

// Redrive reads the batch that info describes back from the stream and
// delivers it again as Run would (invocations, retries, bisection, and the
// on-failure destination if it fails again). It fails without invoking if
// the stream no longer holds the batch's first record: its retention
// period has passed. It returns how many records it delivered.
func (m *Mapping) Redrive(ctx context.Context, info BatchInfo) (int, error) {
	recs, err := localkinesis.ReadRange(ctx, m.k, m.cfg.Stream, info.ShardID, info.StartSequenceNumber, info.EndSequenceNumber)
	if err != nil {
		return 0, fmt.Errorf("read %s %s..%s back: %w", info.ShardID, info.StartSequenceNumber, info.EndSequenceNumber, err)
	}
	if len(recs) == 0 || aws.ToString(recs[0].SequenceNumber) != info.StartSequenceNumber {
		return 0, fmt.Errorf("%s no longer holds record %s of shard %s (past its retention?)", m.cfg.Stream, info.StartSequenceNumber, info.ShardID)
	}
	total := len(recs)
	for len(recs) > 0 {
		n := m.batchLen(recs)
		m.deliver(ctx, info.ShardID, recs[:n], 0)
		recs = recs[n:]
	}
	return total, ctx.Err()
}

func (m *Mapping) checkpoint(shard, seq string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkpoints[shard] = seq
	if m.cfg.Checkpoints == "" {
		return
	}
	b, _ := json.Marshal(m.checkpoints)
	tmp := m.cfg.Checkpoints + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil {
		os.Rename(tmp, m.cfg.Checkpoints)
	}
}

// Checkpoint is the last handled sequence number of a shard.
func (m *Mapping) Checkpoint(shard string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkpoints[shard]
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
