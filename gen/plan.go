package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
)

// Plan is the forest shaped for emission: every split is already an integer
// comparison, so the emitter only walks it.
type Plan struct {
	Source         string // the input path, for the header
	ModelSHA256    string // of the forest JSON bytes
	SourceSHA256   string // of the pickle the forest was exported from
	RunID          string
	SklearnVersion string
	Estimator      string
	NFeatures      int
	Inputs         []PlanInput
	Trees          []*Node
	// SortKey packs codes into 32 bits for PredictBatch's sort, the input
	// that most splits test first.
	SortKey []KeyPart
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
	// Cuts are the distinct numeric thresholds rounded down to float32,
	// sorted. A value's code is its rank, the number of cuts below it, so
	// float64(float32(x)) <= t becomes rank <= index of t's cut.
	Cuts []float32
}

// Node is a leaf (Left == nil) or a split. A split goes left when the
// input's code is != Code (categorical) or <= Code (numeric).
type Node struct {
	ID          int // sklearn's node index in its tree
	Value       float64
	Input       int
	Code        int32
	Threshold   float64 // sklearn's, for the comment on the comparison
	Left, Right *Node
	// HotRight: more training samples went right, so the right branch is
	// emitted first.
	HotRight bool
	// Func is set when the node's subtree is a function of its own (see
	// NewLayout).
	Func *Func
}

// NewPlan compiles a validated forest.
func NewPlan(source string, data []byte, f *Forest, features []Feature) (*Plan, error) {
	sum := sha256.Sum256(data)
	p := &Plan{
		Source:         source,
		ModelSHA256:    hex.EncodeToString(sum[:]),
		SourceSHA256:   f.Metadata.SourceSHA256,
		SklearnVersion: f.Metadata.SklearnVersion,
		Estimator:      f.Metadata.Estimator,
		NFeatures:      len(features),
	}
	if f.Metadata.RunID != nil {
		p.RunID = *f.Metadata.RunID
	}
	fields := map[string]string{}
	for _, in := range f.Vocabulary.Inputs {
		field := goName(in.Key)
		if other, dup := fields[field]; dup {
			return nil, fmt.Errorf("inputs %q and %q both become Go field %s", other, in.Key, field)
		}
		fields[field] = in.Key
		p.Inputs = append(p.Inputs, PlanInput{Key: in.Key, Field: field, Categorical: in.Kind == "categorical"})
	}

	// Collect what the splits use, then give it codes.
	for _, t := range f.Trees {
		for n, feat := range t.Feature {
			if t.Left[n] == -1 {
				continue
			}
			in := &p.Inputs[features[feat].Input]
			if in.Categorical {
				in.Categories = append(in.Categories, features[feat].Category)
			} else {
				in.Cuts = append(in.Cuts, down32(t.Threshold[n]))
			}
		}
	}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		slices.Sort(in.Categories)
		in.Categories = slices.Compact(in.Categories)
		slices.Sort(in.Cuts)
		in.Cuts = slices.Compact(in.Cuts)
	}
	for _, t := range f.Trees {
		p.Trees = append(p.Trees, p.node(&t, features, 0))
	}
	p.SortKey = sortKey(p.Inputs, f.Trees, features)
	return p, nil
}

// sortKey picks the inputs whose codes order PredictBatch's rides, most
// often split first, as many as fit in 32 bits.
func sortKey(inputs []PlanInput, trees []Tree, features []Feature) []KeyPart {
	splits := make([]int, len(inputs))
	for _, t := range trees {
		for n, feat := range t.Feature {
			if t.Left[n] != -1 {
				splits[features[feat].Input]++
			}
		}
	}
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

func (p *Plan) node(t *Tree, features []Feature, n int) *Node {
	if t.Left[n] == -1 {
		return &Node{ID: n, Value: t.Value[n]}
	}
	feat := features[t.Feature[n]]
	in := p.Inputs[feat.Input]
	var code int
	if in.Categorical {
		code, _ = slices.BinarySearch(in.Categories, feat.Category)
		code++
	} else {
		code, _ = slices.BinarySearch(in.Cuts, down32(t.Threshold[n]))
	}
	return &Node{
		ID:        n,
		Input:     feat.Input,
		Code:      int32(code),
		Threshold: t.Threshold[n],
		Left:      p.node(t, features, t.Left[n]),
		Right:     p.node(t, features, t.Right[n]),
		HotRight:  t.Samples[t.Right[n]] > t.Samples[t.Left[n]],
	}
}

// down32 is the largest float32 <= t, so that for every float32 x,
// float64(x) <= t exactly when x <= down32(t). Rounding t to the nearest
// float32 instead would send some inputs the wrong way.
func down32(t float64) float32 {
	f := float32(t)
	if float64(f) > t {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

// goName turns a vectorizer key into an exported Go identifier:
// "trip_distance" -> "TripDistance", "PU_DO" -> "PUDO".
func goName(key string) string {
	var b strings.Builder
	upper := true
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if b.Len() == 0 && !unicode.IsLetter(r) {
			b.WriteString("F")
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "F"
	}
	return b.String()
}
