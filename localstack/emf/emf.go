// Package emf reads the function's CloudWatch embedded metric format (EMF)
// documents out of its log output, as CloudWatch Logs does, and sums them
// into the table CloudWatch would show for the period: per metric, the
// sample count, sum, minimum, maximum and average, and percentiles where a
// document carries several values.
package emf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"text/tabwriter"
)

// Collector is an io.Writer for the function's output: it keeps the EMF
// documents among the lines (and, if File is set, appends each to it) and
// passes every byte on to Next.
type Collector struct {
	Next io.Writer // where the output goes on to; nil: nowhere
	File *os.File  // optional: each document, one JSON line

	mu      sync.Mutex
	partial []byte
	table   Table
}

// Write implements io.Writer.
func (c *Collector) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		line := c.partial[:i]
		if c.table.Add(line) && c.File != nil {
			c.File.Write(append(line, '\n'))
		}
		c.partial = c.partial[i+1:]
	}
	c.partial = append([]byte(nil), c.partial...)
	c.mu.Unlock()
	if c.Next != nil {
		return c.Next.Write(p)
	}
	return len(p), nil
}

// Table is a copy of what the collector has summed so far.
func (c *Collector) Table() Table {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := Table{Documents: c.table.Documents, Metrics: map[string]*Metric{}}
	for name, m := range c.table.Metrics {
		cp := *m
		cp.Values = slices.Clone(m.Values)
		t.Metrics[name] = &cp
	}
	return t
}

// Sum is the sum of a metric so far, without the copy Table makes.
func (c *Collector) Sum(name string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table.Sum(name)
}

// Table sums EMF documents by metric name (over every dimension set, as
// the metrics of one service and model are here).
type Table struct {
	Documents int
	Metrics   map[string]*Metric
}

// Metric is one metric's statistics.
type Metric struct {
	Unit   string
	Values []float64 // every value, in order
}

// Add sums line if it is an EMF document and tells whether it was.
func (t *Table) Add(line []byte) bool {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte(`{"_aws"`)) {
		return false
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(line, &doc) != nil {
		return false
	}
	var meta struct {
		CloudWatchMetrics []struct {
			Metrics []struct{ Name, Unit string }
		}
	}
	if json.Unmarshal(doc["_aws"], &meta) != nil || len(meta.CloudWatchMetrics) == 0 {
		return false
	}
	if t.Metrics == nil {
		t.Metrics = map[string]*Metric{}
	}
	t.Documents++
	for _, d := range meta.CloudWatchMetrics {
		for _, def := range d.Metrics {
			var one float64
			var many []float64
			raw := doc[def.Name]
			if json.Unmarshal(raw, &one) == nil {
				many = []float64{one}
			} else if json.Unmarshal(raw, &many) != nil {
				continue
			}
			m := t.Metrics[def.Name]
			if m == nil {
				m = &Metric{Unit: def.Unit}
				t.Metrics[def.Name] = m
			}
			m.Values = append(m.Values, many...)
		}
	}
	return true
}

// Read sums the EMF documents among the lines of r.
func Read(r io.Reader) (Table, error) {
	var t Table
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		t.Add(sc.Bytes())
	}
	return t, sc.Err()
}

// Sum is the metric's sum (0 if it never appeared).
func (t Table) Sum(name string) float64 {
	m := t.Metrics[name]
	if m == nil {
		return 0
	}
	s := 0.0
	for _, v := range m.Values {
		s += v
	}
	return s
}

// Print writes the table: one row per metric, by name.
func (t Table) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tunit\tsamples\tsum\tmin\tavg\tmax\tp50\tp99\t\n")
	names := make([]string, 0, len(t.Metrics))
	for name := range t.Metrics {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		m := t.Metrics[name]
		v := slices.Sorted(slices.Values(m.Values))
		if len(v) == 0 {
			continue
		}
		sum := t.Sum(name)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, m.Unit, len(v), num(sum), num(v[0]), num(sum/float64(len(v))),
			num(v[len(v)-1]), num(quantile(v, 0.5)), num(quantile(v, 0.99)))
	}
	tw.Flush()
	fmt.Fprintf(w, "(%d EMF documents, one per invocation)\n", t.Documents)
}

// quantile is the nearest-rank quantile of sorted values.
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3f", x)
}
