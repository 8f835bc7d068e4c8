// Package docsection keeps a document's generated tables in step with the
// stored results they come from. A generated section of a Markdown file
// lies between a line <!-- begin: NAME --> and the next line <!-- end -->
// (HTML comments, which a Markdown viewer hides): the tool that owns the
// section rewrites what lies between them (Update), and its test fails
// when they differ from what it would write (Diff). CAPACITY.md's tables
// (tools/measure/capacity) and BENCHMARKS.md's (tools/measure/bench,
// benchscale and benchstream) work this way.
package docsection

import (
	"bytes"
	"fmt"
	"os"

	"github.com/google/go-cmp/cmp"
)

// End is the line that closes every section.
const End = "<!-- end -->"

// Begin is the line that opens the section name.
func Begin(name string) string { return "<!-- begin: " + name + " -->" }

// bounds are the offsets of the section's body in doc: after its begin
// line, up to its end line.
func bounds(doc []byte, name string) (int, int, error) {
	begin := bytes.Index(doc, []byte(Begin(name)+"\n"))
	if begin < 0 {
		return 0, 0, fmt.Errorf("no line %s", Begin(name))
	}
	begin += len(Begin(name)) + 1
	end := bytes.Index(doc[begin:], []byte(End+"\n"))
	if end < 0 && bytes.HasSuffix(doc, []byte(End)) {
		end = len(doc) - begin - len(End)
	}
	if end < 0 {
		return 0, 0, fmt.Errorf("no line %s after %s", End, Begin(name))
	}
	if end > 0 && doc[begin+end-1] != '\n' {
		return 0, 0, fmt.Errorf("%s is not on a line of its own after %s", End, Begin(name))
	}
	return begin, begin + end, nil
}

// Section is the body of the section name in doc.
func Section(doc []byte, name string) (string, error) {
	begin, end, err := bounds(doc, name)
	if err != nil {
		return "", err
	}
	return string(doc[begin:end]), nil
}

// Replace is doc with the body of the section name replaced by body, which
// ends in a newline.
func Replace(doc []byte, name, body string) ([]byte, error) {
	if body != "" && body[len(body)-1] != '\n' {
		body += "\n"
	}
	begin, end, err := bounds(doc, name)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(doc[:begin])
	b.WriteString(body)
	b.Write(doc[end:])
	return b.Bytes(), nil
}

// Update replaces the body of the section name in the file at path.
func Update(path, name, body string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := Replace(doc, name, body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// Diff compares the section name of the file at path with want: empty
// when they agree, else cmp's report (-want +got).
func Diff(path, name, want string) (string, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	got, err := Section(doc, name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if want != "" && want[len(want)-1] != '\n' {
		want += "\n"
	}
	return cmp.Diff(want, got), nil
}
