package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FormatVersion is the forest JSON version this generator reads
// (model-export/FORMAT.md). It also reads version 2, which has no
// "features": its feature program is the seed's (SeedProgram), and
// version 1, which has no "prediction" either: a version 1 file is an
// sklearn forest (ForestRule).
const FormatVersion = 3

// Header is everything in forest JSON but its trees. The trees come last in
// the file (export.py writes them so), which lets gen read them one at a
// time (see ReadForest).
type Header struct {
	FormatVersion int        `json:"format_version"`
	Metadata      Metadata   `json:"metadata"`
	Rule          Rule       `json:"prediction"`
	Vocabulary    Vocabulary `json:"vectorizer"`
	Program       *Program   `json:"features"`
}

// Metadata describes where the forest came from.
type Metadata struct {
	SklearnVersion string  `json:"sklearn_version"`
	Library        string  `json:"library"`         // "sklearn" or "xgboost"; version 1: sklearn
	LibraryVersion string  `json:"library_version"` // version 1: sklearn_version
	Estimator      string  `json:"estimator"`
	Objective      string  `json:"objective"`
	RunID          *string `json:"run_id"`
	SourceSHA256   string  `json:"source_sha256"`
	NFeatures      int     `json:"n_features"`
	NTrees         int     `json:"n_trees"`
}

// Vocabulary is the DictVectorizer: its inputs and its feature names.
type Vocabulary struct {
	Separator    string   `json:"separator"`
	Inputs       []Input  `json:"inputs"`
	FeatureNames []string `json:"feature_names"`
}

// Input is one key of the vectorizer's input dicts.
type Input struct {
	Key  string `json:"key"`
	Kind string `json:"kind"` // "categorical" or "numeric"
}

// Tree is one estimator as parallel node arrays, root at 0.
type Tree struct {
	Left      []int     `json:"children_left"`
	Right     []int     `json:"children_right"`
	Feature   []int     `json:"feature"`
	Threshold []float64 `json:"threshold"`
	Value     []float64 `json:"value"`
	Samples   []float64 `json:"n_node_samples"` // xgboost: the hessian sum (cover)
	// DefaultLeft is where a missing value goes at each split; absent in
	// files whose rule has no missing values.
	DefaultLeft []bool `json:"default_left"`
	// MissingType and Categories are LightGBM's, per node (lightgbm.go):
	// what each split takes as missing ("none", "zero" or "nan"), and a
	// categorical split's categories (nil for a numeric split). Present
	// exactly when the rule's nan is "split". HistGradientBoosting's and
	// xgboost's trees may have Categories alone: the one-hot values each
	// categorical split sends left (categories.go).
	MissingType []string `json:"missing_type"`
	Categories  [][]int  `json:"categories"`
	// Scale multiplies every leaf value (GradientBoosting's learning rate);
	// absent means 1.
	Scale *float64 `json:"scale"`
}

// Leaf is what leaf n adds to the prediction: the value times the tree's
// scale, rounded once to float64 (as sklearn's float64 product), then to
// the accumulator's type.
func (t *Tree) Leaf(n int, r Rule) float64 {
	v := t.Value[n]
	if t.Scale != nil {
		v = *t.Scale * v
	}
	if r.Accumulator == "float32" {
		v = float64(float32(v))
	}
	return v
}

// Feature is what a feature index of the trees means.
type Feature struct {
	Input    int    // index into Vocabulary.Inputs
	Category string // for a categorical input: the one-hot category
}

