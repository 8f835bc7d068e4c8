package handler

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/kinesistest"
)

// BenchmarkHandler1000 is the handler's CPU for a 1,000-record Kinesis event
// of real Feb 2022 rides: decoding, validation, prediction and encoding the
// output records, with a no-op output client. metrics=on writes the
// invocation's EMF document (to io.Discard), as the function does; beside
// metrics=off it is what the metrics cost.
func BenchmarkHandler1000(b *testing.B) {
	// The first 1,000 shuffled Feb 2022 rides, as make bench uses them.
	event := event1000(b)
	for _, metrics := range []io.Writer{nil, io.Discard} {
		name := map[bool]string{true: "metrics=off", false: "metrics=on"}[metrics == nil]
		b.Run(name, func(b *testing.B) {
			benchInvoke(b, New(kinesistest.Nop{}, Config{Metrics: metrics}), event, "ns/record")
		})
	}
}

// benchInvoke invokes h with a 1,000-ride event over and over, and reports
// the time per ride under unit.
func benchInvoke(b *testing.B, h *Handler, event []byte, unit string) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if _, err := h.Invoke(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), unit)
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

// BenchmarkDeaggregatePlain is what de-aggregation costs a batch of 1,000
// plain records: a 4-byte compare each, and no copy.
func BenchmarkDeaggregatePlain(b *testing.B) {
	records, _, err := decodeEvent(event1000(b))
	if err != nil {
		b.Fatal(err)
	}
	h := New(kinesistest.Nop{}, Config{})
	ctx := context.Background()
	for b.Loop() {
		h.deaggregate(ctx, records)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/record")
}

// BenchmarkHandler1000Aggregated is BenchmarkHandler1000's rides as a KPL
// producer puts them: 10 aggregated records of 100 rides each.
func BenchmarkHandler1000Aggregated(b *testing.B) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		b.Fatal(err)
	}
	var aggregates [][]byte
	for i := 0; i < 1000; i += 100 {
		var users []userRecord
		for j, r := range feb[i : i+100] {
			users = append(users, userRecord{key: fmt.Sprint(i + j), data: golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i+j)})
		}
		aggregates = append(aggregates, aggregated(users...))
	}
	benchInvoke(b, New(kinesistest.Nop{}, Config{Metrics: io.Discard}), kinesisEvent(b, aggregates...), "ns/ride")
}
