package shadowreport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// pageLimit is the records asked of each GetRecords call: a merge holds at
// most one page per shard.
const pageLimit = 1000

// record is what the merge hands on of a Kinesis record.
type record struct {
	seq     string
	data    []byte
	arrival time.Time
}

// cursor reads one shard a page at a time.
type cursor struct {
	c             Client
	stream, shard string
	take          func(shard string, r record)
	iter          *string
	page          []record
	last          string // the last sequence number read, to renew an expired iterator
	done          bool
	since         time.Time
}

// merge reads shards of several streams at once, handing each record on
// in arrival order across them all (the oldest head first).
type merge struct {
	since   time.Time
	cursors []*cursor
}

// add opens a cursor on every shard of src; take gets its records.
func (m *merge) add(ctx context.Context, src Source, take func(shard string, r record)) error {
	in := &kinesis.ListShardsInput{StreamName: aws.String(src.Stream)}
	for {
		out, err := src.Client.ListShards(ctx, in)
		if err != nil {
			return fmt.Errorf("list shards of %s: %w", src.Stream, err)
		}
		for _, sh := range out.Shards {
			cur := &cursor{c: src.Client, stream: src.Stream, shard: aws.ToString(sh.ShardId), take: take, since: m.since}
			if err := cur.open(ctx); err != nil {
				return err
			}
			m.cursors = append(m.cursors, cur)
		}
		if out.NextToken == nil {
			return nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// run hands every record on, oldest first, until every shard is caught up.
func (m *merge) run(ctx context.Context) error {
	for {
		var next *cursor
		for _, cur := range m.cursors {
			if err := cur.fill(ctx); err != nil {
				return err
			}
			if len(cur.page) > 0 && (next == nil || cur.page[0].arrival.Before(next.page[0].arrival)) {
				next = cur
			}
		}
		if next == nil {
			return nil
		}
		r := next.page[0]
		next.page = next.page[1:]
		next.take(next.shard, r)
	}
}

// open gets the shard's iterator: after the last record read, else at
// since, else at its start.
func (cur *cursor) open(ctx context.Context) error {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(cur.stream), ShardId: aws.String(cur.shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
	switch {
	case cur.last != "":
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(cur.last)
	case !cur.since.IsZero():
		in.ShardIteratorType, in.Timestamp = types.ShardIteratorTypeAtTimestamp, aws.Time(cur.since)
	}
	out, err := cur.c.GetShardIterator(ctx, in)
	if err != nil {
		return fmt.Errorf("shard iterator of %s %s: %w", cur.stream, cur.shard, err)
	}
	cur.iter = out.ShardIterator
	return nil
}

// fill reads the next page if the last is used up, until it has records
// or the shard is caught up: Kinesis may answer empty pages before it
// reaches records, so only MillisBehindLatest 0 on an empty page, or the
// shard's end, means caught up.
func (cur *cursor) fill(ctx context.Context) error {
	for len(cur.page) == 0 && !cur.done {
		if cur.iter == nil {
			cur.done = true
			return nil
		}
		res, err := cur.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: cur.iter, Limit: aws.Int32(pageLimit)})
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(err, &expired):
			if err := cur.open(ctx); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("get records of %s %s: %w", cur.stream, cur.shard, err)
		}
		cur.page = cur.page[:0]
		for _, r := range res.Records {
			cur.page = append(cur.page, record{seq: aws.ToString(r.SequenceNumber), data: r.Data, arrival: aws.ToTime(r.ApproximateArrivalTimestamp)})
		}
		if n := len(res.Records); n > 0 {
			cur.last = cur.page[n-1].seq
		}
		cur.iter = res.NextShardIterator
		cur.done = len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0
	}
	return nil
}
