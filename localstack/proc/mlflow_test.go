package proc

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestStartMLflow starts the tracking server with its moto bucket, creates
// an experiment through MLflow's REST API and checks that its artifacts go
// to the bucket, as the original's did; then that Stop leaves neither
// process running.
func TestStartMLflow(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts moto and an MLflow server")
	}
	python := VenvPython()
	if err := HasModules(python, "mlflow", "moto"); err != nil {
		t.Fatal(err)
	}
	var logs Logs
	m, err := StartMLflow(python, t.TempDir(), "mlflow-test-bucket", &logs)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	stopped := false
	defer func() {
		if !stopped {
			m.Stop()
		}
	}()

	body, _ := json.Marshal(map[string]string{"name": "exp"})
	res, err := http.Post(m.TrackingURI+"/api/2.0/mlflow/experiments/create", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `json:"experiment_id"`
	}
	err = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if err != nil || created.ID == "" {
		t.Fatalf("create experiment: %s %v\n%s", res.Status, err, logs.String())
	}
	res, err = http.Get(m.TrackingURI + "/api/2.0/mlflow/experiments/get?experiment_id=" + created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Experiment struct {
			ArtifactLocation string `json:"artifact_location"`
		} `json:"experiment"`
	}
	err = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	if want := "s3://mlflow-test-bucket/" + created.ID; err != nil || got.Experiment.ArtifactLocation != want {
		t.Errorf("the experiment's artifacts go to %q (%v), want %q", got.Experiment.ArtifactLocation, err, want)
	}
	env := strings.Join(m.Env(), " ")
	for _, want := range []string{"MLFLOW_TRACKING_URI=" + m.TrackingURI, "MLFLOW_S3_ENDPOINT_URL=" + m.Endpoint, "AWS_ENDPOINT_URL_S3=" + m.Endpoint} {
		if !strings.Contains(env, want) {
			t.Errorf("Env() lacks %s: %s", want, env)
		}
	}

	pids := m.Pids()
	m.Stop()
	stopped = true
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still runs after Stop", pid)
		}
	}
	if _, err := http.Get(m.TrackingURI + "/health"); err == nil {
		t.Errorf("%s still answers after Stop", m.TrackingURI)
	}
}
