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

	"github.com/nyc-taxi/ridepred/localstack/proc"
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
	if _, _, err := proc.Binaries(t); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("AWS CLI v2 (/usr/bin/aws) is missing: make deps installs Debian's awscli")
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		t.Fatal("moto_server is neither on PATH nor in build/venv/bin: make deps installs it there, or says why it could not")
	}
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	moto := exec.Command("moto_server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logs, _ := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	moto.Stdout, moto.Stderr = logs, logs
	server, err := proc.StartServer(moto, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Stop)
	// `aws` on PATH is AWS CLI v2 with moto's endpoint (Debian's 2.9
	// predates AWS_ENDPOINT_URL, and DEPLOY.md's commands say plain `aws`),
	// run by this test binary, which plays what moto does not model
	// (transitions_test.go).
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=1 exec '%s' \"$@\"\n", shimEnv, exe)
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../../..")
	r := &rehearsal{t: t, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), root: root}
	r.env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "REHEARSAL_ENDPOINT="+r.endpoint, "REHEARSAL_STATE="+t.TempDir(),
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_DEFAULT_OUTPUT=json", "TMPDIR="+t.TempDir())
	return r
}

// tmp is the scripts' TMPDIR.
func (r *rehearsal) tmp() string {
	dir := ""
	for _, e := range r.env { // the last one counts
		if v, ok := strings.CutPrefix(e, "TMPDIR="); ok {
			dir = v
		}
	}
	return dir
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

// stackName is the CloudFormation stack's name, which CloudFormation puts
// in the names it generates, and the plain-CLI path in its own.
const stackName = "ride-duration-prediction"

// TestSameStack deploys the stack both ways, each into its own moto, and
// fails on any setting in which they differ: template.yaml, translated
// from SAM as sam deploy does, with CloudFormation, and DEPLOY.md's
// plain-CLI blocks as written. Where moto's CloudFormation drops what the
// template declares (see motoGaps), the plain-CLI stack is compared with
// the template instead. It does so for each architecture, x86_64 (the
// default) and arm64 (Graviton: the template's Architecture, the CLI's
// ARCH, and make package ARCH=arm64's zip).
func TestSameStack(t *testing.T) {
	for _, arch := range []string{"x86_64", "arm64"} {
		t.Run(arch, func(t *testing.T) { sameStack(t, arch) })
	}
}

func sameStack(t *testing.T, arch string) {
	var cfn, cli *stack
	t.Run("deploy", func(t *testing.T) {
		t.Run("CloudFormation", func(t *testing.T) {
			t.Parallel()
			cfn = deployTemplate(t, arch)
		})
		t.Run("PlainCLI", func(t *testing.T) {
			t.Parallel()
			cli = deployCLI(t, arch)
		})
	})
	if cfn == nil || cli == nil {
		if !t.Failed() {
			t.Skip("-run deployed one way only: nothing to compare")
		}
		return
	}
	for _, s := range []*stack{cfn, cli} {
		if len(s.Mappings) != 1 || s.Aliases["ride-duration-prediction:live"]["FunctionVersion"] != "1" || len(s.Dashboards) != 1 {
			t.Errorf("mappings %v, aliases %v, dashboards %d: want one mapping, live on version 1, one dashboard", s.Mappings, s.Aliases, len(s.Dashboards))
		}
	}
	if got := fmt.Sprint(cli.Architectures); got != "map["+stackName+":["+arch+"]]" {
		t.Errorf("the plain-CLI function's architectures are %s, want [%s] (and its versions' the same)", got, arch)
	}
	if diff := cmp.Diff(cfn.withoutMotoGaps(), cli.withoutMotoGaps()); diff != "" {
		t.Errorf("the two ways build different stacks (-CloudFormation +plain CLI):\n%s", diff)
	}
	want := declaredGaps(t, translate(t, "template.yaml"), arch)
	if diff := cmp.Diff(want, cli.motoGaps()); diff != "" {
		t.Errorf("the plain-CLI stack differs from template.yaml where moto's CloudFormation cannot tell (-template +plain CLI):\n%s", diff)
	}
}

// functionZip is make package's zip for arch, relative to the repository:
// build/function.zip (which start builds), or build/arm64/function.zip,
// built here under the lock the tests build with.
func functionZip(t *testing.T, arch string) string {
	t.Helper()
	if arch == "x86_64" {
		return "build/function.zip"
	}
	root := proc.Root()
	err := proc.WithLock(filepath.Join(root, "build", "binaries.lock"), func() error {
		cmd := exec.Command("make", "--no-print-directory", "package", "ARCH="+arch)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("make package ARCH=%s: %w\n%s", arch, err, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return "build/" + arch + "/function.zip"
}

// alarmTopic is the SNS topic both deployments' alarms notify: the
// template's AlarmTopicArn, the plain-CLI path's ALARM_TOPIC_ARN. The
// rehearsal creates it in each moto.
const alarmTopic = "arn:aws:sns:us-east-1:123456789012:ride-duration-alarms"

// deployTemplate creates template.yaml's stack with CloudFormation.
//
// moto's CloudFormation has no AWS::Lambda::Alias (nor CodeDeploy), and
// a Ref to one gives nothing, so the stack is created in two steps. The
// first leaves out what refers to the alias (the mapping); the rehearsal
// then creates the alias as the template declares it, on the version the
// stack published; the second (an update) adds the rest, each Ref to the
// alias replaced by what it gives on AWS, the alias's ARN.
func deployTemplate(t *testing.T, arch string) *stack {
	r := start(t)
	zip := functionZip(t, arch)
	r.sh(`aws s3 mb s3://rehearsal-artifacts >/dev/null
aws s3 cp --quiet ` + zip + ` s3://rehearsal-artifacts/function.zip
aws sns create-topic --name ` + alarmTopic[strings.LastIndex(alarmTopic, ":")+1:] + ` >/dev/null
python3 tools/deploy/rehearse/translate.py template.yaml s3://rehearsal-artifacts/function.zip > "$TMPDIR/stack.json"`)
	tpl := readJSON(t, filepath.Join(r.tmp(), "stack.json"))
	first, aliases := withoutAliases(t, tpl)
	writeJSON(t, filepath.Join(r.tmp(), "first.json"), first)
	writeJSON(t, filepath.Join(r.tmp(), "stack.json"), tpl)
	params := "--parameters ParameterKey=AlarmTopicArn,ParameterValue=" + alarmTopic + " ParameterKey=Architecture,ParameterValue=" + arch
	r.sh(`aws cloudformation create-stack --stack-name ` + stackName + ` --template-body "file://$TMPDIR/first.json" --capabilities CAPABILITY_IAM ` + params + ` >/dev/null
aws cloudformation wait stack-create-complete --stack-name ` + stackName)
	for _, a := range aliases {
		r.sh(fmt.Sprintf(`version=$(aws lambda list-versions-by-function --function-name %[1]s --query 'Versions[-1].Version' --output text)
aws lambda create-alias --function-name %[1]s --name %[2]s --function-version "$version" >/dev/null`, a.function, a.name))
	}
	r.sh(`aws cloudformation update-stack --stack-name ` + stackName + ` --template-body "file://$TMPDIR/stack.json" --capabilities CAPABILITY_IAM ` + params + ` >/dev/null
aws cloudformation wait stack-update-complete --stack-name ` + stackName)
	return r.describe()
}

// deployCLI runs DEPLOY.md's plain-CLI blocks (marked <!-- rehearse -->)
// as written, in one shell.
func deployCLI(t *testing.T, arch string) *stack {
	r := start(t)
	functionZip(t, arch)
	r.env = append(r.env, "ARCH="+arch)
	r.deployCLI()
	return r.describe()
}

func (r *rehearsal) deployCLI() {
	script := blocks(r.t, "")
	if !strings.Contains(script, "aws lambda create-event-source-mapping") {
		r.t.Fatalf("DEPLOY.md's rehearsed blocks lack the trigger:\n%s", script)
	}
	r.sh("aws sns create-topic --name " + alarmTopic[strings.LastIndex(alarmTopic, ":")+1:] + " >/dev/null\n" +
		"export ALARM_TOPIC_ARN=" + alarmTopic + "\n" + script)
	// moto resolves an alias to its version in the mapping's FunctionArn
	// (AWS keeps the alias's ARN there), so what the mapping invokes is
	// read from the request that created it.
	created := r.states().calls("lambda create-event-source-mapping")
	if len(created) != 1 || created[0].option("function-name") != "ride-duration-prediction:live" {
		r.t.Errorf("DEPLOY.md creates the mapping with %v, want one, on the alias ride-duration-prediction:live", created)
	}
}

// states is the shim's record of the rehearsal's aws commands.
func (r *rehearsal) states() states {
	for i := len(r.env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(r.env[i], "REHEARSAL_STATE="); ok {
			return states{dir: v}
		}
	}
	r.t.Fatal("no REHEARSAL_STATE")
	return states{}
}

// blocks is DEPLOY.md's shell blocks marked <!-- rehearse --> (name "") or
// <!-- rehearse: NAME -->, in order, as one script.
func blocks(t *testing.T, name string) string {
	t.Helper()
	deploy, err := os.ReadFile(filepath.Join(proc.Root(), "DEPLOY.md"))
	if err != nil {
		t.Fatal(err)
	}
	marker := "<!-- rehearse -->\n```sh\n"
	if name != "" {
		marker = "<!-- rehearse: " + name + " -->\n```sh\n"
	}
	var script strings.Builder
	for _, part := range strings.Split(string(deploy), marker)[1:] {
		code, _, _ := strings.Cut(part, "```")
		script.WriteString(code)
	}
	if script.Len() == 0 {
		t.Fatalf("DEPLOY.md has no block marked %q", strings.TrimSpace(marker))
	}
	return script.String()
}

// TestImageTemplateTranslates: template-image.yaml goes through the same
// SAM translation: its function is an image, from the ImageUri parameter
// (which sam build fills in from the function's Metadata).
func TestImageTemplateTranslates(t *testing.T) {
	const image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ride-duration-prediction:v1"
	cmd := exec.Command("python3", "tools/deploy/rehearse/translate.py", "template-image.yaml", "ImageUri="+image)
	cmd.Dir = "../../.."
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
	if fn.Type != "AWS::Lambda::Function" || fn.Properties.PackageType != "Image" || fmt.Sprint(fn.Properties.Code.ImageUri) != image {
		t.Errorf("translated function: %+v", fn)
	}
}
