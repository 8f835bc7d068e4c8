// Package esm is a local stand-in for Lambda's event source mapping for
// Kinesis: it reads every shard of a stream, batches records into
// events.KinesisEvent, invokes the function, honours batchItemFailures,
// retries and bisects on function errors, and, like Lambda, sends only the
// metadata of a batch it gives up on (MaximumRetryAttempts exhausted, or
// records older than MaximumRecordAgeInSeconds) to the on-failure
// destination (a stream here, SQS or SNS in AWS).
//
// As Lambda's, it reads each shard on its own, with its own checkpoint,
// retries and bisection, so that a batch that keeps failing holds back
// its shard only; with a ParallelizationFactor above 1 it runs up to that
// many batches of a shard at once, each partition key's records in one of
// them, in order (lanes.go). It renews an iterator that expired (Kinesis
// keeps one five minutes, less than a long retry) after the last record
// read, or, at LATEST with none read yet, at the time reading began
// (AT_TIMESTAMP), so that what was written meanwhile is not skipped; it
// reads the children of a split or merge once their parents are
// read to their end, so that each partition key's records stay in order;
// and counts an invocation past FunctionTimeout as a function error, but
// sends the emulator that ran it nothing more until it answers (the
// emulator runs one invocation at a time).
//
// Invocations go to a pool of invokers, one invocation in flight each:
// the emulators. shards × ParallelizationFactor batches can be in flight
// (Concurrency), Lambda's concurrency for the mapping; with fewer
// invokers than that a batch waits for one, as a function with a lower
// reserved concurrency is throttled.
//
// One concern per file: esm.go (settings, Run), shards.go (which shards
// to read, resharding), poll.go (one shard: iterators, batching,
// checkpoints), lanes.go (parallelization: lanes by partition key, the
// checkpoint of concurrent batches), deliver.go (invocations, retries,
// bisection), invoker.go (the emulator and time-outs), recordage.go,
// onfailure.go, checkpoint.go, redrive.go.
package esm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
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
	MaxRecordAge     time.Duration           // MaximumRecordAgeInSeconds; 0 or less (-1 in AWS): no limit
	OnFailure        string                  // DestinationConfig.OnFailure: a stream, or none
	FunctionTimeout  time.Duration           // the function's Timeout: an invocation longer than this is a function error
	Poll             time.Duration           // wait after an empty GetRecords
	RetryWait        time.Duration           // first wait before a retry; doubles, with jitter
	Checkpoints      string                  // optional file keeping each shard's last handled sequence number
	Region           string
	Logger           *slog.Logger

	// ParallelizationFactor: concurrent batches per shard, 1 to 10 (0
	// is 1). Records of one partition key stay in one of them, in order.
	ParallelizationFactor int
}

// Stats counts what the mapping did.
type Stats struct {
	Invocations, PartialFailures, FunctionErrors, Bisections, Retries atomic.Int64
	// ToOnFailure counts the records of the batches given up on, and
	// SkippedBatches those batches, whose metadata went to OnFailure.
	ToOnFailure, SkippedBatches atomic.Int64
	// MaxInFlight is the most invocations that were in flight at once.
	MaxInFlight atomic.Int64
	inFlight    atomic.Int64
}

// started counts an invocation in flight.
func (s *Stats) started() {
	n := s.inFlight.Add(1)
	for {
		peak := s.MaxInFlight.Load()
		if n <= peak || s.MaxInFlight.CompareAndSwap(peak, n) {
			return
		}
	}
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
// A batch that finds every one of fns busy waits for one, as Lambda's
// would be throttled by a function's reserved concurrency: give it
// Concurrency(shards, ParallelizationFactor) of them for none to wait.
func New(k Kinesis, fns []Invoker, cfg Config) *Mapping {
	if cfg.BatchSize <= 0 || cfg.BatchSize > 10000 {
		cfg.BatchSize = 100
	}
	cfg.ParallelizationFactor = min(max(1, cfg.ParallelizationFactor), MaxParallelizationFactor)
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
	return m
}

// Run reads every shard, from its checkpoint if Config.Checkpoints has
// one, and the children of those a split or merge closes, until ctx ends
// or a shard fails (see readShards).
func (m *Mapping) Run(ctx context.Context) error {
	if err := m.loadCheckpoints(); err != nil {
		return err
	}
	return m.readShards(ctx)
}

func (m *Mapping) arn() string {
	return fmt.Sprintf("arn:aws:kinesis:%s:000000000000:stream/%s", m.cfg.Region, m.cfg.Stream)
}
