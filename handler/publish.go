package handler

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// published is what publishing a batch came to.
type published struct {
	failed       []int // the records Lambda must send again, sorted
	written      int   // predictions written
	deadLettered int   // dead letters written
	resent       int   // records sent again by kinesisout's retries
}

// publish writes the predictions, then the dead letters: the invalid
// records' and those of the predictions Kinesis refused on their own.
func (h *Handler) publish(ctx context.Context, pub kinesisout.Publisher, records []kinesisRecord, out, dead []kinesisout.Entry) published {
	var p published
	refused := h.publishPredictions(ctx, pub, records, out, &p)
	h.publishDeadLetters(ctx, pub, records, append(dead, refused...), &p)
	slices.Sort(p.failed)
	return p
}

// publishPredictions writes out and returns dead letters for the
// predictions Kinesis refused: retrying the batch cannot write those.
// Other failures are reported for Lambda to send their records again.
func (h *Handler) publishPredictions(ctx context.Context, pub kinesisout.Publisher, records []kinesisRecord, out []kinesisout.Entry, p *published) (refused []kinesisout.Entry) {
	failed, resent := kinesisout.Publish(ctx, pub, h.cfg.PredictionsStream, out, h.cfg.Retry)
	p.written, p.resent = len(out)-len(failed), p.resent+resent
	for _, f := range failed {
		if f.Class == kinesisout.Refused {
			refused = append(refused, deadLetterEntry(&records[f.Rec], f.Rec, fmt.Errorf("prediction refused: %w", f.Err)))
			continue
		}
		h.cfg.Logger.ErrorContext(ctx, "prediction not written", "sequence_number", records[f.Rec].Kinesis.SequenceNumber,
			"event_id", records[f.Rec].EventID, "error", f.Err.Error())
		p.failed = append(p.failed, f.Rec)
	}
	return refused
}

// publishDeadLetters writes dead. A dead letter the stream refuses on its
// own (Refused) goes to the log: failing its record would hold up its shard
// and make the valid rides after it be written again on every retry. Other
// failures, a missing stream among them, are reported for Lambda to send
// their records again: a later invocation may write them, and the batch
// goes to the on-failure destination, for redrive, if none does.
func (h *Handler) publishDeadLetters(ctx context.Context, pub kinesisout.Publisher, records []kinesisRecord, dead []kinesisout.Entry, p *published) {
	failed, resent := kinesisout.Publish(ctx, pub, h.cfg.DLQStream, dead, h.cfg.Retry)
	p.deadLettered, p.resent = len(dead)-len(failed), p.resent+resent
	for _, f := range failed {
		if f.Class == kinesisout.Refused {
			logDeadLetter(ctx, h.cfg.Logger, &records[f.Rec], f.Data, f.Err)
			continue
		}
		h.cfg.Logger.ErrorContext(ctx, "dead letter not written", "sequence_number", records[f.Rec].Kinesis.SequenceNumber,
			"event_id", records[f.Rec].EventID, "error", f.Err.Error())
		p.failed = append(p.failed, f.Rec)
	}
}

// counting is a Publisher that counts one invocation's calls and the
// entries Kinesis throttled, for the metrics.
type counting struct {
	kinesisout.Publisher
	calls, throttled int
}

const throttledCode = "ProvisionedThroughputExceededException"

func (c *counting) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	c.calls++
	out, err := c.Publisher.PutRecords(ctx, in, opts...)
	var api smithy.APIError
	switch {
	case errors.As(err, &api) && api.ErrorCode() == throttledCode:
		c.throttled += len(in.Records)
	case err == nil:
		for _, r := range out.Records {
			if r.ErrorCode != nil && *r.ErrorCode == throttledCode {
				c.throttled++
			}
		}
	}
	return out, err
}
