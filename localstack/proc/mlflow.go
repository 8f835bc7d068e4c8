package proc

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// S3 is moto serving S3 on a free loopback port, with one bucket: the
// artifact store of a local MLflow, or the bucket the original loads its
// model from.
type S3 struct {
	*Server
	Endpoint string // http://127.0.0.1:PORT
	Bucket   string
}

// StartS3 runs moto's server with python (an interpreter that has moto:
// make deps' build/venv) and creates bucket in it.
func StartS3(python, bucket string, logs io.Writer) (*S3, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logs, logs
	s, err := StartServer(cmd, addr, 30*time.Second)
	if err != nil {
		return nil, fmt.Errorf("moto: %w", err)
	}
	m := &S3{Server: s, Endpoint: "http://" + addr, Bucket: bucket}
	if err := m.createBucket(); err != nil {
		s.Stop()
		return nil, err
	}
	return m, nil
}

// createBucket sends S3's CreateBucket, a PUT on the bucket's path (moto
// checks no signature).
func (m *S3) createBucket() error {
	req, err := http.NewRequest(http.MethodPut, m.Endpoint+"/"+m.Bucket, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("create bucket %s in moto: %w", m.Bucket, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("create bucket %s in moto: %s", m.Bucket, res.Status)
	}
	return nil
}

// Env is what an AWS SDK and MLflow need to reach the bucket: moto's
// endpoint (MLflow's own variable and the SDKs' S3 one, so that boto3,
// AWS CLI v2 and mlflow all use it) and dummy credentials.
func (m *S3) Env() []string {
	return []string{
		"MLFLOW_S3_ENDPOINT_URL=" + m.Endpoint, "AWS_ENDPOINT_URL_S3=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
	}
}

// MLflow is a local MLflow tracking server as the original's was set up:
// runs and the model registry in a SQLite database, artifacts in an S3
// bucket (here moto's), which clients read and write directly
// (--no-serve-artifacts), so a model's artifacts are at
// s3://BUCKET/<experiment>/<run>/artifacts/... .
type MLflow struct {
	*S3
	server      *Server
	TrackingURI string // http://127.0.0.1:PORT
}

// StartMLflow runs moto with bucket and then `mlflow server` with python
// (an interpreter that has mlflow and moto: make deps' build/venv), its
// SQLite database in dir. Both listen on free loopback ports; Stop stops
// both, and a failed start stops what it started.
func StartMLflow(python, dir, bucket string, logs io.Writer) (*MLflow, error) {
	s3, err := StartS3(python, bucket, logs)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		s3.Stop()
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	db, err := filepath.Abs(filepath.Join(dir, "mlflow.db"))
	if err != nil {
		s3.Stop()
		return nil, err
	}
	cmd := exec.Command(python, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--workers", "1",
		"--backend-store-uri", "sqlite:///"+db, "--default-artifact-root", "s3://"+bucket, "--no-serve-artifacts")
	cmd.Dir = dir
	// The server's job runner (GenAI evaluation jobs, three pools of
	// workers) serves nothing here and costs a core's worth of start-up.
	cmd.Env = append(os.Environ(), append(s3.Env(), append(quietMLflow, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false")...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	// MLflow takes seconds to import, and more on a busy machine.
	server, err := StartServer(cmd, addr, 2*time.Minute)
	if err != nil {
		s3.Stop()
		return nil, fmt.Errorf("mlflow server: %w", err)
	}
	return &MLflow{S3: s3, server: server, TrackingURI: "http://" + addr}, nil
}

// quietMLflow keeps MLflow from sending usage data anywhere.
var quietMLflow = []string{"MLFLOW_DISABLE_TELEMETRY=true", "DO_NOT_TRACK=true"}

// Env is what an MLflow client needs: the tracking URI and the bucket's
// variables (S3.Env).
func (m *MLflow) Env() []string {
	return append(append([]string{"MLFLOW_TRACKING_URI=" + m.TrackingURI}, m.S3.Env()...), quietMLflow...)
}

// Stop stops the tracking server and moto.
func (m *MLflow) Stop() {
	m.server.Stop()
	m.S3.Stop()
}

// Pids are the process ids of the tracking server and of moto.
func (m *MLflow) Pids() []int { return []int{m.server.Pid(), m.S3.Pid()} }

// VenvPython is build/venv/bin/python, the interpreter make deps installs
// the current pip releases into (mlflow and moto among them).
func VenvPython() string { return filepath.Join(Root(), "build", "venv", "bin", "python") }

// HasModules says whether python imports every module named, and if not,
// why, in one sentence.
func HasModules(python string, modules ...string) error {
	code := "import " + strings.Join(modules, ", ")
	if out, err := exec.Command(python, "-c", code).CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("%s cannot %s (%s): make deps installs them into build/venv", python, code, lines[len(lines)-1])
	}
	return nil
}
