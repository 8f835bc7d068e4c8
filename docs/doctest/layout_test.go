package doctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// TestLayoutTable: README's layout table (below <!-- layout -->) has a
// row for every top-level folder git tracks and for every tools/ group,
// and each group's row names each of its commands; every folder a row
// names exists.
func TestLayoutTable(t *testing.T) {
	rows := layoutRows(t)
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	folders := map[string]bool{}
	commands := map[string][]string{} // tools/GROUP/ -> its commands
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(f, "/")
		if len(parts) < 2 {
			continue
		}
		folders[parts[0]+"/"] = true
		if parts[0] == "tools" && len(parts) >= 4 {
			group := "tools/" + parts[1] + "/"
			folders[group] = true
			if parts[1] != "internal" && !slices.Contains(commands[group], parts[2]) {
				commands[group] = append(commands[group], parts[2])
			}
		}
	}
	for folder := range folders {
		if folder == "tools/" {
			continue // its groups have rows
		}
		what, ok := rows[folder]
		if !ok {
			t.Errorf("README's layout table has no row for %s", folder)
			continue
		}
		for _, c := range commands[folder] {
			if !strings.Contains(what, "`"+c+"`") {
				t.Errorf("README's layout row for %s does not name %s", folder, c)
			}
		}
	}
	for folder := range rows {
		if _, err := os.Stat(filepath.Join(root, folder)); err != nil {
			t.Errorf("README's layout table names %s, which is not here", folder)
		}
	}
}

var layoutPath = regexp.MustCompile("`([^`]+/)`")

// layoutRows are README's layout rows by each folder their first cell
// names (a row may name several), each with the row's text.
func layoutRows(t *testing.T) map[string]string {
	t.Helper()
	_, table, ok := strings.Cut(docfiles.MustRead(t, "README.md"), "<!-- layout -->\n")
	if !ok {
		t.Fatal("README.md has no <!-- layout --> table")
	}
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range layoutPath.FindAllStringSubmatch(cells[1], -1) {
			rows[m[1]] = line
		}
	}
	if len(rows) == 0 {
		t.Fatal("README.md's layout table has no rows")
	}
	return rows
}

// TestReadmeOneScreen: README is a front door, at most 150 lines; the rest
// lives in the guides it links to.
func TestReadmeOneScreen(t *testing.T) {
	if n := strings.Count(docfiles.MustRead(t, "README.md"), "\n"); n > 150 {
		t.Errorf("README.md is %d lines; keep it to 150 and move the rest into docs/", n)
	}
}
