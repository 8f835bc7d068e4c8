// Refresh ships another trained model: make refresh MODEL=PATH runs it.
//
//	go run ./tools/model/refresh -model PATH
//	make refresh MODEL=build/model/model.pkl   # the seed again, as make model trained it
//
// PATH is anything model-export/export.py reads: a pickled
// Pipeline(DictVectorizer, estimator), a pickled (DictVectorizer, estimator)
// tuple, an MLflow model directory (mlruns/<experiment>/<run_id>/artifacts/model,
// or one copied down from S3) of the sklearn or xgboost flavour, or an
// xgboost model file. A model saved without its vectorizer (an xgboost
// Booster, as the MLOps Zoomcamp saves it) takes it from -vectorizer, a
// pickled DictVectorizer (preprocessor.b). The estimator is any family
// export.py knows: sklearn's forests, GradientBoosting and
// HistGradientBoosting, xgboost's gbtree regressors, or LightGBM's gbdt
// regressors (an LGBMRegressor, or a model.txt or MLflow lightgbm
// directory with -vectorizer). PATH may also be
// an MLflow model URI, runs:/<run_id>/model (with MLFLOW_TRACKING_URI),
// models:/<name>/<version>, or s3://<bucket>/<experiment>/<run_id>/artifacts/model
// (the AWS SDK's credentials and endpoint variables): model-export/fetch.py
// downloads it with mlflow into build/refresh/model first (fetch.go).
// -python (make refresh PYTHON=) is the interpreter that runs
// model-export's scripts: one with the library versions that wrote the
// model (lightgbm for a LightGBM one), and mlflow for a URI. In one run,
// from the repository's root, it:
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
//  4. runs the parity tests (go test ./generated): the library's answers
//     and the user's own prepare_features, bit for bit. If they fail, the
//     refresh is undone (the artifacts and the package as they were before;
//     the report in build/refresh), and the failure names the first ride
//     that differs;
//  5. writes artifacts/refresh.md and refresh.png, the model shipped before
//     against the new one, and prints the report.
//
// With -shadow (make shadow MODEL=PATH) the model ships as the challenger
// instead, beside the serving model: the same steps, into
// model-export/shadow/ (forest.json, provenance.json, golden/,
// reference.json, and the report shadow.md, shadow.png: the serving model
// against the challenger) and generated/shadow (gen -optional -golden, its
// parity tests golden_test.go). The serving model's files are not touched.
// -promote (make promote) makes the challenger the serving model from its
// own artifacts, with no new export: it moves them over the serving
// model's, removes model-export/shadow (generated/shadow then holds no
// model), regenerates generated/, runs its parity tests and writes
// artifacts/refresh.md, the model shipped before against the promoted one.
// make shadow-off removes the shadow.
//
// -features FILE[:NAME] (make refresh FEATURES=...) names the Python file
// holding the model's prepare_features(ride), where the original app keeps
// it (lambda_function.py), and the function if it is not prepare_features;
// without it, the seed's (model-export/baseline/lambda_function.py).
// export.py compiles it from its ast into the forest JSON (a form outside
// the compiled subset, or a vectorizer key it never writes, is refused
// before anything is written), gen into generated/features.go, and the
// parity tests prove it against the user's own Python: golden.py runs the
// function and the library on the Jan and Feb rides, every TLC column under
// its own name, and on odd rides, and go test ./generated runs the compiled
// code on the same rides.
//
// export.py records the interpreter (-python) and its library versions in
// provenance.json, and the report names them. It needs what
// model-export/requirements.in lists (numpy, sklearn, pyyaml, matplotlib;
// xgboost for an xgboost model, lightgbm for a LightGBM one). make
// check-model's walker reads only forest.json and the golden answers, with
// numpy, so it stays Debian's.
//
// metrics.json and validation.png describe a model trained here, so a
// refresh or a promotion removes them. The artifacts are committed: git checkout undoes a refresh, and
// make model brings the seed back.
package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/tools/internal/command"
)

// seedFeatures is the seed's prepare_features, where the original app
// keeps it.
const seedFeatures = "model-export/baseline/lambda_function.py"

// config says where things are, relative to the repository's root.
type config struct {
	python     string // the interpreter that runs model-export's scripts (make refresh's PYTHON)
	model      string // the model to ship; "" to promote the shadow
	source     string // where model came from, when it is fetch.py's copy of an MLflow URI; else ""
	vectorizer string // a pickled DictVectorizer for a model saved without one, or ""
	features   string // FILE[:NAME] of the model's prepare_features
	serving    string // the serving model's artifacts: model-export/artifacts
	artifacts  string // where this run's model goes: serving, or model-export/shadow
	pkg        string // its generated package: ./generated, or ./generated/shadow
	report     string // the report's name in artifacts: refresh (refresh.md, refresh.png), or shadow
	build      string // scratch space: build/refresh
}

