package runinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "results.json")
	want := Run{Date: "2026-12-07T00:00:00Z", CPU: "test", Cores: 2, LoadStart: [3]float64{1, 2, 3}}
	if err := WriteJSON(path, want); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(b), "}\n") || !strings.Contains(string(b), "\n  \"date\"") {
		t.Errorf("not indented JSON ending in a newline:\n%s", b)
	}
	var got Run
	if err := ReadJSON(path, &got); err != nil || got != want {
		t.Errorf("ReadJSON = %+v, %v; want %+v", got, err, want)
	}
}

func TestReadJSONNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(path, []byte("{"), 0o644)
	var v Run
	if err := ReadJSON(path, &v); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadJSON of a broken file = %v, want an error naming %s", err, path)
	}
}
