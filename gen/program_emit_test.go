package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/handler/pyval"
)

// tempModule makes a Go module in a temporary directory that can import
// this repository's packages (handler/pyval, which features.go calls),
// and returns a function that writes a file into it.
func tempModule(t *testing.T) (string, func(name, text string)) {
	t.Helper()
	dir := t.TempDir()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	put := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	put("go.mod", "module prop\n\ngo 1.26\n\nrequire github.com/nyc-taxi/ridepred v0.0.0\n\nreplace github.com/nyc-taxi/ridepred => "+root+"\n")
	put("go.sum", string(sum))
	return dir, put
}

// programForest is a one-leaf forest whose vectorizer reads every key the
// program writes, each categorical where categorical says: what Prepare
// makes of a ride is then all of its features.
func programForest(p *Program, categorical func(key string) bool) *Forest {
	f := &Forest{Header: Header{FormatVersion: FormatVersion, Rule: ForestRule, Program: p}}
	f.Vocabulary.Separator = "="
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if s.Key == "" || seen[s.Key] {
			continue
		}
		seen[s.Key] = true
		kind, name := "numeric", s.Key
		if categorical(s.Key) {
			kind, name = "categorical", s.Key+"=x"
		}
		f.Vocabulary.Inputs = append(f.Vocabulary.Inputs, Input{Key: s.Key, Kind: kind})
		f.Vocabulary.FeatureNames = append(f.Vocabulary.FeatureNames, name)
	}
	f.Metadata.NFeatures, f.Metadata.NTrees = len(f.Vocabulary.FeatureNames), 1
	f.Trees = []Tree{{Left: []int{-1}, Right: []int{-1}, Feature: []int{-2}, Threshold: []float64{-2}, Value: []float64{1}, Samples: []float64{1}}}
	return f
}

// vectorized is what Prepare should give for the dict evalProgram made:
// each input as DictVectorizer's rules and Features hold it, in order, as
// text ("error" when either step raised).
func vectorized(f *Forest, vals map[string]pyval.Value) string {
	var out []string
	for _, in := range f.Vocabulary.Inputs {
		v := vals[in.Key]
		if in.Kind == "categorical" {
			c, err := pyval.Category(v)
			if err != nil {
				return "error"
			}
			out = append(out, fmt.Sprintf("%q", c))
			continue
		}
		x, err := pyval.Number(v, 0)
		if err != nil || math.IsNaN(x) || math.IsInf(float64(float32(x)), 0) { // ForestRule's Validate
			return "error"
		}
		out = append(out, fmt.Sprint(math.Float64bits(x)))
	}
	return strings.Join(out, " ")
}

// TestEmittedPrograms compiles random programs of the subset (from
// features.py, as make refresh does) with gen into packages of a temporary
// module, runs their Prepare on random rides, and compares each result with
// evalProgram's dict through DictVectorizer's rules (pyval.Category and
// Number), which TestProgramsAgainstPython holds to Python: the emitted Go
// is the program.
func TestEmittedPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	py := startPython(t)
	dir, put := tempModule(t)
	r := rand.New(rand.NewPCG(3, 29))
	const programs, rides = 40, 40
	var main strings.Builder
	main.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"math\"\n\t\"reflect\"\n\n\t\"github.com/nyc-taxi/ridepred/handler/pyval\"\n")
	var body strings.Builder
	var want []string
	for i := range programs {
		source := randomProgram(r)
		a, err := py.run(source, "{}", true)
		if err != nil || a.Program == nil {
			t.Fatalf("features.py: %v %s", err, a.Refused)
		}
		p := a.Program
		p.Source, p.Function = "features.py", "prepare_features"
		forest := programForest(p, func(string) bool { return r.IntN(2) == 0 })
		data, err := json.Marshal(forest)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Package: fmt.Sprintf("p%d", i), ImportPath: fmt.Sprintf("prop/p%d", i), Limits: DefaultLimits}
		var files []File
		if err := generate("forest.json", bytes.NewReader(data), nil, cfg, func(f File) error { files = append(files, f); return nil }); err != nil {
			t.Fatalf("program %d: %v\n%s", i, err, source)
		}
		if err := write(filepath.Join(dir, cfg.Package), files); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&main, "\t\"prop/p%d\"\n", i)
		for range rides {
			ride := randomRide(r)
			vals := rideValues(t, p, ride)
			w := "error"
			if _, err := evalProgram(p, vals); err == nil {
				w = vectorized(forest, finalValues(p, vals))
			}
			want = append(want, w)
			fmt.Fprintf(&body, "\tshow(p%d.Prepare(read(%q, p%d.Fields)))\n", i, ride, i)
		}
	}
	main.WriteString(")\n\n" + showAndRead + "\nfunc main() {\n" + body.String() + "}\n")
	put("main.go", main.String())
	cmd := exec.Command("go", "run", "-mod=mod", ".")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("program %d, ride %d: Prepare gave %s; the program, %s", i/rides, i%rides, got[i], want[i])
		}
	}
	t.Logf("%d programs × %d rides: the emitted Prepare equals the program", programs, rides)
}

// finalValues is each key's last value, evaluated again (evalProgram
// returns them described).
func finalValues(p *Program, ride []pyval.Value) map[string]pyval.Value {
	locals, final := map[string]pyval.Value{}, map[string]pyval.Value{}
	for _, s := range p.Steps {
		if s.Value == nil {
			continue
		}
		v, err := evalExpr(p, s.Value, ride, locals)
		if err != nil {
			panic(errors.Join(errors.New("finalValues after evalProgram succeeded"), err))
		}
		if s.Local != "" {
			locals[s.Local] = v
		} else {
			final[s.Key] = v
		}
	}
	return final
}

// showAndRead are the generated program's helpers: show prints Prepare's
// features as vectorized does, read reads a ride's fields.
const showAndRead = `func show(f any, err error) {
	if err != nil {
		fmt.Println("error")
		return
	}
	v := reflect.ValueOf(f)
	for i := range v.NumField() {
		if i > 0 {
			fmt.Print(" ")
		}
		if x := v.Field(i); x.Kind() == reflect.String {
			fmt.Printf("%q", x.String())
		} else {
			fmt.Print(math.Float64bits(x.Float()))
		}
	}
	fmt.Println()
}

func read(ride string, fields []string) []pyval.Value {
	r := pyval.NewReader([]byte(ride))
	r.Open('{')
	vals := make([]pyval.Value, len(fields))
	for name, more, _ := r.Member(true); more; name, more, _ = r.Member(false) {
		key := string(name)
		v, _ := r.Value()
		for i, f := range fields {
			if f == key {
				vals[i] = v
			}
		}
	}
	return vals
}
`
