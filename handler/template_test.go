package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nyc-taxi/ridepred/internal/cfnyaml"
)

// TestTemplatesReadEmittedMetrics: every metric of the function's own
// namespace that the templates' alarms and dashboard read is one the
// handler's EMF document carries, under a dimension set it emits, so that
// no alarm or graph waits on a metric that never comes.
func TestTemplatesReadEmittedMetrics(t *testing.T) {
	emf := emittedMetrics(t)
	for _, path := range []string{"../template.yaml", "../template-image.yaml"} {
		tpl, err := cfnyaml.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		alarms, graphs := 0, 0
		for id, res := range tpl.Resources {
			switch res.Type {
			case "AWS::CloudWatch::Alarm":
				if ns := res.Properties["Namespace"]; ns.Tag != "!Ref" || ns.Value != "MetricsNamespace" {
					continue
				}
				alarms++
				if err := emf.alarmReads(res); err != nil {
					t.Errorf("%s: %s %v", path, id, err)
				}
			case "AWS::CloudWatch::Dashboard":
				for _, name := range dashboardMetrics(t, res.Properties["DashboardBody"].Value) {
					graphs++
					if !slices.Contains(emf.names, name) {
						t.Errorf("%s: the dashboard graphs %s, which the handler does not emit (%v)", path, name, emf.names)
					}
				}
			}
		}
		if alarms == 0 || graphs == 0 {
			t.Errorf("%s: %d alarms and %d graphs of the function's metrics", path, alarms, graphs)
		}
	}
}

// emitted is what one of the handler's EMF documents carries: its metrics'
// names, their dimension sets and the service dimension's value.
type emitted struct {
	names         []string
	dimensionSets [][]string
	service       any
}

// emittedMetrics invokes the handler with a batch large enough for every
// metric (PredictionDrift's driftMinRides, arrival times for BatchAge) and
// reads its EMF document.
func emittedMetrics(t *testing.T) emitted {
	t.Helper()
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
	e := emitted{dimensionSets: spec.CloudWatchMetrics[0].Dimensions, service: doc["service"]}
	for _, m := range spec.CloudWatchMetrics[0].Metrics {
		e.names = append(e.names, m.Name)
	}
	return e
}

// alarmReads checks that an alarm on the function's namespace reads a
// metric the handler emits, under a dimension set it emits, with its
// service.
func (e emitted) alarmReads(alarm cfnyaml.Resource) error {
	var name string
	var dims []struct {
		Name  string `yaml:"Name"`
		Value string `yaml:"Value"`
	}
	n, d := alarm.Properties["MetricName"], alarm.Properties["Dimensions"]
	if err := n.Decode(&name); err != nil {
		return err
	}
	if err := d.Decode(&dims); err != nil {
		return err
	}
	if !slices.Contains(e.names, name) {
		return fmt.Errorf("alarms on %s, which the handler does not emit (%v)", name, e.names)
	}
	var set []string
	for _, dim := range dims {
		set = append(set, dim.Name)
		if dim.Name == "service" && dim.Value != e.service {
			return fmt.Errorf("reads service %s, the handler's is %v", dim.Value, e.service)
		}
	}
	if !slices.ContainsFunc(e.dimensionSets, func(s []string) bool { return slices.Equal(s, set) }) {
		return fmt.Errorf("reads dimensions %v, the handler emits %v", set, e.dimensionSets)
	}
	return nil
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
