package makefile

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// helpGroups are make help's groups, in order, and a target each must list.
var helpGroups = []struct{ name, target string }{
	{"run", "demo"}, {"test", "test"}, {"model", "refresh"}, {"build", "deps"}, {"measure", "bench-families"}, {"deploy", "package"},
}

// TestHelpGroups: a bare make lists every documented target (a `## name:`
// comment) once, under the groups in order, with its variables expanded,
// and explains the names that mislead.
func TestHelpGroups(t *testing.T) {
	out := makeOutput(t, "--no-print-directory")
	var heads []string
	group := map[string]string{} // target -> its group
	current := ""
	for _, line := range strings.Split(out, "\n") {
		if g, _, ok := strings.Cut(line, ":"); ok && line != "" && line[0] != ' ' && !strings.HasPrefix(line, "make ") {
			current = g
			heads = append(heads, g)
			continue
		}
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(line, "  ") && line[2] != ' ' {
			if prev, ok := group[f[0]]; ok {
				t.Errorf("%s is listed twice (under %s and %s)", f[0], prev, current)
			}
			group[f[0]] = current
		}
	}
	var want []string
	for _, g := range helpGroups {
		want = append(want, g.name)
		if group[g.target] != g.name {
			t.Errorf("%s is under %q, want %q", g.target, group[g.target], g.name)
		}
	}
	if !slices.Equal(heads, want) {
		t.Errorf("groups %q, want %q:\n%s", heads, want, out)
	}
	makefile, err := os.ReadFile(proc.Root() + "/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^## ([a-z0-9-]+):`).FindAllStringSubmatch(string(makefile), -1) {
		if _, ok := group[m[1]]; !ok {
			t.Errorf("make help does not list %s", m[1])
		}
	}
	if strings.Contains(out, "$(") {
		t.Errorf("make help shows a variable unexpanded (add it to HELP_VARS):\n%s", out)
	}
	for _, explained := range []string{"Runtime Interface Emulator", "tools/measure/benchscale -families", "tools/local/demo -up", "demo-shadow"} {
		if !strings.Contains(out, explained) {
			t.Errorf("make help does not say %q", explained)
		}
	}
}

// TestArgumentCheckedFirst: make refresh and make shadow without MODEL
// print their usage and stop before any prerequisite runs: make -n would
// print deps' apt-get and pip, go mod download and the Parquet extraction
// if one were to run, and -j4 would start them beside the check.
func TestArgumentCheckedFirst(t *testing.T) {
	for _, target := range []string{"refresh", "shadow"} {
		for _, args := range [][]string{{"-n", target}, {"-n", "-j4", target}, {"-n", "deps", target}} {
			cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
			cmd.Dir = proc.Root()
			cmd.Env = append(withoutModel(), "MODEL=")
			out, err := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
				t.Errorf("make %s without MODEL: exit %d (%v), want 2", strings.Join(args, " "), code, err)
			}
			if !strings.HasPrefix(string(out), "usage: make "+target+" MODEL=") {
				t.Errorf("make %s does not start with its usage:\n%s", strings.Join(args, " "), out)
			}
			for _, ran := range []string{"apt-get", "pip", "go mod download", "tools/model/extract", "train.py"} {
				if strings.Contains(string(out), ran) {
					t.Errorf("make %s without MODEL runs %s first:\n%s", strings.Join(args, " "), ran, out)
				}
			}
		}
	}
}

// makeOutput runs make with args in the repository and returns its output.
func makeOutput(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", args...)
	cmd.Dir = proc.Root()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// withoutModel is this process's environment without MODEL.
func withoutModel() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "MODEL=") })
}
