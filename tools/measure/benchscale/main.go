// Benchscale measures how the generator's cost grows with the model: it
// trains (or reuses) forests of several sizes on the committed Jan 2022
// rides, and for each one exports it, generates it, compiles it and builds
// the Lambda binary with it in a copy of this repository, then times
// Predict and PredictBatch against sklearn on the same shuffled Feb rides.
// A LightGBM model (make bench-families' lightgbm row, trained and timed
// with build/venv's python) is also compiled with lleaves, timed, and both
// lleaves' and Go's predictions on those rides are compared with
// Booster.predict's bit for bit.
//
//	go run ./tools/measure/benchscale [-only seed,default] [-dir build/scale]
//
// make bench-scale runs it. Each forest lives in DIR/<name>/ (model.pkl,
// forest.json, repo/); a model.pkl there is reused. Compiles run with a Go
// build cache that holds every dependency but none of the model, so that
// they time what a user's go build pays after a refresh. Peak memory is the
// largest process's (the /usr/bin/time figure). The table goes to stdout,
// DIR/bench.md and DIR/bench.json, the chart to -chart.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/workcopy"
	"github.com/nyc-taxi/ridepred/tools/internal/baseline"
)

// A spec is one model to measure: train.py's hyperparameters over the
// seed's, or, with a Form, a model of another family trained by
// model-export/train_family.py in that form.
type spec struct {
	Name   string
	Params string
	Form   string
	// Venv: trained, exported and timed with build/venv's python, the
	// only one with lightgbm and lleaves.
	Venv bool
}

var specs = []spec{
	{"seed", `{}`, "", false}, // max_depth=20, min_samples_leaf=10: ~0.18 M nodes
	{"leaf5", `{"max_depth": null, "min_samples_leaf": 5}`, "", false},   // ~0.58 M
	{"leaf2", `{"max_depth": null, "min_samples_leaf": 2}`, "", false},   // ~1.7 M
	{"default", `{"max_depth": null, "min_samples_leaf": 1}`, "", false}, // sklearn's defaults, ~5.5 M
}

// familySpecs are make bench-families' models, one per family, trained on
// all of Jan 2022. zoomcamp is the MLOps Zoomcamp's xgboost (its best
// parameters: max_depth=30, 1,000 rounds), saved as its notebook saves it.
var familySpecs = []spec{
	{"forest (seed)", `{}`, "", false},
	{"gradient", `{"n_estimators": 100, "max_depth": 6}`, "gb", false},
	{"hist", `{"max_iter": 200}`, "hgb", false},
	{"xgbregressor", `{"n_estimators": 200, "max_depth": 8}`, "xgb-pipe", false},
	{"zoomcamp", `{"num_boost_round": 1000, "nthread": 2}`, "xgb-mlflow", false},
	// LightGBM, also against lleaves: 30 trees of 31 leaves, as lleaves'
	// compile of LightGBM's default 100 had not ended after 30 minutes
	// (14 CPU minutes) here.
	{"lightgbm", `{"n_estimators": 30, "num_leaves": 31, "learning_rate": 0.1}`, "lgbm-pipe", true},
}

// Result is one forest's row.
type Result struct {
	Name          string  `json:"name"`
	Params        string  `json:"params"`
	Nodes         int     `json:"nodes"`
	MaxDepth      int     `json:"max_depth"`
	ExportS       float64 `json:"export_s"`
	GenS          float64 `json:"gen_s"`
	GenMB         float64 `json:"gen_peak_mb"`
	CompileS      float64 `json:"compile_s"`
	CompileMB     float64 `json:"compile_peak_mb"`
	BootstrapS    float64 `json:"bootstrap_s"`
	LinkMB        float64 `json:"bootstrap_build_peak_mb"` // mostly the linker's
	BootstrapMB   float64 `json:"bootstrap_mb"`
	ZipMB         float64 `json:"zip_mb"`
	SourceMB      float64 `json:"source_mb"`
	Packages      int     `json:"packages"`
	PredictUS     float64 `json:"predict_us"`
	BatchUS       float64 `json:"predict_batch_us"`
	SklearnUS     float64 `json:"sklearn_single_us"`
	SklearnBatchU float64 `json:"sklearn_batch_us"`
	// Lleaves is a LightGBM model's comparison with lleaves; nil for others.
	Lleaves *Lleaves `json:"lleaves,omitempty"`
}

