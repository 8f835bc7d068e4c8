package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf16"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// Config is the handler's settings; main reads them from the environment.
type Config struct {
	PredictionsStream string // PREDICTIONS_STREAM_NAME, default ride_prediction
	DLQStream         string // DLQ_STREAM_NAME, default ride_events_dlq
	TestRun           bool   // TEST_RUN=True: predict, write nothing, answer the predictions
	Retry             kinesisout.Retry
	Logger            *slog.Logger
}

// Handler is the Lambda function. It implements lambda.Handler and decodes
// the payload itself.
type Handler struct {
	out     kinesisout.Publisher
	cfg     Config
	version string
}

var _ lambda.Handler = (*Handler)(nil)

// New returns a handler that writes through out.
func New(out kinesisout.Publisher, cfg Config) *Handler {
	if cfg.PredictionsStream == "" {
		cfg.PredictionsStream = "ride_prediction"
	}
	if cfg.DLQStream == "" {
		cfg.DLQStream = "ride_events_dlq"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Retry == (kinesisout.Retry{}) {
		cfg.Retry = kinesisout.DefaultRetry
	}
	return &Handler{out: out, cfg: cfg, version: ModelVersion()}
}

// Invoke handles one invocation.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	records, direct, err := decodeEvent(payload)
	switch {
	case err != nil:
		return nil, err
	case direct:
		return h.direct(payload)
	}
	res := h.kinesis(ctx, records)
	return json.Marshal(res)
}

// spaced writes JSON as the original app's json.dumps does: a space after
// each colon and comma.
var spaced = jsonv2.JoinOptions(jsontext.SpaceAfterColon(true), jsontext.SpaceAfterComma(true))

// Response is the answer to a Kinesis event: the records Lambda must send
// again, and with TEST_RUN the predictions and dead letters that were not
// written.
type Response struct {
	events.KinesisEventResponse
	Predictions []json.RawMessage `json:"predictions,omitempty"`
	DeadLetters []json.RawMessage `json:"dead_letters,omitempty"`
}

// encodePredictions encodes one predictions-stream record per ride, with one
// JSON encoder into one buffer (one allocation, not one per ride):
//
//	{"ride_id": 123, "prediction": 18.3, "model_version": "...", "event_id": "shardId-000000000000:4963..."}
//
// the original app's keys, the model, and the source record's event id, so
// that consumers can drop the duplicates at-least-once delivery brings. It
// returns the indexes of rides whose record could not be encoded.
func (h *Handler) encodePredictions(records []kinesisRecord, rides []ride.Ride, index []int, preds []float64) (out []kinesisout.Entry, bad []int) {
	size := 0
	for i, r := range rides {
		rec := records[index[i]]
		size += 96 + len(r.ID) + len(h.version) + len(rec.EventID)
	}
	var buf bytes.Buffer
	buf.Grow(size)
	// The names are fixed and distinct: no need to track them.
	opts := jsonv2.JoinOptions(spaced, jsontext.AllowDuplicateNames(true))
	enc := jsontext.NewEncoder(&buf, opts)
	out = make([]kinesisout.Entry, 0, len(rides))
	for i, r := range rides {
		rec := records[index[i]]
		start := buf.Len()
		err := errors.Join(
			enc.WriteToken(jsontext.BeginObject),
			enc.WriteToken(jsontext.String("ride_id")), enc.WriteValue(jsontext.Value(r.ID)),
			enc.WriteToken(jsontext.String("prediction")), enc.WriteToken(jsontext.Float(preds[i])),
			enc.WriteToken(jsontext.String("model_version")), enc.WriteToken(jsontext.String(h.version)),
			enc.WriteToken(jsontext.String("event_id")), enc.WriteToken(jsontext.String(rec.EventID)),
			enc.WriteToken(jsontext.EndObject),
		)
		if err != nil {
			bad = append(bad, i)
			buf.Truncate(start)
			enc.Reset(&buf, opts)
			continue
		}
		// The encoder flushes each complete value, ending it with a newline.
		data := bytes.TrimSuffix(buf.Bytes()[start:], []byte("\n"))
		out = append(out, kinesisout.Entry{Data: data[:len(data):len(data)], Key: partitionKey(&rec), Rec: index[i]})
	}
	return out, bad
}

