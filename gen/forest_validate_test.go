package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestReadForestErrors(t *testing.T) {
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		errSub string
	}{
		{"malformed", func(*testing.T) []byte { return []byte(`{"format_version": 1,`) }, "malformed forest JSON"},
		{"version", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["format_version"] = 4 })
		}, "unknown format_version 4"},
		{"rule", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) {
				m["format_version"] = 2
				m["prediction"] = map[string]any{"combine": "sum", "accumulator": "float64", "input": "float32",
					"compare": ">", "absent": "zero", "nan": "refused", "infinity": "refused"}
			})
		}, `prediction.compare is ">"`},
		{"no default_left", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) {
				m["format_version"] = 2
				m["prediction"] = map[string]any{"combine": "sum", "accumulator": "float32", "input": "float32",
					"compare": "<", "absent": "missing", "nan": "missing", "infinity": "refused"}
			})
		}, "tree 0, arrays differ in length: children_left has 5, default_left has 0"},
		{"float32 start", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) {
				m["format_version"] = 2
				m["prediction"] = map[string]any{"combine": "sum", "start": 0.1, "accumulator": "float32", "input": "float32",
					"compare": "<", "absent": "zero", "nan": "refused", "infinity": "refused"}
			})
		}, "prediction.start 0.1 is not a float32"},
		{"lengths", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { tree(m, 1)["value"] = []any{1.0, 2.0} })
		}, "tree 1, arrays differ in length: children_left has 3, value has 2"},
		{"child out of range", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { tree(m, 0)["children_right"].([]any)[2] = 9 })
		}, "tree 0, node 2: child 9 out of range [0, 5)"},
		{"cycle", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { tree(m, 0)["children_left"].([]any)[2] = 0 })
		}, "tree 0, node 0: reached twice"},
		{"one child", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { tree(m, 1)["children_right"].([]any)[0] = -1 })
		}, "tree 1, node 0: child -1 out of range"},
		{"feature out of range", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { tree(m, 0)["feature"].([]any)[0] = 4 })
		}, "tree 0, node 0: feature 4 out of range [0, 4)"},
		{"NaN threshold", func(t *testing.T) []byte {
			return []byte(strings.Replace(string(mutate(t, func(map[string]any) {})), "2.345", "NaN", 1))
		}, "malformed forest JSON"},
		{"unreachable", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) {
				tr := tree(m, 1)
				for _, k := range []string{"children_left", "children_right", "feature", "threshold", "value", "n_node_samples"} {
					tr[k] = append(tr[k].([]any), tr[k].([]any)[2])
				}
			})
		}, "tree 1, node 3: unreachable from the root"},
		{"unknown feature name", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) {
				m["vectorizer"].(map[string]any)["feature_names"].([]any)[3] = "fare"
			})
		}, `feature 3: name "fare" belongs to no input`},
		{"tree count", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["metadata"].(map[string]any)["n_trees"] = 3 })
		}, "metadata.n_trees is 3 but there are 2 trees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadForest(bytes.NewReader(tt.data(t)), func(int, *Tree) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("ReadForest error = %v, want it to contain %q", err, tt.errSub)
			}
		})
	}
}

// TestNaNThreshold: JSON has no NaN, but a float that parses to NaN must
// still be caught if a decoder ever lets one through; the validator checks
// the decoded value.
func TestNaNThresholdDecoded(t *testing.T) {
	var f Forest
	if err := json.Unmarshal(mutate(t, func(map[string]any) {}), &f); err != nil {
		t.Fatal(err)
	}
	features, err := f.Vocabulary.features()
	if err != nil {
		t.Fatal(err)
	}
	f.Trees[0].Threshold[0] = nan()
	if err := f.Trees[0].validate(ForestRule, f.Vocabulary, features); err == nil || !strings.Contains(err.Error(), "node 0: threshold is NaN") {
		t.Fatalf("validate = %v, want a NaN threshold error", err)
	}
}
