package doctest

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// awsCLI is AWS CLI v2 as make deps installs it (Debian's awscli).
const awsCLI = "/usr/bin/aws"

// globalValued are the AWS CLI's global options that take a value, which
// may come between the service and the operation.
var globalValued = []string{"--endpoint-url", "--region", "--output", "--profile", "--query", "--cli-binary-format", "--color", "--ca-bundle"}

// awsCall is one aws command: service, operation (a waiter's "wait NAME"),
// and the flags given to it.
type awsCall struct {
	service, op string
	flags       []string
}

var awsWord = regexp.MustCompile(`(?:^|[\s;&|(])(?:/usr/bin/)?aws\s`)

// awsCalls are the aws commands of one command line, also those in $(...)
// or after a pipe; each ends at the next | ; && || or ).
func awsCalls(line string) []awsCall {
	var out []awsCall
	for _, loc := range awsWord.FindAllStringIndex(line, -1) {
		rest := line[loc[1]:]
		if i := strings.IndexAny(rest, "|;)"); i >= 0 {
			rest = rest[:i]
		}
		rest, _, _ = strings.Cut(rest, "&&")
		var c awsCall
		words := strings.Fields(rest)
		for i := 0; i < len(words); i++ {
			w := words[i]
			switch {
			case strings.HasPrefix(w, "--"):
				c.flags = append(c.flags, strings.SplitN(w, "=", 2)[0])
				if c.op == "" && slices.Contains(globalValued, w) {
					i++
				}
			case c.service == "":
				c.service = w
			case c.op == "":
				c.op = w
			case c.op == "wait" && !strings.Contains(c.op, " "):
				c.op += " " + w
			}
		}
		if c.service != "" && c.op != "" {
			out = append(out, c)
		}
	}
	return out
}

// TestAWSCommands: every aws command in a block that the rehearsal does
// not run is one AWS CLI v2 knows: aws SERVICE OP help exits 0, and each
// flag it is given is in that help. Not under -short (a help call takes a
// second or two).
func TestAWSCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("the aws help calls take a minute; go test without -short runs them")
	}
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatal("AWS CLI v2 (/usr/bin/aws) is missing: make deps installs it")
	}
	calls := map[string][]string{} // "service op" -> where it is used
	flags := map[string][]string{}
	for _, b := range shellBlocks(t) {
		if b.kind() == "rehearse" {
			continue
		}
		for _, line := range commands(b.text) {
			for _, c := range awsCalls(line) {
				key := c.service + " " + c.op
				calls[key] = append(calls[key], b.String())
				flags[key] = append(flags[key], c.flags...)
			}
		}
	}
	if len(calls) == 0 {
		t.Fatal("no aws commands outside the rehearsal's blocks")
	}
	var mu sync.Mutex
	help := map[string]string{}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for key := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(awsCLI, append(strings.Fields(key), "help")...)
			cmd.Env = append(os.Environ(), "AWS_PAGER=", "PAGER=cat", "MANPAGER=cat")
			out, err := cmd.Output()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("aws %s (%s) is not an operation of AWS CLI v2 (%s help: %v)", key, calls[key][0], key, err)
				return
			}
			help[key] = overstrike.ReplaceAllString(string(out), "")
		}()
	}
	wg.Wait()
	for key, text := range help {
		for _, f := range flags[key] {
			if !strings.Contains(text, f+" ") && !strings.Contains(text, f+"\n") && !strings.Contains(text, f+"]") {
				t.Errorf("aws %s (%s): %s is not among its options in AWS CLI v2's help", key, calls[key][0], f)
			}
		}
	}
}

// overstrike is the bold and underline of man's plain-text output.
var overstrike = regexp.MustCompile(".\b")

func TestAWSCalls(t *testing.T) {
	got := awsCalls(`X=$(/usr/bin/aws kinesis --endpoint-url "$E" get-shard-iterator --shard-id 1 --query 'A') && aws kinesis wait stream-exists --stream-name s | jq`)
	want := []awsCall{
		{"kinesis", "get-shard-iterator", []string{"--endpoint-url", "--shard-id", "--query"}},
		{"kinesis", "wait stream-exists", []string{"--stream-name"}},
	}
	if len(got) != len(want) {
		t.Fatalf("awsCalls = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].service != want[i].service || got[i].op != want[i].op || !slices.Equal(got[i].flags, want[i].flags) {
			t.Errorf("awsCalls[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
