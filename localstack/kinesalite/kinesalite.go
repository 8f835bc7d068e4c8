// Package kinesalite runs kinesalite, the local Kinesis API server (this
// directory's package.json pins it; server.js starts it), makes SDK clients
// for it, and reads streams, on kinesalite or in AWS.
package kinesalite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// Server is a running kinesalite.
type Server struct {
	*proc.Server
	Endpoint string // http://127.0.0.1:PORT
}

// Dir is localstack/kinesalite, this package's directory, where
// package.json pins kinesalite and aws-kinesis-agg.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Start runs kinesalite on a free loopback port (installing it with npm ci
// first if a package is missing: Install) and waits until it answers.
func Start(logs io.Writer) (*Server, error) {
	dir := Dir()
	if err := Install(logs); err != nil {
		return nil, err
	}
	port, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "server.js", fmt.Sprint(port))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logs, logs
	s, err := proc.StartServer(cmd, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second)
	if err != nil {
		return nil, fmt.Errorf("kinesalite: %w", err)
	}
	return &Server{Server: s, Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}, nil
}

// packages are package.json's: each must be in node_modules.
var packages = []string{"kinesalite", "aws-kinesis-agg"}

// Install runs npm ci in Dir if one of its packages is not installed there
// (node_modules made before one was added lacks it). It checks and
// installs under a lock: npm ci first deletes node_modules, which a
// kinesalite started by a test package running in parallel may be using,
// and node_modules/kinesalite appears before npm ci is done.
func Install(logs io.Writer) error {
	dir := Dir()
	return proc.WithLock(filepath.Join(proc.Root(), "build", "kinesalite.lock"), func() error {
		missing := false
		for _, p := range packages {
			if _, err := os.Stat(filepath.Join(dir, "node_modules", p)); err != nil {
				missing = true
			}
		}
		if !missing {
			return nil
		}
		npm := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		npm.Dir, npm.Stdout, npm.Stderr = dir, logs, logs
		if err := npm.Run(); err != nil {
			return fmt.Errorf("npm ci in %s: %w", dir, err)
		}
		return nil
	})
}

// Client returns an SDK client for endpoint with dummy credentials.
func Client(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		HTTPClient:   httpClient,
	})
}

// CreateStream creates a stream with shards and waits until it is active.
func CreateStream(ctx context.Context, c *kinesis.Client, name string, shards int32) error {
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		return fmt.Errorf("create stream %s: %w", name, err)
	}
	for {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", name, err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Reader is what reading a shard takes: *kinesis.Client, or a fake.
type Reader interface {
	GetShardIterator(ctx context.Context, params *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, params *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// ReadRange reads the records of one shard from sequence number start to
// end, both included, as they are now (tools/operate/redrive).
func ReadRange(ctx context.Context, c Reader, stream, shard, start, end string) ([]types.Record, error) {
	var out []types.Record
	err := readShardAt(ctx, c, stream, shard, types.ShardIteratorTypeAtSequenceNumber, start, false, 0, func(r Record) bool {
		if seqLess(end, r.Seq) {
			return false
		}
		out = append(out, r.Raw)
		return true
	})
	return out, err
}

// seqLess orders Kinesis sequence numbers, decimal strings of any length.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Record is one record read from a stream.
type Record struct {
	Shard   string
	Seq     string
	Key     string
	Data    []byte
	Arrival time.Time
	Raw     types.Record
}

// ReadAll reads every record now in the stream, all shards, from the start.
func ReadAll(ctx context.Context, c *kinesis.Client, stream string) ([]Record, error) {
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return nil, fmt.Errorf("list shards of %s: %w", stream, err)
	}
	var out []Record
	for _, sh := range shards.Shards {
		err := readShard(ctx, c, stream, aws.ToString(sh.ShardId), types.ShardIteratorTypeTrimHorizon, false, 0,
			func(r Record) bool { out = append(out, r); return true })
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Follow reads every shard of stream from the given position until ctx
// ends, calling fn for each record (from several goroutines; fn must be safe
// for that).
func Follow(ctx context.Context, c *kinesis.Client, stream string, from types.ShardIteratorType, poll time.Duration, fn func(Record)) error {
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return fmt.Errorf("list shards of %s: %w", stream, err)
	}
	errs := make(chan error, len(shards.Shards))
	for _, sh := range shards.Shards {
		go func(id string) {
			errs <- readShard(ctx, c, stream, id, from, true, poll, func(r Record) bool { fn(r); return true })
		}(aws.ToString(sh.ShardId))
	}
	var all []error
	for range shards.Shards {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// readShard reads one shard, calling fn for each record, until it is caught
// up (or, following, until ctx ends). Kinesis may answer empty pages before
// it reaches records, so only MillisBehindLatest == 0 on an empty page, or
// the shard's end, means caught up. An expired iterator is renewed after
// the last sequence number read. Following, other errors are retried after
// poll; reading once, they are returned.
func readShard(ctx context.Context, c Reader, stream, shard string, from types.ShardIteratorType, follow bool, poll time.Duration, fn func(Record) bool) error {
	return readShardAt(ctx, c, stream, shard, from, "", follow, poll, fn)
}

// readShardAt is readShard from a position that may name a sequence
// number (AT_ or AFTER_SEQUENCE_NUMBER); fn returns false to stop.
func readShardAt(ctx context.Context, c Reader, stream, shard string, from types.ShardIteratorType, seq string, follow bool, poll time.Duration, fn func(Record) bool) error {
	var last string
	iterator := func() (*string, error) {
		in := &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: from}
		if seq != "" {
			in.StartingSequenceNumber = aws.String(seq)
		}
		if last != "" {
			in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(last)
		}
		out, err := c.GetShardIterator(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("shard iterator of %s %s: %w", stream, shard, err)
		}
		return out.ShardIterator, nil
	}
	iter, err := iterator()
	if err != nil {
		return err
	}
	for iter != nil && ctx.Err() == nil {
		res, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(err, &expired):
			if iter, err = iterator(); err != nil {
				return err
			}
			continue
		case err != nil && !follow:
			return fmt.Errorf("get records of %s %s: %w", stream, shard, err)
		case err != nil:
			Sleep(ctx, poll)
			continue
		}
		for _, r := range res.Records {
			last = aws.ToString(r.SequenceNumber)
			if !fn(Record{Shard: shard, Seq: last, Key: aws.ToString(r.PartitionKey), Data: r.Data, Arrival: aws.ToTime(r.ApproximateArrivalTimestamp), Raw: r}) {
				return nil
			}
		}
		iter = res.NextShardIterator
		if len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0 {
			if !follow {
				return nil
			}
			Sleep(ctx, poll)
		}
	}
	if follow {
		return nil
	}
	return ctx.Err()
}

// Sleep waits for d or until ctx ends, whichever comes first: the pause
// between polls of a shard, here and in the event source mapping (esm).
func Sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
