package main

import (
	"os"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// TestMLflowHelp checks what make up MLFLOW=1 prints: an export for every
// variable a client of the server needs, and docs/local.md's MLflow workflow as
// written there (TestRefreshMLflowURIs runs that block against a server).
func TestMLflowHelp(t *testing.T) {
	m := &proc.MLflow{S3: &proc.S3{Endpoint: "http://127.0.0.1:1", Bucket: mlflowBucket}, TrackingURI: "http://127.0.0.1:2"}
	var b strings.Builder
	printMLflowHelp(&b, m, "build/venv/bin/python")
	help := b.String()
	for _, kv := range m.Env() {
		if !strings.Contains(help, "export "+kv+"\n") {
			t.Errorf("make up's MLflow help lacks export %s:\n%s", kv, help)
		}
	}
	readme, err := os.ReadFile("../../../docs/local.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- mlflow-workflow -->\n```sh\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/local.md has no mlflow-workflow block")
	}
	if !strings.Contains(help, block) {
		t.Errorf("make up's MLflow help does not hold docs/local.md's workflow:\n%s\nhelp:\n%s", block, help)
	}
}
