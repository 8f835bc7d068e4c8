// Package baseline runs model-export/baseline/bench.py, the Python side of
// the benchmarks: sklearn's own timings and the original Lambda's.
package baseline

import (
	"encoding/json"
	"fmt"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// Script is bench.py, relative to the repository's root.
const Script = "model-export/baseline/bench.py"

// Bench runs python on bench.py with args (a mode and its input file), the
// model at model as MODEL_PATH and its vectorizer, if saved apart, as
// VECTORIZER_PATH, and decodes the JSON object it prints into v.
func Bench(python, model, vectorizer string, v any, args ...string) error {
	// No RUN_ID: lambda_function.py unpickles MODEL_PATH (with RUN_ID it
	// would load the original's MLflow model from S3).
	cmd := command.New([]string{"RUN_ID=", "MODEL_PATH=" + model, "VECTORIZER_PATH=" + vectorizer}, python, append([]string{Script}, args...)...)
	cmd.Stdout = nil
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s %v: %w", Script, args, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("%s %v: %w", Script, args, err)
	}
	return nil
}