// ReadForest decodes and validates forest JSON as a stream: each tree in
// turn is handed to visit with its index and then dropped, so that memory
// holds one tree at a time, whatever the size of the model. The trees are
// read once the header is known: export.py writes the header first; if
// "trees" comes before it (keys sorted, say), r is read a second time.
// Errors name the tree and node at fault.
func ReadForest(r io.ReadSeeker, visit func(i int, t *Tree) error) (*Header, []Feature, error) {
	fr := forestReader{visit: visit}
	visited, err := fr.read(r)
	if err == nil && !visited {
		if fr.features, err = fr.h.features(); err != nil {
			return nil, nil, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		_, err = fr.read(r)
	}
	if err != nil {
		return nil, nil, err
	}
	return &fr.h, fr.features, nil
}

// forestReader reads forest JSON in one or two passes.
type forestReader struct {
	h        Header
	features []Feature // once the header is whole and valid
	visit    func(i int, t *Tree) error
}

// read makes one pass over the forest object. Until the header is whole,
// it decodes the header's keys (skipping trees that come first); once it
// is, it decodes, validates and visits the trees. It reports whether it
// visited them.
func (fr *forestReader) read(r io.Reader) (visited bool, err error) {
	dec := jsontext.NewDecoder(r)
	if err := delim(dec, '{'); err != nil {
		return false, malformed(err)
	}
	seen := map[string]bool{}
	header := map[string]any{"format_version": &fr.h.FormatVersion, "metadata": &fr.h.Metadata, "prediction": &fr.h.Rule, "vectorizer": &fr.h.Vocabulary,
		"features": &fr.h.Program}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return false, malformed(err)
		}
		key := tok.String() // an object's names are strings; the decoder rejects duplicates
		seen[key] = true
		switch {
		case key == "trees":
			if fr.features == nil && seen["format_version"] && seen["metadata"] && seen["vectorizer"] && (seen["prediction"] || fr.h.FormatVersion == 1) &&
				(seen["features"] || fr.h.FormatVersion < 3) {
				if fr.features, err = fr.h.features(); err != nil {
					return false, err
				}
			}
			visited = fr.features != nil
			if err := fr.trees(dec, visited); err != nil {
				return false, err
			}
		case header[key] != nil && fr.features == nil:
			if err := json.UnmarshalDecode(dec, header[key]); err != nil {
				return false, malformed(err)
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return false, malformed(err)
			}
		}
	}
	if err := delim(dec, '}'); err != nil {
		return false, malformed(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return false, malformed(errors.New("data after the forest object"))
	}
	if !seen["trees"] {
		return false, errors.New(`no "trees"`)
	}
	return visited, nil
}

// trees reads the trees array, tree by tree: visiting each (checking the
// count against the header at the end), or only skipping it.
func (fr *forestReader) trees(dec *jsontext.Decoder, visit bool) error {
	if err := delim(dec, '['); err != nil {
		return malformed(err)
	}
	n := 0
	for ; dec.PeekKind() != ']'; n++ {
		if !visit {
			if err := dec.SkipValue(); err != nil {
				return malformed(err)
			}
			continue
		}
		var t Tree
		if err := json.UnmarshalDecode(dec, &t); err != nil {
			return malformed(fmt.Errorf("tree %d: %w", n, err))
		}
		if err := t.validate(fr.h.Rule, fr.h.Vocabulary, fr.features); err != nil {
			return fmt.Errorf("tree %d, %w", n, err)
		}
		if err := fr.visit(n, &t); err != nil {
			return err
		}
	}
	if err := delim(dec, ']'); err != nil {
		return malformed(err)
	}
	if visit && (n == 0 || fr.h.Metadata.NTrees != n) {
		return fmt.Errorf("metadata.n_trees is %d but there are %d trees", fr.h.Metadata.NTrees, n)
	}
	return nil
}

// delim reads the JSON delimiter want.
func delim(dec *jsontext.Decoder, want jsontext.Kind) error {
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != want {
		err = fmt.Errorf("want %v, got %v", want, tok)
	}
	return err
}

func malformed(err error) error { return fmt.Errorf("malformed forest JSON: %w", err) }

