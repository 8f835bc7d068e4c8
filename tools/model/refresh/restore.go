package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// errParity is a refresh whose compiled model or feature code differs from
// the library's answers or the user's Python on some ride.
var errParity = errors.New("parity tests failed")

// snapshot copies the artifacts this run replaces (cfg.artifacts, if there
// are any) to cfg.build/before, so that a refresh that fails its parity
// tests can put them back (restore).
func snapshot(cfg config) (string, error) {
	before := filepath.Join(cfg.build, "before")
	if err := os.RemoveAll(before); err != nil {
		return "", err
	}
	if _, err := os.Stat(cfg.artifacts); errors.Is(err, os.ErrNotExist) {
		return before, nil
	}
	return before, command.Run(nil, "cp", "-r", cfg.artifacts, before)
}

// restore undoes a refresh that failed its parity tests: its report goes
// to cfg.build, the artifacts are put back as snapshot found them (none,
// for a shadow there was not) and cfg.pkg is generated from them again,
// so that no file of the repository has changed.
func restore(cfg config, before string, failure error) error {
	for _, ext := range []string{".md", ".png"} {
		name := cfg.report + ext
		if err := os.Rename(filepath.Join(cfg.artifacts, name), filepath.Join(cfg.build, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.RemoveAll(cfg.artifacts); err != nil {
		return err
	}
	if _, err := os.Stat(before); err == nil {
		if err := command.Run(nil, "cp", "-r", before, cfg.artifacts); err != nil {
			return err
		}
	}
	if err := command.Run(nil, "go", "generate", cfg.pkg); err != nil {
		return err
	}
	return fmt.Errorf("%w; nothing changed: %s and %s are as before (the failed run's report: %s/%s.md)",
		failure, cfg.artifacts, cfg.pkg, cfg.build, cfg.report)
}
