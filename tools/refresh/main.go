// Refresh ships another trained model: make refresh MODEL=PATH runs it.
//
//	go run ./tools/refresh -model PATH
//
// PATH is anything model-export/export.py reads: a pickled
// Pipeline(DictVectorizer, estimator), a pickled (DictVectorizer, estimator)
// tuple, an MLflow model directory (mlruns/<experiment>/<run_id>/artifacts/model,
// or one copied down from S3) of the sklearn or xgboost flavour, or an
// xgboost model file. A model saved without its vectorizer (an xgboost
// Booster, as the MLOps Zoomcamp saves it) takes it from -vectorizer, a
// pickled DictVectorizer (preprocessor.b). The estimator is any family
// export.py knows: sklearn's forests, GradientBoosting and
// HistGradientBoosting, or xgboost's gbtree regressors. In one run, from
// the repository's root, it:
//
//  1. exports the model to model-export/artifacts/forest.json and records
//     where it came from in provenance.json (origin "imported", the path,
//     its run id and sha256);
//  2. writes the library's answers for it (one thread) to artifacts/golden: every
//     committed Jan and Feb 2022 ride, and edge cases built from the model's
//     own thresholds and categories; and its reference, the distribution of
//     its Feb 2022 answers, to artifacts/reference.json (the function's
//     PredictionDrift metric is measured against it);
//  3. regenerates generated/ with go generate, and times it, go build of
//     generated/ and make package (the report says when the zip passes
//     Lambda's limits);
//  4. runs the parity tests (go test ./generated);
//  5. writes artifacts/refresh.md and refresh.png, the model shipped before
//     against the new one, and prints the report.
//
// metrics.json and validation.png describe a model trained here, so they are
// removed. The artifacts are committed: git checkout undoes a refresh, and
// make model brings the seed back. The handler builds the features PU_DO
// (categorical) and trip_distance (numeric), so a model with other inputs is
// refused before anything is written.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nyc-taxi/ridepred/tools/internal/command"
)

const py = "/usr/bin/python3"

// wantInputs are the features the handler builds for every ride.
var wantInputs = []input{{"PU_DO", "categorical"}, {"trip_distance", "numeric"}}

type input struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
}

// config says where things are, relative to the repository's root.
type config struct {
	model      string // the model to ship
	vectorizer string // a pickled DictVectorizer for a model saved without one, or ""
	artifacts  string // model-export/artifacts
	build      string // scratch space: build/refresh
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("refresh: ")
	model := flag.String("model", "", "the model to ship: a pickle, an MLflow model directory or an xgboost model file")
	vectorizer := flag.String("vectorizer", "", "a pickled DictVectorizer, for a model saved without one (xgboost)")
	flag.Parse()
	if *model == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/refresh -model PATH [-vectorizer PATH]")
		os.Exit(2)
	}
	cfg := config{model: *model, vectorizer: *vectorizer, artifacts: "model-export/artifacts", build: "build/refresh"}
	if err := refresh(cfg); err != nil {
		log.Fatal(err)
	}
}

