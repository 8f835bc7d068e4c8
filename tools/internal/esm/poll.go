package esm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// shard polls one shard, from its checkpoint or else from, and delivers its
// records in batches of at most BatchSize records and MaxBatchBytes, once
// a batch is full or Window has passed since its first record,
// checkpointing after each. It returns true once a shard closed by a split
// or merge is read to its end and every record handled.
func (m *Mapping) shard(ctx context.Context, id string, from types.ShardIteratorType) (ended bool, err error) {
	iter, err := m.iterator(ctx, id, from)
	if err != nil {
		return false, err
	}
	var pending []types.Record
	var first time.Time
	for ctx.Err() == nil {
		got := 0
		if len(pending) < m.cfg.BatchSize && iter != nil {
			res, err := m.k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(min(10000, m.cfg.BatchSize-len(pending))))})
			var expired *types.ExpiredIteratorException
			switch {
			case errors.As(err, &expired):
				// An iterator lasts five minutes, less than a long retry
				// may take. Records read but not delivered yet are after
				// the checkpoint: they are read again.
				m.cfg.Logger.Info("iterator expired, renewing it after the checkpoint", "shard", id)
				if iter, err = m.iterator(ctx, id, from); err != nil {
					return false, err
				}
				pending = nil
				continue
			case err != nil:
				if ctx.Err() != nil {
					return false, nil
				}
				m.cfg.Logger.Warn("get records", "shard", id, "error", err.Error())
				localkinesis.Sleep(ctx, m.cfg.Poll)
				continue
			}
			iter, got = res.NextShardIterator, len(res.Records)
			if got > 0 && len(pending) == 0 {
				first = time.Now()
			}
			pending = append(pending, res.Records...)
		}
		if iter == nil && len(pending) == 0 {
			return true, nil
		}
		n := m.batchLen(pending)
		// A closed shard's last records wait for no others.
		full := n < len(pending) || len(pending) >= m.cfg.BatchSize || iter == nil
		if len(pending) == 0 || !full && time.Since(first) < m.cfg.Window {
			if got == 0 {
				localkinesis.Sleep(ctx, m.cfg.Poll)
			}
			continue
		}
		batch := pending[:n]
		m.deliver(ctx, id, batch, 0)
		if ctx.Err() != nil {
			return false, nil
		}
		if err := m.checkpoint(id, aws.ToString(batch[n-1].SequenceNumber)); err != nil {
			return false, err
		}
		pending = append(pending[:0:0], pending[n:]...)
		first = time.Now()
	}
	return false, nil
}

// iterator reads shard from after its checkpoint, or from from if it has
// none.
func (m *Mapping) iterator(ctx context.Context, shard string, from types.ShardIteratorType) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(m.cfg.Stream), ShardId: aws.String(shard), ShardIteratorType: from}
	if seq := m.Checkpoint(shard); seq != "" {
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(seq)
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
