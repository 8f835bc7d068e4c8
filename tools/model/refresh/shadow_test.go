package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// TestShadowPromoteRoundTrip ships a challenger of another family than the
// serving model (GradientBoosting, as train_family.py trains it, on 8,000
// Jan 2022 rides: the shadow path does not depend on its size) with make
// shadow in a copy of the repository: the serving model's files stay as
// they were, generated/shadow holds it and its parity tests pass, and so do
// the handler's shadow tests against its golden answers. make promote then
// makes it the serving model from its own artifacts (no export), with a
// refresh report, and leaves no shadow; make shadow-off after it changes
// nothing; make undo-refresh brings every committed byte back.
func TestShadowPromoteRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: ships a shadow in a copy of the repository and promotes it")
	}
	tmp, repo := workcopy.Repo(t)
	git := workcopy.Git(t, repo)
	model := filepath.Join(tmp, "gb.pkl")
	workcopy.Run(t, filepath.Join(repo, "model-export"), nil, "/usr/bin/python3", "train_family.py",
		"--train", "../build/model/2022-01.csv", "--rows", "8000", "--form", "gb", "--out", model)

	out := workcopy.Run(t, repo, nil, "make", "--no-print-directory", "shadow", "MODEL="+model)
	for _, want := range []string{"# Shadow model report", "| | serving | shadow |", "GradientBoostingRegressor", "make shadow-off"} {
		if !strings.Contains(out, want) {
			t.Errorf("make shadow's output lacks %q", want)
		}
	}
	if status := git("status", "--porcelain", "model-export/artifacts", "generated/internal"); status != "" {
		t.Errorf("make shadow changed the serving model's files:\n%s", status)
	}
	for _, f := range []string{"forest.json", "provenance.json", "reference.json", "golden/rides.jsonl.gz", "golden/edges.jsonl.gz", "shadow.md"} {
		if _, err := os.Stat(filepath.Join(repo, "model-export", "shadow", f)); err != nil {
			t.Errorf("make shadow wrote no model-export/shadow/%s: %v", f, err)
		}
	}
	shadowSHA := constant(t, repo, "generated/shadow/model.go", "ModelSHA256")
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-generated")
	workcopy.Run(t, repo, nil, "go", "test", "-count=1", "./generated/shadow", "./generated")
	workcopy.Run(t, repo, nil, "go", "test", "-count=1", "-run", "TestCompiledShadow|TestShadow|TestMetricsEMF", "./handler")

	out = workcopy.Run(t, repo, nil, "make", "--no-print-directory", "promote")
	for _, want := range []string{"# Model refresh report", "| parity tests (`go test ./generated`, the library's answers bit for bit) | passed |"} {
		if !strings.Contains(out, want) {
			t.Errorf("make promote's output lacks %q", want)
		}
	}
	if got := constant(t, repo, "generated/model.go", "ModelSHA256"); got != shadowSHA {
		t.Errorf("after make promote generated/ is forest %s, want the shadow's %s", got, shadowSHA)
	}
	if _, err := os.Stat(filepath.Join(repo, "model-export", "shadow")); !os.IsNotExist(err) {
		t.Errorf("make promote left model-export/shadow (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(repo, "generated", "shadow", "none.go")); err != nil {
		t.Errorf("after make promote generated/shadow holds a model: %v", err)
	}
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-generated", "check-model")
	workcopy.Run(t, repo, nil, "go", "test", "-count=1", "-run", "TestCompiledShadow|TestShadow|TestOriginalTestRide|TestMetricsEMF", "./handler", "./generated/...")

	before := git("status", "--porcelain")
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "shadow-off")
	if after := git("status", "--porcelain"); after != before {
		t.Errorf("make shadow-off with no shadow changed files:\n%s\nthen:\n%s", before, after)
	}
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
	if status := git("status", "--porcelain"); status != "" {
		t.Fatalf("make undo-refresh after a promotion left changes:\n%s", status)
	}
}

// constant is the value of a string constant in a generated file.
func constant(t *testing.T, repo, file, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repo, file))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "\t"+name+" = \"")
	value, _, ok2 := strings.Cut(rest, "\"")
	if !ok || !ok2 {
		t.Fatalf("%s declares no %s", file, name)
	}
	return value
}
