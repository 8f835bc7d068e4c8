// Package original runs the original app's Lambda function
// (model-export/baseline/lambda_function.py, TEST_RUN) on Kinesis records,
// one record per lambda_handler call, in one long-lived Python process
// (model-export/baseline/records.py): the judge of the differential tests,
// which compare its outcome for each record with the Go handler's.
package original

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Python is the interpreter with sklearn, as the Makefile's PY: the one
// the original runs under unless the shipped model was exported with
// another (Interpreter).
const Python = "/usr/bin/python3"

// Outcome is what the original does with one record: puts Record on
// Kinesis (json.dumps of its prediction event), or raises Error (and fails
// its whole batch).
type Outcome struct {
	Record string
	Error  string
}

func (o Outcome) String() string {
	if o.Error != "" {
		return fmt.Sprintf("raises %.300q", o.Error)
	}
	return fmt.Sprintf("writes %.300q", o.Record)
}

// Prediction splits Record, {"ride_id": ..., "prediction": ...}, into the
// ride id's JSON text and the prediction's.
func (o Outcome) Prediction() (rideID, prediction string, ok bool) {
	return SplitRecord(o.Record)
}

// SplitRecord splits a record that starts {"ride_id": ID, "prediction": P
// into ID and P, whatever follows P (the Go handler writes more keys).
// Only the ride id can hold the separators, and it comes first.
func SplitRecord(record string) (rideID, prediction string, ok bool) {
	rest, ok := strings.CutPrefix(record, `{"ride_id": `)
	if !ok {
		return "", "", false
	}
	if i := strings.LastIndex(rest, `, "model_version": "`); i >= 0 {
		rest = rest[:i] + "}"
	}
	i := strings.LastIndex(rest, `, "prediction": `)
	if i < 0 || !strings.HasSuffix(rest, "}") {
		return "", "", false
	}
	return rest[:i], rest[i+len(`, "prediction": `) : len(rest)-1], true
}

// Lambda is the original function in its Python process.
type Lambda struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
}

// Start starts the original function with the model pickled at model.
func Start(model string) (*Lambda, error) {
	l := &Lambda{}
	l.cmd = exec.Command(Interpreter(), filepath.Join(Root(), "model-export", "baseline", "records.py"))
	// No RUN_ID: lambda_function.py unpickles MODEL_PATH (with RUN_ID it
	// would load the original's MLflow model from S3).
	l.cmd.Env = append(os.Environ(), "RUN_ID=", "MODEL_PATH="+model)
	l.cmd.Stderr = &l.stderr
	in, err := l.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := l.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := l.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the original: %w", err)
	}
	l.in, l.out = in, bufio.NewReaderSize(out, 1<<20)
	return l, nil
}

// Run gives each record to the original's lambda_handler, alone, and
// returns what it did with each.
func (l *Lambda) Run(records [][]byte) ([]Outcome, error) {
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() { // the pipes are finite: write while reading
		defer wg.Done()
		w := bufio.NewWriterSize(l.in, 1<<16)
		for _, r := range records {
			if _, werr = fmt.Fprintf(w, "%s\n", base64.StdEncoding.EncodeToString(r)); werr != nil {
				return
			}
		}
		werr = w.Flush()
	}()
	outcomes := make([]Outcome, 0, len(records))
	var rerr error
	for range records {
		line, err := l.out.ReadString('\n')
		if err != nil {
			rerr = fmt.Errorf("the original stopped: %w; its stderr:\n%s", err, l.stderr.String())
			break
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "P "):
			outcomes = append(outcomes, Outcome{Record: line[2:]})
		case strings.HasPrefix(line, "E "):
			var msg string
			if err := json.Unmarshal([]byte(line[2:]), &msg); err != nil {
				return nil, fmt.Errorf("the original's outcome %q: %w", line, err)
			}
			outcomes = append(outcomes, Outcome{Error: msg})
		default:
			return nil, fmt.Errorf("the original's outcome %q is neither P nor E", line)
		}
	}
	wg.Wait()
	return outcomes, errors.Join(rerr, werr)
}

// Close stops the Python process.
func (l *Lambda) Close() error {
	l.in.Close()
	return l.cmd.Wait()
}

// Root is this repository's root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Interpreter is the Python the shipped model was exported with (make
// refresh PYTHON=, recorded in provenance.json), so that the original
// unpickles the model with the library version that wrote it; Python when
// provenance.json names none, or one that is not there.
func Interpreter() string {
	return interpreterIn(filepath.Join(Root(), "model-export", "artifacts", "provenance.json"))
}

// interpreterIn is Interpreter with the provenance.json at path.
func interpreterIn(path string) string {
	var prov struct {
		Python struct {
			Executable string `json:"executable"`
		} `json:"python"`
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &prov) != nil || prov.Python.Executable == "" {
		return Python
	}
	if _, err := os.Stat(prov.Python.Executable); err != nil {
		return Python
	}
	return prov.Python.Executable
}

// Model is the pickled pipeline that generated/ was compiled from, as the
// original loads it: the file whose sha256 is sourceSHA256
// (generated.SourceSHA256) among build/model/model.pkl (make model writes
// it, and so does make test's check-model) and the model provenance.json
// names (make refresh's MODEL, a pickle or an MLflow directory's
// model.pkl). It is "" with the reason when there is none: an imported
// model whose file is gone, or no make model run yet.
func Model(sourceSHA256 string) (path, why string) {
	candidates := []string{filepath.Join(Root(), "build", "model", "model.pkl")}
	var prov struct {
		Model string `json:"model"`
	}
	if data, err := os.ReadFile(filepath.Join(Root(), "model-export", "artifacts", "provenance.json")); err == nil && json.Unmarshal(data, &prov) == nil && prov.Model != "" {
		if !filepath.IsAbs(prov.Model) {
			prov.Model = filepath.Join(Root(), prov.Model)
		}
		candidates = append(candidates, prov.Model, filepath.Join(prov.Model, "model.pkl"))
	}
	for _, path := range candidates {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == sourceSHA256 {
			return path, ""
		}
	}
	return "", fmt.Sprintf("none of %s is the model generated/ was compiled from (sha256 %s): run make model for the seed", strings.Join(candidates, ", "), sourceSHA256)
}
