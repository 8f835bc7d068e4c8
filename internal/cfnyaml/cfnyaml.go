// Package cfnyaml reads the project's CloudFormation (SAM) templates,
// template.yaml and template-image.yaml, as YAML: the tests of the handler
// and of the templates that check what the templates say where
// goformation does not look (conditions, intrinsic functions, the
// alarms' metrics) share its types, so that the templates' shape is
// declared once.
package cfnyaml

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Template is a template's top-level sections, with each value that may
// hold an intrinsic function (!Ref, !If, ...) left as a YAML node.
type Template struct {
	Parameters map[string]Parameter `yaml:"Parameters"`
	Conditions map[string]yaml.Node `yaml:"Conditions"`
	Resources  map[string]Resource  `yaml:"Resources"`
}

// Parameter is one of a template's parameters.
type Parameter struct {
	Default string `yaml:"Default"`
}

// Resource is one of a template's resources: its type and properties.
type Resource struct {
	Type       string               `yaml:"Type"`
	Properties map[string]yaml.Node `yaml:"Properties"`
}

// Read reads the template at path.
func Read(path string) (*Template, error) {
	root, err := Root(path)
	if err != nil {
		return nil, err
	}
	var tpl Template
	if err := root.Decode(&tpl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &tpl, nil
}

// Root reads the template at path as its top-level YAML mapping node.
func Root(path string) (*yaml.Node, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", path)
	}
	return doc.Content[0], nil
}

// Lookup is the value of key in a YAML mapping node m, nil if none (or if
// m is nil).
func Lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
