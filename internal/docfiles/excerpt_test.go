package docfiles

import (
	"slices"
	"strings"
	"testing"
)

func TestNotIn(t *testing.T) {
	output := "| origin | imported from `/tmp/x/mlruns/1/artifacts` |\n| nodes | 165,083 |\n\n**RMSE** moves\nmax 11.522 min (`shardId-000000000003:4968123`)"
	excerpt := []string{"| origin | imported from `.../mlruns/1/artifacts` |", "...", "| nodes | 165,083 |", "", "max 11.522 min (`shardId-...`)"}
	if got := NotIn(excerpt, output); len(got) != 0 {
		t.Errorf("NotIn = %q, want none", got)
	}
	stale := []string{"| nodes | 165,084 |", "| origin | imported from `.../mlruns/2/artifacts` |", "**RMSE** move"}
	if got := NotIn(stale, output); !slices.Equal(got, stale) {
		t.Errorf("NotIn(stale lines) = %q, want all of them", got)
	}
}

func TestExcerpt(t *testing.T) {
	lines, err := Excerpt("README.md", "<!-- begin: demo -->")
	if err != nil || len(lines) == 0 || !strings.HasPrefix(lines[0], "rides sent ") {
		t.Errorf("Excerpt(README.md's demo) = %q, %v", lines, err)
	}
	if _, err := Excerpt("README.md", "no such line in the README"); err == nil {
		t.Error("Excerpt after a line the doc lacks: no error")
	}
}
