package handler

import (
	"fmt"

	"github.com/nyc-taxi/ridepred/generated"
)

// ModelVersion names the compiled model in every prediction: its MLflow run
// id when known, else the start of its forest JSON's sha256.
func ModelVersion() string {
	return modelVersion(generated.RunID, generated.ModelSHA256)
}

// modelVersion is a model's run id, else "sha256:" and the start of its
// forest's sha256.
func modelVersion(runID, sha string) string {
	if runID != "" {
		return runID
	}
	return "sha256:" + sha[:min(16, len(sha))]
}

// CheckRunID refuses to start when RUN_ID asks for another model than the
// one compiled in: this binary can serve no other. RUN_ID may name the
// model by its MLflow run id or, for a model without one, by its
// model_version (sha256:...).
func CheckRunID(runID string) error {
	if runID == "" || runID == ModelVersion() { // the run id, when the model has one
		return nil
	}
	carried := "run id " + generated.RunID
	if generated.RunID == "" {
		carried = "no MLflow run id"
	}
	return fmt.Errorf("RUN_ID is %s, but this binary carries model %s (%s, forest sha256 %s); rebuild with that model or unset RUN_ID",
		runID, ModelVersion(), carried, generated.ModelSHA256)
}
