package rehearse

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// cfnTemplate is a template as translate.py prints it: plain
// CloudFormation, SAM's resources expanded as sam deploy does.
type cfnTemplate struct {
	Parameters map[string]struct{ Default any }
	Conditions map[string]any
	Resources  map[string]struct {
		Type       string
		Properties object
	}
	set map[string]any // parameters given at deploy time, over the defaults
}

// noValue is what a Ref to AWS::NoValue resolves to: the property that
// holds it is dropped.
type noValue struct{}

// translate runs translate.py on a template of the repository, with the
// code in S3 as sam deploy uploads it.
func translate(t *testing.T, name string) *cfnTemplate {
	t.Helper()
	cmd := exec.Command("python3", "tools/deploy/rehearse/translate.py", name, "s3://rehearsal-artifacts/function.zip")
	cmd.Dir = "../../.."
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("translate %s: %v\n%s", name, err, stderr.String())
	}
	var tpl cfnTemplate
	if err := json.Unmarshal(out, &tpl); err != nil {
		t.Fatalf("translate %s: %v", name, err)
	}
	return &tpl
}

// declaredGaps is what the template declares and moto's CloudFormation
// drops (stack.motoGaps), in the shape describe gives: each stream's
// encryption, each alarm's settings by its logical id, and the function's
// architectures, with the template's Architecture set to arch.
func declaredGaps(t *testing.T, tpl *cfnTemplate, arch string) stack {
	t.Helper()
	tpl.set = map[string]any{"AlarmTopicArn": alarmTopic, "Architecture": arch} // as deployTemplate deploys it
	s := stack{Encryption: map[string]encryption{}, Alarms: map[string]object{}, Architectures: map[string]any{}}
	for id, res := range tpl.Resources {
		if res.Type == "AWS::Lambda::Function" {
			name, err := tpl.resolve(res.Properties["FunctionName"])
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if s.Architectures[fmt.Sprint(name)], err = tpl.resolve(res.Properties["Architectures"]); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			continue
		}
		if res.Type != "AWS::Kinesis::Stream" && res.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		props, err := tpl.resolve(res.Properties)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		switch res.Type {
		case "AWS::Kinesis::Stream":
			var stream struct {
				Name             string
				StreamEncryption *encryption
			}
			remarshal(t, props, &stream)
			if stream.StreamEncryption == nil {
				stream.StreamEncryption = &encryption{EncryptionType: "NONE"}
			}
			s.Encryption[stream.Name] = *stream.StreamEncryption
		case "AWS::CloudWatch::Alarm":
			s.Alarms[id] = settable(props.(object))
		}
	}
	return s
}

