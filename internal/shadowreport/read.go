package shadowreport

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Client is the part of the Kinesis client that Read uses
// (*kinesis.Client).
type Client interface {
	ListShards(ctx context.Context, params *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, params *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, params *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

var _ Client = (*kinesis.Client)(nil)

// Source is a stream and the client that reads it (make demo keeps the
// source and output streams on two kinesalite servers).
type Source struct {
	Client Client
	Stream string
}

// Options are what Read reads and keeps.
type Options struct {
	// Since, if set, is where every shard is read from
	// (GetShardIterator AT_TIMESTAMP); zero reads from the start
	// (TRIM_HORIZON). Reading ends where each shard is caught up.
	Since time.Time
	// Limits bound what is kept (zero: DefaultLimits).
	Limits Limits
}

// Read reads the serving and shadow streams, and events (the source
// stream, for the rides' real durations) unless its Stream is empty, from
// o.Since, and compares them as it reads. Every shard of the three is read
// at once, a page at a time, merged in arrival order (merge.go), so that a
// ride's records meet within the Joiner's window; what Read keeps is a
// page per shard and the Joiner's bounded state, however many records the
// streams hold.
func Read(ctx context.Context, o Options, serving, shadow, events Source) (Comparison, error) {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	j := NewJoiner(serving.Stream, shadow.Stream, events.Stream != "", o.Limits)
	m := &merge{since: o.Since}
	for _, s := range []struct {
		src  Source
		take func(shard string, r record)
	}{
		{serving, func(_ string, r record) { j.Serving(r.data) }},
		{shadow, func(_ string, r record) { j.Shadow(r.data) }},
		{events, func(shard string, r record) { eventDurations(shard, r.seq, r.data, j.Event) }},
	} {
		if s.src.Stream == "" {
			continue
		}
		if err := m.add(ctx, s.src, s.take); err != nil {
			return Comparison{}, err
		}
	}
	if err := m.run(ctx); err != nil {
		return Comparison{}, fmt.Errorf("read: %w", err)
	}
	c := j.Finish()
	c.Since = o.Since
	return c, nil
}
