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
// metrics=off it is what the metrics cost. With a shadow compiled in, it
// scores every ride too and writes its records to a shadow stream, as the
// function would: make bench builds the handler with and without one and
// compares this benchmark's figures (tools/measure/bench/shadow.go).
func BenchmarkHandler1000(b *testing.B) {
	// The first 1,000 shuffled Feb 2022 rides, as make bench uses them.
	event := event1000(b)
	for _, metrics := range []io.Writer{nil, io.Discard} {
		name := map[bool]string{true: "metrics=off", false: "metrics=on"}[metrics == nil]
		b.Run(name, func(b *testing.B) {
			benchInvoke(b, New(kinesistest.Nop{}, Config{Metrics: metrics, ShadowStream: "ride_prediction_shadow"}), event, "ns/record")
		})
	}
}

// BenchmarkHandler1000Shadow is BenchmarkHandler1000/metrics=on without a
// shadow, with the serving model's own code as its shadow (every ride
// predicted twice by the same code: the CPU a shadow of the same size
// costs, but with the code cache of one model), and with the shadow
// compiled into generated/shadow if there is one, side by side.
func BenchmarkHandler1000Shadow(b *testing.B) {
	event := event1000(b)
	self := &challenger{version: "self", predict: func(rides []validRide) ([]int, []float64) {
		scored := make([]int, len(rides))
		for i := range scored {
			scored[i] = i
		}
		return scored, predict(rides)
	}}
	for _, c := range []struct {
		name string
		ch   *challenger
	}{{"none", nil}, {"self", self}, {"compiled", compiledShadow()}} {
		if c.name == "compiled" && c.ch == nil {
			continue // no shadow is compiled in
		}
		b.Run("shadow="+c.name, func(b *testing.B) {
			h := New(kinesistest.Nop{}, Config{Metrics: io.Discard, ShadowStream: "ride_prediction_shadow"})
			h.challenger = c.ch
			benchInvoke(b, h, event, "ns/record")
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
