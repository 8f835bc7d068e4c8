// Package shadowreport compares a serving model with its shadow on live
// traffic: it joins the records of ride_prediction and of the shadow stream
// by event_id, the source record each prediction answers, and writes the
// refresh report's comparison (how far predictions move, both means, and
// both RMSEs where the rides carry their real duration) as Markdown with a
// chart. tools/operate/shadowreport and make demo use it.
package shadowreport

import (
	"encoding/json"
	"time"
)

// Prediction is one record of a predictions stream, as the function writes
// it (handler/encode.go):
//
//	{"ride_id": 123, "prediction": 18.3, "model_version": "...", "event_id": "shardId-000000000000:4963..."}
type Prediction struct {
	RideID  json.RawMessage `json:"ride_id"`
	Value   float64         `json:"prediction"`
	Version string          `json:"model_version"`
	EventID string          `json:"event_id"`
}

// Stream is a predictions stream's name and records' data, in the order
// read (Compare's input).
type Stream struct {
	Name    string
	Records [][]byte
}

// Side is what one stream held.
type Side struct {
	Stream     string
	Records    int            // read, duplicates and unreadable records included
	Unreadable int            // not a prediction with an event_id
	Duplicates int            // dropped: an event_id seen before in this stream
	Only       int            // rides (event ids) the other stream lacks
	Versions   map[string]int // model_version → rides, duplicates dropped
	Mean       float64        // over the joined rides
	RMSE       float64        // over Scored
}

// Pair is one ride both models scored.
type Pair struct {
	EventID         string
	Serving, Shadow float64
	Duration        float64 // the real duration in minutes; NaN if unknown
}

// Comparison is the report's content. Every figure is over all the rides
// read; Sample, which the chart draws, is a bounded sample of them.
type Comparison struct {
	Since           time.Time // where the streams were read from; zero: their start
	Serving, Shadow Side
	Joined          int    // rides scored by both
	Sample          []Pair // at most Limits.SampleSize joined rides, uniformly drawn, in event_id order
	MeanAbsDiff     float64
	MaxAbsDiff      float64
	MaxAbsDiffEvent string
	ShareOver1Min   float64 // of joined rides, |shadow - serving| > 1 minute
	// WithDuration: joined rides whose real duration is known; Scored:
	// those with 1 <= duration <= 60 minutes, the seed's filter and make
	// demo's, over which both RMSEs are taken.
	WithDuration, Scored int
}

// Compare joins the serving and shadow streams' predictions by event_id
// (the first record of each event id in each stream counts: at-least-once
// delivery repeats records) and compares the joined rides. durations, the
// real ride durations in minutes by event_id, may be nil. It is Read's
// Joiner over records held in memory, with lim.
func Compare(serving, shadow Stream, durations map[string]float64, lim Limits) Comparison {
	j := NewJoiner(serving.Name, shadow.Name, durations != nil, lim)
	for id, d := range durations {
		j.Event(id, d, true)
	}
	for _, r := range serving.Records {
		j.Serving(r)
	}
	for _, r := range shadow.Records {
		j.Shadow(r)
	}
	return j.Finish()
}
