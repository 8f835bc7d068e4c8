package handler

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nyc-taxi/ridepred/generated"
)

// invocationMetrics are one batch's figures. The handler writes them as
// one CloudWatch embedded metric format (EMF) document per invocation, a
// JSON line on stdout that CloudWatch Logs turns into metrics: no API call.
type invocationMetrics struct {
	records, predictions, deadLetters, invalid, failures int
	calls, retries, throttled                            int
	duration, predict                                    time.Duration
	age                                                  time.Duration // now minus the oldest record's arrival; -1 if unknown
	values                                               []float64     // the batch's predictions
	shadow                                               *shadowBatch  // the shadow's comparison and writes, or nil
}

// maxValues is the most values one EMF metric may carry; CloudWatch's
// percentiles use them all.
const maxValues = 100

// driftMinRides is the fewest predictions a batch needs for its
// PredictionDrift. Below it the noise alone would fire the drift alarm:
// batches of n rides drawn from the reference's own rides read up to
// 1.36/√n for 95% of them (Dvoretzky-Kiefer-Wolfowitz), 0.136 at 100
// rides, under the template's DriftAlarmThreshold (0.2); a single ride
// reads 0.5 or more.
const driftMinRides = 100

// warm is set by the first invocation's metrics: ColdStart is 1 before.
var warm atomic.Bool

// metric is one metric of the document: its name, unit and value.
type metric struct {
	name, unit string
	value      float64
}

// appendEMF appends the document: namespace, the dimension sets [service]
// and [service, model_version], each metric with its unit, and the
// predictions as up to 100 values spread evenly over the batch.
// PredictionDrift, for a batch of at least driftMinRides predictions, is
// how far all of them lie from the model's reference, the distribution of
// its predictions on the committed Feb 2022 rides (generated.Distribution's
// Shift: 0 to 1).
func (h *Handler) appendEMF(b []byte, m *invocationMetrics, now time.Time) []byte {
	cold := 0.0
	if !warm.Swap(true) {
		cold = 1
	}
	perRide := 0.0
	if n := len(m.values); n > 0 {
		perRide = float64(m.predict.Nanoseconds()) / 1e3 / float64(n)
	}
	metrics := []metric{
		{"RecordsIn", "Count", float64(m.records)},
		{"Predictions", "Count", float64(m.predictions)},
		{"DeadLetters", "Count", float64(m.deadLetters)},
		{"InvalidRecords", "Count", float64(m.invalid)},
		{"BatchItemFailures", "Count", float64(m.failures)},
		{"PutRecordsCalls", "Count", float64(m.calls)},
		{"PutRecordsRetries", "Count", float64(m.retries)},
		{"ThrottledEntries", "Count", float64(m.throttled)},
		{"ColdStart", "Count", cold},
		{"HandlerDuration", "Milliseconds", float64(m.duration.Microseconds()) / 1e3},
		{"PredictTimePerRide", "Microseconds", perRide},
	}
	if m.age >= 0 {
		metrics = append(metrics, metric{"BatchAge", "Milliseconds", float64(m.age.Milliseconds())})
	}
	if len(m.values) >= driftMinRides && generated.Reference != nil {
		metrics = append(metrics, metric{"PredictionDrift", "None", generated.Reference.Shift(m.values)})
	}
	metrics = appendShadowMetrics(metrics, m.shadow)
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, now.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = strconv.AppendQuote(b, h.cfg.Namespace)
	b = append(b, `,"Dimensions":[["service"],["service","model_version"]],"Metrics":[`...)
	for _, x := range metrics {
		b = append(b, `{"Name":"`...)
		b = append(b, x.name...)
		b = append(b, `","Unit":"`...)
		b = append(b, x.unit...)
		b = append(b, `"},`...)
	}
	b = append(b, `{"Name":"Prediction","Unit":"None"}]}]},"service":`...)
	b = strconv.AppendQuote(b, h.cfg.Service)
	b = append(b, `,"model_version":`...)
	b = strconv.AppendQuote(b, h.version)
	b = append(b, `,"function_version":`...)
	b = strconv.AppendQuote(b, h.cfg.FunctionVersion)
	if m.shadow != nil {
		b = append(b, `,"shadow_version":`...)
		b = strconv.AppendQuote(b, h.challenger.version)
	}
	for _, x := range metrics {
		b = append(b, `,"`...)
		b = append(b, x.name...)
		b = append(b, `":`...)
		b = strconv.AppendFloat(b, x.value, 'g', -1, 64)
	}
	b = append(b, `,"Prediction":[`...)
	n := len(m.values)
	for i := range min(n, maxValues) {
		if i > 0 {
			b = append(b, ',')
		}
		// Every prediction is finite: the model's Validate refuses what
		// would not give one.
		b = strconv.AppendFloat(b, m.values[i*n/min(n, maxValues)], 'g', -1, 64)
	}
	return append(b, "]}\n"...)
}

// appendShadowMetrics appends the shadow's figures, if a shadow is
// compiled in: the rides both models scored, how far apart their
// predictions are (minutes) and their means, for a batch where there were
// any, and the shadow records not written.
func appendShadowMetrics(metrics []metric, s *shadowBatch) []metric {
	if s == nil {
		return metrics
	}
	metrics = append(metrics, metric{"ShadowRides", "Count", float64(len(s.scored))}, metric{"ShadowWriteFailures", "Count", float64(s.failed)})
	if n := float64(len(s.scored)); n > 0 {
		metrics = append(metrics,
			metric{"ShadowMeanAbsDiff", "None", s.sumAbs / n},
			metric{"ShadowMaxAbsDiff", "None", s.maxAbs},
			metric{"ShadowShareOver1Min", "None", float64(s.over1Min) / n},
			metric{"ServingMean", "None", s.servingSum / n},
			metric{"ShadowMean", "None", s.sum / n})
	}
	return metrics
}

// writeMetrics writes the invocation's EMF document, if metrics are on.
func (h *Handler) writeMetrics(m *invocationMetrics) {
	if h.cfg.Metrics != nil {
		h.cfg.Metrics.Write(h.appendEMF(nil, m, time.Now()))
	}
}

// batchAge is now minus the oldest record's arrival, -1 if no record says.
func batchAge(records []kinesisRecord, now time.Time) time.Duration {
	oldest := math.Inf(1)
	for i := range records {
		if a := records[i].Kinesis.Arrival; a > 0 && a < oldest {
			oldest = a
		}
	}
	if math.IsInf(oldest, 1) {
		return -1
	}
	return max(0, now.Sub(time.UnixMilli(int64(oldest*1000))))
}