// The shadow's place beside the serving model.
const (
	servingArtifacts = "model-export/artifacts"
	shadowArtifacts  = "model-export/shadow"
	servingPkg       = "./generated"
	shadowPkg        = "./generated/shadow"
)

// shippedFiles are the artifacts a model is made of, besides refresh's
// report: what promote moves.
var shippedFiles = []string{"forest.json", "provenance.json", "reference.json", "golden"}

func main() {
	log.SetFlags(0)
	log.SetPrefix("refresh: ")
	model := flag.String("model", "", "the model to ship: a pickle, an MLflow model directory or URI, or an xgboost model file")
	python := flag.String("python", "/usr/bin/python3", "the Python that reads the model: the library versions that wrote it (lightgbm for LightGBM; mlflow for a URI)")
	vectorizer := flag.String("vectorizer", "", "a pickled DictVectorizer, for a model saved without one (xgboost)")
	features := flag.String("features", seedFeatures, "FILE[:NAME]: the Python file holding the model's prepare_features(ride)")
	shadow := flag.Bool("shadow", false, "ship the model as the shadow, beside the serving one")
	promote := flag.Bool("promote", false, "make the shadow the serving model (no -model)")
	flag.Parse()
	if (*model == "") != *promote || *shadow && *promote || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/model/refresh [-python PATH] [-shadow] -model PATH|URI [-vectorizer PATH] [-features FILE[:NAME]]\n       go run ./tools/model/refresh [-python PATH] -promote")
		os.Exit(2)
	}
	cfg := config{python: *python, model: *model, vectorizer: *vectorizer, features: *features, serving: servingArtifacts, artifacts: servingArtifacts, pkg: servingPkg,
		report: "refresh", build: "build/refresh"}
	run := refresh
	switch {
	case *shadow:
		cfg.artifacts, cfg.pkg, cfg.report = shadowArtifacts, shadowPkg, "shadow"
	case *promote:
		run = promoteShadow
	}
	if err := run(cfg); err != nil {
		log.Fatal(err)
	}
}

// refresh exports cfg.model into cfg.artifacts and compiles it into
// cfg.pkg: the serving model (make refresh) or the shadow (make shadow).
func refresh(cfg config) error {
	if _, err := os.Stat(cfg.model); err != nil && !isURI(cfg.model) {
		return fmt.Errorf("model: %w", err)
	}
	var vec []string // export.py's and golden.py's --vectorizer
	if cfg.vectorizer != "" {
		if _, err := os.Stat(cfg.vectorizer); err != nil {
			return fmt.Errorf("vectorizer: %w", err)
		}
		vec = []string{"--vectorizer", cfg.vectorizer}
	}
	old, err := keepServing(cfg)
	if err != nil {
		return err
	}
	if cfg, err = fetch(cfg); err != nil {
		return err
	}
	before, err := snapshot(cfg)
	if err != nil {
		return err
	}

	// Export to scratch first, so that a model whose prepare_features
	// cannot be compiled, or does not write its vectorizer's keys, leaves
	// the artifacts alone.
	forest := filepath.Join(cfg.build, "forest.json")
	prov := filepath.Join(cfg.build, "provenance.json")
	args := []string{"model-export/export.py", "--model", cfg.model, "--out", forest, "--provenance", prov, "--origin", "imported",
		"--features", cfg.features}
	if cfg.source != "" {
		args = append(args, "--source", cfg.source)
	}
	if err := command.Run(nil, cfg.python, append(args, vec...)...); err != nil {
		return err
	}
	if cfg.artifacts == cfg.serving {
		// metrics.json and validation.png describe a model trained here.
		if err := removeAll(cfg.artifacts, "metrics.json", "validation.png", "refresh.md", "refresh.png"); err != nil {
			return err
		}
	} else if err := os.RemoveAll(cfg.artifacts); err != nil { // the shadow before, whole
		return err
	}
	if err := os.MkdirAll(cfg.artifacts, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"forest.json", "provenance.json"} {
		if err := os.Rename(filepath.Join(cfg.build, name), filepath.Join(cfg.artifacts, name)); err != nil {
			return err
		}
	}
	artForest := filepath.Join(cfg.artifacts, "forest.json")
	if err := command.Run(nil, cfg.python, append([]string{"-W", "ignore", "model-export/golden.py", "--model", cfg.model, "--forest", artForest,
		"--features", cfg.features, "--rides", "2022-01=build/model/2022-01.rides.jsonl", "2022-02=build/model/2022-02.rides.jsonl",
		"--out", filepath.Join(cfg.artifacts, "golden"), "--reference", filepath.Join(cfg.artifacts, "reference.json")}, vec...)...); err != nil {
		return err
	}
	if err := compileAndReport(cfg, old, cfg.pkg); errors.Is(err, errParity) {
		return restore(cfg, before, err)
	} else if err != nil {
		return err
	}
	next := "make test, make package, deploy (README)"
	undo := "make undo-refresh (back to the model committed in git)"
	if cfg.artifacts != cfg.serving {
		next = "make test, make package, deploy with SHADOW_STREAM_NAME set; make promote when it wins"
		undo = "make shadow-off"
	}
	fmt.Fprintf(os.Stderr, "\nrefresh: shipped %s into %s; report in %s/%s.md. Next: %s.\nrefresh: to undo, %s\n",
		cmp.Or(cfg.source, cfg.model), cfg.pkg, cfg.artifacts, cfg.report, next, undo)
	return nil
}

