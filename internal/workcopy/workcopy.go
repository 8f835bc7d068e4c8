// Package workcopy copies this repository's work tree, as git sees it, for
// tools and tests that change a copy (another model in generated/, a refresh
// round trip) without touching the original.
package workcopy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Copy writes the files of src's work tree that git tracks or would track
// (not ignored) to dst, replacing whatever dst held. Files deleted in the
// work tree are left out.
func Copy(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	out, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files in %s: %w", src, err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		info, err := os.Stat(filepath.Join(src, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		path := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
