package main

import (
	"fmt"
	"slices"

	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/goals"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// Row is one line of the table: the Go figure, the baseline's, and how many
// times better Go is (baseline/go, or go/baseline for rates).
type Row struct {
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Go       float64 `json:"go"`
	Baseline float64 `json:"baseline,omitempty"`
	Ratio    float64 `json:"ratio,omitempty"`
	Note     string  `json:"note,omitempty"`
	// Group is the part of the run the row comes from; shadowGroup's rows
	// have a table of their own.
	Group string `json:"group,omitempty"`
}

// groups are the groups of rows in the order the table shows them.
var groups = []string{predictorGroup, handlerGroup, coldGroup, buildGroup, shadowGroup}

// The groups of rows.
const (
	predictorGroup = "predictor"
	handlerGroup   = "handler"
	coldGroup      = "cold"
	buildGroup     = "build"
	shadowGroup    = "shadow"
)

// Report is what -out receives.
type Report struct {
	Run runinfo.Run `json:"run"`
	// Date and Machine are where results stored before Run was recorded
	// say when and where they ran (cold_mlflow.json).
	Date    string               `json:"date,omitempty"`
	Machine string               `json:"machine,omitempty"`
	Rows    []Row                `json:"rows"`
	Samples map[string][]float64 `json:"cold_start_samples_ms"`
}

// add appends rows, each marked as of group.
func (r *Report) add(group string, rows ...Row) {
	for _, row := range rows {
		row.Group = group
		r.Rows = append(r.Rows, row)
	}
}

func readReport(path string) (*Report, error) {
	var r Report
	return &r, runinfo.ReadJSON(path, &r)
}

func writeReport(path string, r *Report) error { return runinfo.WriteJSON(path, r) }

// sections are the document's generated sections for r, stored at file:
// name for every row but the shadow's, name-shadow for those, each only
// when it has rows.
func sections(r *Report, name, file string) map[string]string {
	var main, shadow []Row
	rows := slices.Clone(r.Rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return slices.Index(groups, a.Group) - slices.Index(groups, b.Group) })
	for _, row := range rows {
		if row.Group == shadowGroup {
			shadow = append(shadow, row)
		} else {
			main = append(main, row)
		}
	}
	out := map[string]string{}
	if len(main) > 0 {
		out[name] = heading(r, file) + markdown(main) + coldSummary(main)
	}
	if len(shadow) > 0 {
		out[name+"-shadow"] = heading(r, file) + markdown(shadow)
	}
	return out
}

// heading says where the table's figures come from.
func heading(r *Report, file string) string {
	run := r.Run.String()
	if r.Run.Date == "" {
		run = fmt.Sprintf("%s, %s; commit and load average not recorded", r.Date, r.Machine)
	}
	return fmt.Sprintf("Generated from `%s` (`tools/measure/bench`: %s):\n\n", file, run)
}

// updateDoc writes r's sections into the document at path, and with the
// main table (name bench) the goals judged by it and bench-scale's seed.
func updateDoc(path, name, file string, r *Report) error {
	for section, body := range sections(r, name, file) {
		if err := docsection.Update(path, section, body); err != nil {
			return err
		}
	}
	if name != "bench" {
		return nil
	}
	return goals.Update(".", path)
}
