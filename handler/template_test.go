package handler

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"
)

// TestTemplatesReadEmittedMetrics: every metric of the function's own
// namespace that the templates' alarms and dashboard read is one the
// handler's EMF document carries, under a dimension set it emits, so that
// no alarm or graph waits on a metric that never comes.
func TestTemplatesReadEmittedMetrics(t *testing.T) {
	var metrics bytes.Buffer
	h := New(newFake(), Config{Retry: fastRetry, Metrics: &metrics, FunctionVersion: "1"})
	var ev events.KinesisEvent
	if err := json.Unmarshal(kinesisEvent(t, rides(driftMinRides)...), &ev); err != nil {
		t.Fatal(err)
	}
	for i := range ev.Records { // for BatchAge
		ev.Records[i].Kinesis.ApproximateArrivalTimestamp.Time = time.Now()
	}
	payload, _ := json.Marshal(ev)
	invoke(t, h, payload)
	doc := checkEMF(t, bytes.TrimSpace(metrics.Bytes()))
	var spec struct {
		CloudWatchMetrics []struct {
			Dimensions [][]string
			Metrics    []struct{ Name string }
		}
	}
	raw, _ := json.Marshal(doc["_aws"])
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	var emitted []string
	for _, m := range spec.CloudWatchMetrics[0].Metrics {
		emitted = append(emitted, m.Name)
	}
	dimensionSets := spec.CloudWatchMetrics[0].Dimensions

	for _, path := range []string{"../template.yaml", "../template-image.yaml"} {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var tpl struct {
			Resources map[string]struct {
				Type       string               `yaml:"Type"`
				Properties map[string]yaml.Node `yaml:"Properties"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(text, &tpl); err != nil {
			t.Fatal(err)
		}
		alarms, graphs := 0, 0
		for id, res := range tpl.Resources {
			switch res.Type {
			case "AWS::CloudWatch::Alarm":
				ns := res.Properties["Namespace"]
				if ns.Tag != "!Ref" || ns.Value != "MetricsNamespace" {
					continue
				}
				alarms++
				var name string
				var dims []struct {
					Name  string `yaml:"Name"`
					Value string `yaml:"Value"`
				}
				n, d := res.Properties["MetricName"], res.Properties["Dimensions"]
				n.Decode(&name)
				d.Decode(&dims)
				if !slices.Contains(emitted, name) {
					t.Errorf("%s: %s alarms on %s, which the handler does not emit (%v)", path, id, name, emitted)
				}
				var set []string
				for _, dim := range dims {
					set = append(set, dim.Name)
					if dim.Name == "service" && dim.Value != doc["service"] {
						t.Errorf("%s: %s reads service %s, the handler's is %v", path, id, dim.Value, doc["service"])
					}
				}
				if !slices.ContainsFunc(dimensionSets, func(s []string) bool { return slices.Equal(s, set) }) {
					t.Errorf("%s: %s reads dimensions %v, the handler emits %v", path, id, set, dimensionSets)
				}
			case "AWS::CloudWatch::Dashboard":
				for _, name := range dashboardMetrics(t, res.Properties["DashboardBody"].Value) {
					graphs++
					if !slices.Contains(emitted, name) {
						t.Errorf("%s: the dashboard graphs %s, which the handler does not emit (%v)", path, name, emitted)
					}
				}
			}
		}
		if alarms == 0 || graphs == 0 {
			t.Errorf("%s: %d alarms and %d graphs of the function's metrics", path, alarms, graphs)
		}
	}
}

// dashboardMetrics is the names of the metrics in the namespace
// ${MetricsNamespace} that a dashboard body graphs. A row's "." repeats
// the row before's value at that place, and "..." all the rest of it.
func dashboardMetrics(t *testing.T, body string) []string {
	t.Helper()
	body = regexp.MustCompile(`\$\{([^}]+)\}`).ReplaceAllStringFunc(body, func(v string) string {
		if strings.HasPrefix(v, `${MetricsNamespace`) {
			return "NAMESPACE"
		}
		return "0" // a region, a name or a number: not looked at
	})
	var dash struct {
		Widgets []struct {
			Properties struct{ Metrics [][]any }
		}
	}
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		t.Fatalf("dashboard body: %v\n%s", err, body)
	}
	var names []string
	for _, w := range dash.Widgets {
		var prev []any
		for _, row := range w.Properties.Metrics {
			var full []any
			for i, v := range row {
				switch {
				case v == "...":
					full = append(full, prev[i:]...)
				case v == "." && i < len(prev):
					full = append(full, prev[i])
				default:
					full = append(full, v)
				}
			}
			if len(full) > 1 && full[0] == "NAMESPACE" {
				names = append(names, full[1].(string))
			}
			prev = full
		}
	}
	return names
}
