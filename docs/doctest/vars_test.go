package doctest

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// allowedVars are the variables a block may use without setting them,
// each with why: the reader's shell has them.
var allowedVars = map[string]string{
	"AWS_REGION":       "the AWS CLI's and SDK's region, which DEPLOY.md asks the reader to set (its first rehearsed block exports it)",
	"AWS_ENDPOINT_URL": "printed by make up for the shell that runs docs/local.md's CLI workflow (TestOriginalCLIWorkflow sets it so)",
}

// TestShellBlocks: every shell block is marked with how it is checked
// (kind), parses under bash -n, and sets every variable it uses, except
// those in allowedVars and those it reads with a default (${X:-...},
// ${X-...}, ${X:+...}, ${X+...}). DEPLOY.md's unnamed <!-- rehearse -->
// blocks run as one script (tools/deploy/rehearse), so they count as one.
func TestShellBlocks(t *testing.T) {
	blocks := shellBlocks(t)
	rehearsal := ""
	for _, b := range blocks {
		if b.marker == "rehearse" {
			rehearsal += b.text
		}
	}
	for _, b := range blocks {
		if b.kind() == "" {
			t.Errorf("%s: shell block without a marker saying how it is checked (<!-- doctest: run -->, <!-- doctest: aws -->, <!-- doctest: parse (why) -->):\n%s", b, b.text)
		}
		if out, err := exec.Command("bash", "-n", "-c", b.text).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", b, err, out)
		}
		scope := b.text
		if b.marker == "rehearse" {
			scope = rehearsal
		}
		set := setVars(scope)
		for _, v := range usedVars(b.text) {
			if !slices.Contains(set, v) && allowedVars[v] == "" {
				t.Errorf("%s: uses $%s, which the block does not set (set it there, or list it in allowedVars with why)", b, v)
			}
		}
	}
}

var (
	setVar = regexp.MustCompile(`(?:^|[\s;&|(])(?:export\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=`)
	forVar = regexp.MustCompile(`\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b`)
	useVar = regexp.MustCompile(`^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([:]?[-+=?])?|([A-Za-z_][A-Za-z0-9_]*))`)
)

// setVars are the variables a script assigns or loops over.
func setVars(script string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{setVar, forVar} {
		for _, m := range re.FindAllStringSubmatch(script, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// usedVars are the variables a script expands without a default, outside
// single quotes (where the shell expands nothing: jq's and Python's own $
// and text stay theirs).
func usedVars(script string) []string {
	var out []string
	single, double := false, false
	for i := 0; i < len(script); i++ {
		switch c := script[i]; {
		case c == '\\' && !single:
			i++
		case c == '\'' && !double:
			single = !single
		case c == '"' && !single:
			double = !double
		case c == '#' && !single && !double && (i == 0 || script[i-1] == ' ' || script[i-1] == '\n'):
			for i < len(script) && script[i] != '\n' {
				i++
			}
		case c == '$' && !single:
			m := useVar.FindStringSubmatch(script[i:])
			switch {
			case m == nil:
			case m[2] != "": // a default: skip to its closing brace
				if j := strings.IndexByte(script[i:], '}'); j > 0 {
					i += j
				}
			case m[1] != "":
				out = append(out, m[1])
			default:
				out = append(out, m[3])
			}
		}
	}
	return out
}

func TestUsedVars(t *testing.T) {
	for _, c := range []struct {
		script string
		want   []string
	}{
		{`echo $A "${B}" '$C' "$(x $D)"`, []string{"A", "B", "D"}},
		{`echo ${E:-x} ${F+set} ${G-} $1 $$ # $H`, nil},
		{`jq --arg run "$RUN" '.a |= $run'`, []string{"RUN"}},
		{`x='{"a": "'$Q'"}'`, []string{"Q"}},
		{`N=${T:+--x $T} $U`, []string{"U"}},
	} {
		if got := usedVars(c.script); !slices.Equal(got, c.want) {
			t.Errorf("usedVars(%s) = %q, want %q", c.script, got, c.want)
		}
	}
	if got := setVars("A=1\nexport B=$(x)\nfor C in 1; do D=2 x; done"); !slices.Equal(got, []string{"A", "B", "D", "C"}) {
		t.Errorf("setVars = %q", got)
	}
}
