package docsection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplace(t *testing.T) {
	doc := "# B\n\nbefore\n" + Begin("a") + "\nold a\n" + End + "\nmiddle\n" + Begin("b") + "\nold b\n" + End + "\nafter\n"
	got, err := Replace([]byte(doc), "b", "new b")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "old b\n", "new b\n", 1)
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if body, err := Section(got, "a"); err != nil || body != "old a\n" {
		t.Errorf("Section(a) = %q, %v; want the untouched %q", body, err, "old a\n")
	}
	for _, bad := range []string{
		"no markers\n",
		End + "\n" + Begin("b") + "\n",
		Begin("b") + "\nno end\n",
		Begin("bb") + "\nanother name\n" + End + "\n",
		Begin("b") + "\nend not alone " + End + "\n",
	} {
		if _, err := Replace([]byte(bad), "b", "x\n"); err == nil {
			t.Errorf("Replace(%q) = nil error, want one", bad)
		}
	}
}

func TestDiffAndUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "DOC.md")
	if err := os.WriteFile(path, []byte("x\n"+Begin("t")+"\n| a |\n"+End+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := Diff(path, "t", "| a |\n"); err != nil || d != "" {
		t.Errorf("Diff of an equal section = %q, %v; want none", d, err)
	}
	if d, err := Diff(path, "t", "| b |\n"); err != nil || d == "" {
		t.Errorf("Diff of a different section = %q, %v; want a report", d, err)
	}
	if err := Update(path, "t", "| b |\n"); err != nil {
		t.Fatal(err)
	}
	if d, err := Diff(path, "t", "| b |"); err != nil || d != "" {
		t.Errorf("after Update, Diff = %q, %v; want none", d, err)
	}
	if _, err := Diff(path, "missing", ""); err == nil {
		t.Error("Diff of a missing section: nil error, want one")
	}
}
