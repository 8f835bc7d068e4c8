package rehearse

import (
	"encoding/json"
	"os"
	"testing"
)

// alias is an AWS::Lambda::Alias of a translated template: its function's
// name and its own.
type alias struct{ function, name string }

// withoutAliases plays moto's missing AWS::Lambda::Alias: it returns a copy
// of tpl without the aliases and the resources that refer to them, and the
// aliases, for the rehearsal to create. In tpl itself, each Ref to an alias
// becomes the alias's ARN, {"Fn::Join": [":", [function ARN, name]]}, what
// the Ref gives on AWS. The aliases' functions must be named.
func withoutAliases(t *testing.T, tpl map[string]any) (map[string]any, []alias) {
	t.Helper()
	resources := tpl["Resources"].(map[string]any)
	arns := map[string]any{}
	var aliases []alias
	for id, res := range resources {
		res := res.(map[string]any)
		if res["Type"] != "AWS::Lambda::Alias" {
			continue
		}
		props := res["Properties"].(map[string]any)
		fn, _ := props["FunctionName"].(map[string]any)["Ref"].(string)
		name, _ := props["Name"].(string)
		fnName, _ := resources[fn].(map[string]any)["Properties"].(map[string]any)["FunctionName"].(string)
		if fnName == "" || name == "" {
			t.Fatalf("alias %s: the rehearsal needs a literal name and a Ref to a named function", id)
		}
		aliases = append(aliases, alias{fnName, name})
		arns[id] = map[string]any{"Fn::Join": []any{":", []any{map[string]any{"Fn::GetAtt": []any{fn, "Arn"}}, name}}}
		delete(resources, id)
	}
	first := map[string]any{}
	for k, v := range tpl {
		first[k] = v
	}
	firstResources := map[string]any{}
	for id, res := range resources {
		if !refersTo(res, arns) {
			firstResources[id] = res
		}
		resources[id] = replaceRefs(res, arns)
	}
	first["Resources"] = firstResources
	return first, aliases
}

// refersTo reports whether v holds a Ref to one of refs.
func refersTo(v any, refs map[string]any) bool {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 && refs[ref] != nil {
			return true
		}
		for _, e := range v {
			if refersTo(e, refs) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if refersTo(e, refs) {
				return true
			}
		}
	}
	return false
}

// replaceRefs is v with each Ref to a key of refs replaced by its value.
func replaceRefs(v any, refs map[string]any) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 && refs[ref] != nil {
			return refs[ref]
		}
		out := map[string]any{}
		for k, e := range v {
			out[k] = replaceRefs(e, refs)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = replaceRefs(e, refs)
		}
		return out
	}
	return v
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
