package handler

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/testsupport"
)

// nopKinesis accepts every record and keeps nothing.
type nopKinesis struct{}

func (nopKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}, nil
}

// BenchmarkHandler1000 is the handler's CPU for a 1,000-record Kinesis event
// of real Feb 2022 rides: decoding, validation, prediction and encoding the
// output records, with a no-op output client.
func BenchmarkHandler1000(b *testing.B) {
	// The first 1,000 shuffled Feb 2022 rides, as make bench uses them.
	feb, err := testsupport.ShuffledFeb()
	if err != nil {
		b.Fatal(err)
	}
	var payloads [][]byte
	for i, r := range feb[:1000] {
		payloads = append(payloads, testsupport.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i))
	}
	event := kinesisEvent(b, payloads...)
	h := New(nopKinesis{}, Config{})
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if _, err := h.Invoke(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/record")
}
