package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Reference is the model's reference (model-export/reference.py, FORMAT.md):
// the distribution of its predictions on the committed Feb 2022 rides, as
// quantile edges with the fraction of those predictions at or below each.
// Gen compiles it into reference.go; the function measures each batch's
// PredictionDrift against it.
type Reference struct {
	Path         string    `json:"-"` // the file, relative to the output directory, for the doc comment
	Month        string    `json:"month"`
	ForestSHA256 string    `json:"forest_sha256"` // of the forest JSON whose predictions these are
	Rides        int       `json:"rides"`
	Mean         float64   `json:"mean"`
	Std          float64   `json:"std"`
	Min          float64   `json:"min"`
	Max          float64   `json:"max"`
	Levels       []float64 `json:"levels"`
	Edges        []float64 `json:"edges"`
	CDF          []float64 `json:"cdf"`
}

// ReadReference reads and checks reference.json.
func ReadReference(r io.Reader) (*Reference, error) {
	var ref Reference
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(&ref); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if err := ref.check(); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	return &ref, nil
}

// check refuses a reference that Shift could not use: the edges must be
// sorted predictions within [min, max], each with a fraction in (0, 1]
// that does not decrease.
func (r *Reference) check() error {
	switch {
	case r.Rides <= 0:
		return fmt.Errorf("rides = %d, want at least one", r.Rides)
	case len(r.Edges) == 0 || len(r.Levels) != len(r.Edges) || len(r.CDF) != len(r.Edges):
		return fmt.Errorf("%d levels, %d edges and %d cdf values, want as many, at least one", len(r.Levels), len(r.Edges), len(r.CDF))
	case !slices.IsSorted(r.Edges) || !slices.IsSorted(r.CDF) || !slices.IsSorted(r.Levels):
		return errors.New("levels, edges and cdf must be sorted")
	case r.Edges[0] < r.Min || r.Edges[len(r.Edges)-1] > r.Max:
		return fmt.Errorf("edges outside [min, max] = [%v, %v]", r.Min, r.Max)
	case r.CDF[0] <= 0 || r.CDF[len(r.CDF)-1] > 1:
		return errors.New("cdf values must be in (0, 1]")
	}
	for _, x := range append([]float64{r.Mean, r.Std, r.Min, r.Max}, r.Edges...) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%v is not a finite number", x)
		}
	}
	return nil
}
