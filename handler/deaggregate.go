package handler

import (
	"context"
	"errors"
	"strconv"

	"github.com/nyc-taxi/ridepred/handler/kpl"
)

// deaggregate replaces each record that a KPL or AWS aggregation library
// packed (kpl.Deaggregate) with its user records, in order, as AWS's
// deaggregation libraries do; Lambda's event source mapping does not. A
// user record keeps its parent's sequence number (report sends the parent
// again if any of its user records fails), takes its partition key from
// the aggregate (its explicit hash key routed only the aggregate, and
// predictions are keyed by partition key), and its event id is the
// parent's with its sub-sequence number (its index) added,
// shardId-...:49...:7, the same on every retry.
// A record with the magic bytes that is not a valid aggregate (bad MD5,
// malformed protobuf) stays one plain record, as in those libraries, and
// is dead-lettered whole if it is no ride; one that holds no user records
// leaves nothing. One that would expand past the bounds in fanout.go
// stays one record too, refused with the reason, and is dead-lettered
// whole. Records without the magic bytes cost a 4-byte compare, and the
// batch's slice is kept as it is when no record has them.
func (h *Handler) deaggregate(ctx context.Context, records []kinesisRecord) []kinesisRecord {
	first := -1
	for i := range records {
		if kpl.HasMagic(records[i].Kinesis.Data) {
			first = i
			break
		}
	}
	if first < 0 {
		return records
	}
	out := append(make([]kinesisRecord, 0, len(records)), records[:first]...)
	left := newFanout()
	for i := first; i < len(records); i++ {
		out = h.appendUserRecords(ctx, out, records, i, &left)
	}
	return out
}

// appendUserRecords appends the user records of batch[i] to out, or
// batch[i] itself if it is not an aggregate or expands past what left
// allows.
func (h *Handler) appendUserRecords(ctx context.Context, out, batch []kinesisRecord, i int, left *fanout) []kinesisRecord {
	r := &batch[i]
	if !kpl.HasMagic(r.Kinesis.Data) {
		return append(out, *r)
	}
	users, err := kpl.DeaggregateWithin(r.Kinesis.Data, left.limits(len(r.Kinesis.Data)))
	if err != nil {
		whole := *r
		var le *kpl.LimitError
		if errors.As(err, &le) {
			whole.refused = overLimit(err)
		}
		h.cfg.Logger.WarnContext(ctx, "aggregated record not de-aggregated; handled as one record", "sequence_number", r.Kinesis.SequenceNumber,
			"event_id", r.EventID, "error", err.Error())
		return append(out, whole)
	}
	left.spend(users)
	for j, u := range users {
		sub := *r
		sub.EventID = r.EventID + ":" + strconv.Itoa(j)
		sub.Kinesis.Data, sub.Kinesis.PartitionKey = u.Data, u.PartitionKey
		sub.agg = i + 1
		out = append(out, sub)
	}
	return out
}
