package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// userFeatures is a user's lambda_function.py: the course homework's
// prepare_features (two location categories and a float distance), and
// the seed's features plus fare_amount under another name. The module's
// top loads a model, as the original's does: refresh reads only the
// function, and runs it alone.
const userFeatures = `import pickle

model = pickle.load(open("/nonexistent/model.bin", "rb"))


def prepare_features(ride):
    features = {}
    features['PULocationID'] = str(ride['PULocationID'])
    features['DOLocationID'] = str(ride['DOLocationID'])
    features['trip_distance'] = float(ride['trip_distance'])
    return features


def with_fare(ride):
    pu_do = '%s_%s' % (ride["PULocationID"], ride["DOLocationID"])
    return {"PU_DO": pu_do, "trip_distance": ride["trip_distance"], "fare_amount": ride.get("fare_amount")}
`

// trainScript trains a small model on Jan 2022's rides through the user's
// own function (argv: features file, function, estimator, output pickle).
const trainScript = `import json, pickle, sys
from datetime import datetime
sys.path.insert(0, "model-export")
import runner
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.ensemble import RandomForestRegressor

path, name, estimator, out = sys.argv[1:]
fn = runner.load_function(open(path).read(), name, path)
X, y = [], []
for line in open("build/model/2022-01.rides.jsonl"):
    ride = json.loads(line)
    d = (datetime.fromisoformat(ride["lpep_dropoff_datetime"]) - datetime.fromisoformat(ride["lpep_pickup_datetime"])).total_seconds() / 60
    if 1 <= d <= 60 and None not in (ride["PULocationID"], ride["DOLocationID"], ride["trip_distance"], ride["fare_amount"]):
        X.append(fn(ride))
        y.append(d)
if estimator == "forest":
    est = RandomForestRegressor(n_estimators=4, max_depth=8, random_state=0, n_jobs=1)
else:
    from xgboost import XGBRegressor
    est = XGBRegressor(n_estimators=8, max_depth=5, random_state=0, n_jobs=1)
pipe = make_pipeline(DictVectorizer(), est)
pipe.fit(X, y)
pickle.dump(pipe, open(out, "wb"))
`

// TestRefreshFeatures ships two models whose DictVectorizers read other
// keys than the seed's, each with its own prepare_features, through make
// refresh FEATURES= in a copy of the repository: the homework's features
// in a RandomForest Pipeline, and the seed's plus fare_amount (FILE:NAME)
// in an XGBRegressor Pipeline. Each passes parity against the user's
// Python (the Jan and Feb rides and the odd rides), check-model and
// check-generated; make undo-refresh restores the seed. A function with a
// form outside the subset, and one that leaves a vectorizer key unwritten,
// are refused before any file changes.
func TestRefreshFeatures(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: trains and ships two models in a copy of the repository")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	tmp, repo := workcopy.Repo(t)
	checkEnv := workcopy.ThinRides(t, repo, rideEvery) // the parity contract is per ride
	git := workcopy.Git(t, repo)
	lambda := filepath.Join(tmp, "lambda_function.py")
	script := filepath.Join(tmp, "train.py")
	for path, text := range map[string]string{lambda: userFeatures, script: trainScript} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct{ name, function, estimator, features, line string }{
		{"homework forest", "prepare_features", "forest", lambda, "// line 8: features['PULocationID'] = str(ride['PULocationID'])"},
		{"seed + fare_amount xgboost", "with_fare", "xgboost", lambda + ":with_fare", `// line 15: pu_do = '%s_%s' % (ride["PULocationID"], ride["DOLocationID"])`},
	} {
		t.Run(m.name, func(t *testing.T) {
			model := filepath.Join(tmp, m.estimator+".pkl")
			workcopy.Run(t, repo, nil, "/usr/bin/python3", script, lambda, m.function, m.estimator, model)
			out := workcopy.Run(t, repo, nil, "make", "--no-print-directory", "refresh", "MODEL="+model, "FEATURES="+m.features)
			if !strings.Contains(out, "| parity tests (`go test ./generated`, the library's answers bit for bit) | passed |") {
				t.Errorf("refresh did not pass parity:\n%s", out)
			}
			src, err := os.ReadFile(filepath.Join(repo, "generated", "features.go"))
			if err != nil || !strings.Contains(string(src), m.line) {
				t.Errorf("generated/features.go lacks the user's Python line %q (%v):\n%s", m.line, err, src)
			}
			workcopy.Run(t, repo, checkEnv, "make", "--no-print-directory", "check-model", "check-generated")
			workcopy.Run(t, repo, nil, "go", "test", "-count=1", "-run", "Parity|Constants|FeaturesFromMap", "./generated")
			workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
			if status := git("status", "--porcelain"); status != "" {
				t.Fatalf("make undo-refresh left changes:\n%s", status)
			}
		})
	}

	// Refusals: nothing changes.
	workcopy.Run(t, repo, nil, "make", "--no-print-directory", "undo-refresh")
	model := filepath.Join(tmp, "forest.pkl")
	for name, text := range map[string]string{
		"unsupported": "from datetime import datetime\n\ndef prepare_features(ride):\n    features = {}\n    features['PULocationID'] = str(ride['PULocationID'])\n" +
			"    features['DOLocationID'] = datetime.fromisoformat(ride['x'])\n    features['trip_distance'] = 1.0\n    return features\n",
		"unwritten key": "def prepare_features(ride):\n    return {'PULocationID': str(ride['PULocationID']), 'trip_distance': ride['trip_distance']}\n",
	} {
		path := filepath.Join(tmp, "refused.py")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("make", "--no-print-directory", "refresh", "MODEL="+model, "FEATURES="+path)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		want := map[string]string{"unsupported": "refused.py:6: datetime.fromisoformat(...) is not supported",
			"unwritten key": "never writes the vectorizer's key 'DOLocationID'"}[name]
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: make refresh = %v, want a refusal containing %q:\n%s", name, err, want, out)
		}
		if status := git("status", "--porcelain"); status != "" {
			t.Errorf("%s: the refused refresh changed files:\n%s", name, status)
		}
	}
}
