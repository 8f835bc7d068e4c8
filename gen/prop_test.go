package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// families are the rules of the tree families export.py writes
// (FORMAT.md); randomForest draws models of each.
var families = map[string]Rule{
	"forest":   ForestRule,
	"gradient": {Combine: "sum", Accumulator: "float64", Input: "float32", Compare: "<=", Absent: "zero", NaN: "refused", Infinity: "refused"},
	"hist":     {Combine: "sum", Accumulator: "float64", Input: "float64", Compare: "<=", Absent: "zero", NaN: "missing", Infinity: "allowed"},
	"xgboost":  {Combine: "sum", Accumulator: "float32", Input: "float32", Compare: "<", Absent: "missing", NaN: "missing", Infinity: "refused"},
	"xgbdense": {Combine: "sum", Accumulator: "float32", Input: "float32", Compare: "<", Absent: "zero", NaN: "missing", Infinity: "allowed"},
	"lightgbm": {Combine: "sum", Accumulator: "float64", Input: "float64", Compare: "<=", Absent: "zero", NaN: "split", Infinity: "allowed"},
}

// zeroBand are values on and around LightGBM's zero band, |x| <= 1e-35f.
var zeroBand = []float64{0, math.Copysign(0, -1), zeroThreshold, -zeroThreshold, math.Nextafter(zeroThreshold, 1),
	math.Nextafter(zeroThreshold, 0), math.Nextafter(-zeroThreshold, -1), 1e-40, -5e-324}

// lightgbmSplit gives split n LightGBM's per-split rules: a categorical
// set on a one-hot column now and then, else a missing type. On a numeric
// feature that may take zero as missing (zeroFeat) the other splits keep
// the zero band and NaN together, as gen requires (lightgbm.go).
func lightgbmSplit(r *rand.Rand, t *Tree, n int, onehot, zeroFeat bool) {
	t.MissingType[n] = missingTypes[r.IntN(3)]
	if onehot && r.IntN(2) == 0 {
		all := []int{0, 1, 2, 7}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		t.Categories[n] = slices.Sorted(slices.Values(all[:1+r.IntN(3)]))
		return
	}
	if !onehot && r.IntN(3) == 0 {
		t.Threshold[n] = zeroBand[r.IntN(len(zeroBand))]
	}
	switch {
	case onehot:
	case !zeroFeat && t.MissingType[n] == "zero":
		t.MissingType[n] = "nan"
	case zeroFeat && t.MissingType[n] != "zero" && t.bandApart(n):
		t.MissingType[n] = "zero"
	}
}

// randomForest builds a forest JSON of the family's rule with random keys,
// depths and splits, thresholds placed on and around float32 boundaries,
// start values, learning rates and default directions.
func randomForest(r *rand.Rand, family string) (*Forest, []float64) {
	rule, scale := randomRule(r, family)
	v := randomVocabulary(r)
	thresholds, pool := randomThresholds(r) // pool: numeric values worth testing
	f := &Forest{Header: Header{FormatVersion: FormatVersion, Rule: rule, Vocabulary: v, Program: DefaultProgram(v)}}
	m := treeMaker{r: r, rule: rule, v: v, boosted: rule.Combine == "sum", thresholds: thresholds,
		canCategorize: family == "hist" || strings.HasPrefix(family, "xgb")}
	// A degenerate forest now and then: chains over 1,000 deep, trees of
	// one leaf, or 1,000 small trees.
	nTrees, depth, chain := 1+r.IntN(12), 1+r.IntN(9), false
	switch r.IntN(6) {
	case 0:
		nTrees, chain = 1+r.IntN(3), true
	case 1:
		depth = 0
	case 2:
		nTrees, depth = 1000, 1+r.IntN(3)
	}
	for range nTrees {
		f.Trees = append(f.Trees, m.tree(scale, depth, chain))
	}
	f.Metadata = Metadata{SklearnVersion: "1.2.1", Library: "sklearn", LibraryVersion: "1.2.1", Estimator: family,
		NFeatures: len(v.FeatureNames), NTrees: len(f.Trees)}
	if rule.HasMissing() {
		pool = append(pool, math.NaN())
	}
	if rule.NaN == "split" {
		pool = append(pool, zeroBand...)
		pool = append(pool, math.Inf(1), math.Inf(-1))
	}
	return f, pool
}

