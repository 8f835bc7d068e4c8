// Package localkinesis runs kinesalite, the local Kinesis API server, and
// makes SDK clients for it.
package localkinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/testsupport"
)

// Server is a running kinesalite.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	done     chan struct{}
}

// Dir is tools/kinesalite, where package.json pins kinesalite.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "kinesalite")
}

// Start runs kinesalite on a free loopback port (installing it with npm ci
// first if node_modules is missing) and waits until it answers.
func Start(logs io.Writer) (*Server, error) {
	dir := Dir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "kinesalite")); err != nil {
		npm := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		npm.Dir, npm.Stdout, npm.Stderr = dir, logs, logs
		if err := npm.Run(); err != nil {
			return nil, fmt.Errorf("npm ci in %s: %w", dir, err)
		}
	}
	port, err := testsupport.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "server.js", fmt.Sprint(port))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start kinesalite: %w", err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-s.done:
			return nil, errors.New("kinesalite exited before listening")
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("kinesalite did not listen on %s", addr)
		}
	}
}

// Pid is kinesalite's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop kills kinesalite's process group and waits for it.
func (s *Server) Stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
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

// Record is one record read from a stream.
type Record struct {
	Shard   string
	Seq     string
	Key     string
	Data    []byte
	Arrival time.Time
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
			func(r Record) { out = append(out, r) })
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
		go func(id string) { errs <- readShard(ctx, c, stream, id, from, true, poll, fn) }(aws.ToString(sh.ShardId))
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
func readShard(ctx context.Context, c *kinesis.Client, stream, shard string, from types.ShardIteratorType, follow bool, poll time.Duration, fn func(Record)) error {
	var last string
	iterator := func() (*string, error) {
		in := &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: from}
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
			sleep(ctx, poll)
			continue
		}
		for _, r := range res.Records {
			last = aws.ToString(r.SequenceNumber)
			fn(Record{Shard: shard, Seq: last, Key: aws.ToString(r.PartitionKey), Data: r.Data, Arrival: aws.ToTime(r.ApproximateArrivalTimestamp)})
		}
		iter = res.NextShardIterator
		if len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0 {
			if !follow {
				return nil
			}
			sleep(ctx, poll)
		}
	}
	if follow {
		return nil
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
