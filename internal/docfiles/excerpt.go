package docfiles

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Excerpt is the fenced block that follows the line containing after in
// doc: a program's output as the doc quotes it, line by line.
func Excerpt(doc, after string) ([]string, error) {
	text, err := Read(doc)
	if err != nil {
		return nil, err
	}
	_, rest, ok := strings.Cut(text, after)
	if ok {
		_, rest, ok = strings.Cut(rest, "```\n")
	}
	block, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s has no fenced block after %q", doc, after)
	}
	return strings.Split(strings.TrimSuffix(block, "\n"), "\n"), nil
}

// NotIn are the lines of excerpt that no line of output matches. A line
// "..." stands for lines left out; "..." within a line, for any text (a
// path, a sequence number).
func NotIn(excerpt []string, output string) []string {
	lines := strings.Split(output, "\n")
	var missing []string
	for _, want := range excerpt {
		if want == "..." {
			continue
		}
		parts := strings.Split(want, "...")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
		if !containsMatch(lines, re) {
			missing = append(missing, want)
		}
	}
	return missing
}

func containsMatch(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// CheckExcerpt fails tb for each line of doc's excerpt after the line
// containing after that output does not have (NotIn), so that the figures
// a doc quotes from a program's output are a test run's.
func CheckExcerpt(tb testing.TB, doc, after, output string) {
	tb.Helper()
	excerpt, err := Excerpt(doc, after)
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range NotIn(excerpt, output) {
		tb.Errorf("%s quotes a line this run's output does not have:\n%s\n--- the output:\n%s", doc, line, output)
	}
}