// randomRule is the family's rule with a random start value for a boosted
// model, and a random learning rate (the trees' scale) for GradientBoosting.
func randomRule(r *rand.Rand, family string) (Rule, *float64) {
	rule := families[family]
	if rule.Combine == "sum" {
		rule.Start = r.NormFloat64() * 10
		if rule.Accumulator == "float32" {
			rule.Start = float64(float32(rule.Start))
		}
	}
	var scale *float64
	if family == "gradient" {
		lr := []float64{0.1, 0.07, 0.3, 1, r.Float64()}[r.IntN(5)]
		scale = &lr
	}
	return rule, scale
}

// randomVocabulary has up to two categorical inputs of up to 12
// categories and up to three numeric ones (none now and then).
func randomVocabulary(r *rand.Rand) Vocabulary {
	v := Vocabulary{Separator: "="}
	nCat, nNum := r.IntN(3), 1+r.IntN(3)
	if r.IntN(4) == 0 {
		nCat, nNum = 1+r.IntN(2), 0
	}
	for i := range nCat {
		key := fmt.Sprintf("cat_%d", i)
		v.Inputs = append(v.Inputs, Input{Key: key, Kind: "categorical"})
		for j := range 1 + r.IntN(12) {
			v.FeatureNames = append(v.FeatureNames, fmt.Sprintf("%s=%d_%d", key, j, r.IntN(300)))
		}
	}
	for i := range nNum {
		key := fmt.Sprintf("num_%d", i)
		v.Inputs = append(v.Inputs, Input{Key: key, Kind: "numeric"})
		v.FeatureNames = append(v.FeatureNames, key)
	}
	return v
}

// randomThresholds draws thresholds on, between and beside float32s, and
// the values around them worth testing.
func randomThresholds(r *rand.Rand) (thresholds, pool []float64) {
	for range 1 + r.IntN(40) {
		x := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(6)-2)))
		lo, hi := float64(x), nextUp32(x)
		t := []float64{lo, hi, (lo + hi) / 2, math.Nextafter(lo, math.Inf(1)), math.Nextafter(hi, math.Inf(-1))}[r.IntN(5)]
		thresholds = append(thresholds, t)
		pool = append(pool, lo, hi, (lo+hi)/2, math.Nextafter(lo, 0), math.Nextafter(hi, 0), t, math.Nextafter(t, math.Inf(1)))
	}
	return thresholds, pool
}

// treeMaker grows the random trees of one forest.
type treeMaker struct {
	r          *rand.Rand
	rule       Rule
	v          Vocabulary
	boosted    bool
	thresholds []float64
	// canCategorize: HistGradientBoosting and xgboost, half of whose trees
	// have categorical splits on their one-hot columns (categorical).
	canCategorize, categorical bool
	t                          Tree // the tree growing
}

// tree grows a tree of the given depth, or a chain: every split has a leaf
// on one side and the rest of the chain on the other.
func (m *treeMaker) tree(scale *float64, depth int, chain bool) Tree {
	m.t = Tree{Scale: scale}
	m.categorical = m.canCategorize && m.r.IntN(2) == 0
	if !chain {
		m.grow(depth)
		return m.t
	}
	n := m.leaf()
	for range 1000 + m.r.IntN(500) {
		m.split(n)
		l, rt := m.leaf(), m.leaf()
		m.t.Left[n], m.t.Right[n] = l, rt
		n = []int{l, rt}[m.r.IntN(2)]
	}
	return m.t
}

// grow adds a random subtree of at most depth splits and returns its root.
func (m *treeMaker) grow(depth int) int {
	n := m.leaf()
	if depth == 0 || m.r.IntN(5) == 0 {
		return n
	}
	m.split(n)
	l := m.grow(depth - 1)
	rt := m.grow(depth - 1)
	m.t.Left[n], m.t.Right[n] = l, rt
	return n
}

