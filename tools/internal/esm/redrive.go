package esm

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

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
