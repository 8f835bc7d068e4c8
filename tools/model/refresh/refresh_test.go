package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// rideEvery thins the rides of the copies where TestRefreshFeatures and
// TestRefreshMLflowURIs ship their models to one in 4 (workcopy.ThinRides):
// what they prove (the user's features compiled, a URI fetched, its run id
// carried) does not depend on how many rides each model answers, and each
// kept ride is checked bit for bit as before. The round trips below ship
// on every ride, as a user's make refresh does.
const rideEvery = 4

// runID is the MLflow run id of the model the round trip ships.
const runID = "5f1a0c8e9d2b4c7aa1e3b6d9c2f4e8a1"

// TestRefreshRoundTrip ships a model unlike the seed (3 trees grown with
// sklearn's default depth, over 1,000 levels, as an MLflow model directory)
// with make refresh in a copy of the repository, runs the handler's tests
// and the function under the Lambda emulator with its RUN_ID there, then
// goes back to what was shipped with make undo-refresh, which refresh
// prints, and checks that every committed byte is restored and nothing is
// left over.
func TestRefreshRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: ships a model in a copy of the repository and runs it under the emulator")
	}
	tmp, repo := workcopy.Repo(t)
	git := workcopy.Git(t, repo)
	shipped := workcopy.Origin(t, repo)

	model := mlflowModel(t, repo, tmp)
	out := workcopy.Run(t, repo, nil, "make", "--no-print-directory", "refresh", "MODEL="+model)
	for _, want := range []string{"# Model refresh report", runID, "| parity tests (`go test ./generated`, the library's answers bit for bit) | passed |", "Reference for `PredictionDrift`"} {
		if !strings.Contains(out, want) {
			t.Errorf("refresh output lacks %q", want)
		}
	}
	report, err := os.ReadFile(filepath.Join(repo, "model-export", "artifacts", "refresh.md"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("refresh.md:\n%s", report)
	if shipped == "trained" { // docs/model.md's excerpt is of the seed's repository
		docfiles.CheckExcerpt(t, filepath.Join("docs", "model.md"), excerptAfter, string(report))
	}
	var prov struct {
		Origin string `json:"origin"`
		RunID  string `json:"run_id"`
	}
	data, err := os.ReadFile(filepath.Join(repo, "model-export", "artifacts", "provenance.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &prov); err != nil {
		t.Fatalf("provenance.json: %v", err)
	}
	if prov.Origin != "imported" {
		t.Errorf("provenance.json's origin is %q, want imported", prov.Origin)
	}
	if prov.RunID != runID {
		t.Errorf("provenance.json's run id is %q, want %s", prov.RunID, runID)
	}
	src, err := os.ReadFile(filepath.Join(repo, "generated", "model.go"))
	if err != nil || !strings.Contains(string(src), `RunID = "`+runID+`"`) {
		t.Fatalf("generated/model.go does not carry run id %s (%v)", runID, err)
	}

	// The refreshed repository passes its own tests: check-model in its
	// imported form, the handler's, and the function under the emulator
	// started with the new RUN_ID.
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-model", "check-generated", "package", "rie")
	workcopy.Run(t, repo, []string{"RIE=" + filepath.Join(repo, "build", "aws-lambda-rie"), "BOOTSTRAP=" + filepath.Join(repo, "build", "bootstrap")},
		"go", "test", "-count=1", "./generated", "./handler/...", "./tools/model/predict")

	// Back to what was shipped, with the undo refresh prints: every
	// committed byte, and nothing the refresh added, so the tree is the one
	// make test passed on; its model checks pass again.
	if !strings.Contains(out, "make undo-refresh") {
		t.Errorf("refresh does not say how to undo it")
	}
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
	if status := git("status", "--porcelain"); status != "" {
		t.Fatalf("make undo-refresh left the committed model changed:\n%s", status)
	}
	if workcopy.Origin(t, repo) != shipped {
		t.Fatalf("after make undo-refresh the model's origin is %s, want %s", workcopy.Origin(t, repo), shipped)
	}
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "check-generated")
}

// mlflowModel trains a deep 3-tree forest on Jan 2022 and lays it out as an
// MLflow run's model directory.
func mlflowModel(t *testing.T, repo, tmp string) string {
	t.Helper()
	dir := filepath.Join(tmp, "mlruns", "1", runID, "artifacts", "model")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	workcopy.Run(t, repo, nil, "/usr/bin/python3", "model-export/train.py",
		"--train", "build/model/2022-01.csv", "--val", "build/model/2022-02.csv",
		"--data", "model-export/data/green_tripdata_2022-01.parquet", "model-export/data/green_tripdata_2022-02.parquet",
		"--model", filepath.Join(dir, "model.pkl"), "--metrics", filepath.Join(tmp, "metrics.json"), "--plot", filepath.Join(tmp, "val.png"),
		"--params", `{"n_estimators": 3, "max_depth": null, "min_samples_leaf": 1}`)
	mlmodel := `artifact_path: model
flavors:
  python_function:
    env: conda.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.2.1
run_id: ` + runID + "\n"
	if err := os.WriteFile(filepath.Join(dir, "MLmodel"), []byte(mlmodel), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// excerptAfter is the line of docs/model.md after which its excerpt of
// this test's refresh report stands, in the next fenced block.
const excerptAfter = "-v -run RefreshRoundTrip ./tools/model/refresh` prints it"
