package template

import (
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestShadowStream: the ShadowStreamName parameter is optional, and the
// function gets SHADOW_STREAM_NAME and kinesis:PutRecords on that stream
// only when it is set (HasShadowStream): with the empty default, the stack
// is the one without a shadow. (goformation does not evaluate conditions,
// so this reads the YAML; tools/rehearse deploys both ways.)
func TestShadowStream(t *testing.T) {
	for _, path := range templates {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(text, &doc); err != nil {
			t.Fatal(err)
		}
		root := doc.Content[0]
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
		var grants []string
		for _, policy := range lookup(lookup(lookup(resources, "FunctionRole"), "Properties"), "Policies").Content {
			for _, st := range lookup(lookup(policy, "PolicyDocument"), "Statement").Content {
				if st.Tag != "!If" {
					continue
				}
				if len(st.Content) != 3 || st.Content[0].Value != "HasShadowStream" || show(st.Content[2]) != "!Ref AWS::NoValue" {
					t.Errorf("%s: a conditional statement %s", path, show(st))
					continue
				}
				then := st.Content[1]
				grants = append(grants, show(orAbsent(lookup(then, "Effect")))+" "+show(orAbsent(lookup(then, "Action")))+" on "+
					show(orAbsent(lookup(then, "Resource"))))
			}
		}
		want := "Allow [kinesis:PutRecords] on !Sub arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${ShadowStreamName}"
		if len(grants) != 1 || grants[0] != want {
			t.Errorf("%s: statements under HasShadowStream: %q, want one: %s", path, grants, want)
		}
	}
}

func orAbsent(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{}
	}
	return n
}
