package template

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestShadowStream: the ShadowStreamName parameter is optional, and the
// function gets SHADOW_STREAM_NAME and kinesis:PutRecords on that stream
// only when it is set (HasShadowStream, a policy resource of its own): with
// the empty default, the stack is the one without a shadow. (goformation does not evaluate conditions,
// so this reads the YAML; tools/deploy/rehearse deploys both ways.)
func TestShadowStream(t *testing.T) {
	for _, path := range templates {
		root := yamlRoot(t, path)
		param := lookup(lookup(root, "Parameters"), "ShadowStreamName")
		if got := show(orAbsent(lookup(param, "Default"))); got != `""` {
			t.Errorf("%s: ShadowStreamName's default is %s, want it optional (empty)", path, got)
		}
		if got := show(orAbsent(lookup(lookup(root, "Conditions"), "HasShadowStream"))); got != `!Not [!Equals [!Ref ShadowStreamName, ""]]` {
			t.Errorf("%s: HasShadowStream is %s", path, got)
		}
		resources := lookup(root, "Resources")
		env := lookup(lookup(lookup(lookup(lookup(resources, "RideDurationFunction"), "Properties"), "Environment"), "Variables"), "SHADOW_STREAM_NAME")
		if got := show(orAbsent(env)); got != "!If [HasShadowStream, !Ref ShadowStreamName, !Ref AWS::NoValue]" {
			t.Errorf("%s: SHADOW_STREAM_NAME is %s, want ShadowStreamName when it is set, else unset", path, got)
		}
		policy := lookup(resources, "ShadowStreamPolicy")
		props := lookup(policy, "Properties")
		if got := show(orAbsent(lookup(policy, "Condition"))) + " " + show(orAbsent(lookup(policy, "Type"))) + " " + show(orAbsent(lookup(props, "RoleName"))); got != "HasShadowStream AWS::IAM::RolePolicy !Ref FunctionRole" {
			t.Errorf("%s: ShadowStreamPolicy is %s, want a policy of FunctionRole under HasShadowStream", path, got)
		}
		var grants []string
		for _, st := range orAbsent(lookup(lookup(props, "PolicyDocument"), "Statement")).Content {
			grants = append(grants, show(orAbsent(lookup(st, "Effect")))+" "+show(orAbsent(lookup(st, "Action")))+" on "+show(orAbsent(lookup(st, "Resource"))))
		}
		want := "Allow [kinesis:PutRecords] on !Sub arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${ShadowStreamName}"
		if len(grants) != 1 || grants[0] != want {
			t.Errorf("%s: ShadowStreamPolicy grants %q, want only: %s", path, grants, want)
		}
		for id, res := range resourcesUnder(resources) {
			if id != "ShadowStreamPolicy" && strings.Contains(show(orAbsent(lookup(res, "Type"))), "Policy") {
				t.Errorf("%s: %s is a policy too; the shadow's grant is ShadowStreamPolicy alone", path, id)
			}
		}
	}
}

func orAbsent(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{}
	}
	return n
}

// resourcesUnder maps each resource's logical id to its node.
func resourcesUnder(resources *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i := 0; resources != nil && i+1 < len(resources.Content); i += 2 {
		out[resources.Content[i].Value] = resources.Content[i+1]
	}
	return out
}
