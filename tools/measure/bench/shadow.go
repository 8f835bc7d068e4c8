package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// shadowBudget is the most CPU per record a shadow of the serving model's
// size may cost, as a multiple of the handler's without one (issue 23).
const shadowBudget = 1.6

// shadowVariant is the handler built with one shadow, or none.
type shadowVariant struct {
	name   string
	forest string // the shadow's forest JSON; "" for none
	test   string // its handler test binary
	nsRec  []float64
	bootMB float64
	zipMB  float64
}

// shadowRows measures what a shadow costs: BenchmarkHandler1000/metrics=on
// (a 1,000-record event, decoding to encoding, the EMF document, no-op
// client) with no shadow, with the serving model compiled in again as its
// own shadow, and with a boosted challenger (sklearn's GradientBoosting as
// model-export/train_family.py trains it, reproducible), each compiled in a
// copy of the repository, and make package's bootstrap and zip. The
// benchmark binaries run in turns, rounds times, so that all see the same
// machine; each variant's figure is its fastest turn, as other processes
// on the machine can only slow a turn down (on a shared machine, medians
// moved by 30% between runs, the fastest turns by a few percent).
func shadowRows(cfg config, dir string, r *Report) error {
	log.Print("shadow: the handler's CPU per record and the sizes, with and without a shadow")
	rounds := cfg.shadowRounds
	work, err := filepath.Abs(filepath.Join(dir, "shadow"))
	if err != nil {
		return err
	}
	repo := filepath.Join(work, "repo")
	if err := workcopy.Copy(".", repo); err != nil {
		return err
	}
	gb, err := boostedForest(cfg, work)
	if err != nil {
		return err
	}
	variants := []*shadowVariant{
		{name: "none"},
		{name: "the serving model as its own shadow", forest: filepath.Join(repo, "model-export", "artifacts", "forest.json")},
		{name: "GradientBoosting shadow (train_family.py gb: 50 trees, depth 5)", forest: gb},
	}
	for i, v := range variants {
		log.Printf("shadow: building the handler with shadow %s", v.name)
		if err := v.build(repo, filepath.Join(work, fmt.Sprintf("handler%d.test", i))); err != nil {
			return err
		}
	}
	for turn := range rounds {
		log.Printf("shadow: round %d of %d", turn+1, rounds)
		for _, v := range variants {
			ns, err := v.run(filepath.Join(repo, "handler"))
			if err != nil {
				return err
			}
			v.nsRec = append(v.nsRec, ns)
		}
	}
	base := slices.Min(variants[0].nsRec)
	rows := []Row{{Name: "handler CPU, no shadow", Unit: "µs/record", Go: base / 1e3,
		Note: fmt.Sprintf("go test -bench Handler1000/metrics=on ./handler: a 1,000-record event, fastest of %d turns", rounds)}}
	for i, v := range variants[1:] {
		ns := slices.Min(v.nsRec)
		note := fmt.Sprintf("%.2fx the CPU without a shadow", ns/base)
		if i == 0 {
			note += fmt.Sprintf(" (budget %.1fx)", shadowBudget)
		}
		rows = append(rows, Row{Name: "handler CPU, " + v.name, Unit: "µs/record", Go: ns / 1e3, Note: note})
	}
	for _, v := range variants {
		rows = append(rows,
			Row{Name: "build/bootstrap, shadow " + v.name, Unit: "MiB", Go: v.bootMB},
			Row{Name: "build/function.zip, shadow " + v.name, Unit: "MiB", Go: v.zipMB})
	}
	// The handler's CPU without a shadow is the handler's own figure, in
	// the main table; the rest are what a shadow adds.
	r.add(handlerGroup, rows[0])
	r.add(shadowGroup, rows[1:]...)
	return nil
}

// boostedForest trains the challenger on Jan 2022 and exports it.
func boostedForest(cfg config, work string) (string, error) {
	pkl, forest := filepath.Join(work, "gb.pkl"), filepath.Join(work, "gb.json")
	train, err := filepath.Abs(filepath.Join(cfg.build, "model", "2022-01.csv"))
	if err != nil {
		return "", err
	}
	cmd := command.New(nil, cfg.py, "train_family.py", "--train", train, "--form", "gb", "--out", pkl)
	cmd.Dir = "model-export"
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("train_family.py: %w", err)
	}
	return forest, command.Run(nil, cfg.py, "model-export/export.py", "--model", pkl, "--out", forest)
}

// build compiles the shadow into repo's generated/shadow as make shadow
// would (gen -optional; no golden answers are needed here), then the
// handler's test binary to test, and make package for the sizes.
func (v *shadowVariant) build(repo, test string) error {
	shadowDir := filepath.Join(repo, "model-export", "shadow")
	if err := os.RemoveAll(shadowDir); err != nil {
		return err
	}
	if v.forest != "" {
		if err := os.MkdirAll(shadowDir, 0o755); err != nil {
			return err
		}
		data, err := os.ReadFile(v.forest)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(shadowDir, "forest.json"), data, 0o644); err != nil {
			return err
		}
	}
	steps := [][]string{
		{"go", "run", "./gen", "-optional", "-model", "model-export/shadow/forest.json", "-out", "generated/shadow", "-pkg", "shadow"},
		{"go", "test", "-c", "-o", test, "./handler"},
		{"make", "--no-print-directory", "package"},
	}
	for _, s := range steps {
		cmd := command.New(nil, s[0], s[1:]...)
		cmd.Dir = repo
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(s, " "), err)
		}
	}
	v.test = test
	for file, mb := range map[string]*float64{"bootstrap": &v.bootMB, "function.zip": &v.zipMB} {
		st, err := os.Stat(filepath.Join(repo, "build", file))
		if err != nil {
			return err
		}
		*mb = float64(st.Size()) / (1 << 20)
	}
	return nil
}

// run runs the benchmark once in dir (the handler's, for its golden
// answers) and returns its ns/record.
func (v *shadowVariant) run(dir string) (float64, error) {
	cmd := exec.Command(v.test, "-test.run", "^$", "-test.bench", "^BenchmarkHandler1000$/^metrics=on$", "-test.benchtime", "500x")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", v.test, err, out.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/record" {
				return strconv.ParseFloat(f[i-1], 64)
			}
		}
	}
	return 0, fmt.Errorf("%s printed no ns/record:\n%s", v.test, out.String())
}
