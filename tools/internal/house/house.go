// Package house measures the hand-written Go and Python of this repository
// against the house rules of issue 31: no non-test file over MaxFileLines
// lines and no function over MaxFuncLines. Its test holds the repository to
// them; generated code (Go's "Code generated ... DO NOT EDIT." line) and
// test fixtures (testdata/ folders) are not hand-written, so they do not count.
package house

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The house rules' limits.
const (
	MaxFileLines = 350
	MaxFuncLines = 80
)

// Python is the interpreter whose ast module measures Python functions
// (Debian's, as the Makefile's PY).
var Python = "/usr/bin/python3"

// Func is one function and its length in lines, from the line of its
// def or func keyword to its last line (its doc comment and decorators
// not counted).
type Func struct {
	File  string // relative to the repository's root, with slashes
	Name  string // Go: Recv.Name or Name, func literals as Outer.func@LINE; Python: Class.name
	Line  int
	Lines int
}

// File is one hand-written source file.
type File struct {
	Path  string // relative to the repository's root, with slashes
	Lines int
	Test  bool
}

// Sources lists the Go and Python files of the work tree in root that git
// tracks or would track (not ignored), leaving out generated code and test
// fixtures.
func Sources(root string) ([]File, error) {
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var files []File
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if !isSource(name) || isFixture(name) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			return nil, err
		}
		if isGenerated(data) {
			continue
		}
		files = append(files, File{Path: name, Lines: countLines(data), Test: isTest(name)})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

func isSource(name string) bool {
	return strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".py")
}

func isFixture(name string) bool {
	return slices.Contains(strings.Split(name, "/"), "testdata")
}

// isTest: Go's _test.go files, and pytest's test_*.py and conftest.py.
func isTest(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, "_test.go") ||
		strings.HasSuffix(base, ".py") && (strings.HasPrefix(base, "test_") || base == "conftest.py")
}

// isGenerated applies Go's rule for generated files (go/ast.IsGenerated):
// a line "// Code generated ... DO NOT EDIT." before the package clause.
func isGenerated(data []byte) bool {
	for line := range bytes.Lines(data) {
		line = bytes.TrimRight(line, "\r\n")
		if bytes.HasPrefix(line, []byte("// Code generated ")) && bytes.HasSuffix(line, []byte(" DO NOT EDIT.")) {
			return true
		}
		if bytes.HasPrefix(line, []byte("package ")) {
			return false
		}
	}
	return false
}

func countLines(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// Funcs measures every function of files (in root): Go's declarations and
// function literals, Python's def (methods and nested functions too).
func Funcs(root string, files []File) ([]Func, error) {
	var py []string
	var all []Func
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			py = append(py, f.Path)
			continue
		}
		fs, err := goFuncs(root, f.Path)
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
	}
	fs, err := pyFuncs(root, py)
	if err != nil {
		return nil, err
	}
	return append(all, fs...), nil
}

func goFuncs(root, path string) ([]Func, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filepath.Join(root, path), nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var funcs []Func
	measure := func(name string, from, to token.Pos) {
		start, end := fset.Position(from).Line, fset.Position(to).Line
		funcs = append(funcs, Func{File: path, Name: name, Line: start, Lines: end - start + 1})
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		outer := "init"
		if ok {
			outer = funcName(fd)
			if fd.Body != nil {
				measure(outer, fd.Type.Func, fd.Body.End())
			}
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok {
				measure(fmt.Sprintf("%s.func@%d", outer, fset.Position(lit.Pos()).Line), lit.Pos(), lit.End())
			}
			return true
		})
	}
	return funcs, nil
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch r := t.(type) {
	case *ast.IndexExpr:
		t = r.X
	case *ast.IndexListExpr:
		t = r.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// pyMeasure prints, for each file named on its command line, one JSON
// object per function: its qualified name, first line (the def, not its
// decorators) and last line.
const pyMeasure = `
import ast, json, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    print(json.dumps({"file": path, "name": name, "line": child.lineno, "end": child.end_lineno}))
                name += "."
            walk(child, name)
    walk(tree, "")
`

func pyFuncs(root string, paths []string) ([]Func, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	cmd := exec.Command(Python, append([]string{"-c", pyMeasure}, paths...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: measuring Python functions: %w: %s", Python, err, stderr.Bytes())
	}
	var funcs []Func
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var f struct {
			File, Name string
			Line, End  int
		}
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s's function list: %w", Python, err)
		}
		funcs = append(funcs, Func{File: f.File, Name: f.Name, Line: f.Line, Lines: f.End - f.Line + 1})
	}
	return funcs, nil
}
