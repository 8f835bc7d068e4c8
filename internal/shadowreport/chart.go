package shadowreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// Write writes the report to path (Markdown) and, unless python is empty
// or no ride was scored by both, its chart beside it (the same name, .png),
// and returns the report.
func (c *Comparison) Write(path, python string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	png := ""
	if python != "" && c.Joined > 0 {
		png = strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
		if err := c.Chart(python, png); err != nil {
			return nil, err
		}
		png = filepath.Base(png)
	}
	var b bytes.Buffer
	if err := c.Markdown(&b, png); err != nil {
		return nil, err
	}
	return b.Bytes(), os.WriteFile(path, b.Bytes(), 0o644)
}

// Chart draws the sample of joined rides (how the shadow differs, and serving
// against shadow, as the refresh report's chart) to a PNG at path with
// chart.py and python, which needs matplotlib (make deps installs it).
func (c *Comparison) Chart(python, path string) error {
	if c.Joined == 0 {
		return errors.New("chart: no ride was scored by both models")
	}
	in := struct {
		Serving        []float64 `json:"serving"`
		Shadow         []float64 `json:"shadow"`
		ServingVersion string    `json:"serving_version"`
		ShadowVersion  string    `json:"shadow_version"`
		Joined         int       `json:"joined"`
	}{ServingVersion: mainVersion(c.Serving.Versions), ShadowVersion: mainVersion(c.Shadow.Versions), Joined: c.Joined}
	for _, p := range c.Sample {
		in.Serving = append(in.Serving, p.Serving)
		in.Shadow = append(in.Shadow, p.Shadow)
	}
	f, err := os.CreateTemp("", "shadowreport-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = json.NewEncoder(f).Encode(in)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, file, _, _ := runtime.Caller(0)
	return command.Run(nil, python, filepath.Join(filepath.Dir(file), "chart.py"), f.Name(), path)
}

// mainVersion is the version with the most rides (the first by name on a
// tie).
func mainVersion(v map[string]int) string {
	best := ""
	for n, k := range v {
		if best == "" || k > v[best] || k == v[best] && n < best {
			best = n
		}
	}
	return best
}
