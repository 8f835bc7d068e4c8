package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// mlflowBucket is the local tracking server's artifact store, in moto.
const mlflowBucket = "mlflow-models"

// startMLflow starts make up's MLflow tracking server (-mlflow): runs and
// the registry in SQLite, artifacts in moto's S3, as the original's server
// was set up, both with python (make deps' build/venv). Its database lives
// in a temporary directory that stop removes: moto keeps its bucket in
// memory, so runs would outlive their artifacts otherwise.
func startMLflow(python string, logs io.Writer) (m *proc.MLflow, stop func(), err error) {
	if err := proc.HasModules(python, "mlflow", "moto"); err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "mlflow-")
	if err != nil {
		return nil, nil, err
	}
	m, err = proc.StartMLflow(python, dir, mlflowBucket, logs)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return m, func() { m.Stop(); os.RemoveAll(dir) }, nil
}

// printMLflowHelp prints the variables a user exports to use m, and the
// course's workflow against it.
func printMLflowHelp(w io.Writer, m *proc.MLflow, python string) {
	var exports []string
	for _, kv := range append(m.Env(), "MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true") {
		exports = append(exports, "export "+kv)
	}
	fmt.Fprintf(w, upMLflowHelp, m.TrackingURI, m.Bucket, strings.Join(exports, "\n"), python)
}

const upMLflowHelp = `
An MLflow tracking server is up too, at %[1]s: runs and the model
registry in SQLite, artifacts in s3://%[2]s in moto, as the original's
server kept them (both go when make up stops). In the shell that trains:

%[3]s

then the course's workflow: train and log a model, register it, ship it,
and restart make up (Ctrl-C, make up MLFLOW=1) to serve it:

make build/model/2022-01.csv
%[4]s model-export/log_mlflow.py --train build/model/2022-01.csv --form rf \
    --rows 20000 --params '{"n_estimators": 5, "max_depth": 10}' --register ride-duration
make refresh MODEL=models:/ride-duration/1 PYTHON=%[4]s

(MODEL=runs:/RUN_ID/model and the s3:// address log_mlflow.py prints work
too), then replay rides onto ride_events: go run ./tools/local/replay -n 5000.
`
