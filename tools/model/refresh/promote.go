package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// promoteShadow makes the shadow the serving model, from the shadow's own
// artifacts (no export): it moves them over the serving model's, removes
// the shadow, regenerates both packages, runs the parity tests and writes
// the refresh report, old serving model against the new.
func promoteShadow(cfg config) error {
	shadowForest := filepath.Join(shadowArtifacts, "forest.json")
	if _, err := os.Stat(shadowForest); err != nil {
		return fmt.Errorf("no shadow to promote (make shadow MODEL=PATH ships one): %w", err)
	}
	old, err := keepServing(cfg)
	if err != nil {
		return err
	}
	if err := removeAll(cfg.serving, trainedHere...); err != nil {
		return err
	}
	if err := removeAll(cfg.serving, shippedFiles...); err != nil {
		return err
	}
	for _, name := range shippedFiles {
		if err := os.Rename(filepath.Join(shadowArtifacts, name), filepath.Join(cfg.serving, name)); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(shadowArtifacts); err != nil {
		return err
	}
	// The shadow's package goes back to holding no model; then the serving
	// one is compiled from what was the shadow's.
	if err := command.Run(nil, "go", "generate", shadowPkg); err != nil {
		return err
	}
	if err := compileAndReport(cfg, old, servingPkg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nrefresh: promoted the shadow to serving; report in %s/refresh.md. Next: make test, make package, deploy (DEPLOY.md, the roll-forward).\n"+
		"refresh: to undo, make undo-refresh (back to the model committed in git)\n", cfg.serving)
	return nil
}