// features checks the header and resolves its feature names.
func (h *Header) features() ([]Feature, error) {
	switch h.FormatVersion {
	case 1:
		h.Rule = ForestRule
		h.Metadata.Library, h.Metadata.LibraryVersion = "sklearn", h.Metadata.SklearnVersion
	case 2, FormatVersion:
		if err := h.Rule.validate(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown format_version %d (this gen reads 1 to %d)", h.FormatVersion, FormatVersion)
	}
	switch {
	case h.FormatVersion < 3:
		h.Program = DefaultProgram(h.Vocabulary)
	case h.Program == nil:
		return nil, errors.New(`no "features" (format version 3 holds the feature program)`)
	}
	if err := h.Program.validate(h.Vocabulary); err != nil {
		return nil, err
	}
	features, err := h.Vocabulary.features()
	if err != nil {
		return nil, err
	}
	if h.Metadata.NFeatures != len(features) {
		return nil, fmt.Errorf("metadata.n_features is %d but there are %d feature names", h.Metadata.NFeatures, len(features))
	}
	return features, nil
}

// features resolves every feature name to its input and category.
func (v Vocabulary) features() ([]Feature, error) {
	if len(v.Inputs) == 0 {
		return nil, fmt.Errorf("vectorizer has no inputs")
	}
	if v.Separator == "" {
		return nil, fmt.Errorf("vectorizer separator is empty")
	}
	inputs := make(map[string]int, len(v.Inputs))
	for i, in := range v.Inputs {
		if in.Kind != "categorical" && in.Kind != "numeric" {
			return nil, fmt.Errorf("input %q: unknown kind %q", in.Key, in.Kind)
		}
		if _, dup := inputs[in.Key]; dup {
			return nil, fmt.Errorf("input %q listed twice", in.Key)
		}
		inputs[in.Key] = i
	}
	out := make([]Feature, len(v.FeatureNames))
	seen := make(map[string]bool, len(v.FeatureNames))
	for i, name := range v.FeatureNames {
		if seen[name] {
			return nil, fmt.Errorf("feature %d: name %q listed twice", i, name)
		}
		seen[name] = true
		if in, ok := inputs[name]; ok && v.Inputs[in].Kind == "numeric" {
			out[i] = Feature{Input: in}
			continue
		}
		key, cat, ok := strings.Cut(name, v.Separator)
		in, known := inputs[key]
		if !ok || !known || v.Inputs[in].Kind != "categorical" {
			return nil, fmt.Errorf("feature %d: name %q belongs to no input", i, name)
		}
		out[i] = Feature{Input: in, Category: cat}
	}
	return out, nil
}

func (t *Tree) validate(rule Rule, v Vocabulary, features []Feature) error {
	n := len(t.Left)
	if n == 0 {
		return fmt.Errorf("has no nodes")
	}
	lengths := []struct {
		name string
		n    int
	}{
		{"children_right", len(t.Right)}, {"feature", len(t.Feature)}, {"threshold", len(t.Threshold)},
		{"value", len(t.Value)}, {"n_node_samples", len(t.Samples)},
	}
	if t.DefaultLeft != nil || rule.HasMissing() {
		lengths = append(lengths, struct {
			name string
			n    int
		}{"default_left", len(t.DefaultLeft)})
	}
	if t.Scale != nil && (math.IsNaN(*t.Scale) || math.IsInf(*t.Scale, 0)) {
		return fmt.Errorf("scale %v is not finite", *t.Scale)
	}
	for _, l := range lengths {
		if l.n != n {
			return fmt.Errorf("arrays differ in length: children_left has %d, %s has %d", n, l.name, l.n)
		}
	}
	visited := make([]bool, n)
	stack := []int{0}
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if visited[node] {
			return fmt.Errorf("node %d: reached twice (the children form a cycle or share a node)", node)
		}
		visited[node] = true
		l, r := t.Left[node], t.Right[node]
		if l == -1 && r == -1 {
			if v := t.Leaf(node, rule); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("node %d: leaf value %v (scaled: %v) is not finite", node, t.Value[node], v)
			}
			continue
		}
		for _, c := range []int{l, r} {
			if c < 0 || c >= n {
				return fmt.Errorf("node %d: child %d out of range [0, %d)", node, c, n)
			}
		}
		f := t.Feature[node]
		if f < 0 || f >= len(features) {
			return fmt.Errorf("node %d: feature %d out of range [0, %d)", node, f, len(features))
		}
		th := t.Threshold[node]
		switch in := v.Inputs[features[f].Input]; {
		case math.IsNaN(th):
			return fmt.Errorf("node %d: threshold is NaN", node)
		case in.Kind == "categorical" && features[f].Category == "":
			return fmt.Errorf("node %d: split on the empty category of %q, which Features cannot tell from an absent key", node, in.Key)
		case math.IsInf(th, 0) || rule.Input == "float32" && th < -math.MaxFloat32:
			return fmt.Errorf("node %d: threshold %v of %q is beyond %s's range", node, th, in.Key, rule.Input)
		}
		stack = append(stack, r, l)
	}
	for node, ok := range visited {
		if !ok {
			return fmt.Errorf("node %d: unreachable from the root", node)
		}
	}
	return t.validateSplits(rule, v, features)
}
