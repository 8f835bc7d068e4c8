package main

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

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
