package main

import "github.com/nyc-taxi/ridepred/tools/internal/runinfo"

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
	// Run is when, where and at what load the row was measured.
	Run runinfo.Run `json:"run"`
}

// A mode is what one make target measures and where its results go.
type mode struct {
	specs   []spec
	results string // the stored results, committed
	section string // BENCHMARKS.md's section
	target  string
	chart   bool // a chart of the sizes
}

var (
	scaleMode    = mode{specs, "tools/measure/benchscale/scale.json", "bench-scale", "make bench-scale", true}
	familiesMode = mode{familySpecs, "tools/measure/benchscale/families.json", "bench-families", "make bench-families", false}
)
