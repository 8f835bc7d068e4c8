package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// point is one bucket of a series: seconds since the run's first document,
// and the statistic over the bucket's values.
type point [2]float64

type series struct {
	Label  string  `json:"label"`
	Points []point `json:"points"`
}

type annotation struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// panel is one widget as draw.py draws it.
type panel struct {
	Title      string       `json:"title"`
	X          int          `json:"x"`
	Y          int          `json:"y"`
	Width      int          `json:"width"`
	Height     int          `json:"height"`
	Series     []series     `json:"series"`
	AWSOnly    []string     `json:"aws_only"` // metrics only AWS measures
	Thresholds []annotation `json:"thresholds"`
}

// document is one EMF document: when, and each metric's values.
type document struct {
	at     time.Time
	values map[string][]float64
}

// Draw plots the dashboard body's widgets from the EMF documents in
// metricsPath into out (a PNG), with draw.py and the given Python.
func Draw(body, metricsPath, out, python string) error {
	docs, err := readDocuments(metricsPath)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return fmt.Errorf("%s holds no EMF document: run make demo (or make up) first", metricsPath)
	}
	panels, bucket, err := plot(body, docs)
	if err != nil {
		return err
	}
	input, err := json.Marshal(map[string]any{"panels": panels, "bucket_seconds": bucket.Seconds(),
		"documents": len(docs), "out": out})
	if err != nil {
		return err
	}
	_, self, _, _ := runtime.Caller(0)
	cmd := exec.Command(python, filepath.Join(filepath.Dir(self), "draw.py"))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(input), os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("draw.py (needs matplotlib: make deps): %w", err)
	}
	return nil
}

func readDocuments(path string) ([]document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []document
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var raw map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &raw) != nil || raw["_aws"] == nil {
			continue
		}
		var meta struct {
			Timestamp         int64
			CloudWatchMetrics []struct{ Metrics []struct{ Name string } }
		}
		if json.Unmarshal(raw["_aws"], &meta) != nil {
			continue
		}
		d := document{at: time.UnixMilli(meta.Timestamp), values: map[string][]float64{}}
		for _, set := range meta.CloudWatchMetrics {
			for _, m := range set.Metrics {
				var one float64
				var many []float64
				if json.Unmarshal(raw[m.Name], &one) == nil {
					many = []float64{one}
				} else if json.Unmarshal(raw[m.Name], &many) != nil {
					continue
				}
				d.values[m.Name] = many
			}
		}
		docs = append(docs, d)
	}
	slices.SortStableFunc(docs, func(a, b document) int { return a.at.Compare(b.at) })
	return docs, sc.Err()
}

// plot turns each widget of the body into a panel: each of the function's
// metrics (those not in an AWS/ namespace) as the widget's statistic over
// buckets of the run (about 20 of them, a second at least), and each
// horizontal annotation as a threshold line.
func plot(body string, docs []document) ([]panel, time.Duration, error) {
	var dash struct {
		Widgets []struct {
			X, Y, Width, Height int
			Properties          struct {
				Title       string
				Stat        string
				Metrics     [][]any
				Annotations struct{ Horizontal []annotation }
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &dash); err != nil {
		return nil, 0, fmt.Errorf("dashboard body: %w", err)
	}
	start := docs[0].at
	bucket := max(time.Second, docs[len(docs)-1].at.Sub(start)/20).Round(time.Second)
	var panels []panel
	for _, w := range dash.Widgets {
		p := panel{Title: w.Properties.Title, X: w.X, Y: w.Y, Width: w.Width, Height: w.Height,
			Thresholds: w.Properties.Annotations.Horizontal}
		var prev []any
		for _, row := range w.Properties.Metrics {
			full, stat := expand(row, prev), w.Properties.Stat
			prev = full
			if len(full) > 0 {
				if opts, ok := full[len(full)-1].(map[string]any); ok {
					if s, ok := opts["stat"].(string); ok {
						stat = s
					}
					full = full[:len(full)-1]
				}
			}
			if len(full) < 2 {
				return nil, 0, fmt.Errorf("widget %q: metric row %v", p.Title, row)
			}
			namespace, name := fmt.Sprint(full[0]), fmt.Sprint(full[1])
			if strings.HasPrefix(namespace, "AWS/") {
				p.AWSOnly = append(p.AWSOnly, fmt.Sprintf("%s %s (%s)", namespace, name, stat))
				continue
			}
			s := series{Label: name + " " + stat}
			buckets := map[int][]float64{}
			for _, d := range docs {
				if v, ok := d.values[name]; ok {
					i := int(d.at.Sub(start) / bucket)
					buckets[i] = append(buckets[i], v...)
				}
			}
			for _, i := range slices.Sorted(mapsKeys(buckets)) {
				v, err := statistic(stat, buckets[i])
				if err != nil {
					return nil, 0, fmt.Errorf("widget %q: %w", p.Title, err)
				}
				s.Points = append(s.Points, point{(time.Duration(i) * bucket).Seconds(), v})
			}
			p.Series = append(p.Series, s)
		}
		panels = append(panels, p)
	}
	return panels, bucket, nil
}

// expand resolves a metric row's "." (the row before's value there) and
// "..." (the rest of the row before).
func expand(row, prev []any) []any {
	var full []any
	for i, v := range row {
		switch {
		case v == "..." && i <= len(prev):
			rest := prev[i:]
			if n := len(rest); n > 0 {
				if _, ok := rest[n-1].(map[string]any); ok {
					rest = rest[:n-1]
				}
			}
			full = append(full, rest...)
		case v == "." && i < len(prev):
			full = append(full, prev[i])
		default:
			full = append(full, v)
		}
	}
	return full
}

// statistic is CloudWatch's statistic over values: Sum, Average,
// Minimum, Maximum, SampleCount or a percentile pNN (nearest rank).
func statistic(stat string, values []float64) (float64, error) {
	v := slices.Sorted(slices.Values(values))
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	switch stat {
	case "Sum":
		return sum, nil
	case "Average":
		return sum / float64(len(v)), nil
	case "Minimum":
		return v[0], nil
	case "Maximum":
		return v[len(v)-1], nil
	case "SampleCount":
		return float64(len(v)), nil
	}
	if p, err := strconv.ParseFloat(strings.TrimPrefix(stat, "p"), 64); err == nil && strings.HasPrefix(stat, "p") && p > 0 && p <= 100 {
		i := int(math.Ceil(p/100*float64(len(v)))) - 1
		return v[max(0, i)], nil
	}
	return 0, fmt.Errorf("statistic %q: not one tools/operate/dashboard computes", stat)
}

func mapsKeys[V any](m map[int]V) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
