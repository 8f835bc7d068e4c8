package template

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/nyc-taxi/ridepred/internal/cfnyaml"
	"gopkg.in/yaml.v3"
)

// TestVersionsAndRollbackTriggers: each deploy publishes a version behind
// the alias live, which the mapping invokes (TestEventSourceMapping), and
// CodeDeploy moves live as DeploymentType says, AllAtOnce by default,
// rolling back on the alarms that watch the function's own work.
func TestVersionsAndRollbackTriggers(t *testing.T) {
	each(t, func(t *testing.T, tpl *cloudformation.Template) {
		fn := function(t, tpl)
		if aws.ToString(fn.AutoPublishAlias) != "live" {
			t.Errorf("AutoPublishAlias %v, want live", aws.ToString(fn.AutoPublishAlias))
		}
		dp := fn.DeploymentPreference
		if dp == nil {
			t.Fatal("no DeploymentPreference")
		}
		if aws.ToString(dp.Type) != "AllAtOnce" || tpl.Parameters["DeploymentType"].Default != "AllAtOnce" {
			t.Errorf("DeploymentPreference.Type %v, want the DeploymentType parameter, AllAtOnce by default", aws.ToString(dp.Type))
		}
		want := []string{"Ref:BatchItemFailuresAlarm", "Ref:DeadLettersAlarm", "Ref:DriftAlarm", "Ref:FunctionErrorsAlarm"}
		got := slices.Sorted(slices.Values(dp.Alarms))
		if !slices.Equal(got, want) {
			t.Errorf("rollback alarms %v, want %v", got, want)
		}
	})
}

// TestAlarmsNotify: every alarm notifies the AlarmTopicArn parameter's
// topic, and nobody when it is empty (its default).
func TestAlarmsNotify(t *testing.T) {
	for _, path := range templates {
		tpl, err := cfnyaml.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := tpl.Parameters["AlarmTopicArn"]; !ok || p.Default != "" {
			t.Errorf("%s: AlarmTopicArn %+v, want it optional (empty by default)", path, p)
		}
		cond := tpl.Conditions["HasAlarmTopic"]
		if got := show(&cond); got != `!Not [!Equals [!Ref AlarmTopicArn, ""]]` {
			t.Errorf("%s: HasAlarmTopic is %s", path, got)
		}
		alarms := 0
		for id, res := range tpl.Resources {
			if res.Type != "AWS::CloudWatch::Alarm" {
				continue
			}
			alarms++
			actions := res.Properties["AlarmActions"]
			if got := show(&actions); got != "!If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]" {
				t.Errorf("%s: %s's AlarmActions are %s, want AlarmTopicArn when it is set", path, id, got)
			}
		}
		if alarms < 6 {
			t.Errorf("%s: %d alarms", path, alarms)
		}
	}
}

// show is a YAML node in flow style, tags and all.
func show(n *yaml.Node) string {
	if n.Kind == 0 {
		return "(absent)"
	}
	tag := ""
	if n.Tag != "" && n.Tag[:2] != "!!" {
		tag = n.Tag + " "
	}
	switch n.Kind {
	case yaml.SequenceNode:
		s := tag + "["
		for i, c := range n.Content {
			if i > 0 {
				s += ", "
			}
			s += show(c)
		}
		return s + "]"
	case yaml.ScalarNode:
		if n.Value == "" {
			return tag + `""`
		}
		return tag + n.Value
	}
	return tag + "{...}"
}
