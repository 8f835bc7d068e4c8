package rehearse

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The rehearsal's `aws` is this test binary (TestMain sees shimEnv): it
// runs /usr/bin/aws against moto and plays the transitional states that AWS
// documents and moto does not model, since moto's streams are ACTIVE and
// its functions Active at once. A command that DEPLOY.md runs before the
// wait its resource needs then fails here as it would on AWS:
//
//   - a Kinesis stream is CREATING after create-stream and UPDATING after
//     start-stream-encryption or a shard count change; a change needs it
//     ACTIVE (ResourceInUseException), which `aws kinesis wait
//     stream-exists` waits for. A retention change is played the same way:
//     it needs ACTIVE too, and AWS does not document it as instant.
//   - a function is Pending after create-function, until `aws lambda wait
//     function-active-v2`, and InProgress after update-function-code or
//     update-function-configuration, until `function-updated-v2`; an
//     update meanwhile fails (ResourceConflictException).
//   - a role that create-role has just made cannot be assumed by Lambda
//     for some seconds: the first create-function with it fails.
//
// A new event source mapping is Creating on AWS, but its state is only
// seen by polling its description, which this does not rewrite.
const shimEnv = "REHEARSAL_AWS_SHIM"

// change is an operation that leaves its resource in a transitional state,
// and the error AWS gives if the resource is still in one.
type change struct{ kind, state, refusal string }

var changes = map[string]change{
	"kinesis create-stream":                    {"stream", "CREATING", "ResourceInUseException"},
	"kinesis start-stream-encryption":          {"stream", "UPDATING", "ResourceInUseException"},
	"kinesis stop-stream-encryption":           {"stream", "UPDATING", "ResourceInUseException"},
	"kinesis increase-stream-retention-period": {"stream", "UPDATING", "ResourceInUseException"},
	"kinesis decrease-stream-retention-period": {"stream", "UPDATING", "ResourceInUseException"},
	"kinesis update-shard-count":               {"stream", "UPDATING", "ResourceInUseException"},
	"lambda create-function":                   {"function", "Pending", "ResourceConflictException"},
	"lambda update-function-code":              {"function", "InProgress", "ResourceConflictException"},
	"lambda update-function-configuration":     {"function", "InProgress", "ResourceConflictException"},
}

// needsSettled are operations that AWS refuses while their resource is in
// a transitional state, without changing it: a version is published from
// a function that no update is changing.
var needsSettled = map[string]string{
	"lambda publish-version": "ResourceConflictException",
}

// settles maps a wait to the transitional states it waits out.
var settles = map[string][]string{
	"kinesis wait stream-exists":      {"CREATING", "UPDATING"},
	"lambda wait function-active-v2":  {"Pending"},
	"lambda wait function-updated-v2": {"InProgress"},
}

// call is one aws command line: service, operation (with a wait's waiter)
// and options.
type call struct {
	op   string
	args []string
}

func parse(args []string) call {
	var words []string
	for i := 0; i < len(args) && len(words) < 3; i++ {
		if strings.HasPrefix(args[i], "--") {
			break
		}
		words = append(words, args[i])
	}
	if len(words) == 3 && words[1] != "wait" {
		words = words[:2]
	}
	return call{op: strings.Join(words, " "), args: args}
}

// option returns the value of --name, or "".
func (c call) option(name string) string {
	for i, a := range c.args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(c.args) {
			return c.args[i+1]
		}
	}
	return ""
}

// resource names the stream or function a call is about, as "stream/NAME"
// or "function/NAME".
func (c call) resource() string {
	switch {
	case strings.HasPrefix(c.op, "kinesis "):
		name := c.option("stream-name")
		if arn := c.option("stream-arn"); arn != "" {
			name = arn[strings.LastIndex(arn, "/")+1:]
		}
		return "stream/" + name
	case strings.HasPrefix(c.op, "lambda "):
		name := c.option("function-name")
		return "function/" + name[strings.LastIndex(name, ":")+1:]
	}
	return ""
}

// states keeps the resources' transitional states, one file each, in dir.
type states struct{ dir string }

func (s states) path(resource string) string {
	return filepath.Join(s.dir, strings.ReplaceAll(resource, "/", "."))
}

func (s states) get(resource string) string {
	b, _ := os.ReadFile(s.path(resource))
	return string(b)
}

func (s states) set(resource, state string) error {
	return os.WriteFile(s.path(resource), []byte(state), 0o644)
}

