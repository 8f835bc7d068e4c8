package workcopy

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestThinRides: every file of the months keeps the same rides, the CSV
// its header too, and the golden answers are renumbered to match.
func TestThinRides(t *testing.T) {
	repo := t.TempDir()
	files := map[string]string{
		"build/model/2022-02.rides.jsonl": "{\"r\":0}\n{\"r\":1}\n{\"r\":2}\n{\"r\":3}\n{\"r\":4}\n",
		"build/model/2022-02.csv":         "h\nc0\nc1\nc2\nc3\nc4\n",
	}
	for name, text := range files {
		write(t, filepath.Join(repo, name), []byte(text))
	}
	golden := filepath.Join(repo, "model-export", "artifacts", "golden", "rides.jsonl.gz")
	var lines []string
	for _, month := range []string{"2022-01", "2022-02"} {
		for _, row := range []string{"0", "1", "2", "3", "4"} {
			lines = append(lines, `{"month": "`+month+`", "row": `+row+`, "prediction": 1.`+row+`}`)
		}
	}
	writeGzip(t, golden, strings.Join(lines, "\n")+"\n")

	if env := ThinRides(t, repo, 2); len(env) != 1 || env[0] != "GOLDEN_MIN_RIDES=65000" {
		t.Errorf("ThinRides' environment for check-model is %q, want GOLDEN_MIN_RIDES=65000", env)
	}

	want := map[string]string{
		"build/model/2022-02.rides.jsonl": "{\"r\":0}\n{\"r\":2}\n{\"r\":4}\n",
		"build/model/2022-02.csv":         "h\nc0\nc2\nc4\n",
	}
	for name, text := range want {
		if got := read(t, filepath.Join(repo, name)); got != text {
			t.Errorf("%s: got %q, want %q", name, got, text)
		}
	}
	wantGolden := `{"month": "2022-01", "row": 0, "prediction": 1.0}
{"month": "2022-01", "row": 1, "prediction": 1.2}
{"month": "2022-01", "row": 2, "prediction": 1.4}
{"month": "2022-02", "row": 0, "prediction": 1.0}
{"month": "2022-02", "row": 1, "prediction": 1.2}
{"month": "2022-02", "row": 2, "prediction": 1.4}
`
	if got := readGzip(t, golden); got != wantGolden {
		t.Errorf("golden answers:\n%s\nwant:\n%s", got, wantGolden)
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func writeGzip(t *testing.T, path, text string) {
	t.Helper()
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, text)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, path, []byte(b.String()))
}

func readGzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
