package main

import (
	"fmt"
	"iter"
	"math/bits"
	"slices"

	"github.com/nyc-taxi/ridepred/internal/fieldname"
)

// Plan is the forest shaped for emission: every split is already an integer
// comparison, so the emitter only walks it.
type Plan struct {
	Source         string // the input path, for the banner (generatedLine)
	ModelSHA256    string // of the forest JSON bytes
	SourceSHA256   string // of the pickle the forest was exported from
	RunID          string
	SklearnVersion string
	Library        string // "sklearn" or "xgboost"
	LibraryVersion string
	Estimator      string
	Objective      string
	Rule           Rule
	NFeatures      int
	Inputs         []PlanInput
	// Program is the user's prepare_features, compiled (features.go).
	Program *Program
	NTrees  int
	// Trees streams the trees, planned, in estimator order, reading the
	// forest a second time (see generate).
	Trees iter.Seq2[*Node, error]
	// SortKey packs codes into 32 bits for PredictBatch's sort, the input
	// that most splits test first.
	SortKey []KeyPart
	// Reference is the distribution of the model's predictions that
	// PredictionDrift is measured against; nil without -reference.
	Reference *Reference
}

// KeyPart is one input's place in the sort key.
type KeyPart struct {
	Input int
	Bits  int
}

// PlanInput is one input key and how a ride's value for it becomes a code.
type PlanInput struct {
	Key         string // the vectorizer's key, e.g. "trip_distance"
	Field       string // its Go field name in Features, e.g. "TripDistance"
	Categorical bool
	// Categories are the categories some split tests, sorted; category
	// Categories[i] has code i+1, every other category (and none) code 0.
	Categories []string
	// Cuts are the distinct numeric thresholds as values of the input type
	// (Rule.Cut), sorted. A value's code is its rank, the number of cuts
	// below it (compare "<=") or at most it ("<"), so the split x <= t (or
	// x < t) becomes rank <= index of t's cut. A missing value's rank is -1.
	Cuts []float64
	// Missing: a value can be missing (NaN, or absent when the rule says
	// so), and then takes each split's default direction.
	Missing bool
	// ZeroMissing: LightGBM's zero band, |x| <= 1e-35f, is missing too
	// (lightgbm.go).
	ZeroMissing bool
}

// Node is a leaf (Left == nil) or a split. A numeric split goes left when
// the input's code is <= Code, or missing and DefaultLeft. A categorical
// split goes left when the code == Code if MatchLeft, != Code otherwise.
type Node struct {
	ID          int     // the node's index in its tree in forest JSON
	Value       float64 // a leaf's addition to the sum (Tree.Leaf)
	Input       int
	Code        int32
	Threshold   float64 // the model's, for the comment on the comparison
	DefaultLeft bool
	MatchLeft   bool
	Left, Right *Node
	// HotRight: more training samples went right, so the right branch is
	// emitted first.
	HotRight bool
	// Func is set when the node's subtree is a function of its own (see
	// NewLayout).
	Func *Func
}

// Survey is what gen's first pass over a forest learns for NewPlan: how
// many splits test each feature, and at which thresholds.
type Survey struct {
	Splits     map[int]int              // by feature index
	Thresholds map[int]map[float64]bool // by feature index
	// Zero and Apart are LightGBM's (lightgbm.go): the features with
	// zero-type splits, and the first split on each that parts the
	// zero band from NaN.
	Zero  map[int]bool
	Apart map[int]string
	trees int // trees added
}

// Add counts one tree's splits.
func (s *Survey) Add(t *Tree) {
	if s.Splits == nil {
		s.Splits, s.Thresholds = map[int]int{}, map[int]map[float64]bool{}
	}
	for n, feat := range t.Feature {
		if t.Left[n] == -1 {
			continue
		}
		s.Splits[feat]++
		if s.Thresholds[feat] == nil {
			s.Thresholds[feat] = map[float64]bool{}
		}
		s.Thresholds[feat][t.Threshold[n]] = true
	}
	s.addSplits(t)
	s.trees++
}

