package template

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/google/go-cmp/cmp"
	"github.com/nyc-taxi/ridepred/internal/cfnyaml"
	"gopkg.in/yaml.v3"
)

// open parses template.yaml, keeping Ref and GetAtt to resources visible as
// "Ref:Name" and "GetAtt:Name.Attr" so that tests can see what points where;
// a Ref to a parameter with a default gives the default.
func open(t *testing.T, path string) *cloudformation.Template {
	t.Helper()
	keep := func(name string, input, template interface{}) interface{} {
		switch v := input.(type) {
		case string:
			params, _ := template.(map[string]interface{})["Parameters"].(map[string]interface{})
			if p, ok := params[v].(map[string]interface{}); ok && name == "Ref" && p["Default"] != nil {
				return p["Default"]
			}
			return strings.TrimPrefix(name, "Fn::") + ":" + v
		case []interface{}:
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = fmt.Sprint(p)
			}
			return strings.TrimPrefix(name, "Fn::") + ":" + strings.Join(parts, ".")
		}
		return fmt.Sprintf("%s:%v", name, input)
	}
	data, _ := withoutLoggingConfig(t, path)
	tpl, err := goformation.ParseYAMLWithOptions(data, &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{"Ref": keep, "Fn::GetAtt": keep},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// withoutLoggingConfig is the template at path without the function's
// LoggingConfig, which goformation (v7.14.9, the newest) does not know on
// AWS::Serverless::Function and refuses, and that LoggingConfig as YAML
// (!Ref X read as X).
func withoutLoggingConfig(t *testing.T, path string) ([]byte, map[string]any) {
	t.Helper()
	root := yamlRoot(t, path)
	props := lookup(lookup(lookup(root, "Resources"), "RideDurationFunction"), "Properties")
	var logging map[string]any
	for i := 0; props != nil && i+1 < len(props.Content); i += 2 {
		if props.Content[i].Value == "LoggingConfig" {
			if err := props.Content[i+1].Decode(&logging); err != nil {
				t.Fatal(err)
			}
			props.Content = append(props.Content[:i], props.Content[i+2:]...)
			break
		}
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out, logging
}

// lookup is the value of key in a YAML mapping node, nil if none.
var lookup = cfnyaml.Lookup

// TestLogging: both functions log in Lambda's JSON format at INFO into the
// template's log group, whose retention is a parameter, and name their
// metrics' namespace and service as the handler reads them.
func TestLogging(t *testing.T) {
	for _, path := range templates {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, logging := withoutLoggingConfig(t, path)
			want := map[string]any{"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO", "LogGroup": "FunctionLogGroup"}
			if diff := cmp.Diff(want, logging); diff != "" {
				t.Errorf("LoggingConfig (-want +got):\n%s", diff)
			}
			tpl := open(t, path)
			lg, err := tpl.GetLogsLogGroupWithName("FunctionLogGroup")
			if err != nil {
				t.Fatal(err)
			}
			if lg.RetentionInDays == nil || *lg.RetentionInDays != 30 {
				t.Errorf("log group retention %v, want the LogRetentionDays parameter (30 by default)", lg.RetentionInDays)
			}
			env := function(t, tpl).Environment.Variables
			if env["POWERTOOLS_SERVICE_NAME"] != "ride-duration-prediction" || env["POWERTOOLS_METRICS_NAMESPACE"] != "RidePrediction" {
				t.Errorf("metrics environment %v", env)
			}
		})
	}
}

