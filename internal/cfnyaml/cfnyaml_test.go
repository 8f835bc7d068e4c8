package cfnyaml

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRead: the sections of a small template, intrinsic functions kept as
// nodes with their tags.
func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	text := `Parameters:
  Topic:
    Default: ""
  Size:
    Default: "3"
Conditions:
  HasTopic: !Not [!Equals [!Ref Topic, ""]]
Resources:
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: !Ref Space
      MetricName: DeadLetters
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Parameters["Size"].Default != "3" || len(tpl.Parameters) != 2 {
		t.Errorf("parameters %+v", tpl.Parameters)
	}
	if c := tpl.Conditions["HasTopic"]; c.Tag != "!Not" {
		t.Errorf("HasTopic's tag %q, want !Not", c.Tag)
	}
	alarm := tpl.Resources["Alarm"]
	if ns := alarm.Properties["Namespace"]; alarm.Type != "AWS::CloudWatch::Alarm" || ns.Tag != "!Ref" || ns.Value != "Space" {
		t.Errorf("alarm %+v", alarm)
	}
	root, err := Root(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := Lookup(Lookup(Lookup(root, "Resources"), "Alarm"), "Type"); got == nil || got.Value != "AWS::CloudWatch::Alarm" {
		t.Errorf("Lookup of the alarm's type: %v", got)
	}
	if Lookup(root, "Outputs") != nil || Lookup(nil, "x") != nil {
		t.Error("Lookup of an absent key is not nil")
	}
	if err := os.WriteFile(path, []byte("- a list\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil {
		t.Error("a YAML list read as a template")
	}
}