func (s states) clear(resource string) error {
	if err := os.Remove(s.path(resource)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// refusal is the error AWS would give the call, or "".
func (s states) refusal(c call) (code, message string) {
	if c.op == "lambda create-function" {
		role := c.option("role")
		role = "role/" + role[strings.LastIndex(role, "/")+1:]
		if s.get(role) != "" {
			s.clear(role) // the next try succeeds
			return "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."
		}
	}
	refusal := needsSettled[c.op]
	if ch, ok := changes[c.op]; ok {
		refusal = ch.refusal
	}
	if refusal == "" {
		return "", ""
	}
	if state := s.get(c.resource()); state != "" {
		return refusal, fmt.Sprintf("%s is %s; on AWS, wait for it first", strings.Replace(c.resource(), "/", " ", 1), state)
	}
	return "", ""
}

// after records the state a successful call leaves.
func (s states) after(c call) error {
	if c.op == "iam create-role" {
		return s.set("role/"+c.option("role-name"), "propagating")
	}
	if ch, ok := changes[c.op]; ok {
		return s.set(c.resource(), ch.state)
	}
	if slices.Contains(settles[c.op], s.get(c.resource())) {
		return s.clear(c.resource())
	}
	return nil
}

// record appends the call to the log of every aws command line run
// (calls), for what the rehearsal checks in the requests themselves.
func (s states) record(c call) error {
	f, err := os.OpenFile(filepath.Join(s.dir, "calls"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	line, err := json.Marshal(c.args)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
	}
	return err
}

// calls is the aws command lines run so far whose operation is op.
func (s states) calls(op string) []call {
	b, _ := os.ReadFile(filepath.Join(s.dir, "calls"))
	var out []call
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var args []string
		if json.Unmarshal([]byte(line), &args) != nil {
			continue
		}
		if c := parse(args); c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// shim is the rehearsal's aws: it returns the exit status.
func shim(args []string) int {
	s, c := states{dir: os.Getenv("REHEARSAL_STATE")}, parse(args)
	if err := s.record(c); err != nil {
		fmt.Fprintln(os.Stderr, "rehearsal aws:", err)
		return 255
	}
	if code, message := s.refusal(c); code != "" {
		fmt.Fprintf(os.Stderr, "\nAn error occurred (%s) when calling %s (played by the rehearsal: moto has no such state): %s\n", code, c.op, message)
		return 254
	}
	cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", os.Getenv("REHEARSAL_ENDPOINT")}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "rehearsal aws:", err)
		return 255
	}
	if err := s.after(c); err != nil {
		fmt.Fprintln(os.Stderr, "rehearsal aws:", err)
		return 255
	}
	return 0
}

// TestTransitions plays DEPLOY.md's order of commands, and the mistakes
// of issue 24, through the shim's states without running aws.
func TestTransitions(t *testing.T) {
	s := states{dir: t.TempDir()}
	for _, step := range []struct {
		command, refusal string
	}{
		{"kinesis create-stream --stream-name a --shard-count 1", ""},
		{"kinesis start-stream-encryption --stream-name a --encryption-type KMS", "ResourceInUseException"},
		{"kinesis wait stream-exists --stream-name a", ""},
		{"kinesis start-stream-encryption --stream-name a --encryption-type KMS", ""},
		{"kinesis increase-stream-retention-period --stream-name a --retention-period-hours 168", "ResourceInUseException"},
		{"kinesis describe-stream-summary --stream-name a", ""},
		{"kinesis wait stream-exists --stream-name=a", ""},
		{"kinesis increase-stream-retention-period --stream-arn arn:aws:kinesis:us-east-1:1:stream/a --retention-period-hours 168", ""},
		{"kinesis wait stream-exists --stream-name a", ""},
		{"kinesis decrease-stream-retention-period --stream-name a --retention-period-hours 24", ""},
		{"iam create-role --role-name r --assume-role-policy-document {}", ""},
		{"iam wait role-exists --role-name r", ""},
		{"lambda create-function --function-name f --role arn:aws:iam::1:role/r", "InvalidParameterValueException"},
		{"lambda create-function --function-name f --role arn:aws:iam::1:role/r", ""},
		{"lambda update-function-code --function-name f --zip-file fileb://x", "ResourceConflictException"},
		{"lambda wait function-updated-v2 --function-name f", ""},
		{"lambda update-function-code --function-name f --zip-file fileb://x", "ResourceConflictException"},
		{"lambda wait function-active-v2 --function-name f", ""},
		{"lambda update-function-code --function-name f --zip-file fileb://x", ""},
		{"lambda wait function-active-v2 --function-name f", ""},
		{"lambda update-function-configuration --function-name f --timeout 30", "ResourceConflictException"},
		{"lambda wait function-updated-v2 --function-name f", ""},
		{"lambda update-function-configuration --function-name f --timeout 30", ""},
		{"lambda publish-version --function-name f", "ResourceConflictException"},
		{"lambda wait function-updated-v2 --function-name f", ""},
		{"lambda publish-version --function-name f", ""},
		{"lambda update-alias --function-name f --name live --function-version 2", ""},
	} {
		c := parse(strings.Fields(step.command))
		code, message := s.refusal(c)
		if code != step.refusal {
			t.Fatalf("aws %s: refused with %q (%s), want %q", step.command, code, message, step.refusal)
		}
		if code == "" {
			if err := s.after(c); err != nil {
				t.Fatal(err)
			}
		}
	}
}