func function(t *testing.T, tpl *cloudformation.Template) *serverless.Function {
	t.Helper()
	fn, err := tpl.GetServerlessFunctionWithName("RideDurationFunction")
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// templates are the zip deployment and the container-image one.
var templates = []string{"../../../template.yaml", "../../../template-image.yaml"}

// each runs a test on both templates.
func each(t *testing.T, test func(t *testing.T, tpl *cloudformation.Template)) {
	for _, path := range templates {
		t.Run(filepath.Base(path), func(t *testing.T) { test(t, open(t, path)) })
	}
}

func TestFunctionCode(t *testing.T) {
	fn := function(t, open(t, templates[0]))
	if got := aws.ToString(fn.Runtime); got != "provided.al2023" {
		t.Errorf("zip function's runtime is %q, want provided.al2023", got)
	}
	if fn.CodeUri == nil || aws.ToString(fn.CodeUri.String) != "build/function.zip" {
		t.Errorf("zip function's code is %+v, want build/function.zip", fn.CodeUri)
	}
	img := function(t, open(t, templates[1]))
	if got := aws.ToString(img.PackageType); got != "Image" {
		t.Errorf("image function's package type is %q, want Image", got)
	}
	if got := aws.ToString(img.ImageUri); got != "" {
		t.Errorf("image function's image is %q, want the ImageUri parameter (empty by default)", got)
	}
	// sam build builds the image from the function's Metadata.
	meta := img.AWSCloudFormationMetadata
	if meta["DockerContext"] != "." || meta["DockerTag"] == nil {
		t.Errorf("image function's Metadata %v, want DockerContext . and a DockerTag", meta)
	}
	if df, _ := meta["Dockerfile"].(string); df == "" {
		t.Errorf("image function's Metadata names no Dockerfile: %v", meta)
	} else if _, err := os.Stat(filepath.Join("../../..", df)); err != nil {
		t.Errorf("image function's Dockerfile: %v", err)
	}
	if img.Runtime != nil || img.CodeUri != nil {
		t.Errorf("image function has runtime %v and code %+v, want neither: the image brings both", img.Runtime, img.CodeUri)
	}
}

// TestTemplatesInStep: the image template is the zip template but for the
// function's code.
func TestTemplatesInStep(t *testing.T) {
	zip, img := open(t, templates[0]), open(t, templates[1])
	zf, imf := *function(t, zip), *function(t, img)
	zf.Runtime, zf.Handler, zf.CodeUri = nil, nil, nil
	imf.PackageType, imf.ImageUri, imf.AWSCloudFormationMetadata = nil, nil, nil
	if diff := cmp.Diff(zf, imf); diff != "" {
		t.Errorf("the functions differ beyond their code (-zip +image):\n%s", diff)
	}
	delete(zip.Resources, "RideDurationFunction")
	delete(img.Resources, "RideDurationFunction")
	if diff := cmp.Diff(zip.Resources, img.Resources); diff != "" {
		t.Errorf("the templates' other resources differ (-zip +image):\n%s", diff)
	}
	delete(img.Parameters, "ImageUri")
	for name := range zip.Parameters {
		if _, ok := img.Parameters[name]; !ok {
			t.Errorf("parameter %s is missing from the image template", name)
		}
	}
}

func TestFunction(t *testing.T) {
	each(t, func(t *testing.T, tpl *cloudformation.Template) {
		fn := function(t, tpl)
		if fn.MemorySize == nil {
			t.Error("the function sets no MemorySize")
		}
		if _, ok := tpl.Parameters["MemorySize"]; !ok {
			t.Error("no MemorySize parameter")
		}
		if fn.Timeout == nil {
			t.Error("the function sets no Timeout")
		}
		if got := aws.ToString(fn.Role); got != "GetAtt:FunctionRole.Arn" {
			t.Errorf("the function's role is %q, want the template's FunctionRole", got)
		}
	})
}

// TestEnvironmentNamesStreamsOfTheTemplate: the function writes to streams
// this template creates, under the names the handler reads.
func TestEnvironmentNamesStreamsOfTheTemplate(t *testing.T) {
	each(t, environmentNamesStreams)
}

func environmentNamesStreams(t *testing.T, tpl *cloudformation.Template) {
	env := function(t, tpl).Environment.Variables
	for variable, name := range map[string]string{"PREDICTIONS_STREAM_NAME": "ride_prediction", "DLQ_STREAM_NAME": "ride_events_dlq"} {
		logical, ok := strings.CutPrefix(env[variable], "Ref:")
		if !ok {
			t.Errorf("%s = %q, want a Ref to a stream", variable, env[variable])
			continue
		}
		stream, err := tpl.GetKinesisStreamWithName(logical)
		if err != nil || stream.Name == nil || *stream.Name != name {
			t.Errorf("%s refers to %s, which is not the stream %s of this template (%v)", variable, logical, name, err)
		}
	}
}

func TestEventSourceMapping(t *testing.T) {
	each(t, eventSourceMapping)
}

func eventSourceMapping(t *testing.T, tpl *cloudformation.Template) {
	maps := tpl.GetAllLambdaEventSourceMappingResources()
	if len(maps) != 1 {
		t.Fatalf("%d event source mappings, want 1", len(maps))
	}
	for _, m := range maps {
		if m.FunctionName != "Ref:RideDurationFunction.Alias" {
			t.Errorf("the mapping invokes %s, want the function's alias (AutoPublishAlias)", m.FunctionName)
		}
		if got := aws.ToString(m.EventSourceArn); got != "GetAtt:RideEventsStream.Arn" {
			t.Errorf("the mapping reads %q, want the ride_events stream", got)
		}
		if !slices.Equal(m.FunctionResponseTypes, []string{"ReportBatchItemFailures"}) {
			t.Errorf("FunctionResponseTypes %v", m.FunctionResponseTypes)
		}
		if m.BisectBatchOnFunctionError == nil || !*m.BisectBatchOnFunctionError {
			t.Error("BisectBatchOnFunctionError is not on")
		}
		var onFailure string
		if m.DestinationConfig != nil && m.DestinationConfig.OnFailure != nil {
			onFailure = aws.ToString(m.DestinationConfig.OnFailure.Destination)
		}
		if onFailure != "GetAtt:FailureQueue.Arn" {
			t.Errorf("on-failure destination %q, want the FailureQueue", onFailure)
		}
		// Batch size, window, parallelization and retries come from parameters.
		for name, set := range map[string]bool{"BatchSize": m.BatchSize != nil, "MaximumBatchingWindowInSeconds": m.MaximumBatchingWindowInSeconds != nil,
			"ParallelizationFactor": m.ParallelizationFactor != nil, "MaximumRetryAttempts": m.MaximumRetryAttempts != nil} {
			if _, ok := tpl.Parameters[name]; !ok || !set {
				t.Errorf("%s: set %v, parameter present %v", name, set, ok)
			}
		}
	}
}

// TestRideEventsStreamMode: ride_events is PROVISIONED with
// RideEventsShards, or ON_DEMAND with no ShardCount (CloudFormation
// refuses one), as the parameter RideEventsStreamMode says.
func TestRideEventsStreamMode(t *testing.T) {
	for _, path := range templates {
		root := yamlRoot(t, path)
		var got struct {
			Condition []string `yaml:"RideEventsOnDemand"`
			Mode      struct {
				Default       string   `yaml:"Default"`
				AllowedValues []string `yaml:"AllowedValues"`
			} `yaml:"RideEventsStreamMode"`
			ShardCount []string `yaml:"ShardCount"`
			StreamMode string   `yaml:"StreamMode"`
		}
		props := lookup(lookup(lookup(root, "Resources"), "RideEventsStream"), "Properties")
		for node, into := range map[*yaml.Node]any{lookup(root, "Conditions"): &got, lookup(root, "Parameters"): &got, props: &got,
			lookup(props, "StreamModeDetails"): &got} {
			if node == nil {
				t.Fatalf("%s: no Conditions, Parameters, RideEventsStream properties or StreamModeDetails", path)
			}
			if err := node.Decode(into); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		want := got
		want.Condition = []string{"RideEventsStreamMode", "ON_DEMAND"}
		want.Mode.Default, want.Mode.AllowedValues = "PROVISIONED", []string{"PROVISIONED", "ON_DEMAND"}
		want.ShardCount = []string{"RideEventsOnDemand", "AWS::NoValue", "RideEventsShards"}
		want.StreamMode = "RideEventsStreamMode"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: ride_events' mode (-want +got):\n%s", path, diff)
		}
	}
}

// TestLeastPrivilege: every statement of the function's role names
// resources of this template, never a wildcard or a managed policy.
func TestLeastPrivilege(t *testing.T) {
	each(t, leastPrivilege)
}

func leastPrivilege(t *testing.T, tpl *cloudformation.Template) {
	role, err := tpl.GetIAMRoleWithName("FunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	if len(role.ManagedPolicyArns) != 0 {
		t.Errorf("managed policies %v: grant only what the function needs", role.ManagedPolicyArns)
	}
	allowed := map[string][]string{ // resource -> actions it may be the target of
		"GetAtt:RideEventsStream.Arn":  {"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
		"GetAtt:PredictionsStream.Arn": {"kinesis:PutRecords"},
		"GetAtt:DeadLetterStream.Arn":  {"kinesis:PutRecords"},
		"GetAtt:FailureQueue.Arn":      {"sqs:SendMessage"},
		"GetAtt:FunctionLogGroup.Arn":  {"logs:CreateLogStream", "logs:PutLogEvents"},
	}
	statements := 0
	for _, p := range role.Policies {
		doc, _ := p.PolicyDocument.(map[string]interface{})
		list, _ := doc["Statement"].([]interface{})
		for _, s := range list {
			st, ok := s.(map[string]interface{})
			if !ok { // removed by a condition that does not hold (AWS::NoValue)
				continue
			}
			statements++
			if st["Effect"] != "Allow" {
				continue
			}
			for _, res := range strs(st["Resource"]) {
				ok := allowed[res]
				if ok == nil {
					t.Errorf("statement %v: resource %q is not one of this template's streams, queue or log group", st["Sid"], res)
					continue
				}
				for _, a := range strs(st["Action"]) {
					if !slices.Contains(ok, a) {
						t.Errorf("statement %v: action %s on %s is more than the function needs", st["Sid"], a, res)
					}
				}
			}
			if len(strs(st["Resource"])) == 0 {
				t.Errorf("statement %v names no resource", st["Sid"])
			}
		}
	}
	if statements == 0 {
		t.Fatal("the role has no statements")
	}
}

func strs(v interface{}) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []interface{}:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// TestOneArchitecture: make package, the Dockerfile and both templates
// build and run the same CPU by default; a binary for another CPU cannot
// start, and every batch would fail until retries run out.
func TestOneArchitecture(t *testing.T) {
	makefile, err := os.ReadFile("../../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ARCH \?= (\w+)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("Makefile has no ARCH ?= default")
	}
	lambdaArch := string(m[1])
	goarch := map[string]string{"x86_64": "amd64", "arm64": "arm64"}[lambdaArch]
	each(t, func(t *testing.T, tpl *cloudformation.Template) {
		fn := function(t, tpl)
		if len(fn.Architectures) != 1 || fn.Architectures[0] != lambdaArch {
			t.Errorf("function architectures %v; make package builds ARCH=%s", fn.Architectures, lambdaArch)
		}
	})
	docker, err := os.ReadFile("../../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM --platform=$BUILDPLATFORM", "ARG TARGETARCH", "make bootstrap ARCH=${TARGETARCH}", "--platform linux/" + goarch} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// TestRedriveSettings: ride_events keeps records long enough to redrive a
// failed batch, the mapping gives up on old records before the stream drops
// them, the streams are encrypted, and alarms watch the mapping, the
// on-failure queue and the function.
func TestRedriveSettings(t *testing.T) {
	each(t, func(t *testing.T, tpl *cloudformation.Template) {
		events, err := tpl.GetKinesisStreamWithName("RideEventsStream")
		if err != nil {
			t.Fatal(err)
		}
		retention := 0
		if events.RetentionPeriodHours != nil {
			retention = *events.RetentionPeriodHours
		}
		m, err := tpl.GetLambdaEventSourceMappingWithName("RideEventsMapping")
		if err != nil {
			t.Fatal(err)
		}
		if retention < 168 {
			t.Errorf("ride_events keeps records %d h, want 7 days or more, for redrives", retention)
		}
		if age := aws.ToInt(m.MaximumRecordAgeInSeconds); age <= 0 || age >= retention*3600 {
			t.Errorf("maximum record age %d s, want a limit below the stream's retention (%d h)", age, retention)
		}
		for name, s := range tpl.GetAllKinesisStreamResources() {
			if s.StreamEncryption == nil || s.StreamEncryption.EncryptionType != "KMS" || s.StreamEncryption.KeyId != "alias/aws/kinesis" {
				t.Errorf("%s is not encrypted with the AWS-managed key", name)
			}
		}
		alarms := map[string]bool{}
		for _, a := range tpl.GetAllCloudWatchAlarmResources() {
			alarms[aws.ToString(a.MetricName)] = true
		}
		for _, metric := range []string{"IteratorAge", "ApproximateNumberOfMessagesVisible", "Errors"} {
			if !alarms[metric] {
				t.Errorf("no alarm on %s", metric)
			}
		}
	})
}

// TestDockerContext: the files .dockerignore lets into the build context
// are enough for make bootstrap (the Dockerfile's build stage), so the
// image builds from them alone.
func TestDockerContext(t *testing.T) {
	ignore, err := os.ReadFile("../../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, line := range strings.Split(string(ignore), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "!"); ok {
			keep = append(keep, strings.TrimSuffix(p, "/"))
		}
	}
	dir := t.TempDir()
	for _, p := range keep {
		cp := exec.Command("cp", "-r", "--parents", p, dir)
		cp.Dir = "../../.."
		if out, err := cp.CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v\n%s", p, err, out)
		}
	}
	build := exec.Command("make", "--no-print-directory", "bootstrap")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make bootstrap from the Docker context (%v): %v\n%s", keep, err, out)
	}
}
