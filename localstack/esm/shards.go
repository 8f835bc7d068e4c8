package esm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// readShards reads the stream's shards, one goroutine each, until ctx ends
// or one fails; a failing shard stops the others, so that its error is
// returned now rather than when ctx ends.
//
// A split or merge closes its parent shards and opens children. As Lambda
// does, a child is read only once its parents (two after a merge) have
// been read to their end and every record of theirs handled, so that each
// partition key's records are delivered in order: the shards are listed
// again whenever one ends. The shards listed at the start are read from
// StartingPosition (under LATEST, one closed already and never
// checkpointed will get no new record: it counts as ended); the children
// found later from TRIM_HORIZON, their first record.
func (m *Mapping) readShards(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
		cancel()
	}
	ended := make(chan string)
	started, done := map[string]bool{}, map[string]bool{}
	for first := true; ctx.Err() == nil; first = false {
		from := types.ShardIteratorTypeTrimHorizon
		if first {
			from = m.cfg.StartingPosition
		}
		out, err := m.k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(m.cfg.Stream)})
		if err != nil {
			if ctx.Err() == nil {
				fail(fmt.Errorf("list shards of %s: %w", m.cfg.Stream, err))
			}
			break
		}
		if first && from == types.ShardIteratorTypeLatest {
			for _, sh := range out.Shards {
				if id := aws.ToString(sh.ShardId); closed(sh) && m.Checkpoint(id) == "" {
					started[id], done[id] = true, true
				}
			}
		}
		for _, sh := range out.Shards {
			id := aws.ToString(sh.ShardId)
			if started[id] || !parentsDone(sh, out.Shards, done) {
				continue
			}
			started[id] = true
			wg.Go(func() {
				end, err := m.shard(ctx, id, from)
				switch {
				case err != nil && ctx.Err() == nil:
					fail(fmt.Errorf("shard %s: %w", id, err))
				case end:
					select {
					case ended <- id:
					case <-ctx.Done():
					}
				}
			})
		}
		select {
		case id := <-ended:
			m.cfg.Logger.Info("shard read to its end", "shard", id)
			done[id] = true
		case <-ctx.Done():
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

// parentsDone says whether sh's parents have been read to their end, or
// are no longer listed (trimmed: past the stream's retention).
func parentsDone(sh types.Shard, listed []types.Shard, done map[string]bool) bool {
	for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
		id := aws.ToString(p)
		if id == "" || done[id] {
			continue
		}
		for _, l := range listed {
			if aws.ToString(l.ShardId) == id {
				return false
			}
		}
	}
	return true
}

// closed says whether a split or merge has closed sh.
func closed(sh types.Shard) bool {
	return sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
}
