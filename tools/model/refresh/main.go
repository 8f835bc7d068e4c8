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
	"flag"
	"fmt"
	"log"
	"os"
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

// trainedHere are the serving model's artifacts that describe a model
// trained here (metrics.json, validation.png) or the last refresh: a
// refresh or a promotion removes them.
var trainedHere = []string{"metrics.json", "validation.png", "refresh.md", "refresh.png"}

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
