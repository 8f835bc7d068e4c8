package shadowreport

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// Source is a stream and the client that reads it (make demo keeps the
// source and output streams on two kinesalite servers).
type Source struct {
	Client *kinesis.Client
	Stream string
}

// Read reads the serving and shadow streams, and events (the source
// stream, for the rides' real durations) unless its Stream is empty, every
// shard from the start, and compares them.
func Read(ctx context.Context, serving, shadow, events Source) (Comparison, error) {
	a, err := readStream(ctx, serving)
	if err != nil {
		return Comparison{}, err
	}
	b, err := readStream(ctx, shadow)
	if err != nil {
		return Comparison{}, err
	}
	var durations map[string]float64
	if events.Stream != "" {
		recs, err := localkinesis.ReadAll(ctx, events.Client, events.Stream)
		if err != nil {
			return Comparison{}, fmt.Errorf("ride events, for the rides' durations: %w", err)
		}
		durations = Durations(recs)
	}
	return Compare(a, b, durations), nil
}

func readStream(ctx context.Context, s Source) (Stream, error) {
	recs, err := localkinesis.ReadAll(ctx, s.Client, s.Stream)
	if err != nil {
		return Stream{}, err
	}
	out := Stream{Name: s.Stream, Records: make([][]byte, len(recs))}
	for i, r := range recs {
		out.Records[i] = r.Data
	}
	return out, nil
}