func refresh(cfg config) error {
	if _, err := os.Stat(cfg.model); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	var vec []string // export.py's and golden.py's --vectorizer
	if cfg.vectorizer != "" {
		if _, err := os.Stat(cfg.vectorizer); err != nil {
			return fmt.Errorf("vectorizer: %w", err)
		}
		vec = []string{"--vectorizer", cfg.vectorizer}
	}
	// Keep what is shipped now, for the report.
	old := filepath.Join(cfg.build, "old")
	if err := os.RemoveAll(cfg.build); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.build, 0o755); err != nil {
		return err
	}
	if err := command.Run(nil, "cp", "-r", cfg.artifacts, old); err != nil {
		return err
	}

	// Export to scratch first, so that a model the handler cannot serve
	// leaves the artifacts alone.
	forest := filepath.Join(cfg.build, "forest.json")
	prov := filepath.Join(cfg.build, "provenance.json")
	if err := command.Run(nil, py, append([]string{"model-export/export.py", "--model", cfg.model, "--out", forest, "--provenance", prov, "--origin", "imported"}, vec...)...); err != nil {
		return err
	}
	if err := checkInputs(forest); err != nil {
		return err
	}
	for _, name := range []string{"metrics.json", "validation.png", "refresh.md", "refresh.png"} {
		if err := os.Remove(filepath.Join(cfg.artifacts, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	for _, name := range []string{"forest.json", "provenance.json"} {
		if err := os.Rename(filepath.Join(cfg.build, name), filepath.Join(cfg.artifacts, name)); err != nil {
			return err
		}
	}
	artForest := filepath.Join(cfg.artifacts, "forest.json")
	if err := command.Run(nil, py, append([]string{"-W", "ignore", "model-export/golden.py", "--model", cfg.model, "--forest", artForest,
		"--rides", "2022-01=build/model/2022-01.csv", "2022-02=build/model/2022-02.csv",
		"--out", filepath.Join(cfg.artifacts, "golden"), "--reference", filepath.Join(cfg.artifacts, "reference.json")}, vec...)...); err != nil {
		return err
	}

	var b struct {
		GenS        float64 `json:"gen_s"`
		CompileS    float64 `json:"compile_s"`
		BuildS      float64 `json:"build_s"`
		BootstrapMB float64 `json:"bootstrap_mb"`
		ZipMB       float64 `json:"zip_mb"`
		Parity      string  `json:"parity"`
	}
	gen, err := command.Time(command.New(nil, "go", "generate", "./generated"))
	if err != nil {
		return err
	}
	compile, err := command.Time(command.New(nil, "go", "build", "./generated"))
	if err != nil {
		return err
	}
	b.GenS, b.CompileS = gen.Wall.Seconds(), compile.Wall.Seconds()
	build, err := command.Time(command.New(nil, "make", "--no-print-directory", "package"))
	if err != nil {
		return err
	}
	b.BuildS = build.Wall.Seconds()
	for file, mb := range map[string]*float64{"build/bootstrap": &b.BootstrapMB, "build/function.zip": &b.ZipMB} {
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		*mb = float64(st.Size()) / (1 << 20)
	}
	parity := exec.Command("go", "test", "-count=1", "-v", "-run", "Parity|Constants|Original|Reference|Shift", "./generated")
	out, parityErr := parity.CombinedOutput()
	os.Stderr.Write(out)
	b.Parity = "passed"
	if parityErr != nil {
		b.Parity = "**FAILED**: do not deploy (see `go test ./generated`)"
	}

	timings := filepath.Join(cfg.build, "build.json")
	data, _ := json.Marshal(b)
	if err := os.WriteFile(timings, data, 0o644); err != nil {
		return err
	}
	if err := command.Run(nil, py, "model-export/report.py", "--old", old, "--new", cfg.artifacts, "--val", "build/model/2022-02.csv",
		"--build", timings, "--md", filepath.Join(cfg.artifacts, "refresh.md"), "--png", filepath.Join(cfg.artifacts, "refresh.png")); err != nil {
		return err
	}
	if parityErr != nil {
		return fmt.Errorf("parity tests failed: %w", parityErr)
	}
	fmt.Fprintf(os.Stderr, "\nrefresh: shipped %s; report in %s/refresh.md. Next: make test, make package, deploy (README).\n"+
		"refresh: to undo, make undo-refresh (back to the model committed in git)\n", cfg.model, cfg.artifacts)
	return nil
}

// checkInputs refuses a forest whose vectorizer inputs are not the ones the
// handler builds.
func checkInputs(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f struct {
		Vectorizer struct {
			Inputs []input `json:"inputs"`
		} `json:"vectorizer"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	got := slices.Clone(f.Vectorizer.Inputs)
	slices.SortFunc(got, func(a, b input) int { return strings.Compare(a.Key, b.Key) })
	if !slices.Equal(got, wantInputs) {
		return fmt.Errorf("the model's inputs are %v; the handler builds %v (PU_DO = \"<PULocationID>_<DOLocationID>\"), so it cannot serve this model", got, wantInputs)
	}
	return nil
}
