package handler

import (
	"strings"
	"testing"
)

func TestCheckRunID(t *testing.T) {
	if err := CheckRunID(""); err != nil {
		t.Errorf("unset RUN_ID: %v", err)
	}
	// The model's own name: its run id, or sha256:... without one (a
	// refreshed model with a run id takes the run id: TestRefreshRoundTrip).
	if err := CheckRunID(ModelVersion()); err != nil {
		t.Errorf("RUN_ID %s, the compiled model's: %v", ModelVersion(), err)
	}
	err := CheckRunID("def558fd38f44d8e9c4fc632668d3a47")
	if err == nil || !strings.Contains(err.Error(), "this binary carries model "+ModelVersion()) {
		t.Errorf("mismatched RUN_ID: err = %v", err)
	}
}
