package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// uriScheme matches the start of a URI (runs:/, models:/, s3://, ...); a
// scheme of two letters or more, so that a Windows drive (C:/) is a path.
var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:/`)

// isURI says whether model names a model by URI rather than by a local
// path: a path that exists is a path, whatever it looks like.
func isURI(model string) bool {
	if _, err := os.Stat(model); err == nil {
		return false
	}
	return uriScheme.MatchString(model)
}

// fetch downloads cfg.model into cfg.build/model when it is an MLflow URI
// (runs:/, models:/, s3://, ...), with model-export/fetch.py run by
// cfg.python, which must have mlflow, and returns cfg with model the local
// copy and source the URI, for provenance.json and the report. Any other
// model is returned as it is. The run id comes from the copy's MLmodel, as
// for a directory given by path.
func fetch(cfg config) (config, error) {
	if !isURI(cfg.model) {
		return cfg, nil
	}
	dst := filepath.Join(cfg.build, "model")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return cfg, err
	}
	cmd := exec.Command(cfg.python, "model-export/fetch.py", cfg.model, dst)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// fetch.py's last line is its one sentence; mlflow logs above it.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if lines[len(lines)-1] == "" {
			return cfg, fmt.Errorf("%s model-export/fetch.py: %w", cfg.python, err)
		}
		return cfg, fmt.Errorf("%s", lines[len(lines)-1])
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	cfg.source, cfg.model = cfg.model, lines[len(lines)-1]
	fmt.Fprintf(os.Stderr, "refresh: downloaded %s to %s\n", cfg.source, cfg.model)
	return cfg, nil
}
