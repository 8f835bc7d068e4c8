package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/nyc-taxi/ridepred/handler/pyval"
)

var programCases = flag.Int("program.cases", 4000, "TestProgramsAgainstPython: programs times rides")

// pythonFeatures is one long-lived model-export/features.py --serve: the
// user's Python side, a request a line.
type pythonFeatures struct {
	cmd *exec.Cmd
	in  *bufio.Writer
	out *bufio.Scanner
}

// startPython starts features.py --serve under /usr/bin/python3, stopped
// by the test's cleanup (by its pid) even on failure.
func startPython(t testing.TB) *pythonFeatures {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", "../model-export/features.py", "--serve")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("no /usr/bin/python3: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	out := bufio.NewScanner(stdout)
	out.Buffer(nil, 1<<24)
	return &pythonFeatures{cmd: cmd, in: bufio.NewWriter(stdin), out: out}
}

// pyAnswer is features.py's answer for one ride.
type pyAnswer struct {
	Program  *Program    `json:"program"`
	Features [][3]string `json:"features"`
	Error    string      `json:"error"`
	Message  string      `json:"message"`
	Refused  string      `json:"refused"`
}

func (p *pythonFeatures) run(source, ride string, compile bool) (pyAnswer, error) {
	req, _ := json.Marshal(map[string]any{"source": source, "ride": ride, "compile": compile})
	p.in.Write(append(req, '\n'))
	if err := p.in.Flush(); err != nil {
		return pyAnswer{}, err
	}
	if !p.out.Scan() {
		return pyAnswer{}, fmt.Errorf("features.py stopped: %v", p.out.Err())
	}
	var a pyAnswer
	return a, jsonv2.Unmarshal(p.out.Bytes(), &a)
}

// rideValues reads a ride object's fields as Parse does, in p.Fields's order.
func rideValues(t testing.TB, p *Program, ride string) []pyval.Value {
	r := pyval.NewReader([]byte(ride))
	if err := r.Open('{'); err != nil {
		t.Fatalf("ride %s: %v", ride, err)
	}
	vals := make([]pyval.Value, len(p.Fields))
	for name, more, err := r.Member(true); more || err != nil; name, more, err = r.Member(false) {
		if err != nil {
			t.Fatalf("ride %s: %v", ride, err)
		}
		key := string(name)
		v, err := r.Value()
		if err != nil {
			t.Fatalf("ride %s: %v", ride, err)
		}
		for i, f := range p.Fields {
			if f == key {
				vals[i] = v
			}
		}
	}
	return vals
}

var pyErrorType = regexp.MustCompile(`\((\w+Error)\)$`)

// TestProgramsAgainstPython is the differential property test: random
// prepare_features drawn from the compiled subset (randomProgram) run on
// random rides (randomRide), by features.py under /usr/bin/python3 (one
// process) and by the Go the program compiles to (evalProgram, the same
// pyval calls). The dicts must be equal, type and text of each value, and
// so must the errors' Python types; a Go error that is a documented
// divergence (pyval.ErrDivergence) is counted, not compared.
func TestProgramsAgainstPython(t *testing.T) {
	py := startPython(t)
	rng := rand.New(rand.NewPCG(29, uint64(*programCases)))
	const ridesPerProgram = 8
	compared, diverged, raised := 0, 0, 0
	for n := 0; n < *programCases; n += ridesPerProgram {
		source := randomProgram(rng)
		var program *Program
		for i := range ridesPerProgram {
			ride := randomRide(rng)
			a, err := py.run(source, ride, i == 0)
			if err != nil {
				t.Fatal(err)
			}
			if a.Refused != "" {
				t.Fatalf("features.py refused a program of the subset: %s\n%s", a.Refused, source)
			}
			if i == 0 {
				if program = a.Program; program == nil {
					t.Fatalf("no program for\n%s", source)
				}
				program.Source, program.Function = "features.py", "prepare_features"
			}
			got, goErr := evalProgram(program, rideValues(t, program, ride))
			switch {
			case errors.Is(goErr, pyval.ErrDivergence):
				diverged++
				continue
			case goErr != nil || a.Error != "":
				goType := ""
				if goErr != nil {
					if m := pyErrorType.FindStringSubmatch(goErr.Error()); m != nil {
						goType = m[1]
					}
				}
				if goType != a.Error {
					t.Fatalf("ride %s\n%s\nPython: %s %s; Go: %v %v", ride, source, a.Error, a.Message, got, goErr)
				}
				raised++
			case fmt.Sprint(got) != fmt.Sprint(a.Features):
				t.Fatalf("ride %s\n%s\nPython: %v\nGo:     %v", ride, source, a.Features, got)
			}
			compared++
		}
	}
	t.Logf("%d cases equal (%d raised in both), %d divergences skipped", compared, raised, diverged)
	if compared < *programCases*3/4 {
		t.Errorf("only %d of %d cases compared", compared, *programCases)
	}
}