// promoteShadow makes the shadow the serving model, from the shadow's own
// artifacts (no export): it moves them over the serving model's, removes
// the shadow, regenerates both packages, runs the parity tests and writes
// the refresh report, old serving model against the new.
func promoteShadow(cfg config) error {
	shadowForest := filepath.Join(shadowArtifacts, "forest.json")
	if _, err := os.Stat(shadowForest); err != nil {
		return fmt.Errorf("no shadow to promote (make shadow MODEL=PATH ships one): %w", err)
	}
	old, err := keepServing(cfg)
	if err != nil {
		return err
	}
	if err := removeAll(cfg.serving, "metrics.json", "validation.png", "refresh.md", "refresh.png"); err != nil {
		return err
	}
	if err := removeAll(cfg.serving, shippedFiles...); err != nil {
		return err
	}
	for _, name := range shippedFiles {
		if err := os.Rename(filepath.Join(shadowArtifacts, name), filepath.Join(cfg.serving, name)); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(shadowArtifacts); err != nil {
		return err
	}
	// The shadow's package goes back to holding no model; then the serving
	// one is compiled from what was the shadow's.
	if err := command.Run(nil, "go", "generate", shadowPkg); err != nil {
		return err
	}
	if err := compileAndReport(cfg, old, servingPkg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nrefresh: promoted the shadow to serving; report in %s/refresh.md. Next: make test, make package, deploy (README).\n"+
		"refresh: to undo, make undo-refresh (back to the model committed in git)\n", cfg.serving)
	return nil
}

// keepServing copies the serving model's artifacts to cfg.build/old, for
// the report, and returns that directory.
func keepServing(cfg config) (string, error) {
	old := filepath.Join(cfg.build, "old")
	if err := os.RemoveAll(cfg.build); err != nil {
		return "", err
	}
	if err := os.MkdirAll(cfg.build, 0o755); err != nil {
		return "", err
	}
	return old, command.Run(nil, "cp", "-r", cfg.serving, old)
}

// removeAll removes dir's files named, where they exist.
func removeAll(dir string, names ...string) error {
	for _, name := range names {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// compileAndReport regenerates pkg from cfg.artifacts, times it, its build
// and make package, runs its parity tests, and writes the report of
// cfg.artifacts against old.
func compileAndReport(cfg config, old, pkg string) error {
	var b struct {
		GenS        float64 `json:"gen_s"`
		CompileS    float64 `json:"compile_s"`
		BuildS      float64 `json:"build_s"`
		BootstrapMB float64 `json:"bootstrap_mb"`
		ZipMB       float64 `json:"zip_mb"`
		Parity      string  `json:"parity"`
	}
	gen, err := command.Time(command.New(nil, "go", "generate", pkg))
	if err != nil {
		return err
	}
	compile, err := command.Time(command.New(nil, "go", "build", pkg))
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
	tests := "Parity|Constants|Original|Reference|Shift"
	if pkg == shadowPkg {
		tests = "." // golden_test.go, all of it
	}
	parity := exec.Command("go", "test", "-count=1", "-v", "-run", tests, pkg)
	out, parityErr := parity.CombinedOutput()
	os.Stderr.Write(out)
	b.Parity = "passed"
	if parityErr != nil {
		b.Parity = fmt.Sprintf("**FAILED**: do not deploy (see `go test %s`)", pkg)
	}

	timings := filepath.Join(cfg.build, "build.json")
	data, _ := json.Marshal(b)
	if err := os.WriteFile(timings, data, 0o644); err != nil {
		return err
	}
	args := []string{"model-export/report.py", "--old", old, "--new", cfg.artifacts, "--val", "build/model/2022-02.csv",
		"--build", timings, "--md", filepath.Join(cfg.artifacts, cfg.report+".md"), "--png", filepath.Join(cfg.artifacts, cfg.report+".png")}
	if cfg.artifacts == shadowArtifacts {
		args = append(args, "--title", "Shadow model report: the serving model against the challenger", "--columns", "serving,shadow")
	}
	if err := command.Run(nil, cfg.python, args...); err != nil {
		return err
	}
	if parityErr != nil {
		return fmt.Errorf("%w: %w", errParity, parityErr)
	}
	return nil
}
