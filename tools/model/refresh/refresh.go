package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// refresh exports cfg.model into cfg.artifacts and compiles it into
// cfg.pkg: the serving model (make refresh) or the shadow (make shadow).
func refresh(cfg config) error {
	if _, err := os.Stat(cfg.model); err != nil && !isURI(cfg.model) {
		return fmt.Errorf("model: %w", err)
	}
	var vec []string // export.py's and golden.py's --vectorizer
	if cfg.vectorizer != "" {
		if _, err := os.Stat(cfg.vectorizer); err != nil {
			return fmt.Errorf("vectorizer: %w", err)
		}
		vec = []string{"--vectorizer", cfg.vectorizer}
	}
	old, err := keepServing(cfg)
	if err != nil {
		return err
	}
	if cfg, err = fetch(cfg); err != nil {
		return err
	}
	before, err := snapshot(cfg)
	if err != nil {
		return err
	}

	// Export to scratch first, so that a model whose prepare_features
	// cannot be compiled, or does not write its vectorizer's keys, leaves
	// the artifacts alone.
	forest := filepath.Join(cfg.build, "forest.json")
	prov := filepath.Join(cfg.build, "provenance.json")
	args := []string{"model-export/export.py", "--model", cfg.model, "--out", forest, "--provenance", prov, "--origin", "imported",
		"--features", cfg.features}
	if cfg.source != "" {
		args = append(args, "--source", cfg.source)
	}
	if err := command.Run(nil, cfg.python, append(args, vec...)...); err != nil {
		return err
	}
	if cfg.artifacts == cfg.serving {
		// metrics.json and validation.png describe a model trained here.
		if err := removeAll(cfg.artifacts, trainedHere...); err != nil {
			return err
		}
	} else if err := os.RemoveAll(cfg.artifacts); err != nil { // the shadow before, whole
		return err
	}
	if err := os.MkdirAll(cfg.artifacts, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"forest.json", "provenance.json"} {
		if err := os.Rename(filepath.Join(cfg.build, name), filepath.Join(cfg.artifacts, name)); err != nil {
			return err
		}
	}
	artForest := filepath.Join(cfg.artifacts, "forest.json")
	if err := command.Run(nil, cfg.python, append([]string{"-W", "ignore", "model-export/golden.py", "--model", cfg.model, "--forest", artForest,
		"--features", cfg.features, "--rides", "2022-01=build/model/2022-01.rides.jsonl", "2022-02=build/model/2022-02.rides.jsonl",
		"--out", filepath.Join(cfg.artifacts, "golden"), "--reference", filepath.Join(cfg.artifacts, "reference.json")}, vec...)...); err != nil {
		return err
	}
	if err := compileAndReport(cfg, old, cfg.pkg); errors.Is(err, errParity) {
		return restore(cfg, before, err)
	} else if err != nil {
		return err
	}
	next := "make test, make package, deploy (DEPLOY.md, the roll-forward)"
	undo := "make undo-refresh (back to the model committed in git)"
	if cfg.artifacts != cfg.serving {
		next = "make test, make package, deploy with SHADOW_STREAM_NAME set; make promote when it wins"
		undo = "make shadow-off"
	}
	fmt.Fprintf(os.Stderr, "\nrefresh: shipped %s into %s; report in %s/%s.md. Next: %s.\nrefresh: to undo, %s\n",
		cmp.Or(cfg.source, cfg.model), cfg.pkg, cfg.artifacts, cfg.report, next, undo)
	return nil
}

// keepServing copies the serving model's artifacts to cfg.build/old, for
// the report, and returns that directory.
func keepServing(cfg config) (string, error) {
	old := filepath.Join(cfg.build, "old")
	if err := os.RemoveAll(cfg.build); err != nil {
		return "", err
	}
	if err := os.MkdirAll(cfg.build, 0o755); err != nil {
		return "", err
	}
	return old, command.Run(nil, "cp", "-r", cfg.serving, old)
}

// removeAll removes dir's files named, where they exist.
func removeAll(dir string, names ...string) error {
	for _, name := range names {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}