// randomProgram is a prepare_features of the subset: locals, then keys,
// each a random expression over the fields f0 to f3.
func randomProgram(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("def prepare_features(ride):\n")
	var locals []string
	for i := range rng.IntN(3) {
		name := fmt.Sprintf("x%d", i)
		fmt.Fprintf(&b, "    %s = %s\n", name, randomExpr(rng, locals, 1+rng.IntN(3)))
		locals = append(locals, name)
	}
	if rng.IntN(2) == 0 {
		b.WriteString("    features = {}\n")
		for i := range 1 + rng.IntN(4) {
			fmt.Fprintf(&b, "    features['k%d'] = %s\n", rng.IntN(i+1), randomExpr(rng, locals, 1+rng.IntN(3)))
		}
		b.WriteString("    return features\n")
		return b.String()
	}
	var items []string
	for i := range 1 + rng.IntN(3) {
		items = append(items, fmt.Sprintf("'k%d': %s", i, randomExpr(rng, locals, 1+rng.IntN(3))))
	}
	fmt.Fprintf(&b, "    return {%s}\n", strings.Join(items, ", "))
	return b.String()
}

var constants = []string{`'a'`, `''`, `'1_0'`, `' 3.5 '`, `'%'`, `0`, `-7`, `12345678901234567890123`, `1.5`, `-0.0`, `1e300`, `0.1`,
	`True`, `False`, `None`, `'nan'`, "'\u0663'"}

// randomExpr is an expression of the subset; inF says it is inside an
// f-string's braces, where Python 3.11 allows no nested f-string.
func randomExpr(rng *rand.Rand, locals []string, depth int, inF ...bool) string {
	field := func() string { return fmt.Sprintf("'f%d'", rng.IntN(4)) }
	leaf := rng.IntN(5)
	if depth == 0 || rng.IntN(3) == 0 {
		switch {
		case leaf == 0 && len(locals) > 0:
			return locals[rng.IntN(len(locals))]
		case leaf <= 1:
			return constants[rng.IntN(len(constants))]
		case leaf == 2:
			return "ride.get(" + field() + ")"
		case leaf == 3:
			return "ride.get(" + field() + ", " + constants[rng.IntN(len(constants))] + ")"
		}
		return "ride[" + field() + "]"
	}
	sub := func() string { return randomExpr(rng, locals, depth-1, inF...) }
	op := rng.IntN(8)
	if op == 5 && len(inF) == 0 {
		fsub := func() string { return randomExpr(rng, locals, depth-1, true) }
		return `f"{` + fsub() + `}-{` + fsub() + `}%"`
	}
	switch op {
	case 0:
		return "str(" + sub() + ")"
	case 1:
		return "float(" + sub() + ")"
	case 2:
		return "int(" + sub() + ")"
	case 3:
		return "'%s_%s' % (" + sub() + ", " + sub() + ")"
	case 4:
		return "'%d' % (" + sub() + ")"
	case 6:
		return "str(" + sub() + ") + '_' + str(" + sub() + ")"
	}
	return "'<%i%%>' % (" + sub() + ",)"
}

var rideValuesJSON = []string{`0`, `-0`, `130`, `-5`, `123456789012345678901234567890`, `1` + strings.Repeat("0", 400),
	`3.66`, `-0.0`, `1e400`, `-1e400`, `1e-7`, `1.5e16`, `2.5`, `1E2`, `9007199254740993`, `NaN`, `Infinity`, `-Infinity`,
	`"130"`, `" 3.66 "`, `"1_000"`, `"1__0"`, `"_1"`, `"nan"`, `"-inf"`, `"Infinity"`, `"abc"`, `""`, `"\uff11\uff12"`,
	`"\u0663.5"`, `"\u00a012\u2003"`, `"1e5"`, `"0x10"`, `" 007 "`, `"-0"`, `"1.5"`, `"+7"`, `"\ud800"`, `"\u00e9"`,
	`true`, `false`, `null`, `[]`, `["a"]`, `[1]`, `{}`, `{"a": 1}`}

// randomRide is a ride object in which each of f0 to f3 is absent or
// some JSON value.
func randomRide(rng *rand.Rand) string {
	var members []string
	for i := range 4 {
		if rng.IntN(6) == 0 {
			continue
		}
		members = append(members, fmt.Sprintf(`"f%d": %s`, i, rideValuesJSON[rng.IntN(len(rideValuesJSON))]))
	}
	return "{" + strings.Join(members, ", ") + "}"
}
