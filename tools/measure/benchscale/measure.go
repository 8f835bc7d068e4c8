package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/internal/workcopy"
	"github.com/nyc-taxi/ridepred/tools/internal/baseline"
)

// measure runs every step for one model.
func (b *bench) measure(s spec) (Result, error) {
	r := Result{Name: s.Name, Params: s.Params}
	dir := filepath.Join(b.dir, strings.Fields(s.Name)[0])
	python := b.python(s)
	model, vectorizer, err := train(s, python, dir, filepath.Join(b.root, "build", "model"))
	if err != nil {
		return r, err
	}
	repo, err := b.generate(&r, python, model, vectorizer, dir)
	if err != nil {
		return r, err
	}
	cache, err := b.compile(&r, dir, repo)
	if err != nil {
		return r, err
	}
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

// generate exports the model and generates it into a copy of the
// repository (its path), timing both.
func (b *bench) generate(r *Result, python, model, vectorizer, dir string) (string, error) {
	var vec []string
	if vectorizer != "" {
		vec = []string{"--vectorizer", vectorizer}
	}
	forest := filepath.Join(dir, "forest.json")
	t, err := command.Time(command.New(nil, python, append([]string{"model-export/export.py", "--model", model, "--out", forest}, vec...)...))
	if err != nil {
		return "", err
	}
	r.ExportS = t.Wall.Seconds()
	repo := filepath.Join(dir, "repo")
	if err := workcopy.Copy(b.root, repo); err != nil {
		return "", err
	}
	gen := filepath.Join(dir, "gen")
	if err := command.Run(nil, "go", "build", "-o", gen, "./gen"); err != nil {
		return "", err
	}
	gdir := filepath.Join(repo, "generated")
	if t, err = command.Time(command.New(nil, gen, "-model", forest, "-out", gdir, "-pkg", "generated")); err != nil {
		return "", err
	}
	r.GenS, r.GenMB = t.Wall.Seconds(), t.PeakMiB
	r.SourceMB, r.Packages = sourceSize(gdir)
	return repo, nil
}

// compile times go build of generated/ and of the Lambda binary in repo,
// with a cache that holds every dependency but the model (its path), and
// zips the binary.
func (b *bench) compile(r *Result, dir, repo string) (string, error) {
	cache := filepath.Join(dir, "gocache")
	os.RemoveAll(cache)
	if err := command.Run(nil, "cp", "-a", b.deps, cache); err != nil {
		return "", err
	}
	env := append([]string{"GOCACHE=" + cache}, b.lambdaEnv...)
	inRepo := func(args ...string) []string { return append([]string{"-C", repo}, args...) }
	t, err := command.Time(command.New(env, "go", inRepo(b.goBuild("./generated")...)...))
	if err != nil {
		return "", err
	}
	r.CompileS, r.CompileMB = t.Wall.Seconds(), t.PeakMiB
	bootstrap := filepath.Join(dir, "bootstrap")
	os.Remove(bootstrap) // else go build finds it up to date and links nothing
	if t, err = command.Time(command.New(env, "go", inRepo(b.goBuild("-o", bootstrap, "./handler/cmd/bootstrap")...)...)); err != nil {
		return "", err
	}
	r.BootstrapS, r.LinkMB = t.Wall.Seconds(), t.PeakMiB
	zip := filepath.Join(dir, "function.zip")
	os.Remove(zip)
	if err := command.Run(nil, "sh", "-c", "cd "+dir+" && "+py+" -m zipfile -c function.zip bootstrap"); err != nil {
		return "", err
	}
	r.BootstrapMB, r.ZipMB = sizeMB(bootstrap), sizeMB(zip)
	return cache, nil
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
