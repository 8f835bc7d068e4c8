package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/jsonscan"
)

// Config is the handler's settings; main reads them from the environment.
type Config struct {
	PredictionsStream string // PREDICTIONS_STREAM_NAME, default ride_prediction
	DLQStream         string // DLQ_STREAM_NAME, default ride_events_dlq
	TestRun           bool   // TEST_RUN=True: predict, write nothing, answer the predictions
	Retry             Retry
	Logger            *slog.Logger
	// BeforePredict, when set, sees each valid ride of a Kinesis batch before
	// it is predicted. main uses it only for a test-only crash trigger.
	BeforePredict func(ride.Ride)
}

// ModelVersion names the compiled model in every prediction: its MLflow run
// id when known, else the start of its forest JSON's sha256.
func ModelVersion() string {
	if generated.RunID != "" {
		return generated.RunID
	}
	return "sha256:" + generated.ModelSHA256[:16]
}

// CheckRunID refuses to start when RUN_ID asks for another model than the
// one compiled in: this binary can serve no other.
func CheckRunID(runID string) error {
	if runID == "" || runID == generated.RunID {
		return nil
	}
	carried := "run id " + generated.RunID
	if generated.RunID == "" {
		carried = "no MLflow run id"
	}
	return fmt.Errorf("RUN_ID is %s, but this binary carries model %s (%s, forest sha256 %s); rebuild with that model or unset RUN_ID",
		runID, ModelVersion(), carried, generated.ModelSHA256)
}

// Handler is the Lambda function. It implements lambda.Handler and decodes
// the payload itself.
type Handler struct {
	out     Publisher
	cfg     Config
	version string
}

var _ lambda.Handler = (*Handler)(nil)

// New returns a handler that writes through out.
func New(out Publisher, cfg Config) *Handler {
	if cfg.PredictionsStream == "" {
		cfg.PredictionsStream = "ride_prediction"
	}
	if cfg.DLQStream == "" {
		cfg.DLQStream = "ride_events_dlq"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Retry == (Retry{}) {
		cfg.Retry = DefaultRetry
	}
	return &Handler{out: out, cfg: cfg, version: ModelVersion()}
}

// invocation is either a Kinesis event (Records) or, as the original app's
// first test, one ride event.
type invocation struct {
	Records recordList `json:"Records"`
}

// recordList decodes into a slice sized before decoding (growing it while
// decoding copied it again and again) and notes whether Records was there.
type recordList struct {
	present bool
	recs    []kinesisRecord
}

// UnmarshalJSONFrom implements json v2's UnmarshalerFrom.
func (l *recordList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		return dec.SkipValue()
	}
	l.present = true
	return jsonv2.UnmarshalDecode(dec, &l.recs)
}

// kinesisRecord is the part of events.KinesisEventRecord the handler reads.
// Decoding the whole type costs a third of the handler's time (its
// timestamp has its own decoder), so UnmarshalJSONFrom reads these fields in
// one pass over the decoder and skips the rest.
type kinesisRecord struct {
	EventID string
	Kinesis struct {
		Data           []byte
		PartitionKey   string
		SequenceNumber string
	}
}

