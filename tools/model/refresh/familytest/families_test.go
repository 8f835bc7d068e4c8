// Package familytest ships a model of every boosted family, in each form a
// user saves it, through make refresh, under Debian's Python and
// build/venv's (LightGBM only there). It is a package of its own so that
// its minutes do not count against tools/model/refresh's test timeout.
//
//	go test ./tools/model/refresh/familytest            # every form, some minutes
//	go test -run 'TestRefreshFamilies/venv' ./tools/model/refresh/familytest   # build/venv's forms only
package familytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// A family is one form of model make refresh ships, trained by
// model-export/train_family.py with hyperparameters of its own.
type family struct {
	form, params string
	model        string // the path train_family.py writes, under the scratch directory
	vectorizer   string // VECTORIZER=, for a model saved without one
	estimator    string // what the report must name
	categorical  bool   // the shipped forest must have categorical splits
}

var familyCases = []family{
	{form: "gb", params: `{"n_estimators": 40, "max_depth": 4, "learning_rate": 0.07, "loss": "huber", "subsample": 0.8}`,
		model: "gb.pkl", estimator: "GradientBoostingRegressor"},
	{form: "gb-zero", params: `{"n_estimators": 30, "max_depth": 3, "learning_rate": 0.2, "loss": "quantile", "alpha": 0.7}`,
		model: "gbzero.pkl", estimator: "GradientBoostingRegressor"},
	{form: "hgb", params: `{"max_iter": 60, "learning_rate": 0.15, "max_leaf_nodes": 63}`,
		model: "hgb.pkl", estimator: "HistGradientBoostingRegressor"},
	{form: "xgb-pipe", params: `{"n_estimators": 30, "max_depth": 8, "learning_rate": 0.2, "base_score": 12.5}`,
		model: "xgbpipe.pkl", estimator: "XGBRegressor"},
	{form: "xgb-mlflow", params: `{"num_boost_round": 25, "max_depth": 12}`,
		model: "mlruns/models_mlflow", vectorizer: "mlruns/models_mlflow/preprocessor.b", estimator: "Booster"},
	{form: "xgb-file", params: `{"num_boost_round": 30, "objective": "reg:linear"}`,
		model: "xgb.ubj", vectorizer: "xgb.ubj.preprocessor.b", estimator: "Booster"},
}

// lightgbmCases are LightGBM's forms, in build/venv only (Debian has no
// lightgbm): zero as missing on trip_distance and categorical one-hots
// (bitset splits) in a Pipeline; a bare model.txt with huber's loss.
var lightgbmCases = []family{
	{form: "lgbm-pipe", params: `{"n_estimators": 30, "zero_as_missing": true, "categorical": "onehot", "min_data_per_group": 20, "cat_smooth": 5}`,
		model: "lgbm.pkl", estimator: "LGBMRegressor"},
	{form: "lgbm-file", params: `{"num_boost_round": 25, "objective": "huber", "num_leaves": 15}`,
		model: "model.txt", vectorizer: "model.txt.preprocessor.b", estimator: "Booster"},
}

// categoricalCases are HistGradientBoosting's and xgboost's categorical
// splits on the one-hot columns (model-export/categorical.py), in
// build/venv only, kept small: a few trees, and for hgb-cat the 30 most
// frequent one-hot columns as categorical features (sklearn >= 1.4 encodes
// each categorical column apart, which costs seconds per 20,000 rides).
var categoricalCases = []family{
	{form: "hgb-cat", params: `{"max_iter": 8, "max_leaf_nodes": 15}`, model: "hgbcat.pkl", estimator: "HistGradientBoostingRegressor", categorical: true},
	{form: "xgb-cat", params: `{"n_estimators": 10, "max_depth": 5}`, model: "xgbcat.pkl", estimator: "XGBRegressor", categorical: true},
}

// rfDense is a forest on dense input: sklearn >= 1.4 predicts a NaN
// distance on it by each split's missing_go_to_left, which the export then
// compiles (Debian's 1.2.1 refuses NaN, and the seed is a forest there).
var rfDense = family{form: "rf-dense", params: `{"n_estimators": 8, "max_depth": 12}`,
	model: "rfdense.pkl", estimator: "RandomForestRegressor"}

// An environment is a Python that trains the models and ships them
// (make refresh PYTHON=), so that each is read and answered by the library
// versions that wrote it.
type environment struct {
	name, python string
	rows         string   // rides to train on
	forms        []family // what it ships
	arm64        bool     // also run each model's parity tests on arm64, under qemu-user
}

// environments are Debian's Python (sklearn 1.2.1, xgboost 1.7.4), every
// form at 8,000 rides; and build/venv's, the current pip releases of
// model-export/requirements.txt, leaner: 3,000 rides, and without gb-zero,
// whose init='zero' export is the same code under both (test_export.py
// checks it), but with the dense forest whose NaN it compiles,
// LightGBM's forms and the categorical splits of HistGradientBoosting and
// xgboost. The venv's models also run their parity tests on arm64
// (Graviton), under qemu-user: float32 sums and products are where a fused
// multiply-add or another rounding would show.
func environments(t *testing.T) []environment {
	venv, err := filepath.Abs("../../../../build/venv/bin/python")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(venv); err != nil {
		t.Fatalf("build/venv is missing (make deps installs it from model-export/requirements.txt): %v", err)
	}
	var lean []family
	for _, f := range familyCases {
		if f.form != "gb-zero" {
			lean = append(lean, f)
		}
	}
	return []environment{
		{name: "debian", python: "/usr/bin/python3", rows: "8000", forms: familyCases},
		{name: "venv", python: venv, rows: "3000", forms: slices.Concat([]family{rfDense}, lean, lightgbmCases, categoricalCases), arm64: true},
	}
}

