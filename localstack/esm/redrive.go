package esm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// RedriveUnfinished is the condition of a batch that Redrive puts back on
// the on-failure stream because its ctx ended first (tools/operate/redrive's
// -batch-timeout). It is ours: Lambda's on-failure messages carry
// RetryAttemptsExhausted or RecordAgeExceeded.
const RedriveUnfinished = "RedriveUnfinished"

// putBackTimeout bounds writing the unfinished range back, under a context
// of its own: the batch's has ended by then.
const putBackTimeout = 30 * time.Second

// Redrive reads the batch that info describes back from the stream and
// delivers it again as Run would (invocations, retries, bisection, and the
// on-failure destination if it fails again). It returns how many records
// it read back.
//
// Records past the stream's retention are gone: Redrive delivers those
// still there and returns an error that counts the others (all gone is an
// error without any invocation). If ctx ends first, the records not yet
// handled, from the first of them to the batch's end, go back on the
// on-failure stream (condition RedriveUnfinished) under a fresh context of
// putBackTimeout, and the error says so and wraps ctx's.
func (m *Mapping) Redrive(ctx context.Context, info BatchInfo) (int, error) {
	batch := fmt.Sprintf("%s %s..%s", info.ShardID, info.StartSequenceNumber, info.EndSequenceNumber)
	recs, err := kinesalite.ReadRange(ctx, m.k, m.cfg.Stream, info.ShardID, info.StartSequenceNumber, info.EndSequenceNumber)
	if err != nil {
		return 0, fmt.Errorf("read %s back: %w", batch, err)
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("%s no longer holds any record of %s (past its retention?)", m.cfg.Stream, batch)
	}
	var expired error
	if first := aws.ToString(recs[0].SequenceNumber); first != info.StartSequenceNumber {
		gone := "some"
		if info.BatchSize > len(recs) {
			gone = fmt.Sprint(info.BatchSize - len(recs))
		}
		expired = fmt.Errorf("%s: %s records before %s are past %s's retention and gone; the %d after are redriven", batch, gone, first, m.cfg.Stream, len(recs))
	}
	total := len(recs)
	for len(recs) > 0 {
		n := m.batchLen(recs)
		if done := m.deliver(ctx, info.ShardID, recs[:n], 0); done < n {
			return total, errors.Join(expired, m.putBack(ctx, info.ShardID, recs[done:]))
		}
		recs = recs[n:]
	}
	return total, expired
}

// putBack puts the unfinished records' range on the on-failure stream,
// once ctx has ended, and returns ctx's error with what became of them.
func (m *Mapping) putBack(ctx context.Context, shard string, unfinished []types.Record) error {
	fresh, cancel := context.WithTimeout(context.WithoutCancel(ctx), putBackTimeout)
	defer cancel()
	sent := m.onFailure(fresh, shard, unfinished, RedriveUnfinished, 0, ctx.Err())
	where := "put back on " + m.cfg.OnFailure
	switch {
	case m.cfg.OnFailure == "":
		where = "reported here only (no on-failure stream)"
	case !sent:
		where = "NOT put back on " + m.cfg.OnFailure + " (writing failed for " + putBackTimeout.String() + ")"
	}
	return fmt.Errorf("%d records unfinished (%s..%s), %s: %w", len(unfinished), aws.ToString(unfinished[0].SequenceNumber),
		aws.ToString(unfinished[len(unfinished)-1].SequenceNumber), where, ctx.Err())
}