const py = "/usr/bin/python3"

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchscale: ")
	only := flag.String("only", "", "comma-separated forest names to measure (default all: seed,leaf5,leaf2,default)")
	dir := flag.String("dir", "build/scale", "where forests, copies and results go")
	families := flag.Bool("families", false, "measure one model per tree family (make bench-families) instead of forests by size")
	chart := flag.String("chart", "build/scale/scale.png", "log-log chart to write")
	flag.Parse()
	root, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	b := &bench{root: root, dir: must(filepath.Abs(*dir))}
	if err := b.prepare(); err != nil {
		log.Fatal(err)
	}
	if *families {
		specs = familySpecs
	}
	var results []Result
	for _, s := range specs {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.Name) {
			continue
		}
		log.Printf("%s: %s", s.Name, s.Params)
		r, err := b.measure(s)
		if err != nil {
			log.Fatalf("%s: %v", s.Name, err)
		}
		results = append(results, r)
	}
	results = merge(filepath.Join(b.dir, "bench.json"), results)
	md := markdown(results)
	fmt.Print(md)
	data, _ := json.MarshalIndent(results, "", "  ")
	for name, content := range map[string][]byte{"bench.md": []byte(md), "bench.json": data} {
		if err := os.WriteFile(filepath.Join(b.dir, name), content, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *families {
		return // the chart is of size, and the families are not a series
	}
	if err := command.Run(nil, py, "tools/measure/benchscale/chart.py", filepath.Join(b.dir, "bench.json"), *chart); err != nil {
		log.Fatal(err)
	}
}

type bench struct {
	root, dir string
	deps      string // a Go build cache with every dependency built
	rides     string // shuffled Feb ride events, JSON lines, for sklearn
	// lambdaEnv and lambdaFlags are how make bootstrap builds the Lambda
	// binary (for amd64), read from the Makefile.
	lambdaEnv, lambdaFlags []string
}

// makeVar is a Makefile variable's words, as the shell splits them.
func makeVar(name string) ([]string, error) {
	out, err := exec.Command("make", "-s", "--no-print-directory", "print-"+name).Output()
	if err != nil {
		return nil, fmt.Errorf("make print-%s: %w", name, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), nil
}

// goBuild is the go build command line of make bootstrap, with args.
func (b *bench) goBuild(args ...string) []string {
	return append(append([]string{"build"}, b.lambdaFlags...), args...)
}

// prepare writes the rides sklearn is timed on and fills the dependency
// cache. train.py's CSVs come from make (the bench-scale target).
func (b *bench) prepare() error {
	b.rides = filepath.Join(b.dir, "rides.jsonl")
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	if err := writeRides(b.rides); err != nil {
		return err
	}
	var err error
	if b.lambdaEnv, err = makeVar("LAMBDA_ENV"); err != nil {
		return err
	}
	b.lambdaEnv = append(b.lambdaEnv, "GOARCH=amd64")
	if b.lambdaFlags, err = makeVar("LAMBDA_FLAGS"); err != nil {
		return err
	}
	// Every package the Lambda binary needs except the model and what
	// imports it, built as make bootstrap builds them.
	b.deps = filepath.Join(b.dir, "gocache-deps")
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./handler/cmd/bootstrap").Output()
	if err != nil {
		return fmt.Errorf("go list: %w", err)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/nyc-taxi/ridepred/") {
			pkgs = append(pkgs, p)
		}
	}
	env := append([]string{"GOCACHE=" + b.deps}, b.lambdaEnv...)
	return command.Run(env, "go", b.goBuild(pkgs...)...)
}

// measure runs every step for one forest.
func (b *bench) measure(s spec) (Result, error) {
	r := Result{Name: s.Name, Params: s.Params}
	dir := filepath.Join(b.dir, strings.Fields(s.Name)[0])
	model, vectorizer, err := train(s, b.python(s), dir, filepath.Join(b.root, "build", "model"))
	if err != nil {
		return r, err
	}
	var vec []string
	if vectorizer != "" {
		vec = []string{"--vectorizer", vectorizer}
	}
	forest := filepath.Join(dir, "forest.json")
	python := b.python(s)
	t, err := command.Time(command.New(nil, python, append([]string{"model-export/export.py", "--model", model, "--out", forest}, vec...)...))
	if err != nil {
		return r, err
	}
	r.ExportS = t.Wall.Seconds()

	// A copy of the repository whose generated/ is this forest's.
	repo := filepath.Join(dir, "repo")
	if err := workcopy.Copy(b.root, repo); err != nil {
		return r, err
	}
	gen := filepath.Join(dir, "gen")
	if err := command.Run(nil, "go", "build", "-o", gen, "./gen"); err != nil {
		return r, err
	}
	gdir := filepath.Join(repo, "generated")
	if t, err = command.Time(command.New(nil, gen, "-model", forest, "-out", gdir, "-pkg", "generated")); err != nil {
		return r, err
	}
	r.GenS, r.GenMB = t.Wall.Seconds(), t.PeakMiB
	r.SourceMB, r.Packages = sourceSize(gdir)

	cache := filepath.Join(dir, "gocache")
	os.RemoveAll(cache)
	if err := command.Run(nil, "cp", "-a", b.deps, cache); err != nil {
		return r, err
	}
	env := append([]string{"GOCACHE=" + cache}, b.lambdaEnv...)
	inRepo := func(args ...string) []string { return append([]string{"-C", repo}, args...) }
	if t, err = command.Time(command.New(env, "go", inRepo(b.goBuild("./generated")...)...)); err != nil {
		return r, err
	}
	r.CompileS, r.CompileMB = t.Wall.Seconds(), t.PeakMiB
	bootstrap := filepath.Join(dir, "bootstrap")
	os.Remove(bootstrap) // else go build finds it up to date and links nothing
	args := b.goBuild("-o", bootstrap, "./handler/cmd/bootstrap")
	if t, err = command.Time(command.New(env, "go", inRepo(args...)...)); err != nil {
		return r, err
	}
	r.BootstrapS, r.LinkMB = t.Wall.Seconds(), t.PeakMiB
	zip := filepath.Join(dir, "function.zip")
	os.Remove(zip)
	if err := command.Run(nil, "sh", "-c", "cd "+dir+" && "+py+" -m zipfile -c function.zip bootstrap"); err != nil {
		return r, err
	}
	r.BootstrapMB, r.ZipMB = sizeMB(bootstrap), sizeMB(zip)

	if r.PredictUS, r.BatchUS, err = goBench(repo, cache); err != nil {
		return r, err
	}
	var sk struct {
		Single    float64 `json:"single_ns"`
		Batch     float64 `json:"batch_ns_per_ride"`
		Nodes     int     `json:"nodes"`
		MaxDepth  int     `json:"max_depth"`
		BatchRide int     `json:"batch_rides"`
	}
	if err := baseline.Bench(python, model, vectorizer, &sk, "library", b.rides); err != nil {
		return r, err
	}
	r.SklearnUS, r.SklearnBatchU, r.Nodes, r.MaxDepth = sk.Single/1e3, sk.Batch/1e3, sk.Nodes, sk.MaxDepth
	if strings.HasPrefix(s.Form, "lgbm") {
		if r.Lleaves, err = b.lleaves(python, model, vectorizer, dir, repo, cache); err != nil {
			return r, err
		}
		r.Lleaves.LibrarySingleUS, r.Lleaves.LibraryBatchUS = r.SklearnUS, r.SklearnBatchU
		r.Lleaves.PredictUS, r.Lleaves.PredictBatchUS = r.PredictUS, r.BatchUS
	}
	log.Printf("%s: %+v", s.Name, r)
	return r, nil
}

// train makes the spec's model in dir, unless it is there from an earlier
// run: its path, and its vectorizer's when it is saved apart.
func train(s spec, python, dir, csvs string) (model, vectorizer string, err error) {
	csv := func(m string) string { return filepath.Join(csvs, m+".csv") }
	var args []string
	switch s.Form {
	case "":
		model = filepath.Join(dir, "model.pkl")
		args = []string{"model-export/train.py", "--train", csv("2022-01"), "--val", csv("2022-02"),
			"--data", "model-export/data/green_tripdata_2022-01.parquet", "model-export/data/green_tripdata_2022-02.parquet",
			"--model", model, "--metrics", filepath.Join(dir, "metrics.json"), "--plot", filepath.Join(dir, "validation.png"),
			"--params", s.Params}
	case "xgb-mlflow":
		model = filepath.Join(dir, "models_mlflow")
		vectorizer = filepath.Join(model, "preprocessor.b")
	default:
		model = filepath.Join(dir, "model.pkl")
	}
	if args == nil {
		args = []string{"model-export/train_family.py", "--train", csv("2022-01"), "--form", s.Form, "--out", model, "--params", s.Params}
	}
	if _, err := os.Stat(model); err == nil {
		return model, vectorizer, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	return model, vectorizer, command.Run(nil, python, args...)
}

// python is the interpreter of the spec's Python steps.
func (b *bench) python(s spec) string {
	if s.Venv {
		return filepath.Join(b.root, "build", "venv", "bin", "python")
	}
	return py
}

// goBench runs the generated package's Predict and PredictBatch benchmarks.
func goBench(repo, cache string) (predict, batch float64, err error) {
	cmd := command.New([]string{"GOCACHE=" + cache}, "go", "-C", repo, "test", "-run", "^$", "-bench", "^(BenchmarkPredict|BenchmarkPredictBatch)$", "-benchtime", "2s", "./generated")
	cmd.Stdout = nil
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	p := regexp.MustCompile(`BenchmarkPredict-\d+\s+\d+\s+([\d.]+) ns/op`).FindSubmatch(out)
	q := regexp.MustCompile(`BenchmarkPredictBatch-\d+\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) ns/ride`).FindSubmatch(out)
	if p == nil || q == nil {
		return 0, 0, fmt.Errorf("no benchmark figures in:\n%s", out)
	}
	predict, _ = strconv.ParseFloat(string(p[1]), 64)
	batch, _ = strconv.ParseFloat(string(q[1]), 64)
	return predict / 1e3, batch / 1e3, nil
}

func sizeMB(path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(st.Size()) / (1 << 20)
}

// sourceSize is the generated Go source in MB and the number of tree packages.
func sourceSize(dir string) (float64, int) {
	var total int64
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			total += info.Size()
		}
		return nil
	})
	pkgs, _ := filepath.Glob(filepath.Join(dir, "internal", "trees*"))
	return float64(total) / (1 << 20), len(pkgs)
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// markdown is the table BENCHMARKS.md shows.
func markdown(rs []Result) string {
	var b bytes.Buffer
	b.WriteString("| forest | nodes | max depth | export s | gen s | gen peak MB | compile s | compile s per M nodes | compile peak MB | bootstrap build s | bootstrap build peak MB | export+gen+build s | source MB | packages | bootstrap MB | zip MB | Predict µs | PredictBatch µs | sklearn 1 ride µs | sklearn batch µs/ride |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %d | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %.1f | %.0f | %.0f | %.0f | %d | %.1f | %.1f | %.2f | %.2f | %.0f | %.1f |\n",
			r.Name, r.Nodes, r.MaxDepth, r.ExportS, r.GenS, r.GenMB, r.CompileS, r.CompileS/(float64(r.Nodes)/1e6), r.CompileMB,
			r.BootstrapS, r.LinkMB, r.ExportS+r.GenS+r.CompileS+r.BootstrapS, r.SourceMB, r.Packages, r.BootstrapMB, r.ZipMB,
			r.PredictUS, r.BatchUS, r.SklearnUS, r.SklearnBatchU)
	}
	b.WriteString(lleavesMarkdown(rs))
	return b.String()
}

// writeRides writes Feb 2022's shuffled rides (the Go benchmarks' input) as
// ride events, one per line, for sklearn's timings.
func writeRides(path string) error {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for i, r := range feb {
		b.Write(append(golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i), '\n'))
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// merge adds the rows of an earlier run's results for the forests this run
// did not measure (-only), in specs' order.
func merge(path string, results []Result) []Result {
	var old []Result
	if data, err := os.ReadFile(path); err == nil {
		json.Unmarshal(data, &old)
	}
	var out []Result
	for _, s := range specs {
		for _, rs := range [][]Result{results, old} {
			if i := slices.IndexFunc(rs, func(r Result) bool { return r.Name == s.Name }); i >= 0 {
				out = append(out, rs[i])
				break
			}
		}
	}
	return out
}
