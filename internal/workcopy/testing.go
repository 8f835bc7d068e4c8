package workcopy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
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

// oneThread keeps OpenMP (sklearn's HistGradientBoosting, LightGBM) on one
// thread in what Run starts: the reference answers are one thread's
// anyway, and on a shared machine OpenMP's waiting threads spin, which
// took ten times the CPU of one thread to train the same bytes (env can
// still say otherwise: its entries come last).
const oneThread = "OMP_NUM_THREADS=1"

// Run runs a command in dir with env added and returns its output; it fails
// the test, with the output, if the command fails.
func Run(tb testing.TB, dir string, env []string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), oneThread), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if testing.Verbose() {
		tb.Logf("%s: %.1fs, %.1f CPU-s", strings.Join(args, " "), time.Since(start).Seconds(),
			(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
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

// ThinRides keeps one ride in every `every` of the copy's months, in
// order: of each build/model/*.rides.jsonl (which make refresh writes its
// golden answers for) and, row for row, of each build/model/*.csv (its
// report's validation rides), and of the serving model's committed golden
// answers, renumbered, so that the report compares the old model and the
// new on the same rides. A test that ships many models then checks each on
// fewer rides: the parity contract is per ride, so each kept ride is
// checked as before, and the edge cases, built from each model's own
// thresholds, stay whole. Call it before Git, so that the copy's commit
// holds the thinned answers. It returns the environment make check-model
// needs in the copy: test_walker.py's floor on the golden rides
// (GOLDEN_MIN_RIDES, 130,000 of the 131,894), lowered in proportion.
func ThinRides(tb testing.TB, repo string, every int) (env []string) {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(repo, "build", "model", "*.rides.jsonl"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no build/model/*.rides.jsonl in %s (%v)", repo, err)
	}
	csvs, _ := filepath.Glob(filepath.Join(repo, "build", "model", "*.csv"))
	for _, file := range append(files, csvs...) {
		header := 0
		if strings.HasSuffix(file, ".csv") {
			header = 1
		}
		if err := thinLines(file, every, header); err != nil {
			tb.Fatal(err)
		}
	}
	if err := thinGolden(filepath.Join(repo, "model-export", "artifacts", "golden", "rides.jsonl.gz"), every); err != nil {
		tb.Fatal(err)
	}
	return []string{"GOLDEN_MIN_RIDES=" + strconv.Itoa(130_000/every)}
}

// thinLines rewrites file with its first header lines and one line in
// every `every` of the rest.
func thinLines(file string, every, header int) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(data), "\n")
	kept := lines[:header]
	for i, line := range lines[header:] {
		if i%every == 0 && line != "" {
			kept = append(kept, line)
		}
	}
	return os.WriteFile(file, []byte(strings.Join(kept, "")), 0o644)
}

// goldenRow is the ride number of a line of golden.py's rides.jsonl.gz.
var goldenRow = regexp.MustCompile(`"row": (\d+),`)

// thinGolden keeps the golden answers of the rides thinLines keeps (row a
// multiple of every), renumbered as they are in the thinned files.
func thinGolden(file string, every int) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := goldenRow.FindStringSubmatchIndex(sc.Text())
		if m == nil {
			return fmt.Errorf("%s: a line without its row: %.80s", file, sc.Text())
		}
		line := sc.Text()
		row, _ := strconv.Atoi(line[m[2]:m[3]])
		if row%every == 0 {
			fmt.Fprintf(zw, "%s%d%s\n", line[:m[2]], row/every, line[m[3]:])
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(file, out.Bytes(), 0o644)
}

// Origin is model-export/artifacts/provenance.json's origin in the
// repository at repo: "trained" for the seed (make model), "imported" for
// a model shipped by make refresh.
func Origin(tb testing.TB, repo string) string {
	tb.Helper()
	var prov struct {
		Origin string `json:"origin"`
	}
	data, err := os.ReadFile(filepath.Join(repo, "model-export", "artifacts", "provenance.json"))
	if err == nil {
		err = json.Unmarshal(data, &prov)
	}
	if err != nil {
		tb.Fatalf("provenance.json: %v", err)
	}
	return prov.Origin
}
