package localstack

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nyc-taxi/ridepred/localstack/esm"
)

// samTemplate is the part of template.yaml that the local stack follows.
type samTemplate struct {
	Parameters map[string]struct {
		Default yaml.Node `yaml:"Default"`
	} `yaml:"Parameters"`
	Resources struct {
		Function struct {
			Properties struct {
				Timeout yaml.Node `yaml:"Timeout"`
			} `yaml:"Properties"`
		} `yaml:"RideDurationFunction"`
		Mapping struct {
			Properties struct {
				MaximumRecordAgeInSeconds yaml.Node `yaml:"MaximumRecordAgeInSeconds"`
			} `yaml:"Properties"`
		} `yaml:"RideEventsMapping"`
	} `yaml:"Resources"`
}

// MappingFromTemplate reads the settings that make demo and make up take
// from template.yaml, so that each number lives in one place: the
// function's Timeout, which is both the emulator's time-out and the
// mapping's, and the mapping's MaximumRecordAgeInSeconds. The rest of the
// mapping (batch size, window, retries) is the demo's own, set by flags to
// show more in less time.
func MappingFromTemplate(text []byte) (esm.Config, error) {
	var tpl samTemplate
	if err := yaml.Unmarshal(text, &tpl); err != nil {
		return esm.Config{}, fmt.Errorf("%w", err)
	}
	timeout, err := tpl.seconds("RideDurationFunction's Timeout", tpl.Resources.Function.Properties.Timeout)
	if err != nil {
		return esm.Config{}, err
	}
	age, err := tpl.seconds("RideEventsMapping's MaximumRecordAgeInSeconds", tpl.Resources.Mapping.Properties.MaximumRecordAgeInSeconds)
	if err != nil {
		return esm.Config{}, err
	}
	if timeout <= 0 {
		return esm.Config{}, fmt.Errorf("RideDurationFunction's Timeout is %v", timeout)
	}
	return esm.Config{FunctionTimeout: timeout, MaxRecordAge: age}, nil
}

// seconds reads a whole number of seconds, written out or a !Ref to a
// parameter with a default.
func (tpl *samTemplate) seconds(what string, n yaml.Node) (time.Duration, error) {
	if n.Tag == "!Ref" {
		p, ok := tpl.Parameters[n.Value]
		if !ok {
			return 0, fmt.Errorf("%s refers to %s, not a parameter", what, n.Value)
		}
		n = p.Default
	}
	var s int
	if n.ShortTag() != "!!int" || n.Decode(&s) != nil {
		return 0, fmt.Errorf("%s is not a whole number of seconds (line %d)", what, n.Line)
	}
	return time.Duration(s) * time.Second, nil
}
