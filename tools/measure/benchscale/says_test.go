package main

import (
	"strings"
	"testing"
)

func TestSaysFamilies(t *testing.T) {
	rows := []Result{
		{Name: "a", PredictUS: 1, SklearnUS: 500, BatchUS: 1, SklearnBatchU: 5},
		{Name: "b", PredictUS: 80, SklearnUS: 1000, BatchUS: 10, SklearnBatchU: 600},
		{Name: "c", PredictUS: 1, SklearnUS: 200},
	}
	got := says(familiesMode, rows)
	for _, want := range []string{
		"≥ 100x the library**: met for 2, **missed** for b (a 500x, b 12x, c 200x).",
		"faster than the library**: met for all (a 5.0x, b 60x).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("says lacks %q:\n%s", want, got)
		}
	}
}

func TestSaysScale(t *testing.T) {
	rows := []Result{
		{Name: "small", Nodes: 1e5, CompileS: 2, CompileMB: 200, LinkMB: 150, GenMB: 80, GenS: 1, PredictUS: 5, SklearnUS: 2000, BatchUS: 1, SklearnBatchU: 8},
		{Name: "big", Nodes: 1e6, CompileS: 30, CompileMB: 400, LinkMB: 500, BootstrapMB: 90, GenMB: 100, GenS: 6, PredictUS: 100, SklearnUS: 4000, BatchUS: 10, SklearnBatchU: 50},
	}
	got := says(scaleMode, rows)
	for _, want := range []string{"20.0–30.0 s per million nodes, from 100000 to 1000000 nodes", "200–400 MB", "150 MB (small) to 500 MB (big, a 90 MB binary)",
		"80–100 MB; gen takes 6.0 s per million nodes", "400x (small) to 40x (big)", "5.0–8.0 times"} {
		if !strings.Contains(got, want) {
			t.Errorf("says lacks %q:\n%s", want, got)
		}
	}
}