// leaf adds a leaf with a random value and sample count.
func (m *treeMaker) leaf() int {
	t, r := &m.t, m.r
	t.Left, t.Right = append(t.Left, -1), append(t.Right, -1)
	t.Feature, t.Threshold = append(t.Feature, -2), append(t.Threshold, -2)
	t.Value, t.Samples = append(t.Value, r.NormFloat64()*20), append(t.Samples, float64(1+r.IntN(1000)))
	t.DefaultLeft = append(t.DefaultLeft, false)
	switch {
	case m.rule.NaN == "split":
		t.MissingType, t.Categories = append(t.MissingType, "none"), append(t.Categories, nil)
	case m.categorical:
		t.Categories = append(t.Categories, nil)
	}
	return len(t.Left) - 1
}

// split makes node n a split on a random feature: a one-hot column at
// the thresholds the libraries write for one, a number at a random
// threshold (a float32 for xgboost).
func (m *treeMaker) split(n int) {
	t, r, v := &m.t, m.r, m.v
	feat := r.IntN(len(v.FeatureNames))
	t.Feature[n] = feat
	t.DefaultLeft[n] = m.rule.HasMissing() && r.IntN(2) == 0
	defer func() {
		onehot := strings.Contains(v.FeatureNames[feat], "=")
		switch {
		case m.rule.NaN == "split":
			lightgbmSplit(r, t, n, onehot, feat%2 == 0)
		case t.Categories != nil && onehot && r.IntN(2) == 0:
			// HistGradientBoosting's and xgboost's categorical splits:
			// the one-hot values that go left, any of the four sets.
			t.Categories[n] = [][]int{{}, {0}, {1}, {0, 1}}[r.IntN(4)]
		}
	}()
	switch {
	case strings.Contains(v.FeatureNames[feat], "=") && m.boosted:
		t.Threshold[n] = []float64{0.5, 1, 1e-6, 2, -1}[r.IntN(5)] // xgboost's one-hot splits are often at 1
	case strings.Contains(v.FeatureNames[feat], "="):
		t.Threshold[n] = 0.5
	case m.rule.Compare == "<":
		t.Threshold[n] = float64(float32(m.thresholds[r.IntN(len(m.thresholds))])) // xgboost's are float32s
	default:
		t.Threshold[n] = m.thresholds[r.IntN(len(m.thresholds))]
	}
}

