package rehearse

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/internal/localproc"
)

// rehearsal is a running moto_server and a shell that sends `aws` to it.
type rehearsal struct {
	t        *testing.T
	endpoint string
	env      []string
	root     string
}

func start(t *testing.T) *rehearsal {
	t.Helper()
	// The script uploads build/function.zip, which this builds if make
	// test did not.
	if _, _, err := localproc.Binaries(t); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("AWS CLI v2 (/usr/bin/aws) is missing: make deps installs Debian's awscli")
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		t.Fatal("moto_server is neither on PATH nor in build/venv/bin: make deps installs it there, or says why it could not")
	}
	port, err := localproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	moto := exec.Command("moto_server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logs, _ := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	moto.Stdout, moto.Stderr = logs, logs
	server, err := localproc.StartServer(moto, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Stop)
	// `aws` on PATH is AWS CLI v2 with moto's endpoint: Debian's 2.9
	// predates AWS_ENDPOINT_URL, and DEPLOY.md's commands say plain `aws`.
	bin := t.TempDir()
	wrapper := "#!/bin/sh\nexec /usr/bin/aws --endpoint-url \"$REHEARSAL_ENDPOINT\" \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../..")
	r := &rehearsal{t: t, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), root: root}
	r.env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "REHEARSAL_ENDPOINT="+r.endpoint,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_DEFAULT_OUTPUT=json", "TMPDIR="+t.TempDir())
	return r
}

