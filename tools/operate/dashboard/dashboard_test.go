package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBody: the template's dashboard body, its substitutions made, is
// JSON, reads the region given, and takes -param over the defaults.
func TestBody(t *testing.T) {
	text, err := os.ReadFile("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body, err := Body(text, "eu-west-1", map[string]string{"MetricsNamespace": "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "${") {
		t.Errorf("substitutions left:\n%s", body)
	}
	var dash struct {
		Widgets []struct {
			Properties struct {
				Region  string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	namespaces := map[string]bool{}
	for _, w := range dash.Widgets {
		if w.Properties.Region != "eu-west-1" {
			t.Errorf("a widget reads region %q", w.Properties.Region)
		}
		for _, row := range w.Properties.Metrics {
			namespaces[row[0].(string)] = true
		}
	}
	if !namespaces["Elsewhere"] || namespaces["RidePrediction"] {
		t.Errorf("namespaces %v: want -param MetricsNamespace=Elsewhere to replace the default", namespaces)
	}
	if _, err := Body(text, "eu-west-1", map[string]string{"NoSuchParameter": "1"}); err == nil {
		t.Error("an unknown -param was accepted")
	}
}

// TestPlot: each of the function's metrics becomes a series of the
// widget's statistic over the run's buckets; what AWS measures is named.
func TestPlot(t *testing.T) {
	body := `{"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 8, "height": 6, "properties": {
		"title": "t", "stat": "Sum", "metrics": [
			["NS", "RecordsIn", "service", "s"],
			[".", "Prediction", ".", ".", {"stat": "p50"}],
			["...", {"stat": "Maximum"}],
			["AWS/Kinesis", "IncomingRecords", "StreamName", "ride_events"]],
		"annotations": {"horizontal": [{"label": "limit", "value": 3}]}}}]}`
	at := time.UnixMilli(1_700_000_000_000)
	docs := []document{
		{at, map[string][]float64{"RecordsIn": {2}, "Prediction": {1, 2, 9}}},
		{at.Add(500 * time.Millisecond), map[string][]float64{"RecordsIn": {3}, "Prediction": {4}}},
		{at.Add(40 * time.Second), map[string][]float64{"RecordsIn": {7}, "Prediction": {5}}},
	}
	panels, bucket, err := plot(body, docs)
	if err != nil {
		t.Fatal(err)
	}
	if bucket != 2*time.Second {
		t.Errorf("bucket %v, want 40 s / 20", bucket)
	}
	p := panels[0]
	want := map[string][]point{
		"RecordsIn Sum":      {{0, 5}, {40, 7}},
		"Prediction p50":     {{0, 2}, {40, 5}},
		"Prediction Maximum": {{0, 9}, {40, 5}},
	}
	if len(p.Series) != len(want) {
		t.Fatalf("series %+v", p.Series)
	}
	for _, s := range p.Series {
		if got := s.Points; len(got) != len(want[s.Label]) || got[0] != want[s.Label][0] || got[1] != want[s.Label][1] {
			t.Errorf("%s: %v, want %v", s.Label, got, want[s.Label])
		}
	}
	if len(p.AWSOnly) != 1 || !strings.Contains(p.AWSOnly[0], "IncomingRecords") || len(p.Thresholds) != 1 {
		t.Errorf("AWS-only %v, thresholds %v", p.AWSOnly, p.Thresholds)
	}
}
