package rehearse

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// deployOps are the aws lambda operations that change what serves: the
// code, the settings, the versions, the alias.
var deployOps = []string{"update-function-code", "update-function-configuration", "publish-version",
	"create-alias", "update-alias", "delete-alias", "put-function-concurrency", "put-provisioned-concurrency-config"}

// unrehearsed are the deploy commands the docs may show without the
// rehearsal running them, each with why. TestOneWayToDeploy fails when one
// is no longer in the docs, so that the list cannot outlive its reason.
var unrehearsed = map[string]string{}

// TestOneWayToDeploy: README, docs/ and DEPLOY.md show one way to ship a new
// build or model, DEPLOY.md's rehearsed roll-forward (issue 30, finding 9:
// README's own commands never moved the alias live, so the old model kept
// serving). Every command in their shell blocks that changes the
// function's code, settings, versions or alias is one that the rehearsal
// runs (a block marked <!-- rehearse --> or <!-- rehearse: NAME -->), as
// written, or one of unrehearsed; README and docs/ show none, and
// docs/model.md links to the roll-forward. And every command that invokes the function, aws lambda
// invoke or tools/operate/redrive, invokes the alias live, as the mapping does:
// the bare name is $LATEST, which after a rollback is the code rolled back.
func TestOneWayToDeploy(t *testing.T) {
	rehearsed := map[string]bool{}
	for _, doc := range docfiles.MustGuides(t) {
		for _, b := range shellBlocks(t, doc) {
			if b.rehearsed {
				for _, c := range commands(b.text) {
					rehearsed[c] = true
				}
			}
		}
	}
	used := map[string]bool{}
	for _, doc := range docfiles.MustGuides(t) {
		for _, b := range shellBlocks(t, doc) {
			for _, c := range commands(b.text) {
				op := lambdaOp(c)
				switch {
				case op == "invoke" && !strings.Contains(c, "--function-name ride-duration-prediction:live "):
					t.Errorf("%s invokes the function by another name than its alias ride-duration-prediction:live:\n%s", doc, c)
				case strings.Contains(c, "go run ./tools/operate/redrive") && !strings.Contains(c, "-function ride-duration-prediction:live"):
					t.Errorf("%s runs tools/operate/redrive on another function than the alias ride-duration-prediction:live:\n%s", doc, c)
				case !slices.Contains(deployOps, op):
				case doc != "DEPLOY.md":
					t.Errorf("%s shows a deploy command; it should link to DEPLOY.md's roll-forward instead:\n%s", doc, c)
				case rehearsed[c]:
				case unrehearsed[c] != "":
					used[c] = true
				default:
					t.Errorf("%s shows a deploy command that the rehearsal does not run:\n%s", doc, c)
				}
			}
		}
	}
	for c := range unrehearsed {
		if !used[c] {
			t.Errorf("unrehearsed lists a command the docs no longer show: %s", c)
		}
	}
	if !strings.Contains(docfiles.MustRead(t, "docs/model.md"), "(../DEPLOY.md#a-new-build-or-model-the-roll-forward)") ||
		!strings.Contains(docfiles.MustRead(t, "DEPLOY.md"), "\n### A new build or model: the roll-forward\n") {
		t.Error("docs/model.md does not link to DEPLOY.md's roll-forward (#a-new-build-or-model-the-roll-forward), or DEPLOY.md lost that heading")
	}
	roll := commands(blocks(t, "roll-forward"))
	for _, op := range []string{"update-function-code", "wait function-updated-v2", "update-function-configuration", "publish-version", "update-alias"} {
		if !slices.ContainsFunc(roll, func(c string) bool {
			return strings.HasPrefix(c, "aws lambda "+op+" ") || strings.Contains(c, "$(aws lambda "+op+" ")
		}) {
			t.Errorf("the roll-forward block lacks aws lambda %s", op)
		}
	}
}

// block is one shell block of a doc.
type block struct {
	text      string
	rehearsed bool // marked <!-- rehearse --> or <!-- rehearse: NAME -->
}

var fence = regexp.MustCompile("(?m)^(<!-- rehearse(?::[^>]*)? -->\n)?(?:<!-- [^>]* -->\n)?```(?:sh|bash|console)?\n((?s:.*?))^```")

// shellBlocks are the fenced code blocks of doc (in the repository's root).
func shellBlocks(t *testing.T, doc string) []block {
	t.Helper()
	var out []block
	for _, m := range fence.FindAllStringSubmatch(docfiles.MustRead(t, doc), -1) {
		out = append(out, block{text: m[2], rehearsed: m[1] != ""})
	}
	return out
}

// commands are a script's commands, one a line: continuation lines
// joined, comments and surrounding space dropped, runs of space as one.
func commands(script string) []string {
	var out []string
	joined := strings.ReplaceAll(script, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if i := strings.Index(line, "  #"); i >= 0 {
			line = line[:i]
		}
		line = strings.Join(strings.Fields(line), " ")
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// lambdaOp is the aws lambda operation a command runs, if any (also in a
// $(...) or after a pipe).
func lambdaOp(c string) string {
	_, rest, ok := strings.Cut(c, "aws lambda ")
	if !ok {
		return ""
	}
	op, _, _ := strings.Cut(rest, " ")
	return op
}
