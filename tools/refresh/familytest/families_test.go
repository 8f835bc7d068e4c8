// Package familytest ships a model of every boosted family, in each form a
// user saves it, through make refresh (LightGBM's with build/venv's python). It is a package of its own so that
// its minutes do not count against tools/refresh's test timeout.
package familytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/tools/internal/workcopy"
)

// A family is one form of model make refresh ships, trained by
// model-export/train_family.py with hyperparameters of its own.
type family struct {
	form, params string
	model        string // the path train_family.py writes, under the scratch directory
	vectorizer   string // VECTORIZER=, for a model saved without one
	estimator    string // what the report must name
	venv         bool   // trained and exported with build/venv's python (LightGBM is only there)
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
	// LightGBM: zero as missing on trip_distance and categorical one-hots
	// (bitset splits) in a Pipeline; a bare model.txt with huber's loss.
	{form: "lgbm-pipe", params: `{"n_estimators": 30, "zero_as_missing": true, "categorical": "onehot", "min_data_per_group": 20, "cat_smooth": 5}`,
		model: "lgbm.pkl", estimator: "LGBMRegressor", venv: true},
	{form: "lgbm-file", params: `{"num_boost_round": 25, "objective": "huber", "num_leaves": 15}`,
		model: "model.txt", vectorizer: "model.txt.preprocessor.b", estimator: "Booster", venv: true},
}

// TestRefreshFamilies ships a model of every boosted family, in each form
// a user saves it, with make refresh in one copy of the repository, one
// after the other: each must pass its parity tests (the library's own
// answers, bit for bit) and the checks of make test that depend on the
// model (check-model, check-generated, the generated package's and the
// ride parser's tests). The report must name the estimator.
func TestRefreshFamilies(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ships eight models in a copy of the repository (not under -short or -race)")
	}
	venv := venvPython(t)
	tmp, repo := workcopy.Repo(t)
	git := workcopy.Git(t, repo)
	for _, f := range familyCases {
		t.Run(f.form, func(t *testing.T) {
			python := "/usr/bin/python3"
			if f.venv {
				python = venv
			}
			model := filepath.Join(tmp, f.model)
			os.MkdirAll(filepath.Dir(model), 0o755)
			workcopy.Run(t, repo, nil, python, "model-export/train_family.py", "--train", "build/model/2022-01.csv",
				"--rows", "8000", "--form", f.form, "--out", model, "--params", f.params)
			args := []string{"make", "--no-print-directory", "refresh", "MODEL=" + model, "PYTHON=" + python}
			if f.vectorizer != "" {
				args = append(args, "VECTORIZER="+filepath.Join(tmp, f.vectorizer))
			}
			out := workcopy.Run(t, repo, nil, args...)
			for _, want := range []string{"| estimator | ", f.estimator + " |", "the library's answers bit for bit) | passed |", "Reference for `PredictionDrift`"} {
				if !strings.Contains(out, want) {
					t.Errorf("refresh output lacks %q", want)
				}
			}
			workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-model", "check-generated")
			workcopy.Run(t, repo, nil, "go", "test", "-count=1", "./generated", "./handler/ride")
		})
	}
	// The undo refresh prints goes back over all of them.
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
	if status := git("status", "--porcelain"); status != "" {
		t.Fatalf("make undo-refresh left changes:\n%s", status)
	}
}

// venvPython is build/venv's python in the repository the test runs in,
// which has lightgbm (make deps installs it from model-export/requirements.txt).
func venvPython(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	python := filepath.Join(strings.TrimSpace(string(out)), "build", "venv", "bin", "python")
	if err := exec.Command(python, "-c", "import lightgbm").Run(); err != nil {
		t.Fatalf("%s cannot import lightgbm (%v): make deps installs build/venv from model-export/requirements.txt", python, err)
	}
	return python
}
