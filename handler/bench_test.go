package handler

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	jsonv2 "github.com/go-json-experiment/json"

	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/kinesistest"
)

// BenchmarkHandler1000 is the handler's CPU for a 1,000-record Kinesis event
// of real Feb 2022 rides: decoding, validation, prediction and encoding the
// output records, with a no-op output client.
func BenchmarkHandler1000(b *testing.B) {
	// The first 1,000 shuffled Feb 2022 rides, as make bench uses them.
	event := event1000(b)
	h := New(kinesistest.Nop{}, Config{})
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

// event1000 is make bench's 1,000-record event of shuffled Feb 2022 rides.
func event1000(b *testing.B) []byte {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		b.Fatal(err)
	}
	var payloads [][]byte
	for i, r := range feb[:1000] {
		payloads = append(payloads, golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i))
	}
	return kinesisEvent(b, payloads...)
}

// BenchmarkDecodeEvent compares the handler's Kinesis event decoder with
// json v2 decoding into aws-lambda-go's events.KinesisEvent, on the same
// event: the library type is used unless this shows the hand-written one
// more than 10% faster.
func BenchmarkDecodeEvent(b *testing.B) {
	event := event1000(b)
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			in := invocation{Records: recordList{recs: make([]kinesisRecord, 0, 1000)}}
			if err := jsonv2.Unmarshal(event, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("events.KinesisEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev events.KinesisEvent
			if err := jsonv2.Unmarshal(event, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
