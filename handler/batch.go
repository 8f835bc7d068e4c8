package handler

import (
	"context"
	"time"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// batch handles a Kinesis event: it de-aggregates the records a KPL
// producer aggregated, parses each record's ride, makes the invalid ones'
// dead letters (an aggregate's bounded: fanout.go), predicts the valid ones,
// scores them with the shadow model too if one is compiled in, encodes the
// predictions, publishes them and the dead letters (or, with TEST_RUN,
// answers them) while the shadow's go to the shadow stream, and reports
// the records Lambda must send again.
func (h *Handler) batch(ctx context.Context, batch []kinesisRecord) Response {
	start := time.Now()
	records := h.deaggregate(ctx, batch)
	rides, invalid := h.parse(records)
	m := invocationMetrics{records: len(batch), invalid: len(invalid), age: batchAge(batch, start)}
	dead := h.deadLetters(ctx, boundDeadLetters(batch, records, invalid))
	t := time.Now()
	preds := predict(rides)
	m.predict, m.values = time.Since(t), preds
	m.shadow = h.scoreShadow(rides, preds)
	out := h.encodePredictions(records, rides, preds)
	if h.cfg.TestRun {
		res := h.answer(ctx, len(batch), records, out, dead, start)
		m.duration = time.Since(start)
		h.logShadow(ctx, m.shadow)
		h.writeMetrics(&m)
		return res
	}
	pub := &counting{Publisher: h.out}
	waitShadow := h.publishShadow(ctx, records, rides, m.shadow)
	p := h.publish(ctx, pub, records, out, dead)
	waitShadow()
	h.logShadow(ctx, m.shadow)
	res := report(records, p.failed)
	m.predictions, m.deadLetters, m.failures, m.retries = p.written, p.deadLettered, len(res.BatchItemFailures), p.resent
	m.calls, m.throttled, m.duration = pub.calls, pub.throttled, time.Since(start)
	h.cfg.Logger.InfoContext(ctx, "batch", "records", len(batch), "user_records", len(records), "predicted", p.written, "dead_lettered", p.deadLettered,
		"invalid", len(dead), "retried", p.resent, "failed", len(res.BatchItemFailures), "duration_ms", msSince(start))
	h.writeMetrics(&m)
	return res
}

// validRide is a ride that parsed, and the index of its record.
type validRide struct {
	ride.Ride
	rec int
}

// parse reads each record's ride event, and says why for a record that
// holds none (or an aggregate that deaggregate refused), or whose
// prediction Kinesis could not take (oversize).
func (h *Handler) parse(records []kinesisRecord) (rides []validRide, invalid []invalidRecord) {
	rides = make([]validRide, 0, len(records))
	for i := range records {
		r := &records[i]
		if r.refused != nil {
			invalid = append(invalid, invalidRecord{rec: i, src: r, err: r.refused})
			continue
		}
		rd, err := ride.Parse(r.Kinesis.Data)
		if err == nil {
			err = h.oversize(r, rd)
		}
		if err != nil {
			invalid = append(invalid, invalidRecord{rec: i, src: r, err: err})
			continue
		}
		rides = append(rides, validRide{Ride: rd, rec: i})
	}
	return rides, invalid
}

// predict runs the model on every ride, as one batch.
func predict(rides []validRide) []float64 {
	features := make([]generated.Features, len(rides))
	for i, r := range rides {
		features[i] = r.Features
	}
	preds := make([]float64, len(rides))
	generated.PredictBatch(features, preds)
	return preds
}

// answer is TEST_RUN's response: it writes nothing, and carries the
// predictions and dead letters instead.
func (h *Handler) answer(ctx context.Context, in int, records []kinesisRecord, out, dead []kinesisout.Entry, start time.Time) Response {
	res := report(records, nil)
	for _, e := range out {
		res.Predictions = append(res.Predictions, e.Data)
	}
	for _, e := range dead {
		res.DeadLetters = append(res.DeadLetters, e.Data)
	}
	h.cfg.Logger.InfoContext(ctx, "batch", "records", in, "user_records", len(records), "predicted", len(out), "dead_lettered", 0, "invalid", len(dead),
		"test_run", true, "duration_ms", msSince(start))
	return res
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
