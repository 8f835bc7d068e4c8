package main

// FormatVersion is the forest JSON version this generator reads
// (model-export/FORMAT.md). It also reads version 2, which has no
// "features": its feature program is the seed's (SeedProgram), and
// version 1, which has no "prediction" either: a version 1 file is an
// sklearn forest (ForestRule).
const FormatVersion = 3

// Header is everything in forest JSON but its trees. The trees come last in
// the file (export.py writes them so), which lets gen read them one at a
// time (see ReadForest).
type Header struct {
	FormatVersion int        `json:"format_version"`
	Metadata      Metadata   `json:"metadata"`
	Rule          Rule       `json:"prediction"`
	Vocabulary    Vocabulary `json:"vectorizer"`
	Program       *Program   `json:"features"`
}

// Metadata describes where the forest came from.
type Metadata struct {
	SklearnVersion string  `json:"sklearn_version"`
	Library        string  `json:"library"`         // "sklearn" or "xgboost"; version 1: sklearn
	LibraryVersion string  `json:"library_version"` // version 1: sklearn_version
	Estimator      string  `json:"estimator"`
	Objective      string  `json:"objective"`
	RunID          *string `json:"run_id"`
	SourceSHA256   string  `json:"source_sha256"`
	NFeatures      int     `json:"n_features"`
	NTrees         int     `json:"n_trees"`
}

// Vocabulary is the DictVectorizer: its inputs and its feature names.
type Vocabulary struct {
	Separator    string   `json:"separator"`
	Inputs       []Input  `json:"inputs"`
	FeatureNames []string `json:"feature_names"`
}

// Input is one key of the vectorizer's input dicts.
type Input struct {
	Key  string `json:"key"`
	Kind string `json:"kind"` // "categorical" or "numeric"
}

// Tree is one estimator as parallel node arrays, root at 0.
type Tree struct {
	Left      []int     `json:"children_left"`
	Right     []int     `json:"children_right"`
	Feature   []int     `json:"feature"`
	Threshold []float64 `json:"threshold"`
	Value     []float64 `json:"value"`
	Samples   []float64 `json:"n_node_samples"` // xgboost: the hessian sum (cover)
	// DefaultLeft is where a missing value goes at each split; absent in
	// files whose rule has no missing values.
	DefaultLeft []bool `json:"default_left"`
	// MissingType and Categories are LightGBM's, per node (lightgbm.go):
	// what each split takes as missing ("none", "zero" or "nan"), and a
	// categorical split's categories (nil for a numeric split). Present
	// exactly when the rule's nan is "split". HistGradientBoosting's and
	// xgboost's trees may have Categories alone: the one-hot values each
	// categorical split sends left (categories.go).
	MissingType []string `json:"missing_type"`
	Categories  [][]int  `json:"categories"`
	// Scale multiplies every leaf value (GradientBoosting's learning rate);
	// absent means 1.
	Scale *float64 `json:"scale"`
}

// Leaf is what leaf n adds to the prediction: the value times the tree's
// scale, rounded once to float64 (as sklearn's float64 product), then to
// the accumulator's type.
func (t *Tree) Leaf(n int, r Rule) float64 {
	v := t.Value[n]
	if t.Scale != nil {
		v = *t.Scale * v
	}
	if r.Accumulator == "float32" {
		v = float64(float32(v))
	}
	return v
}

// Feature is what a feature index of the trees means.
type Feature struct {
	Input    int    // index into Vocabulary.Inputs
	Category string // for a categorical input: the one-hot category
}
