package doctest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// block is one fenced shell block of a doc.
type block struct {
	doc    string // relative to the root
	line   int    // of the opening fence
	marker string // the HTML comment on the line above, without <!-- -->, or ""
	text   string
}

// kind is how a block is checked: "run" (in a copy of the repository),
// "parse" (bash -n and the checks every block gets; the marker says why it
// is not run), "aws" (its aws commands against AWS CLI v2's help),
// "rehearse" (tools/deploy/rehearse runs it), or "test" (the test that
// runs it by its marker: TestOriginalCLIWorkflow's cli-workflow:NAME,
// TestRefreshMLflowURIs's mlflow-workflow).
func (b block) kind() string {
	switch m := b.marker; {
	case strings.HasPrefix(m, "rehearse"):
		return "rehearse"
	case strings.HasPrefix(m, "cli-workflow:"), m == "mlflow-workflow":
		return "test"
	case m == "doctest: run", m == "doctest: aws":
		return strings.TrimPrefix(m, "doctest: ")
	case strings.HasPrefix(m, "doctest: parse ("):
		return "parse"
	}
	return ""
}

func (b block) String() string { return b.doc + ":" + strconv.Itoa(b.line) }

var (
	openFence = regexp.MustCompile("^```(sh|bash|console)\\s*$")
	comment   = regexp.MustCompile(`^<!-- (.*) -->$`)
)

// shellBlocks are the sh, bash and console blocks of every doc, in order.
func shellBlocks(t *testing.T) []block {
	t.Helper()
	var out []block
	for _, doc := range docfiles.MustGuides(t) {
		lines := strings.Split(docfiles.MustRead(t, doc), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "```") {
				continue
			}
			start := i
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			}
			if !openFence.MatchString(lines[start]) {
				continue
			}
			b := block{doc: doc, line: start + 1, text: strings.Join(lines[start+1:i], "\n") + "\n"}
			if start > 0 {
				if m := comment.FindStringSubmatch(lines[start-1]); m != nil {
					b.marker = m[1]
				}
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no shell blocks in the docs")
	}
	return out
}

// commands are a script's commands, one a line: continuation lines
// joined, comments dropped, runs of space as one.
func commands(script string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(script, "\\\n", " "), "\n") {
		if i := strings.Index(line, " #"); i >= 0 && !strings.Contains(line[:i], "'") {
			line = line[:i]
		}
		line = strings.Join(strings.Fields(line), " ")
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