// rideEvery thins the rides the families' golden answers are written for
// to one in 4 (33,000 of Jan and Feb 2022's 132,000): each kept ride is
// checked bit for bit as before, the edge cases built from each model's
// thresholds stay whole, and the seed's golden answers (make test's
// generated/ and test-arm64) keep every ride.
const rideEvery = 4

// refreshRun is the -run pattern of the parity tests make refresh runs on
// the model it ships (tools/model/refresh's compileAndReport); ship runs
// the rest of ./generated (-skip) instead of running those twice, and
// checks that refresh's run passed each of refreshedTests.
const refreshRun = "Parity|Constants|Original|Reference|Shift"

// arm64Run is what runs again on arm64, under qemu-user: the tests that
// walk this model's trees and its compiled prepare_features (every ride,
// every edge, the odd rides, the original's ride), where a fused
// multiply-add or another rounding would change a sum. The rest of
// ./generated is code every model shares (the drift statistics, the
// allocation checks), which make test-arm64 runs on the seed; and
// TestNoFusedMultiplyAdd already read this model's arm64 machine code in
// the run above.
const arm64Run = "Parity|Original"

var refreshedTests = []string{"TestConstantsMatchForest", "TestOriginalTestRide", "TestParityRides", "TestParityEdges", "TestParityOdd",
	"TestReferenceMatchesArtifacts", "TestReferenceOfGoldenRides", "TestShiftOfSamples", "TestShiftNoise", "TestShift"}

// TestRefreshFamilies ships a model of every boosted family, in each form
// a user saves it, with make refresh, one after the other, under each
// environment (the two side by side, in a copy of the repository each):
// trained by that environment's Python and shipped with it (PYTHON=), so
// that the golden answers are its
// own library's. Each must pass its parity tests (the library's own
// answers, bit for bit) and the checks of make test that depend on the
// model (check-model, check-generated, the generated package's and the
// ride parser's tests). The report must name the estimator and the
// interpreter. go test -run 'TestRefreshFamilies/venv' runs one
// environment.
func TestRefreshFamilies(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ships a dozen models in a copy of the repository (not under -short or -race)")
	}
	for _, env := range environments(t) {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel() // each its own copy: one chain of single-threaded steps each
			tmp, repo := workcopy.Repo(t)
			checkEnv := workcopy.ThinRides(t, repo, rideEvery)
			git := workcopy.Git(t, repo)
			for _, f := range env.forms {
				t.Run(f.form, func(t *testing.T) { ship(t, tmp, repo, checkEnv, env, f) })
			}
			// The undo refresh prints goes back over all of them.
			workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
			if status := git("status", "--porcelain"); status != "" {
				t.Fatalf("make undo-refresh left changes:\n%s", status)
			}
		})
	}
}

// ship trains f with env's Python, ships it with make refresh PYTHON= and
// runs the checks that depend on the model: refresh's own parity run
// (which must have passed each of refreshedTests), check-model,
// check-generated, the rest of ./generated and ./handler/ride, and on
// arm64 the tests of arm64Run.
func ship(t *testing.T, tmp, repo string, checkEnv []string, env environment, f family) {
	model := filepath.Join(tmp, env.name, f.model)
	os.MkdirAll(filepath.Dir(model), 0o755)
	workcopy.Run(t, repo, nil, env.python, "model-export/train_family.py", "--train", "build/model/2022-01.csv",
		"--rows", env.rows, "--form", f.form, "--out", model, "--params", f.params)
	args := []string{"make", "--no-print-directory", "refresh", "MODEL=" + model, "PYTHON=" + env.python}
	if f.vectorizer != "" {
		args = append(args, "VECTORIZER="+filepath.Join(tmp, env.name, f.vectorizer))
	}
	out := workcopy.Run(t, repo, nil, args...)
	for _, want := range []string{"| estimator | ", f.estimator + " |", "the library's answers bit for bit) | passed |",
		"Reference for `PredictionDrift`", "| Python (export) | ", "`" + env.python + "` (Python "} {
		if !strings.Contains(out, want) {
			t.Errorf("refresh output lacks %q", want)
		}
	}
	if f.categorical {
		if n := categoricalSplits(t, filepath.Join(repo, "model-export", "artifacts", "forest.json")); n == 0 {
			t.Errorf("the shipped %s has no categorical splits", f.form)
		}
	}
	for _, test := range refreshedTests {
		if !strings.Contains(out, "--- PASS: "+test+" ") {
			t.Errorf("refresh's parity run did not pass %s", test)
		}
	}
	workcopy.Run(t, repo, checkEnv, "make", "--no-print-directory", "check-model", "check-generated")
	workcopy.Run(t, repo, nil, "go", "test", "-count=1", "-skip", refreshRun, "./generated", "./handler/ride")
	if env.arm64 {
		workcopy.Run(t, repo, []string{"GOARCH=arm64", "CGO_ENABLED=0"}, "go", "test", "-count=1", "-run", arm64Run,
			"-exec", "env -u GOARCH qemu-aarch64-static", "./generated")
	}
}

// categoricalSplits counts the nodes of a forest JSON whose categories are
// not null.
func categoricalSplits(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var forest struct {
		Trees []struct {
			Categories [][]int `json:"categories"`
		} `json:"trees"`
	}
	if err := json.Unmarshal(data, &forest); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for _, tree := range forest.Trees {
		for _, c := range tree.Categories {
			if c != nil {
				n++
			}
		}
	}
	return n
}
