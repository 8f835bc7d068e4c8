package esm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// delivered is a batch a lane has handled (or stopped on, if ctx ended).
type delivered struct {
	lane int
	recs []types.Record
}

// shard polls one shard, from its checkpoint or else from, and hands its
// records to ParallelizationFactor lanes by partition key (laneOf). Each
// lane delivers batches of at most BatchSize records and MaxBatchBytes,
// once a batch is full or Window has passed since its first record, one
// at a time; the lanes run concurrently. The shard is read ahead while
// lanes deliver, until one lane holds a full batch back. It checkpoints
// after each batch, as far as every record read is handled (progress),
// and returns true once a shard closed by a split or merge is read to its
// end and every record handled.
func (m *Mapping) shard(ctx context.Context, id string, from types.ShardIteratorType) (ended bool, err error) {
	// With LATEST, reading begins now: a renewal before any record is
	// read starts at this time, not at the newest record then, which
	// would skip those written since (during a GetRecords outage longer
	// than an iterator's five minutes, say), as Lambda does not.
	began := time.Now()
	iter, err := m.iterator(ctx, id, from, "", time.Time{})
	if err != nil {
		return false, err
	}
	lanes := make([]lane, m.cfg.ParallelizationFactor)
	prog := newProgress()
	finished := make(chan delivered, len(lanes))
	busy, lastRead := 0, ""
	// On the way out, stop the lanes still delivering (they may retry
	// for ever) and wait for them: cancel runs first.
	defer func() {
		for ; busy > 0; busy-- {
			<-finished
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// handled takes a finished batch back from its lane and moves the
	// checkpoint; records of a delivery cut short by ctx are not handled.
	handled := func(d delivered) error {
		busy--
		lanes[d.lane].busy = false
		if ctx.Err() != nil {
			return nil
		}
		if seq := prog.done(d.recs); seq != "" {
			return m.checkpoint(id, seq)
		}
		return nil
	}
	for ctx.Err() == nil {
		for len(finished) > 0 {
			if err := handled(<-finished); err != nil {
				return false, err
			}
		}
		got := 0
		if room := m.cfg.BatchSize - fullest(lanes); room > 0 && iter != nil {
			res, err := m.k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(min(10000, room)))})
			var expired *types.ExpiredIteratorException
			switch {
			case errors.As(err, &expired):
				// An iterator lasts five minutes, less than a long retry
				// may take. The records read so far stay with their
				// lanes: read on after the last of them, or from when
				// reading began if none was read yet.
				m.cfg.Logger.Info("iterator expired, renewing it where reading stopped", "shard", id, "after", lastRead)
				if iter, err = m.iterator(ctx, id, from, lastRead, began); err != nil {
					return false, err
				}
				continue
			case err != nil:
				if ctx.Err() != nil {
					return false, nil
				}
				m.cfg.Logger.Warn("get records", "shard", id, "error", err.Error())
				kinesalite.Sleep(ctx, m.cfg.Poll)
				continue
			}
			iter, got = res.NextShardIterator, len(res.Records)
			m.spread(lanes, res.Records)
			prog.add(res.Records)
			if got > 0 {
				lastRead = aws.ToString(res.Records[got-1].SequenceNumber)
			}
		}
		if iter == nil && prog.empty() {
			return true, nil
		}
		started := 0
		for i := range lanes {
			batch := m.ready(&lanes[i], iter == nil)
			if batch == nil {
				continue
			}
			busy++
			started++
			go func() {
				m.deliver(ctx, id, batch, 0)
				finished <- delivered{i, batch}
			}()
		}
		if got > 0 || started > 0 {
			continue
		}
		wait := time.NewTimer(m.cfg.Poll)
		select {
		case d := <-finished:
			err = handled(d)
		case <-wait.C:
		case <-ctx.Done():
		}
		wait.Stop()
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// spread hands records, in the order read, to the lanes of their keys.
func (m *Mapping) spread(lanes []lane, recs []types.Record) {
	now := time.Now()
	for _, r := range recs {
		l := &lanes[laneOf(aws.ToString(r.PartitionKey), len(lanes))]
		if len(l.pending) == 0 {
			l.first = now
		}
		l.pending = append(l.pending, r)
	}
}

// ready takes the lane's next batch if the lane is idle and the batch is
// full, its window has passed, or the shard is closed and read to its end
// (its last records wait for no others); nil otherwise.
func (m *Mapping) ready(l *lane, end bool) []types.Record {
	if l.busy || len(l.pending) == 0 {
		return nil
	}
	n := m.batchLen(l.pending)
	full := n < len(l.pending) || len(l.pending) >= m.cfg.BatchSize || end
	if !full && time.Since(l.first) < m.cfg.Window {
		return nil
	}
	batch := l.pending[:n:n]
	l.pending = append(l.pending[:0:0], l.pending[n:]...)
	l.first, l.busy = time.Now(), true
	return batch
}

// iterator reads shard from after the record after if given, else after
// its checkpoint, else, when from is LATEST and began is set (a renewal
// before any record was read), from began (AT_TIMESTAMP), else from from.
func (m *Mapping) iterator(ctx context.Context, shard string, from types.ShardIteratorType, after string, began time.Time) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(m.cfg.Stream), ShardId: aws.String(shard), ShardIteratorType: from}
	if after == "" {
		after = m.Checkpoint(shard)
	}
	switch {
	case after != "":
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(after)
	case from == types.ShardIteratorTypeLatest && !began.IsZero():
		in.ShardIteratorType, in.Timestamp = types.ShardIteratorTypeAtTimestamp, aws.Time(began)
	}
	out, err := m.k.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("shard iterator: %w", err)
	}
	return out.ShardIterator, nil
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