// randomInputs draws rides: values from the pool and random ones,
// categories the vocabulary knows, unknown ones, and absent keys.
func randomInputs(r *rand.Rand, f *Forest, pool []float64, n int) []map[string]any {
	var out []map[string]any
	for range n {
		m := map[string]any{}
		for _, in := range f.Vocabulary.Inputs {
			switch {
			case r.IntN(8) == 0: // absent
			case in.Kind == "numeric" && r.IntN(4) > 0:
				m[in.Key] = pool[r.IntN(len(pool))]
			case in.Kind == "numeric":
				m[in.Key] = r.NormFloat64() * 100
			default:
				names := f.Vocabulary.FeatureNames
				if name := names[r.IntN(len(names))]; strings.HasPrefix(name, in.Key+"=") && r.IntN(4) > 0 {
					m[in.Key] = strings.TrimPrefix(name, in.Key+"=")
				} else {
					m[in.Key] = fmt.Sprintf("unseen_%d", r.IntN(5))
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// TestRandomForests generates packages for random forests into a temporary
// module, builds and runs them, and compares every prediction bit for bit
// with walk over the same JSON.
func TestRandomForests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	const models, rides = 30, 400
	dir, put := tempModule(t) // features.go imports handler/pyval
	r := rand.New(rand.NewPCG(7, 11))
	names := slices.Sorted(maps.Keys(families))
	var want [][]float64
	var inputs [][]map[string]any
	for i := range models {
		forest, pool := randomForest(r, names[i%len(names)])
		generateRandom(t, r, dir, put, i, forest)
		in := randomInputs(r, forest, pool, rides)
		var w []float64
		for _, m := range in {
			w = append(w, walk(forest, m))
		}
		want = append(want, w)
		inputs = append(inputs, jsonNaN(in))
	}
	put("main.go", randomForestsMain(models))
	stdin, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "-mod=mod", ".")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(string(stdin))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != models*rides*2 {
		t.Fatalf("got %d predictions, want %d", len(lines), models*rides*2)
	}
	for i := range models {
		for k, mode := range []string{"Predict", "PredictBatch"} {
			for j := range rides {
				bits, _ := strconv.ParseUint(lines[(i*2+k)*rides+j], 10, 64)
				if got := math.Float64frombits(bits); bits != math.Float64bits(want[i][j]) {
					t.Fatalf("model %d ride %d %v: %s = %v, walker %v", i, j, inputs[i][j], mode, got, want[i][j])
				}
			}
		}
	}
	t.Logf("%d random models (%v) × %d rides: Predict and PredictBatch equal the walker bit for bit", models, names, rides)
}

// generateRandom writes forest as m<i>.json into the module in dir and
// generates package prop/m<i> from it, with the default limits or, half
// the time, random small ones.
func generateRandom(t *testing.T, r *rand.Rand, dir string, put func(name, text string), i int, forest *Forest) {
	t.Helper()
	data, err := json.Marshal(forest)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("m%d.json", i)
	put(name, string(data))
	cfg := Config{Package: fmt.Sprintf("m%d", i), ImportPath: fmt.Sprintf("prop/m%d", i), Limits: DefaultLimits}
	if r.IntN(2) == 0 {
		fn := 3 + r.IntN(60)
		cfg.Limits = Limits{FuncNodes: fn, FuncDepth: 1 + r.IntN(8), FileNodes: fn + r.IntN(200), PackageNodes: fn + 200 + r.IntN(400)}
	}
	var files []File
	if err := generate(name, bytes.NewReader(data), nil, cfg, func(f File) error { files = append(files, f); return nil }); err != nil {
		t.Fatalf("model %d: %v", i, err)
	}
	if err := write(filepath.Join(dir, fmt.Sprintf("m%d", i)), files); err != nil {
		t.Fatal(err)
	}
}

// randomForestsMain is the program that reads the rides of each model
// (a JSON array per model, on stdin) and prints each model's Predict of
// each ride, then its PredictBatch of them all, as float64 bits.
func randomForestsMain(models int) string {
	var main strings.Builder
	main.WriteString("package main\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"math\"\n\t\"os\"\n")
	for i := range models {
		fmt.Fprintf(&main, "\t\"prop/m%d\"\n", i)
	}
	main.WriteString(")\n\nfunc main() {\n\tvar in [][]map[string]any\n\tif err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {\n\t\tpanic(err)\n\t}\n")
	for i := range models {
		fmt.Fprintf(&main, `	{
		var batch []m%[1]d.Features
		for _, m := range in[%[1]d] {
			for k, v := range m {
				switch v {
				case "NaN!":
					m[k] = math.NaN()
				case "Inf!":
					m[k] = math.Inf(1)
				case "-Inf!":
					m[k] = math.Inf(-1)
				}
			}
			f, err := m%[1]d.FeaturesFromMap(m)
			if err != nil {
				panic(err)
			}
			batch = append(batch, f)
			fmt.Println(math.Float64bits(m%[1]d.Predict(f)))
		}
		out := make([]float64, len(batch))
		m%[1]d.PredictBatch(batch, out)
		for _, p := range out {
			fmt.Println(math.Float64bits(p))
		}
	}
`, i)
	}
	main.WriteString("}\n")
	return main.String()
}

// jsonNaN writes NaN and infinities, which JSON cannot hold, as "NaN!",
// "Inf!" and "-Inf!" for the generated program to turn back.
func jsonNaN(in []map[string]any) []map[string]any {
	out := make([]map[string]any, len(in))
	for i, m := range in {
		out[i] = maps.Clone(m)
		for k, v := range m {
			x, ok := v.(float64)
			switch {
			case ok && math.IsNaN(x):
				out[i][k] = "NaN!"
			case ok && math.IsInf(x, 1):
				out[i][k] = "Inf!"
			case ok && math.IsInf(x, -1):
				out[i][k] = "-Inf!"
			}
		}
	}
	return out
}