// remarshal decodes v, as encoding/json decoded it, into out.
func remarshal(t *testing.T, v, out any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// nameProperty is the property that names a resource of each type that
// the template refers to with Ref, which gives that name.
var nameProperty = map[string]string{
	"AWS::Kinesis::Stream":  "Name",
	"AWS::Lambda::Function": "FunctionName",
	"AWS::Logs::LogGroup":   "LogGroupName",
}

// resolve replaces Ref and the Fn::GetAtt of a queue's name with their
// values: a parameter's default or the name the template gives the
// resource; and Fn::If with the branch its condition takes with the
// parameters' defaults (or those set). It resolves only what declaredGaps
// needs, and fails on the rest.
func (tpl *cfnTemplate) resolve(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i := range v {
			var err error
			if out[i], err = tpl.resolve(v[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case object:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			if ref == "AWS::NoValue" {
				return noValue{}, nil
			}
			return tpl.ref(ref)
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(v) == 1 && len(att) == 2 {
			return tpl.getAtt(fmt.Sprint(att[0]), fmt.Sprint(att[1]))
		}
		if args, ok := v["Fn::If"].([]any); ok && len(v) == 1 && len(args) == 3 {
			yes, err := tpl.condition(args[0])
			if err != nil {
				return nil, err
			}
			if yes {
				return tpl.resolve(args[1])
			}
			return tpl.resolve(args[2])
		}
		out := object{}
		for k, e := range v {
			if strings.HasPrefix(k, "Fn::") {
				return nil, fmt.Errorf("%s: the rehearsal does not resolve it", k)
			}
			r, err := tpl.resolve(e)
			if err != nil {
				return nil, err
			}
			if r != (noValue{}) {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

// condition evaluates a condition: a name from Conditions, Fn::Not,
// Fn::Equals.
func (tpl *cfnTemplate) condition(c any) (bool, error) {
	if name, ok := c.(string); ok {
		if def, ok := tpl.Conditions[name]; ok {
			return tpl.condition(def)
		}
		return false, fmt.Errorf("condition %s is not declared", name)
	}
	o, _ := c.(object)
	if args, ok := o["Fn::Not"].([]any); ok && len(args) == 1 {
		yes, err := tpl.condition(args[0])
		return !yes, err
	}
	if args, ok := o["Fn::Equals"].([]any); ok && len(args) == 2 {
		a, err := tpl.resolve(args[0])
		if err != nil {
			return false, err
		}
		b, err := tpl.resolve(args[1])
		return fmt.Sprint(a) == fmt.Sprint(b), err
	}
	return false, fmt.Errorf("condition %v: the rehearsal evaluates names, Fn::Not and Fn::Equals", c)
}

func (tpl *cfnTemplate) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := tpl.set[name]; ok {
		return v, nil
	}
	if p, ok := tpl.Parameters[name]; ok && p.Default != nil {
		return p.Default, nil
	}
	res, ok := tpl.Resources[name]
	if prop := nameProperty[res.Type]; ok && prop != "" && res.Properties[prop] != nil {
		return tpl.resolve(res.Properties[prop])
	}
	return nil, fmt.Errorf("Ref %s: the rehearsal resolves a parameter with a default, or a named stream, function or log group", name)
}

func (tpl *cfnTemplate) getAtt(name, attribute string) (any, error) {
	if res := tpl.Resources[name]; res.Type == "AWS::SQS::Queue" && attribute == "QueueName" {
		return tpl.resolve(res.Properties["QueueName"])
	}
	return nil, fmt.Errorf("Fn::GetAtt %s.%s: the rehearsal resolves only a queue's QueueName", name, attribute)
}

// TestDeclaredGaps: what the plain-CLI stack is held to where moto's
// CloudFormation cannot tell is read from the template, references
// resolved.
func TestDeclaredGaps(t *testing.T) {
	got := declaredGaps(t, translate(t, "template.yaml"), "arm64")
	if a := fmt.Sprint(got.Architectures); a != "map[ride-duration-prediction:[arm64]]" {
		t.Errorf("architectures %s, want the function's, arm64 as set", a)
	}
	for _, name := range []string{"ride_events", "ride_prediction", "ride_events_dlq"} {
		if want := (encryption{"KMS", "alias/aws/kinesis"}); got.Encryption[name] != want {
			t.Errorf("stream %s: encryption %+v, want %+v", name, got.Encryption[name], want)
		}
	}
	dims := func(id string) string { return fmt.Sprint(got.Alarms[id]["Dimensions"]) }
	if len(got.Alarms) != 6 || dims("FailureQueueAlarm") != "[map[Name:QueueName Value:ride_events_failures]]" ||
		dims("FunctionErrorsAlarm") != "[map[Name:FunctionName Value:ride-duration-prediction]]" ||
		dims("DriftAlarm") != "[map[Name:service Value:ride-duration-prediction]]" {
		t.Errorf("alarms: %v", got.Alarms)
	}
	for id, a := range got.Alarms {
		if fmt.Sprint(a["AlarmActions"]) != "["+alarmTopic+"]" {
			t.Errorf("%s notifies %v, want AlarmTopicArn's %s", id, a["AlarmActions"], alarmTopic)
		}
	}
	// Without AlarmTopicArn, the alarms notify nobody.
	tpl := translate(t, "template.yaml")
	tpl.set = map[string]any{}
	for id, res := range tpl.Resources {
		if res.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		props, err := tpl.resolve(res.Properties)
		if err != nil {
			t.Fatal(err)
		}
		if actions, ok := props.(object)["AlarmActions"]; ok {
			t.Errorf("%s: AlarmActions %v with no AlarmTopicArn", id, actions)
		}
	}
}

// TestResolveOnDemand: Fn::If takes the branch of its condition with the
// parameters' defaults, and a property whose value is Ref AWS::NoValue
// is left out, as ride_events' ShardCount in on-demand mode.
func TestResolveOnDemand(t *testing.T) {
	for mode, want := range map[string]string{"PROVISIONED": "map[ShardCount:1]", "ON_DEMAND": "map[]"} {
		tpl := &cfnTemplate{
			Parameters: map[string]struct{ Default any }{"Mode": {mode}, "Shards": {1.0}},
			Conditions: map[string]any{"OnDemand": object{"Fn::Equals": []any{object{"Ref": "Mode"}, "ON_DEMAND"}}},
		}
		got, err := tpl.resolve(object{"ShardCount": object{"Fn::If": []any{"OnDemand", object{"Ref": "AWS::NoValue"}, object{"Ref": "Shards"}}}})
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("%s: resolved to %v (%v), want %s", mode, got, err, want)
		}
	}
}
