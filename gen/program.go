package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
)

// Program is forest JSON's "features" (format version 3): the user's
// prepare_features(ride), compiled by model-export/features.py from its
// ast into steps that gen emits as Go (FORMAT.md, "Feature program").
type Program struct {
	Source   string   `json:"source"`   // the Python file's name
	Function string   `json:"function"` // the function's name
	SHA256   string   `json:"sha256"`   // of the Python file
	Fields   []string `json:"fields"`   // the ride fields it reads, in order of first use
	Steps    []Step   `json:"steps"`
}

// Step is one Python statement: features[Key] = Value, Local = Value,
// return (Returns), or one that computes nothing (features = {}).
type Step struct {
	Line    int    `json:"line"`
	Text    string `json:"text"` // its Python source, dedented
	Key     string `json:"key,omitzero"`
	Local   string `json:"local,omitzero"`
	Value   *Expr  `json:"value,omitzero"`
	Returns bool   `json:"returns,omitzero"`
}

// Expr is one Python expression. Op is one of item (ride[Field]), get
// (ride.get(Field[, Const])), const, local (Name), str, float, int (of
// Args[0]), format (Format % Args) and concat (Args[0] + Args[1]).
type Expr struct {
	Op     string  `json:"op"`
	Field  string  `json:"field,omitzero"`
	Name   string  `json:"name,omitzero"`
	Const  *Const  `json:"const,omitzero"`
	Format string  `json:"format,omitzero"`
	Args   []*Expr `json:"args,omitzero"`
	Src    string  `json:"src"` // its Python source, for errors
}

// Const is a Python constant: Type str, int, float, bool or None, and
// Value its str, digits, repr, "True"/"False" or "None".
type Const struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// seedProgram is the program of the original app's prepare_features
// (model-export/baseline/lambda_function.py), what features.py writes for
// it: the features of a format version 1 or 2 file, which has none.
const seedProgram = `{"source": "lambda_function.py", "function": "prepare_features", "sha256": "69c491a281c87238559ee9e09719eae044eb95c97d76dbf6a6a88ffa65378f38", "fields": ["PULocationID", "DOLocationID", "trip_distance"], "steps": [{"line": 26, "text": "features = {}"}, {"line": 27, "text": "features[\"PU_DO\"] = \"%s_%s\" % (ride[\"PULocationID\"], ride[\"DOLocationID\"])", "key": "PU_DO", "value": {"op": "format", "format": "%s_%s", "args": [{"op": "item", "field": "PULocationID", "src": "ride[\"PULocationID\"]"}, {"op": "item", "field": "DOLocationID", "src": "ride[\"DOLocationID\"]"}], "src": "\"%s_%s\" % (ride[\"PULocationID\"], ride[\"DOLocationID\"])"}}, {"line": 28, "text": "features[\"trip_distance\"] = ride[\"trip_distance\"]", "key": "trip_distance", "value": {"op": "item", "field": "trip_distance", "src": "ride[\"trip_distance\"]"}}, {"line": 29, "text": "return features", "returns": true}]}`

// SeedProgram is seedProgram, decoded.
func SeedProgram() *Program {
	var p Program
	if err := json.Unmarshal([]byte(seedProgram), &p); err != nil {
		panic(err) // a constant: gen's tests decode it
	}
	return &p
}

// DefaultProgram is the feature program of a format version 1 or 2 file,
// which has none: the seed's when the vectorizer reads only its keys
// (PU_DO, trip_distance), else features[K] = ride[K] for each input key K,
// the ride itself as the vectorizer's dict.
func DefaultProgram(v Vocabulary) *Program {
	seed := SeedProgram()
	if seed.validate(v) == nil {
		return seed
	}
	p := &Program{Source: "(format version 1 or 2: no prepare_features)", Function: "prepare_features"}
	p.Steps = append(p.Steps, Step{Line: 1, Text: "features = {}"})
	for i, in := range v.Inputs {
		src := fmt.Sprintf("ride[%q]", in.Key)
		p.Fields = append(p.Fields, in.Key)
		p.Steps = append(p.Steps, Step{Line: i + 2, Text: fmt.Sprintf("features[%q] = %s", in.Key, src), Key: in.Key,
			Value: &Expr{Op: "item", Field: in.Key, Src: src}})
	}
	p.Steps = append(p.Steps, Step{Line: len(v.Inputs) + 2, Text: "return features", Returns: true})
	return p
}

// validate checks the program against the vectorizer: every input key is
// written, every field and local is declared before use, each op is whole.
func (p *Program) validate(v Vocabulary) error {
	fields := map[string]bool{}
	for _, f := range p.Fields {
		if fields[f] {
			return fmt.Errorf("features: field %q listed twice", f)
		}
		fields[f] = true
	}
	locals, written := map[string]bool{}, map[string]bool{}
	returned := false
	for _, s := range p.Steps {
		if returned {
			return fmt.Errorf("features: line %d: a step after the return", s.Line)
		}
		returned = s.Returns
		if s.Value == nil {
			continue
		}
		if err := s.Value.validate(fields, locals); err != nil {
			return fmt.Errorf("features: line %d: %w", s.Line, err)
		}
		switch {
		case s.Local != "" && locals[s.Local]:
			return fmt.Errorf("features: line %d: local %s assigned twice", s.Line, s.Local)
		case s.Local != "":
			locals[s.Local] = true
		default:
			written[s.Key] = true
		}
	}
	if !returned {
		return fmt.Errorf("features: no return")
	}
	for _, in := range v.Inputs {
		if !written[in.Key] {
			return fmt.Errorf("features: %s never writes the vectorizer's key %q", p.Function, in.Key)
		}
	}
	return nil
}

func (e *Expr) validate(fields, locals map[string]bool) error {
	want := map[string]int{"item": 0, "get": 0, "const": 0, "local": 0, "str": 1, "float": 1, "int": 1, "concat": 2, "format": -1}
	n, ok := want[e.Op]
	switch {
	case !ok:
		return fmt.Errorf("unknown op %q", e.Op)
	case n >= 0 && len(e.Args) != n:
		return fmt.Errorf("%s takes %d args, has %d", e.Op, n, len(e.Args))
	case (e.Op == "item" || e.Op == "get") && !fields[e.Field]:
		return fmt.Errorf("field %q is not in fields", e.Field)
	case e.Op == "local" && !locals[e.Name]:
		return fmt.Errorf("local %q used before it is assigned", e.Name)
	case e.Op == "const" && e.Const == nil:
		return fmt.Errorf("const without a value")
	case e.Op == "format" && specs(e.Format) != len(e.Args):
		return fmt.Errorf("format %q takes %d args, has %d", e.Format, specs(e.Format), len(e.Args))
	}
	if e.Const != nil {
		if _, err := e.Const.code(); err != nil {
			return err
		}
	}
	for _, a := range e.Args {
		if err := a.validate(fields, locals); err != nil {
			return err
		}
	}
	return nil
}

// specs counts the values a format takes: its %s, %d and %i (-1 if it
// holds another conversion).
func specs(format string) int {
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		switch {
		case i == len(format):
			return -1
		case strings.IndexByte("sdi", format[i]) >= 0:
			n++
		case format[i] != '%':
			return -1
		}
	}
	return n
}

// floatValue reads a float constant's repr (inf and nan included).
func floatValue(repr string) (float64, error) {
	switch repr {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(repr, 64)
}
