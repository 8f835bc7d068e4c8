package localstack

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestMappingFromTemplate: make demo and make up read the function's
// Timeout and the mapping's MaximumRecordAgeInSeconds from template.yaml,
// following a !Ref to a parameter's default.
func TestMappingFromTemplate(t *testing.T) {
	const doc = `
Parameters:
  MaximumRecordAgeInSeconds:
    Type: Number
    Default: %s
Resources:
  RideDurationFunction:
    Properties:
      Role: !GetAtt FunctionRole.Arn
      Timeout: %s
  RideEventsMapping:
    Properties:
      MaximumRecordAgeInSeconds: %s
`
	for _, tc := range []struct {
		name, def, timeout, age string
		wantTimeout, wantAge    time.Duration
		err                     string
	}{
		{"ref", "600", "30", "!Ref MaximumRecordAgeInSeconds", 30 * time.Second, 10 * time.Minute, ""},
		{"literal", "600", "5", "60", 5 * time.Second, time.Minute, ""},
		{"infinite", "-1", "30", "!Ref MaximumRecordAgeInSeconds", 30 * time.Second, -time.Second, ""},
		{"bad ref", "600", "30", "!Ref Nope", 0, 0, "refers to Nope"},
		{"no timeout", "600", "", "60", 0, 0, "Timeout is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := MappingFromTemplate(fmt.Appendf(nil, doc, tc.def, tc.timeout, tc.age))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.FunctionTimeout != tc.wantTimeout || cfg.MaxRecordAge != tc.wantAge {
				t.Errorf("timeout %v, record age %v; want %v, %v", cfg.FunctionTimeout, cfg.MaxRecordAge, tc.wantTimeout, tc.wantAge)
			}
		})
	}
}

// TestTemplateReadable: the real template.yaml has what make demo reads.
func TestTemplateReadable(t *testing.T) {
	text, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MappingFromTemplate(text); err != nil {
		t.Fatal(err)
	}
}

// TestStreamNamesAsDeployed: the stack's stream names are template.yaml's,
// so that the local stack, the tools' defaults and AWS agree: ride_events,
// ride_prediction and ride_events_dlq are its streams, and the on-failure
// destination, a queue there, has FailuresStream's name.
func TestStreamNamesAsDeployed(t *testing.T) {
	text, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Properties struct {
				Name      string `yaml:"Name"`
				QueueName string `yaml:"QueueName"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(text, &tpl); err != nil {
		t.Fatal(err)
	}
	for resource, want := range map[string]string{"RideEventsStream": RidesStream, "PredictionsStream": PredictionsStream,
		"DeadLetterStream": DLQStream, "FailureQueue": FailuresStream} {
		p := tpl.Resources[resource].Properties
		if got := p.Name + p.QueueName; got != want {
			t.Errorf("template.yaml's %s is named %q, the local stack's %q", resource, got, want)
		}
	}
}
