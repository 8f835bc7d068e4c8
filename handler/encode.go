package handler

import (
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// spaced writes JSON as the original app's json.dumps does: a space after
// each colon and comma.
var spaced = jsonv2.JoinOptions(jsontext.SpaceAfterColon(true), jsontext.SpaceAfterComma(true))

// encodePredictions encodes one predictions-stream record per ride into one
// buffer (one allocation, not one per ride), keyed by its source record.
func (h *Handler) encodePredictions(records []kinesisRecord, rides []validRide, preds []float64) []kinesisout.Entry {
	return h.encodeRecords(records, rides, preds, h.version)
}

// encodeRecords encodes the records of a model named version: the serving
// model's predictions, or the shadow's, in the same shape.
func (h *Handler) encodeRecords(records []kinesisRecord, rides []validRide, preds []float64, version string) []kinesisout.Entry {
	size := 0
	for _, r := range rides {
		size += 96 + len(r.ID) + len(version) + len(records[r.rec].EventID)
	}
	buf := make([]byte, 0, size)
	out := make([]kinesisout.Entry, len(rides))
	for i, r := range rides {
		rec := &records[r.rec]
		start := len(buf)
		buf = appendPrediction(buf, r.ID, preds[i], version, rec.EventID)
		out[i] = kinesisout.Entry{Data: buf[start:len(buf):len(buf)], Key: partitionKey(rec), Rec: r.rec}
	}
	return out
}

// appendPrediction appends one predictions-stream record:
//
//	{"ride_id": 123, "prediction": 18.3, "model_version": "...", "event_id": "shardId-000000000000:4963..."}
//
// the original app's keys, the model, and the source record's event id, so
// that consumers can drop the duplicates at-least-once delivery brings.
// The ride id is the original's json.dumps text of it (ride.Ride.ID); the
// rest is what a jsontext.Encoder with spaced writes for the same tokens
// (TestAppendPredictionAsEncoder), without its errors, as every part is
// valid already: the decoder checked the event id's UTF-8
// (jsontext.AppendQuote would replace invalid bytes rather than fail), and
// the forest's leaves are finite.
func appendPrediction(b, rideID []byte, pred float64, version, eventID string) []byte {
	b = append(b, `{"ride_id": `...)
	b = append(b, rideID...)
	b = append(b, `, "prediction": `...)
	b = appendFloat(b, pred)
	b = append(b, `, "model_version": `...)
	b, _ = jsontext.AppendQuote(b, version)
	b = append(b, `, "event_id": `...)
	b, _ = jsontext.AppendQuote(b, eventID)
	return append(b, '}')
}

// oversize says why Kinesis could not take rd's prediction, if it could
// not: a ride_id that json.dumps writes longer than a record can be (a
// string of control characters is written six times larger). Such a ride
// is dead-lettered without a call, as Publish would refuse it
// (kinesisout.CheckEntry), but before its prediction takes memory: four
// 1 MiB rides would otherwise hold 48 MiB of ride ids and predictions.
func (h *Handler) oversize(r *kinesisRecord, rd ride.Ride) error {
	// A prediction's fixed text and float take 96 bytes at most; jsontext
	// writes an escaped character in at most 6.
	n := 96 + len(rd.ID) + 6*len(h.version) + 6*len(r.EventID) + len(partitionKey(r))
	if n <= kinesisout.MaxRecordBytes {
		return nil
	}
	return fmt.Errorf("prediction refused: not sent: its ride_id, %d bytes as json.dumps writes it, makes it over Kinesis's %d bytes per record",
		len(rd.ID), kinesisout.MaxRecordBytes)
}

// appendFloat appends x as jsontext writes a float64: ride.AppendFloat's
// shortest decimal, with exponents written as 1e-7, not Python's 1e-07.
func appendFloat(b []byte, x float64) []byte {
	start := len(b)
	b = ride.AppendFloat(b, x)
	if f := b[start:]; len(f) >= 4 && string(f[len(f)-4:len(f)-1]) == "e-0" {
		b[len(b)-2] = b[len(b)-1]
		b = b[:len(b)-1]
	}
	return b
}
