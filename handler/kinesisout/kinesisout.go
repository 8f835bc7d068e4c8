// Package kinesisout writes records to a Kinesis stream with PutRecords,
// the one writer with retries: the Lambda handler's, and the local stack's
// where it fits. It retries failed entries with backoff and full jitter
// while the caller's deadline allows, splits a call Kinesis refuses for its
// content until the entries at fault stand alone, and cuts every call off
// before the deadline. It does not depend on the model, so tools that use it
// do not compile it.
package kinesisout

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Publisher is the one Kinesis call the handler makes, with the SDK's exact
// signature, so that *kinesis.Client satisfies it and tests can fake it.
type Publisher interface {
	PutRecords(ctx context.Context, params *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

var _ Publisher = (*kinesis.Client)(nil)

// Kinesis's PutRecords limits.
const (
	maxPutRecords = 500
	maxPutBytes   = 5 << 20 // data plus partition keys
)

// Retry bounds how failed entries are sent again. It is the only retry
// layer: main turns the SDK's own retries off.
type Retry struct {
	Base time.Duration // first backoff ceiling; doubles each round
	Max  time.Duration // largest backoff ceiling
	// Margin is the time each call leaves before the invocation's deadline:
	// a call is cut off there, and none starts later, so that the handler
	// answers before Lambda times it out.
	Margin time.Duration
	// Rounds caps the re-sends of one entry, for callers without a deadline.
	Rounds int
	// Splits caps the calls one Publish makes to split refused calls (0:
	// DefaultSplits, below 0: none). One bad entry among 500 takes about
	// 18; once the cap is spent, a refused call's entries fail as
	// Permanent, for a later invocation, instead of being split further.
	Splits int
}

// DefaultSplits isolates a few bad entries in a call of 500.
const DefaultSplits = 64

// DefaultRetry suits a Lambda with a time-out of some seconds.
var DefaultRetry = Retry{Base: 50 * time.Millisecond, Max: 2 * time.Second, Margin: 500 * time.Millisecond, Rounds: 20}

// Entry is one record to write and the input record it answers for.
type Entry struct {
	Data []byte
	Key  string
	Rec  int // the caller's index of what the record answers for
}

// Failure is an entry that was not written, and why.
type Failure struct {
	Entry
	Err   error
	Class Class // what the failure calls for: see Class
}

// Publish writes entries to stream in chunks, sending failed entries again
// with exponential backoff and full jitter while the invocation has time.
// An entry past Kinesis's limits on one record (CheckEntry) is returned as
// Refused without a call. A call that Kinesis refuses as a whole for its content (one bad entry
// fails all 500) is split in halves, as Lambda bisects a failing batch,
// until the entries at fault stand alone, within retry.Splits calls. It
// returns the entries that were not written, each with its Class, and how
// many re-sends it made.
//
// stream is a stream's name or ARN (CheckStream). A partition key's
// entries keep their order only while none of them is sent again: a
// re-sent entry lands after those of its key that were written at the
// first try.
func Publish(ctx context.Context, out Publisher, stream string, entries []Entry, retry Retry) (failed []Failure, resent int) {
	pending, failed := fitting(stream, entries)
	p := putter{out: out, stream: stream, margin: retry.Margin, splits: retry.Splits}
	if p.splits == 0 {
		p.splits = DefaultSplits
	}
	for round := 0; ; round++ {
		var again []Failure
		for len(pending) > 0 {
			n := chunkLen(pending)
			f, a := p.putChunk(ctx, pending[:n])
			failed, again = append(failed, f...), append(again, a...)
			pending = pending[n:]
		}
		if len(again) == 0 {
			return failed, resent
		}
		wait := backoff(retry, round)
		if round >= retry.Rounds || ctx.Err() != nil || timeLeft(ctx) < wait+retry.Margin {
			return append(failed, again...), resent
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return append(failed, again...), resent
		}
		// A new slice: pending is the tail of the caller's entries, and
		// appending to it could write past their end.
		pending = make([]Entry, len(again))
		for i, f := range again {
			pending[i] = f.Entry
		}
		resent += len(again)
	}
}

// timeLeft is the time until ctx's deadline (a long time without one).
func timeLeft(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return time.Duration(1<<63 - 1)
}

// chunkLen is how many leading entries fit in one PutRecords call.
func chunkLen(entries []Entry) int {
	size := 0
	for i, e := range entries {
		size += len(e.Data) + len(e.Key)
		if i == maxPutRecords || size > maxPutBytes && i > 0 {
			return i
		}
	}
	return len(entries)
}

// putter makes the calls of one Publish.
type putter struct {
	out    Publisher
	stream string
	margin time.Duration
	splits int // calls left for splitting refused calls
}

// putChunk makes one call, cut off margin before ctx's deadline, and sorts
// its entries into those that failed for good and those worth sending
// again. A call refused for an entry is split and each half put again
// while p.splits lasts.
func (p *putter) putChunk(ctx context.Context, chunk []Entry) (failed, again []Failure) {
	stream := p.stream
	if timeLeft(ctx) <= p.margin {
		return nil, failAll(chunk, fmt.Errorf("put records to %s: no time left in the invocation", stream), Transient)
	}
	res, err := put(ctx, p.out, stream, chunk, p.margin)
	if err != nil {
		err = fmt.Errorf("put records to %s: %w", stream, err)
		switch class := classifyErr(err); {
		case class == Refused && len(chunk) > 1 && p.splits < 2:
			return failAll(chunk, fmt.Errorf("%w (not split further: the calls for splitting are spent)", err), Permanent), nil
		case class == Refused && len(chunk) > 1:
			p.splits -= 2
			half := len(chunk) / 2
			f1, a1 := p.putChunk(ctx, chunk[:half])
			f2, a2 := p.putChunk(ctx, chunk[half:])
			return append(f1, f2...), append(a1, a2...)
		case class == Transient:
			return nil, failAll(chunk, err, Transient)
		default:
			return failAll(chunk, err, class), nil
		}
	}
	for i, r := range res.Records {
		if r.ErrorCode == nil {
			continue
		}
		f := Failure{Entry: chunk[i], Class: classify(*r.ErrorCode),
			Err: fmt.Errorf("put record to %s: %s: %s", stream, *r.ErrorCode, aws.ToString(r.ErrorMessage))}
		if f.Class == Transient {
			again = append(again, f)
		} else {
			failed = append(failed, f)
		}
	}
	return failed, again
}

// put makes the PutRecords call for chunk, cut off margin before ctx's
// deadline. An answer without one result per entry is an error.
func put(ctx context.Context, out Publisher, stream string, chunk []Entry, margin time.Duration) (*kinesis.PutRecordsOutput, error) {
	callCtx, cancel := context.WithCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		callCtx, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
	}
	defer cancel()
	in := &kinesis.PutRecordsInput{Records: make([]types.PutRecordsRequestEntry, len(chunk))}
	in.StreamName, in.StreamARN = StreamParams(stream)
	for i := range chunk {
		// The key's address in chunk, not a copy: one less allocation per record.
		in.Records[i] = types.PutRecordsRequestEntry{Data: chunk[i].Data, PartitionKey: &chunk[i].Key}
	}
	res, err := out.PutRecords(callCtx, in)
	if err == nil && len(res.Records) != len(chunk) {
		err = fmt.Errorf("PutRecords answered %d results for %d records", len(res.Records), len(chunk))
	}
	return res, err
}

func failAll(chunk []Entry, err error, class Class) []Failure {
	all := make([]Failure, len(chunk))
	for i, e := range chunk {
		all[i] = Failure{Entry: e, Err: err, Class: class}
	}
	return all
}

// backoff draws a wait in [0, min(Max, Base*2^round)): "full jitter".
func backoff(r Retry, round int) time.Duration {
	ceiling := r.Max
	if round < 30 && r.Base<<round < r.Max {
		ceiling = r.Base << round
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}
