package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/tools/internal/baseline"
)

// Lleaves is lleaves' timings of a LightGBM model on the same rides, and
// how many of its predictions and of Go's differ from Booster.predict's.
type Lleaves struct {
	SingleUS        float64 `json:"single_us"`
	BatchUS         float64 `json:"batch_us"`
	CompileS        float64 `json:"compile_s"`
	Rides           int     `json:"rides"`
	Mismatches      int     `json:"lleaves_mismatches"`
	MaxAbsDiff      float64 `json:"lleaves_max_abs_diff"`
	GoMismatches    int     `json:"go_mismatches"`
	LibrarySingleUS float64 `json:"library_single_us"`
	LibraryBatchUS  float64 `json:"library_batch_us"`
	PredictUS       float64 `json:"predict_us"`
	PredictBatchUS  float64 `json:"predict_batch_us"`
}

// lleaves compares a LightGBM model compiled by lleaves with Go's and
// Booster.predict on the benchmark's rides: Go's predictions come from
// tools/model/predict built in the copy of the repository that holds the model.
func (b *bench) lleaves(python, model, vectorizer, dir, repo, cache string) (*Lleaves, error) {
	goPreds := filepath.Join(dir, "go_predictions.jsonl")
	cmd := command.New([]string{"GOCACHE=" + cache}, "go", "-C", repo, "run", "./tools/model/predict")
	in, err := os.Open(b.rides)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.Create(goPreds)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd.Stdin, cmd.Stdout = in, out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tools/model/predict: %w", err)
	}
	var ll struct {
		Single       float64 `json:"single_ns"`
		Batch        float64 `json:"batch_ns_per_ride"`
		Compile      float64 `json:"compile_s"`
		Rides        int     `json:"rides"`
		Mismatches   int     `json:"lleaves_mismatches"`
		MaxAbsDiff   float64 `json:"lleaves_max_abs_diff"`
		GoMismatches int     `json:"go_mismatches"`
	}
	if err := baseline.Bench(python, model, vectorizer, &ll, "lleaves", b.rides, goPreds); err != nil {
		return nil, err
	}
	return &Lleaves{SingleUS: ll.Single / 1e3, BatchUS: ll.Batch / 1e3, CompileS: ll.Compile, Rides: ll.Rides,
		Mismatches: ll.Mismatches, MaxAbsDiff: ll.MaxAbsDiff, GoMismatches: ll.GoMismatches}, nil
}

// lleavesMarkdown is the table of the LightGBM rows against lleaves, empty
// when there are none.
func lleavesMarkdown(rs []Result) string {
	var b bytes.Buffer
	for i, r := range rs {
		if r.Lleaves == nil {
			continue
		}
		if i == 0 || rs[i-1].Lleaves == nil {
			b.WriteString("\n| LightGBM model | rides | Go ≠ Booster.predict | lleaves ≠ Booster.predict | lleaves max abs diff | Predict µs | Booster.predict 1 ride µs | lleaves 1 ride µs | PredictBatch µs/ride | Booster.predict batch µs/ride | lleaves batch µs/ride | lleaves compile s |\n")
			b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		}
		l := r.Lleaves
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3g | %.2f | %.0f | %.1f | %.2f | %.1f | %.2f | %.1f |\n", r.Name, l.Rides, l.GoMismatches,
			l.Mismatches, l.MaxAbsDiff, l.PredictUS, l.LibrarySingleUS, l.SingleUS, l.PredictBatchUS, l.LibraryBatchUS, l.BatchUS, l.CompileS)
	}
	return b.String()
}
