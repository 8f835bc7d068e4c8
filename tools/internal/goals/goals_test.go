package goals

import (
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
)

// TestDocUpToDate: BENCHMARKS.md's goals table is what results.json and
// scale.json's seed row generate (go run ./tools/measure/bench -from
// tools/measure/bench/results.json writes it again).
func TestDocUpToDate(t *testing.T) {
	root := docfiles.Root()
	r, seed, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := docsection.Diff(root+"/BENCHMARKS.md", Section, Markdown(r, seed))
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("BENCHMARKS.md's goals are not what the stored results give; go run ./tools/measure/bench -from %s (-want +got):\n%s", BenchFile, diff)
	}
}

func TestVerdicts(t *testing.T) {
	r := &Report{Rows: []Row{{Name: "Predict, one ride", Go: 5.4}, {Name: "PredictBatch", Go: 1.1},
		{Name: "Kinesis event, 1,000 rides, in process", Go: 1e5, Ratio: 500}}}
	seed := scaleRow{PredictUS: 2.9, PredictBatchUS: 1.0, CompileS: 20}
	got := Markdown(r, seed)
	for _, want := range []string{
		"| `Predict` ≤ 3 µs/ride | 5.4 µs (bench's \"Predict, one ride\" row); 2.9 µs (bench-scale's seed row) | met in one run, **missed** in another |",
		"| `PredictBatch` ≤ 1.2 µs/ride (issue 10; ≤ 1.5 in issue 6) | 1.1 µs (bench's \"PredictBatch\" row); 1 µs (bench-scale's seed row) | met |",
		"| compile `generated/` ≤ 15 s | 20.0 s (bench-scale's seed row) | **missed** |",
		"| in-process throughput ≥ 300x Python | 500x (bench's \"Kinesis event, 1,000 rides, in process\" row) | met |",
		"| – (bench has no \"handler CPU, no shadow\" row) | **missed** |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("goals lack\n%s\nin\n%s", want, got)
		}
	}
}