func (h *Handler) kinesis(ctx context.Context, records []kinesisRecord) Response {
	start := time.Now()
	log := h.cfg.Logger
	rides := make([]ride.Ride, 0, len(records))
	index := make([]int, 0, len(records)) // rides[i] came from records[index[i]]
	var dead []kinesisout.Entry
	for i, r := range records {
		rd, err := ride.Parse(r.Kinesis.Data)
		if err != nil {
			log.Warn("invalid record", "sequence_number", r.Kinesis.SequenceNumber, "event_id", r.EventID, "error", err.Error())
			dead = append(dead, deadLetterEntry(records, i, err))
			continue
		}
		rides = append(rides, rd)
		index = append(index, i)
	}
	features := make([]generated.Features, len(rides))
	for i, r := range rides {
		features[i] = r.Features
	}
	preds := make([]float64, len(rides))
	generated.PredictBatch(features, preds)
	out, bad := h.encodePredictions(records, rides, index, preds)
	for _, i := range bad { // cannot happen: ride.Parse validated every id
		dead = append(dead, deadLetterEntry(records, index[i], errors.New("the ride id cannot be encoded")))
	}

	res := Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}}
	if h.cfg.TestRun {
		for _, e := range out {
			res.Predictions = append(res.Predictions, e.Data)
		}
		for _, e := range dead {
			res.DeadLetters = append(res.DeadLetters, e.Data)
		}
		log.Info("batch", "records", len(records), "predicted", len(out), "dead_lettered", 0, "invalid", len(dead),
			"test_run", true, "duration_ms", msSince(start))
		return res
	}

	failed := map[int]bool{} // input records to report to Lambda
	failedOut, resentOut := kinesisout.Publish(ctx, h.out, h.cfg.PredictionsStream, out, h.cfg.Retry)
	written := len(out) - len(failedOut)
	for _, f := range failedOut {
		if f.Class == kinesisout.Refused {
			// Kinesis refused this prediction on its own: retrying the
			// batch cannot help, so its ride goes to the dead letters.
			dead = append(dead, deadLetterEntry(records, f.Rec, fmt.Errorf("prediction refused: %w", f.Err)))
			continue
		}
		log.Error("prediction not written", "sequence_number", records[f.Rec].Kinesis.SequenceNumber, "error", f.Err.Error())
		failed[f.Rec] = true
	}
	failedDead, resentDead := kinesisout.Publish(ctx, h.out, h.cfg.DLQStream, dead, h.cfg.Retry)
	for _, f := range failedDead {
		if f.Class != kinesisout.Transient {
			// The dead-letter stream refuses for good. Failing the record
			// would hold up its shard and make the valid rides after it be
			// written again on every retry, so the dead letter goes to the
			// log instead, the last place it can be kept.
			logDeadLetter(log, &records[f.Rec], f.Data, f.Err)
			continue
		}
		log.Error("dead letter not written", "sequence_number", records[f.Rec].Kinesis.SequenceNumber, "error", f.Err.Error())
		failed[f.Rec] = true
	}
	for i, r := range records {
		if failed[i] {
			res.BatchItemFailures = append(res.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	log.Info("batch", "records", len(records), "predicted", written, "dead_lettered", len(dead)-len(failedDead),
		"retried", resentOut+resentDead, "failed", len(res.BatchItemFailures), "duration_ms", msSince(start))
	return res
}

// partitionKey is the output records' partition key: the source record's
// own, which Kinesis accepted so is valid by construction, and keeps each
// key's records in order; the sequence number (digits) if a hand-made
// event has none fit.
func partitionKey(r *kinesisRecord) string {
	if n := utf16Len(r.Kinesis.PartitionKey); n >= 1 && n <= 256 {
		return r.Kinesis.PartitionKey
	}
	return r.Kinesis.SequenceNumber
}

// utf16Len is the length of s in UTF-16 code units, as Kinesis counts a
// partition key's characters.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
