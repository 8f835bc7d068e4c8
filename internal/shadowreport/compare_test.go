package shadowreport

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func pred(rideID, eventID, version string, p float64) []byte {
	return fmt.Appendf(nil, `{"ride_id": %q, "prediction": %v, "model_version": %q, "event_id": %q}`, rideID, p, version, eventID)
}

// streams is a small run: ride e1 twice on serving (a retry), e4 only on
// serving, e5 only on the shadow, one record that is not a prediction, and
// e1..e3 on both; e1 and e2 have durations, e3 none.
func streams() (Stream, Stream, map[string]float64) {
	serving := Stream{Name: "ride_prediction", Records: [][]byte{
		pred("1", "e1", "A", 10), pred("2", "e2", "A", 20), pred("1", "e1", "A", 99), pred("3", "e3", "A", 5), pred("4", "e4", "A", 7),
		[]byte("not json"),
	}}
	shadow := Stream{Name: "ride_prediction_shadow", Records: [][]byte{
		pred("1", "e1", "B", 10.5), pred("2", "e2", "B", 23), pred("3", "e3", "B", 4), pred("5", "e5", "B", 1),
	}}
	return serving, shadow, map[string]float64{"e1": 12, "e2": 18, "e4": 30, "e9": 1}
}

func TestCompare(t *testing.T) {
	serving, shadow, durations := streams()
	c := Compare(serving, shadow, durations, DefaultLimits)
	want := Comparison{
		Serving: Side{Stream: "ride_prediction", Records: 6, Unreadable: 1, Duplicates: 1, Only: 1, Versions: map[string]int{"A": 4},
			Mean: (10 + 20 + 5) / 3.0, RMSE: math.Sqrt((4 + 4) / 2.0)},
		Shadow: Side{Stream: "ride_prediction_shadow", Records: 4, Only: 1, Versions: map[string]int{"B": 4},
			Mean: (10.5 + 23 + 4) / 3.0, RMSE: math.Sqrt((1.5*1.5 + 25) / 2)},
		Joined: 3, Sample: []Pair{{"e1", 10, 10.5, 12}, {"e2", 20, 23, 18}, {"e3", 5, 4, math.NaN()}},
		// |diffs| 0.5, 3, 1: only 3 is over a minute (1 is not).
		MeanAbsDiff: 4.5 / 3, MaxAbsDiff: 3, MaxAbsDiffEvent: "e2", ShareOver1Min: 1 / 3.0,
		WithDuration: 2, Scored: 2,
	}
	if diff := cmp.Diff(want, c, cmp.Comparer(func(a, b float64) bool {
		return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-12
	})); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestCompareScoredFilter: rides outside 1..60 minutes have a duration but
// no RMSE, as in the seed's validation and make demo.
func TestCompareScoredFilter(t *testing.T) {
	s := Stream{Name: "s", Records: [][]byte{pred("1", "a", "A", 10), pred("2", "b", "A", 10)}}
	c := Compare(s, s, map[string]float64{"a": 0.5, "b": 61}, DefaultLimits)
	if c.WithDuration != 2 || c.Scored != 0 || c.Serving.RMSE != 0 {
		t.Errorf("WithDuration %d, Scored %d, RMSE %v; want 2, 0, 0", c.WithDuration, c.Scored, c.Serving.RMSE)
	}
	if c.MeanAbsDiff != 0 || c.MaxAbsDiff != 0 || c.ShareOver1Min != 0 || c.MaxAbsDiffEvent != "a" {
		t.Errorf("a model against itself: %+v", c)
	}
}

// TestMarkdown compares the report with testdata/*.md (-update rewrites
// them): the small run, a run without durations, and streams that share
// no ride.
func TestMarkdown(t *testing.T) {
	serving, shadow, durations := streams()
	for name, c := range map[string]Comparison{
		"full":         Compare(serving, shadow, durations, DefaultLimits),
		"no-durations": Compare(serving, shadow, nil, DefaultLimits),
		"disjoint":     Compare(Stream{Name: "a", Records: serving.Records[4:5]}, Stream{Name: "b", Records: shadow.Records[3:]}, nil, DefaultLimits),
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.Markdown(&b, "shadow.png"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".md")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 131894: "131,894", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