// UnmarshalJSONFrom reads one record of a Kinesis event. (Plain loops, not
// callbacks: closures here cost two allocations per record.)
func (r *kinesisRecord) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if err := openObject(dec); err != nil {
		return err
	}
	var buf [32]byte
	for dec.PeekKind() != '}' {
		name, err := readName(dec, buf[:0])
		if err != nil {
			return err
		}
		switch string(name) {
		case "eventID":
			err = readString(dec, &r.EventID)
		case "kinesis":
			err = r.readKinesis(dec)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func (r *kinesisRecord) readKinesis(dec *jsontext.Decoder) error {
	if err := openObject(dec); err != nil {
		return err
	}
	var buf [32]byte
	for dec.PeekKind() != '}' {
		name, err := readName(dec, buf[:0])
		if err != nil {
			return err
		}
		switch string(name) {
		case "data":
			err = jsonv2.UnmarshalDecode(dec, &r.Kinesis.Data)
		case "partitionKey":
			err = readString(dec, &r.Kinesis.PartitionKey)
		case "sequenceNumber":
			err = readString(dec, &r.Kinesis.SequenceNumber)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func openObject(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != '{' {
		err = fmt.Errorf("got a JSON %s, want an object", jsonscan.KindName(tok.Kind()))
	}
	return err
}

// readName reads an object member's name into buf, unescaped.
func readName(dec *jsontext.Decoder, buf []byte) ([]byte, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return jsontext.AppendUnquote(buf, raw)
}

func readString(dec *jsontext.Decoder, dst *string) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '"' {
		return fmt.Errorf("got a JSON %s, want a string", jsonscan.KindName(tok.Kind()))
	}
	*dst = tok.String()
	return nil
}

// Invoke handles one invocation.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	// Lambda writes each record's "kinesis" key once: room for every record.
	in := invocation{Records: recordList{recs: make([]kinesisRecord, 0, bytes.Count(payload, []byte(`"kinesis"`)))}}
	if err := jsonv2.Unmarshal(payload, &in); err != nil {
		return nil, fmt.Errorf("invalid event: %w", err)
	}
	if !in.Records.present {
		return h.direct(payload)
	}
	res := h.kinesis(ctx, in.Records.recs)
	return json.Marshal(res)
}

// direct answers a single ride event as the original app's first version
// did, writing nothing.
func (h *Handler) direct(payload []byte) ([]byte, error) {
	r, err := ride.Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("invalid ride event: %w", err)
	}
	b := ride.AppendFloat([]byte(`{"ride_duration": `), generated.Predict(r.Features))
	b = append(append(append(b, `, "ride_id": `...), r.ID...), '}')
	return b, nil
}

// Response is the answer to a Kinesis event: the records Lambda must send
// again, and with TEST_RUN the predictions and dead letters that were not
// written.
type Response struct {
	events.KinesisEventResponse
	Predictions []json.RawMessage `json:"predictions,omitempty"`
	DeadLetters []json.RawMessage `json:"dead_letters,omitempty"`
}

// deadLetter is what the dead-letter stream gets for an invalid record.
type deadLetter struct {
	Error          string `json:"error"`
	Data           []byte `json:"data"` // base64, as encoding/json writes []byte
	PartitionKey   string `json:"partition_key"`
	SequenceNumber string `json:"sequence_number"`
	EventID        string `json:"event_id"`
}

func (h *Handler) kinesis(ctx context.Context, records []kinesisRecord) Response {
	start := time.Now()
	log := h.cfg.Logger
	rides := make([]ride.Ride, 0, len(records))
	seqs := make([]string, 0, len(records))
	var dead []entry
	for _, r := range records {
		rd, err := ride.Parse(r.Kinesis.Data)
		if err != nil {
			log.Warn("invalid record", "sequence_number", r.Kinesis.SequenceNumber, "event_id", r.EventID, "error", err.Error())
			dead = append(dead, deadLetterEntry(r, err))
			continue
		}
		if h.cfg.BeforePredict != nil {
			h.cfg.BeforePredict(rd)
		}
		rides = append(rides, rd)
		seqs = append(seqs, r.Kinesis.SequenceNumber)
	}
	features := make([]generated.Features, len(rides))
	for i, r := range rides {
		features[i] = r.Features
	}
	preds := make([]float64, len(rides))
	generated.PredictBatch(features, preds)
	// All output records share one buffer: one allocation, not one per ride.
	out := make([]entry, len(rides))
	buf := make([]byte, 0, len(rides)*(96+len(h.version)))
	for i, r := range rides {
		start := len(buf)
		buf = h.appendPrediction(buf, r.ID, preds[i], seqs[i])
		out[i] = entry{data: buf[start:len(buf):len(buf)], key: r.PartitionKey(), seq: seqs[i]}
	}

	res := Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}}
	if h.cfg.TestRun {
		for _, e := range out {
			res.Predictions = append(res.Predictions, e.data)
		}
		for _, e := range dead {
			res.DeadLetters = append(res.DeadLetters, e.data)
		}
		log.Info("batch", "records", len(records), "predicted", len(out), "dead_lettered", 0, "invalid", len(dead),
			"test_run", true, "duration_ms", msSince(start))
		return res
	}

	failedOut, resentOut := publish(ctx, h.out, h.cfg.PredictionsStream, out, h.cfg.Retry)
	failedDead, resentDead := publish(ctx, h.out, h.cfg.DLQStream, dead, h.cfg.Retry)
	failed := map[string]bool{}
	for _, f := range append(failedOut, failedDead...) {
		log.Error("record not written", "sequence_number", f.seq, "error", f.err.Error())
		failed[f.seq] = true
	}
	for _, r := range records {
		if seq := r.Kinesis.SequenceNumber; failed[seq] {
			res.BatchItemFailures = append(res.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: seq})
			delete(failed, seq)
		}
	}
	log.Info("batch", "records", len(records), "predicted", len(out)-len(failedOut), "dead_lettered", len(dead)-len(failedDead),
		"retried", resentOut+resentDead, "failed", len(res.BatchItemFailures), "duration_ms", msSince(start))
	return res
}

// appendPrediction encodes one output record, in the original app's keys
// plus where it came from.
func (h *Handler) appendPrediction(b []byte, id json.RawMessage, pred float64, seq string) []byte {
	b = append(append(b, `{"ride_id": `...), id...)
	b = ride.AppendFloat(append(b, `, "prediction": `...), pred)
	b = append(append(append(b, `, "model_version": "`...), h.version...), `", "source_sequence_number": "`...)
	return append(append(b, seq...), `"}`...)
}

func deadLetterEntry(r kinesisRecord, reason error) entry {
	data, err := json.Marshal(deadLetter{
		Error: reason.Error(), Data: r.Kinesis.Data, PartitionKey: r.Kinesis.PartitionKey,
		SequenceNumber: r.Kinesis.SequenceNumber, EventID: r.EventID,
	})
	if err != nil { // cannot happen for strings and bytes; keep the record anyway
		data = []byte(`{"error": "unencodable dead letter"}`)
	}
	key := r.Kinesis.PartitionKey
	if key == "" {
		key = r.Kinesis.SequenceNumber
	}
	if key == "" {
		key = "dead-letter"
	}
	return entry{data: data, key: key, seq: r.Kinesis.SequenceNumber}
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