// sh runs a bash script in the repository's root and returns its output.
func (r *rehearsal) sh(script string) string {
	r.t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = r.root, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("%v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

// json runs one aws command and decodes its JSON output.
func (r *rehearsal) json(command string, v any) {
	r.t.Helper()
	out := r.sh("aws " + command)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		r.t.Fatalf("aws %s: %v\n%s", command, err, out)
	}
}

// check compares the deployed resources with the template's settings.
func (r *rehearsal) check(t *testing.T) {
	for stream, retention := range map[string]int{"ride_events": 168, "ride_prediction": 24, "ride_events_dlq": 168} {
		var s struct{ StreamDescriptionSummary streamSummary }
		r.json("kinesis describe-stream-summary --stream-name "+stream, &s)
		want := streamSummary{StreamStatus: "ACTIVE", RetentionPeriodHours: retention, OpenShardCount: 1}
		if diff := cmp.Diff(want, s.StreamDescriptionSummary); diff != "" {
			t.Errorf("stream %s (-want +got):\n%s", stream, diff)
		}
	}
	var fn struct {
		function
		Role string
	}
	r.json("lambda get-function-configuration --function-name ride-duration-prediction", &fn)
	wantFn := function{Runtime: "provided.al2023", Architectures: []string{"x86_64"}, MemorySize: 256, Timeout: 30}
	wantFn.Environment.Variables = map[string]string{"PREDICTIONS_STREAM_NAME": "ride_prediction", "DLQ_STREAM_NAME": "ride_events_dlq"}
	if diff := cmp.Diff(wantFn, fn.function); diff != "" {
		t.Errorf("function (-want +got):\n%s", diff)
	}
	var role struct {
		Role struct{ AssumeRolePolicyDocument any }
	}
	r.json("iam get-role --role-name "+fn.Role[strings.LastIndex(fn.Role, "/")+1:], &role)
	if !strings.Contains(fmt.Sprint(role.Role.AssumeRolePolicyDocument), "lambda.amazonaws.com") {
		t.Errorf("role %s: %+v", fn.Role, role)
	}
	var queue struct{ QueueUrl string }
	r.json("sqs get-queue-url --queue-name ride_events_failures", &queue)
	var maps struct {
		EventSourceMappings []struct {
			mappingSettings
			EventSourceArn    string
			DestinationConfig struct{ OnFailure struct{ Destination string } }
		}
	}
	r.json("lambda list-event-source-mappings --function-name ride-duration-prediction", &maps)
	if len(maps.EventSourceMappings) != 1 {
		t.Fatalf("%d event source mappings", len(maps.EventSourceMappings))
	}
	m := maps.EventSourceMappings[0]
	if !strings.HasSuffix(m.EventSourceArn, ":stream/ride_events") {
		t.Errorf("event source mapping reads %s, want the ride_events stream", m.EventSourceArn)
	}
	if d := m.DestinationConfig.OnFailure.Destination; !strings.HasSuffix(d, ":ride_events_failures") {
		t.Errorf("event source mapping's on-failure destination is %q, want the ride_events_failures queue", d)
	}
	want := mappingSettings{StartingPosition: "LATEST", BatchSize: 1000, MaximumBatchingWindowInSeconds: 1, MaximumRetryAttempts: 10,
		MaximumRecordAgeInSeconds: 21600, BisectBatchOnFunctionError: true, FunctionResponseTypes: []string{"ReportBatchItemFailures"}}
	if diff := cmp.Diff(want, m.mappingSettings); diff != "" {
		t.Errorf("event source mapping (-want +got):\n%s", diff)
	}
}

// streamSummary, function and mappingSettings are what check compares
// with the template, as the AWS CLI describes them.
type streamSummary struct {
	StreamStatus                         string
	RetentionPeriodHours, OpenShardCount int
}

type function struct {
	Runtime       string
	Architectures []string
	MemorySize    int
	Timeout       int
	Environment   struct{ Variables map[string]string }
}

type mappingSettings struct {
	StartingPosition                                                                           string
	BatchSize, MaximumBatchingWindowInSeconds, MaximumRetryAttempts, MaximumRecordAgeInSeconds int
	BisectBatchOnFunctionError                                                                 bool
	FunctionResponseTypes                                                                      []string
}

// TestCloudFormation: template.yaml, translated as sam deploy does, creates
// the stack with CloudFormation.
func TestCloudFormation(t *testing.T) {
	r := start(t)
	r.sh(`aws s3 mb s3://rehearsal-artifacts >/dev/null
aws s3 cp --quiet build/function.zip s3://rehearsal-artifacts/function.zip
python3 tools/rehearse/translate.py template.yaml s3://rehearsal-artifacts/function.zip > "$TMPDIR/stack.json"
aws cloudformation create-stack --stack-name ride-duration-prediction --template-body "file://$TMPDIR/stack.json" --capabilities CAPABILITY_IAM >/dev/null
aws cloudformation wait stack-create-complete --stack-name ride-duration-prediction`)
	// moto 5.2 creates the alarms as empty resources and ignores the
	// streams' encryption: tools/template's tests and cfn-lint check those.
	r.check(t)
}

// TestPlainCLI runs DEPLOY.md's plain-CLI blocks (marked <!-- rehearse -->)
// as written, in one shell.
func TestPlainCLI(t *testing.T) {
	r := start(t)
	deploy, err := os.ReadFile(filepath.Join(r.root, "DEPLOY.md"))
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	for _, part := range strings.Split(string(deploy), "<!-- rehearse -->\n```sh\n")[1:] {
		code, _, _ := strings.Cut(part, "```")
		script.WriteString(code)
	}
	if !strings.Contains(script.String(), "aws lambda create-event-source-mapping") {
		t.Fatalf("DEPLOY.md's rehearsed blocks lack the trigger:\n%s", script.String())
	}
	r.sh(script.String())
	r.check(t)
}

// TestImageTemplateTranslates: template-image.yaml goes through the same
// SAM translation: its function is an image, from the ImageUri parameter
// (which sam build fills in from the function's Metadata).
func TestImageTemplateTranslates(t *testing.T) {
	cmd := exec.Command("python3", "tools/rehearse/translate.py", "template-image.yaml")
	cmd.Dir = "../.."
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("translate template-image.yaml: %v", err)
	}
	var stack struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				PackageType string
				Code        struct{ ImageUri any }
			}
		}
	}
	if err := json.Unmarshal(out, &stack); err != nil {
		t.Fatal(err)
	}
	fn := stack.Resources["RideDurationFunction"]
	if fn.Type != "AWS::Lambda::Function" || fn.Properties.PackageType != "Image" || fmt.Sprint(fn.Properties.Code.ImageUri) != "map[Ref:ImageUri]" {
		t.Errorf("translated function: %+v", fn)
	}
}