// NewPlan gives every input its codes from the survey of a validated
// forest; p.Trees is left to the caller.
func NewPlan(source, sha256 string, h *Header, features []Feature, s *Survey) (*Plan, error) {
	p := &Plan{
		Source:         source,
		ModelSHA256:    sha256,
		SourceSHA256:   h.Metadata.SourceSHA256,
		SklearnVersion: h.Metadata.SklearnVersion,
		Library:        h.Metadata.Library,
		LibraryVersion: h.Metadata.LibraryVersion,
		Estimator:      h.Metadata.Estimator,
		Objective:      h.Metadata.Objective,
		Rule:           h.Rule,
		NFeatures:      len(features),
		NTrees:         h.Metadata.NTrees,
		Program:        h.Program,
	}
	if h.Metadata.RunID != nil {
		p.RunID = *h.Metadata.RunID
	}
	fields := map[string]string{}
	for _, in := range h.Vocabulary.Inputs {
		field := fieldname.Go(in.Key)
		if other, dup := fields[field]; dup {
			return nil, fmt.Errorf("inputs %q and %q both become Go field %s", other, in.Key, field)
		}
		fields[field] = in.Key
		p.Inputs = append(p.Inputs, PlanInput{Key: in.Key, Field: field, Categorical: in.Kind == "categorical",
			Missing: in.Kind == "numeric" && h.Rule.HasMissing()})
	}
	// Give codes to what the splits use.
	splits := make([]int, len(p.Inputs))
	for feat, n := range s.Splits {
		in := &p.Inputs[features[feat].Input]
		splits[features[feat].Input] += n
		if in.Categorical {
			in.Categories = append(in.Categories, features[feat].Category)
			continue
		}
		for t := range s.Thresholds[feat] {
			in.Cuts = append(in.Cuts, h.Rule.Cut(t))
		}
		zero, err := s.zeroMissing(feat, in.Key)
		if err != nil {
			return nil, err
		}
		in.ZeroMissing = zero
	}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		slices.Sort(in.Categories)
		slices.Sort(in.Cuts)
		in.Cuts = slices.Compact(in.Cuts) // thresholds apart can share a cut
	}
	p.SortKey = sortKey(p.Inputs, splits)
	return p, nil
}

// sortKey picks the inputs whose codes order PredictBatch's rides, most
// often split first, as many as fit in 32 bits.
func sortKey(inputs []PlanInput, splits []int) []KeyPart {
	order := make([]int, 0, len(inputs))
	for i := range inputs {
		if splits[i] > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return splits[b] - splits[a] })
	var key []KeyPart
	used := 0
	for _, i := range order {
		b := bits.Len(uint(max(len(inputs[i].Categories), len(inputs[i].Cuts))))
		if used+b > 32 {
			break
		}
		key = append(key, KeyPart{Input: i, Bits: b})
		used += b
	}
	return key
}

// node plans node n of t and its subtree. A categorical split that sends
// every ride the same way (possible when an absent one-hot is missing and
// its default direction is the matched one's) is planned as that child.
func (p *Plan) node(t *Tree, features []Feature, n int) *Node {
	if t.Left[n] == -1 {
		return &Node{ID: n, Value: t.Leaf(n, p.Rule)}
	}
	feat := features[t.Feature[n]]
	in := p.Inputs[feat.Input]
	defaultLeft := t.missingLeft(n)
	node := &Node{ID: n, Input: feat.Input, Threshold: t.Threshold[n], DefaultLeft: defaultLeft}
	if in.Categorical {
		matched, unmatched := t.oneHotLeft(n, p.Rule, defaultLeft)
		if matched == unmatched {
			return p.node(t, features, child(t, n, matched))
		}
		code, _ := slices.BinarySearch(in.Categories, feat.Category)
		node.Code, node.MatchLeft = int32(code+1), matched
	} else {
		code, _ := slices.BinarySearch(in.Cuts, p.Rule.Cut(t.Threshold[n]))
		node.Code = int32(code)
	}
	node.Left = p.node(t, features, t.Left[n])
	node.Right = p.node(t, features, t.Right[n])
	node.HotRight = t.Samples[t.Right[n]] > t.Samples[t.Left[n]]
	return node
}

func child(t *Tree, n int, left bool) int {
	if left {
		return t.Left[n]
	}
	return t.Right[n]
}
