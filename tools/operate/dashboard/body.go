package main

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// nameProperty is the property that holds the name a Ref or a name
// attribute gives, per resource type.
var nameProperty = map[string]string{
	"AWS::Kinesis::Stream":       "Name",
	"AWS::Serverless::Function":  "FunctionName",
	"AWS::Logs::LogGroup":        "LogGroupName",
	"AWS::SQS::Queue":            "QueueName",
	"AWS::CloudWatch::Dashboard": "DashboardName",
}

var variable = regexp.MustCompile(`\$\{([^}]+)\}`)

// Body is the body of the template's AWS::CloudWatch::Dashboard with its
// Fn::Sub made as CloudFormation makes it: AWS::Region, the parameters
// (set or defaults) and the names of the template's named resources.
func Body(template []byte, region string, set map[string]string) (string, error) {
	var tpl struct {
		Parameters map[string]struct {
			Default any `yaml:"Default"`
		} `yaml:"Parameters"`
		Resources map[string]struct {
			Type       string               `yaml:"Type"`
			Properties map[string]yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(template, &tpl); err != nil {
		return "", err
	}
	for name := range set {
		if _, ok := tpl.Parameters[name]; !ok {
			return "", fmt.Errorf("-param %s: the template has no such parameter", name)
		}
	}
	var body *yaml.Node
	for id, res := range tpl.Resources {
		if res.Type != "AWS::CloudWatch::Dashboard" {
			continue
		}
		if body != nil {
			return "", fmt.Errorf("more than one dashboard (%s)", id)
		}
		n := res.Properties["DashboardBody"]
		if n.Tag != "!Sub" || n.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("%s: DashboardBody is not a !Sub string", id)
		}
		body = &n
	}
	if body == nil {
		return "", fmt.Errorf("the template declares no AWS::CloudWatch::Dashboard")
	}
	var missing []string
	out := variable.ReplaceAllStringFunc(body.Value, func(m string) string {
		name := m[2 : len(m)-1]
		if name == "AWS::Region" {
			return region
		}
		if v, ok := set[name]; ok {
			return v
		}
		if p, ok := tpl.Parameters[name]; ok && p.Default != nil {
			return fmt.Sprint(p.Default)
		}
		id, attr, _ := strings.Cut(name, ".")
		if res, ok := tpl.Resources[id]; ok {
			prop := nameProperty[res.Type]
			if n, ok := res.Properties[prop]; ok && n.Kind == yaml.ScalarNode && n.Tag == "!!str" &&
				(attr == "" || attr == prop || attr == "Name") {
				return n.Value
			}
		}
		missing = append(missing, name)
		return m
	})
	if missing != nil {
		return "", fmt.Errorf("cannot substitute %s (a parameter without a default, or not a named resource)", strings.Join(missing, ", "))
	}
	return out, nil
}
