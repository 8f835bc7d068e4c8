package main

// The pipeline: from the forest JSON's path to the files of its package.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// generateFile compiles the forest JSON at model (and its reference, if
// any) into the files of the package in dir, handed to out; the banners
// name model by its path relative to dir. With cfg.Optional, an absent
// model makes a package that holds none.
func generateFile(model, reference, dir string, cfg Config, out func(File) error) error {
	source, err := filepath.Rel(dir, model)
	if err != nil {
		source = model
	}
	source = filepath.ToSlash(source)
	f, err := os.Open(model)
	switch {
	case cfg.Optional && errors.Is(err, fs.ErrNotExist):
		return EmitNone(source, cfg, out)
	case err != nil:
		return err
	}
	defer f.Close()
	first := make([]byte, 1)
	f.Read(first)
	if first[0] == 0x80 || strings.HasSuffix(model, ".pkl") || isDir(model) {
		return fmt.Errorf("%s is a pickle or an MLflow model, not forest JSON; export it first:\n"+
			"\t/usr/bin/python3 model-export/export.py --model %s --out forest.json\n"+
			"or ship it with make refresh MODEL=%s", model, model, model)
	}
	ref, err := readReference(reference, dir)
	if err != nil {
		return err
	}
	if err := generate(source, f, ref, cfg, out); err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	return nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// generate runs the stages: survey the forest (validating it), plan, then
// read it again, tree by tree, to lay out and emit to out. Memory holds the
// trees in flight, not the model. source names the forest in the generated
// files' banners. ref, if not nil, must be the reference of this forest.
func generate(source string, model io.ReadSeeker, ref *Reference, cfg Config, out func(File) error) error {
	sum := sha256.New()
	if _, err := model.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(sum, model); err != nil {
		return err
	}
	var s Survey
	read := func(visit func(i int, t *Tree) error) (*Header, []Feature, error) {
		if _, err := model.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		return ReadForest(model, visit)
	}
	h, features, err := read(func(_ int, t *Tree) error {
		s.Add(t)
		return nil
	})
	if err != nil {
		return err
	}
	modelSHA := hex.EncodeToString(sum.Sum(nil))
	if ref != nil && ref.ForestSHA256 != modelSHA {
		return fmt.Errorf("the reference %s is of the forest with sha256 %s, not of this one (%s): golden.py --reference makes it anew", ref.Path, ref.ForestSHA256, modelSHA)
	}
	plan, err := NewPlan(source, modelSHA, h, features, &s)
	if err != nil {
		return err
	}
	plan.Reference = ref
	plan.Trees = func(yield func(*Node, error) bool) {
		_, _, err := read(func(_ int, t *Tree) error {
			if !yield(plan.node(t, features, 0), nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && err != errStopped {
			yield(nil, err)
		}
	}
	return Emit(plan, cfg, out)
}

// readReference reads the reference at path, if any, named in the output
// by its path relative to out.
func readReference(path, out string) (*Reference, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ref, err := ReadReference(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ref.Path, err = filepath.Rel(out, path); err != nil {
		ref.Path = path
	}
	ref.Path = filepath.ToSlash(ref.Path)
	return ref, nil
}

// importPath is dir's import path, from the go.mod above it.
func importPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for mod := abs; ; mod = filepath.Dir(mod) {
		data, err := os.ReadFile(filepath.Join(mod, "go.mod"))
		if err == nil {
			rel, _ := filepath.Rel(mod, abs)
			return strings.TrimSuffix(modfile.ModulePath(data)+"/"+filepath.ToSlash(rel), "/."), nil
		}
		if filepath.Dir(mod) == mod {
			return "", fmt.Errorf("%s is in no Go module (no go.mod above it)", dir)
		}
	}
}
