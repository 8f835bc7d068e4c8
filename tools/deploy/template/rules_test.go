package template

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/cfnyaml"
	"gopkg.in/yaml.v3"
)

// TestShadowStreamOfItsOwn: each template's Rules refuse a ShadowStreamName
// that is the prediction or the dead-letter stream (issue 30, finding 6),
// and take an empty one or a stream of its own. Neither cfn-lint nor moto
// evaluates Rules, so this evaluates the assertions as CloudFormation
// does before it creates or updates a stack (rules.eval: Fn::Not,
// Fn::Contains, Fn::Equals, Fn::And, Fn::Or and Ref to parameters). The
// names the rule refuses are read from the stream resources, so renaming a
// stream without the rule fails here too.
func TestShadowStreamOfItsOwn(t *testing.T) {
	for _, path := range templates {
		root := yamlRoot(t, path)
		resources := lookup(root, "Resources")
		predictions := lookup(lookup(lookup(resources, "PredictionsStream"), "Properties"), "Name")
		dlq := lookup(lookup(lookup(resources, "DeadLetterStream"), "Properties"), "Name")
		if predictions == nil || dlq == nil {
			t.Fatalf("%s: no PredictionsStream or DeadLetterStream with a Name", path)
		}
		for _, tc := range []struct {
			shadow string
			ok     bool
		}{
			{"", true},
			{"ride_prediction_shadow", true},
			{predictions.Value, false},
			{dlq.Value, false},
		} {
			err := checkRules(lookup(root, "Rules"), map[string]string{"ShadowStreamName": tc.shadow})
			if (err == nil) != tc.ok {
				t.Errorf("%s: ShadowStreamName=%q: the rules say %v, want accepted %v", path, tc.shadow, err, tc.ok)
			}
		}
	}
}

// yamlRoot is the template at path as a YAML mapping node.
func yamlRoot(t *testing.T, path string) *yaml.Node {
	t.Helper()
	root, err := cfnyaml.Root(path)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// checkRules evaluates every rule's assertions, as CloudFormation does,
// for the parameters params: the first that fails is the error, with its
// AssertDescription.
func checkRules(rules *yaml.Node, params map[string]string) error {
	for id, rule := range resourcesUnder(rules) {
		if cond := lookup(rule, "RuleCondition"); cond != nil {
			applies, err := eval(cond, params)
			if err != nil {
				return fmt.Errorf("rule %s: RuleCondition: %w", id, err)
			}
			if applies != true {
				continue
			}
		}
		for _, a := range orAbsent(lookup(rule, "Assertions")).Content {
			holds, err := eval(lookup(a, "Assert"), params)
			if err != nil {
				return fmt.Errorf("rule %s: %w", id, err)
			}
			if holds != true {
				return fmt.Errorf("rule %s: %s", id, strings.TrimSpace(show(orAbsent(lookup(a, "AssertDescription")))))
			}
		}
	}
	return nil
}

// eval is a Rules expression's value: a bool, a string or a []any.
func eval(n *yaml.Node, params map[string]string) (any, error) {
	if n == nil {
		return nil, fmt.Errorf("missing expression")
	}
	fn, arg := n.Tag, n
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 { // the long form, Fn::Not: [...]
		fn, arg = "!"+strings.TrimPrefix(n.Content[0].Value, "Fn::"), n.Content[1]
	}
	var args []any
	if arg.Kind == yaml.SequenceNode {
		for _, c := range arg.Content {
			v, err := eval(c, params)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
	}
	switch {
	case fn == "!Ref":
		v, ok := params[arg.Value]
		if !ok {
			return nil, fmt.Errorf("Ref %s: no such parameter given", arg.Value)
		}
		return v, nil
	case fn == "!Not" && len(args) == 1:
		b, ok := args[0].(bool)
		return !b, check(ok, n)
	case fn == "!Equals" && len(args) == 2:
		return fmt.Sprint(args[0]) == fmt.Sprint(args[1]), nil
	case fn == "!Contains" && len(args) == 2:
		list, ok := args[0].([]any)
		return slices.Contains(list, args[1]), check(ok, n)
	case fn == "!And" || fn == "!Or":
		// And holds unless one is false; Or holds once one is true.
		for _, a := range args {
			b, ok := a.(bool)
			if !ok {
				return nil, check(false, n)
			}
			if b == (fn == "!Or") {
				return b, nil
			}
		}
		return fn == "!And", nil
	case n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == ""):
		return n.Value, nil
	case n.Kind == yaml.SequenceNode && (n.Tag == "!!seq" || n.Tag == ""):
		return args, nil
	}
	return nil, fmt.Errorf("cannot evaluate %s", show(n))
}

func check(ok bool, n *yaml.Node) error {
	if !ok {
		return fmt.Errorf("bad arguments in %s", show(n))
	}
	return nil
}
