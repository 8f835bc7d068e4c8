package handler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
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

// Retry bounds how failed entries are sent again.
type Retry struct {
	Base time.Duration // first backoff ceiling; doubles each round
	Max  time.Duration // largest backoff ceiling
	// Margin is the time to leave in the invocation after the last wait, for
	// the last attempt and the response.
	Margin time.Duration
	// Rounds caps the re-sends of one entry, for callers without a deadline.
	Rounds int
}

// DefaultRetry suits a Lambda with a time-out of some seconds.
var DefaultRetry = Retry{Base: 50 * time.Millisecond, Max: 2 * time.Second, Margin: 500 * time.Millisecond, Rounds: 20}

// entry is one record to write and the input record it answers for.
type entry struct {
	data []byte
	key  string
	seq  string
}

// failure is an entry that could not be written, and why.
type failure struct {
	entry
	err error
}

// publish writes entries to stream in chunks, sending failed entries again
// with exponential backoff and full jitter while the invocation has time.
// It returns the entries that were never written and how many re-sends it made.
func publish(ctx context.Context, out Publisher, stream string, entries []entry, retry Retry) (failed []failure, resent int) {
	pending := entries
	for round := 0; len(pending) > 0; round++ {
		var again []failure
		for len(pending) > 0 {
			n := chunkLen(pending)
			f, a := putChunk(ctx, out, stream, pending[:n])
			failed, again = append(failed, f...), append(again, a...)
			pending = pending[n:]
		}
		if len(again) == 0 {
			break
		}
		wait := backoff(retry, round)
		deadline, ok := ctx.Deadline()
		if round >= retry.Rounds || ctx.Err() != nil || ok && time.Until(deadline) < wait+retry.Margin {
			return append(failed, again...), resent
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return append(failed, again...), resent
		}
		for _, f := range again {
			pending = append(pending, f.entry)
		}
		resent += len(again)
	}
	return failed, resent
}

// chunkLen is how many leading entries fit in one PutRecords call.
func chunkLen(entries []entry) int {
	size := 0
	for i, e := range entries {
		size += len(e.data) + len(e.key)
		if i == maxPutRecords || size > maxPutBytes && i > 0 {
			return i
		}
	}
	return len(entries)
}

// putChunk makes one call and sorts its entries into those that failed for
// good and those worth sending again.
func putChunk(ctx context.Context, out Publisher, stream string, chunk []entry) (failed, again []failure) {
	in := &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: make([]types.PutRecordsRequestEntry, len(chunk))}
	for i := range chunk {
		// The key's address in chunk, not a copy: one less allocation per record.
		in.Records[i] = types.PutRecordsRequestEntry{Data: chunk[i].data, PartitionKey: &chunk[i].key}
	}
	res, err := out.PutRecords(ctx, in)
	if err == nil && len(res.Records) != len(chunk) {
		err = fmt.Errorf("PutRecords answered %d results for %d records", len(res.Records), len(chunk))
	}
	if err != nil {
		err = fmt.Errorf("put records to %s: %w", stream, err)
		all := make([]failure, len(chunk))
		for i, e := range chunk {
			all[i] = failure{e, err}
		}
		if permanent(err) {
			return all, nil
		}
		return nil, all
	}
	for i, r := range res.Records {
		if r.ErrorCode != nil {
			again = append(again, failure{chunk[i], fmt.Errorf("put record to %s: %s: %s", stream, *r.ErrorCode, aws.ToString(r.ErrorMessage))})
		}
	}
	return nil, again
}

// permanent tells errors that no retry can fix (a missing stream, no
// permission, a malformed request) from throttling and service trouble.
func permanent(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ResourceNotFoundException", "AccessDeniedException", "ValidationException",
			"InvalidArgumentException", "KMSAccessDeniedException", "KMSDisabledException",
			"KMSNotFoundException", "KMSInvalidStateException", "UnrecognizedClientException":
			return true
		}
	}
	return false
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
