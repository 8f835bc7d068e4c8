package workcopy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo copies the repository the test runs in into a temporary directory
// (tmp/repo), with the CSVs derived from the committed Parquet: the
// original's when it has them, made otherwise. The original's build/venv,
// if it has one, is linked in, so that make deps in the copy finds it
// installed instead of installing a venv of its own.
func Repo(tb testing.TB) (tmp, repo string) {
	tb.Helper()
	root, repo := copyRoot(tb)
	var targets []string
	for _, m := range []string{"2022-01", "2022-02"} {
		for _, name := range []string{m + ".csv", m + ".rides.jsonl"} {
			if data, err := os.ReadFile(filepath.Join(root, "build", "model", name)); err == nil {
				os.MkdirAll(filepath.Join(repo, "build", "model"), 0o755)
				os.WriteFile(filepath.Join(repo, "build", "model", name), data, 0o644)
			}
			targets = append(targets, "build/model/"+name)
		}
	}
	Run(tb, repo, nil, append([]string{"make", "--no-print-directory"}, targets...)...)
	return filepath.Dir(repo), repo
}

// Fresh copies the repository the test runs in as a fresh clone would
// be: the files git tracks (as edited), nothing built, committed in a git
// repository of its own (make undo-refresh needs one), with the
// original's build/venv linked in as Repo links it. docs/doctest runs the
// docs' shell blocks in one.
func Fresh(tb testing.TB) (repo string) {
	tb.Helper()
	_, repo = copyRoot(tb)
	Git(tb, repo)
	return repo
}

// copyRoot copies the repository the test runs in (root) to a temporary
// tmp/repo and links root's build/venv in, if it has one.
func copyRoot(tb testing.TB) (root, repo string) {
	tb.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		tb.Fatalf("git rev-parse: %v", err)
	}
	root = strings.TrimSpace(string(out))
	repo = filepath.Join(tb.TempDir(), "repo")
	if err := Copy(root, repo); err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "build", "venv", "bin")); err == nil {
		os.MkdirAll(filepath.Join(repo, "build"), 0o755)
		if err := os.Symlink(filepath.Join(root, "build", "venv"), filepath.Join(repo, "build", "venv")); err != nil {
			tb.Fatal(err)
		}
	}
	return root, repo
}

// Run runs a command in dir with env added and returns its output; it fails
// the test, with the output, if the command fails.
func Run(tb testing.TB, dir string, env []string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Git makes the copy at repo a git repository with everything committed,
// so that a test can check what a command changed (git status), and
// returns a runner of git commands there.
func Git(tb testing.TB, repo string) func(args ...string) string {
	tb.Helper()
	git := func(args ...string) string {
		tb.Helper()
		return Run(tb, repo, nil, append([]string{"git", "-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "copy")
	return git
}
