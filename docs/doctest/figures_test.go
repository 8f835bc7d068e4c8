package doctest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// figure is a number followed by a unit of time, size, rate, ratio or
// share, or a dollar amount: what a measurement or a cost computed from
// one looks like in prose.
// Whether the characters either side end it (not x86, not 2 shards) is
// checked apart, as RE2 has no look-around.
var figure = regexp.MustCompile(`\$\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?(?:\s?[–-]\s?\d[\d,]*(?:\.\d+)?)?\s?(?:ns|µs|ms|minutes|min|seconds|s|MiB|MB|GiB|GB|KiB|KB|rides/s|x|%)`)

// constants are the figures prose may quote although they have a unit:
// limits and prices AWS publishes, and settings this repository chooses.
// Each is the same whatever a run measures.
var constants = map[string]string{
	"6 MB":       "Lambda's invocation payload limit",
	"6 MiB":      "Lambda's invocation payload limit",
	"1 MiB":      "a Kinesis record's size limit, and a shard's write limit a second",
	"2 MiB":      "a Kinesis shard's read limit a second",
	"1 MB":       "a Kinesis shard's write limit a second, as AWS writes it",
	"25 KB":      "a Kinesis PUT payload unit",
	"50 MB":      "Lambda's direct-upload zip limit",
	"15 minutes": "Lambda's longest timeout (and redrive's -batch-timeout, one invocation's worth)",
	"1,769 MB":   "the memory size at which Lambda gives a full vCPU",
	"128 MB":     "a memory size (setting)",
	"256 MB":     "a memory size (setting): the template's default",
}

// settings are figures this repository sets, each quoted where the file
// that sets it says so: TestSettingsHold fails when the file no longer
// holds the text, so that the doc cannot keep a setting that changed.
var settings = map[string]struct{ file, holds string }{
	"30 s":      {"template.yaml", "Timeout: 30"},                      // the function's time-out
	"5 minutes": {"template.yaml", "Period: 300"},                      // the alarms' period
	"10 %":      {"template.yaml", "Canary10Percent5Minutes"},          // a canary DeploymentType
	"64 KiB":    {"handler/deadletter.go", "maxLoggedData = 64 << 10"}, // a dead letter's logged data
	"256 KiB":   {"handler/deadletter.go", "maxDeadLetterData  = 256 << 10"},
	"4 KiB":     {"handler/deadletter.go", "maxDeadLetterField = 4 << 10"},
	"460 KiB":   {"handler/deadletter.go", "under 460 KiB"}, // what the two above add up to
	"16 MiB":    {"handler/fanout.go", "maxInvocationBytes   = 16 << 20"},
	"5%":        {"model-export/reference.py", "5%, 10%, ..., 95% quantiles"}, // the drift reference's quantiles
	"10%":       {"model-export/reference.py", "5%, 10%, ..., 95% quantiles"},
	"95%":       {"model-export/reference.py", "5%, 10%, ..., 95% quantiles"},
}

// limitSigns before a figure make it a goal or a limit (≤ 3 µs), not a
// measurement.
const limitSigns = "≤≥<>"

// TestFiguresHaveASource: a measured figure in a doc sits in a section
// that a tool generates from its stored results (<!-- begin: NAME -->, so
// that a test compares it with its file), or in a fenced block (commands
// and their output, where README's demo block is generated too). Prose
// elsewhere states goals and limits (after ≤ ≥ < >, or one of constants)
// and points at a table's row for the measurement.
func TestFiguresHaveASource(t *testing.T) {
	n := 0
	for _, doc := range docfiles.MustAll(t) {
		for _, f := range proseFigures(docfiles.MustRead(t, doc)) {
			t.Errorf("%s:%d: %q is a measured figure outside a generated section: generate the sentence from the results file, or point at the table's row", doc, f.line, f.text)
			n++
		}
	}
	if n > 0 {
		t.Logf("%d figures outside generated sections", n)
	}
}

// proseFigure is one figure found in prose.
type proseFigure struct {
	line int
	text string
}

// proseFigures are the figures in doc's prose: outside generated sections,
// fenced blocks and code spans, and neither goals nor constants.
func proseFigures(doc string) []proseFigure {
	var out []proseFigure
	inSection, inFence := false, false
	for i, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "<!-- begin: "):
			inSection = true
		case line == "<!-- end -->":
			inSection = false
		case strings.HasPrefix(line, "```"):
			inFence = !inFence
		}
		if inSection || inFence {
			continue
		}
		for _, f := range figuresIn(line) {
			out = append(out, proseFigure{i + 1, f})
		}
	}
	return out
}

// figuresIn are the figures of one line of prose, code spans left out.
func figuresIn(line string) []string {
	var out []string
	spans := strings.Split(line, "`")
	for i := 0; i < len(spans); i += 2 {
		text := spans[i]
		for _, m := range figure.FindAllStringIndex(text, -1) {
			f := text[m[0]:m[1]]
			if !whole(text, m[0], m[1]) {
				continue
			}
			_, constant := constants[f]
			_, setting := settings[f]
			if constant || setting || isLimit(text[:m[0]]) {
				continue
			}
			out = append(out, f)
		}
	}
	return out
}

// whole: text[start:end] is not part of a longer word or number.
func whole(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	inWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
	return (start == 0 || !inWord(before) && before != '.' && before != ',') &&
		(end == len(text) || !inWord(after) && after != '/')
}

// isLimit: the text before a figure ends in a limit sign (≤ 3 µs).
func isLimit(before string) bool {
	before = strings.TrimRight(before, " ")
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune(limitSigns, r)
}

func TestSettingsHold(t *testing.T) {
	for f, s := range settings {
		if !strings.Contains(docfiles.MustRead(t, s.file), s.holds) {
			t.Errorf("the docs may quote %q as a setting of %s, which no longer holds %q", f, s.file, s.holds)
		}
	}
}

func TestFiguresIn(t *testing.T) {
	for line, want := range map[string]string{
		"took 6.79 µs against 2,736 µs":              "[6.79 µs 2,736 µs]",
		"4,010–6,015 rides/s, 2151x faster":          "[4,010–6,015 rides/s 2151x]",
		"`Predict` ≤ 3 µs, < 15 MB, a 6 MB event":    "[]",
		"costs $0.0526 a million, 55% of it":         "[$0.0526 55%]",
		"`go test -bench 10s` on x86_64 in 2 shards": "[]",
		"peaks at 48 MiB; 1.5 s; 2 min 2 s":          "[48 MiB 1.5 s 2 min 2 s]",
	} {
		if got := fmt.Sprint(figuresIn(line)); got != want {
			t.Errorf("figuresIn(%q) = %s, want %s", line, got, want)
		}
	}
}
