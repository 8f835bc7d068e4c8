// Package shadowreport compares a serving model with its shadow on live
// traffic: it joins the records of ride_prediction and of the shadow stream
// by event_id, the source record each prediction answers, and writes the
// refresh report's comparison (how far predictions move, both means, and
// both RMSEs where the rides carry their real duration) as Markdown with a
// chart. tools/shadowreport and make demo use it.
package shadowreport

import (
	"encoding/json"
	"math"
	"sort"
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

// Stream is what was read from one predictions stream: its name and its
// records' data, in the order read.
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

// Comparison is the report's content.
type Comparison struct {
	Serving, Shadow Side
	Pairs           []Pair // joined rides, in event_id order
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
// real ride durations in minutes by event_id, may be nil.
func Compare(serving, shadow Stream, durations map[string]float64) Comparison {
	var c Comparison
	a := c.Serving.read(serving)
	b := c.Shadow.read(shadow)
	for id := range a {
		if _, ok := b[id]; !ok {
			c.Serving.Only++
		}
	}
	for id, p := range b {
		q, ok := a[id]
		if !ok {
			c.Shadow.Only++
			continue
		}
		d, known := durations[id]
		if !known {
			d = math.NaN()
		}
		c.Pairs = append(c.Pairs, Pair{EventID: id, Serving: q.Value, Shadow: p.Value, Duration: d})
	}
	sort.Slice(c.Pairs, func(i, j int) bool { return c.Pairs[i].EventID < c.Pairs[j].EventID })
	c.summarize()
	return c
}

// read decodes a stream's records, keeping the first prediction of each
// event id, and counts the rest and the versions.
func (s *Side) read(st Stream) map[string]Prediction {
	s.Stream, s.Records, s.Versions = st.Name, len(st.Records), map[string]int{}
	out := make(map[string]Prediction, len(st.Records))
	for _, r := range st.Records {
		var p Prediction
		if json.Unmarshal(r, &p) != nil || p.EventID == "" {
			s.Unreadable++
			continue
		}
		if _, seen := out[p.EventID]; seen {
			s.Duplicates++
			continue
		}
		out[p.EventID] = p
		s.Versions[p.Version]++
	}
	return out
}

func (c *Comparison) summarize() {
	n := float64(len(c.Pairs))
	if n == 0 {
		return
	}
	var sumA, sumB, sumAbs, over, sqA, sqB float64
	for _, p := range c.Pairs {
		sumA += p.Serving
		sumB += p.Shadow
		d := math.Abs(p.Shadow - p.Serving)
		sumAbs += d
		if d > c.MaxAbsDiff || c.MaxAbsDiffEvent == "" {
			c.MaxAbsDiff, c.MaxAbsDiffEvent = d, p.EventID
		}
		if d > 1 {
			over++
		}
		if math.IsNaN(p.Duration) {
			continue
		}
		c.WithDuration++
		if p.Duration >= 1 && p.Duration <= 60 {
			c.Scored++
			sqA += (p.Serving - p.Duration) * (p.Serving - p.Duration)
			sqB += (p.Shadow - p.Duration) * (p.Shadow - p.Duration)
		}
	}
	c.Serving.Mean, c.Shadow.Mean = sumA/n, sumB/n
	c.MeanAbsDiff, c.ShareOver1Min = sumAbs/n, over/n
	if c.Scored > 0 {
		c.Serving.RMSE, c.Shadow.RMSE = math.Sqrt(sqA/float64(c.Scored)), math.Sqrt(sqB/float64(c.Scored))
	}
}
