package main

import "fmt"

// The cold-start rows whose baseline loads the model through MLflow from
// S3; the row after each has the same baseline unpickling from disk.
const (
	coldProcessRow  = "cold start to first prediction (median)"
	coldEmulatorRow = "emulator start to first invoke response (median)"
)

// coldSummary is what loading through MLflow costs the original against
// unpickling from disk, from rows' cold-start pairs ("" without them).
func coldSummary(rows []Row) string {
	proc, okP := mlflowOverDisk(rows, coldProcessRow)
	emu, okE := mlflowOverDisk(rows, coldEmulatorRow)
	if !okP || !okE {
		return ""
	}
	return fmt.Sprintf("\nLoading through MLflow from S3 costs the original %.1f times the cold start of unpickling from disk "+
		"as a process (%.1f s against %.1f s) and %.1f times under the emulator (%.1f s against %.2f s).\n",
		proc[0]/proc[1], proc[0]/1000, proc[1]/1000, emu[0]/emu[1], emu[0]/1000, emu[1]/1000)
}

// mlflowOverDisk are the baselines (ms) of the row named name and of the
// row after it.
func mlflowOverDisk(rows []Row, name string) ([2]float64, bool) {
	for i, r := range rows {
		if r.Name == name && i+1 < len(rows) && rows[i+1].Baseline > 0 && r.Baseline > 0 {
			return [2]float64{r.Baseline, rows[i+1].Baseline}, true
		}
	}
	return [2]float64{}, false
}
