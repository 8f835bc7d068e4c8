package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractKeepsRowsAndOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "jan.csv")
	nulls, rows, err := extract("../../../model-export/data/green_tripdata_2022-01.parquet", out)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 62495 || nulls != [5]int{} {
		t.Fatalf("rows = %d, nulls = %v; want 62495 rows and no nulls", rows, nulls)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	want := []string{
		"pickup_us,dropoff_us,PULocationID,DOLocationID,trip_distance",
		// 2022-01-01 00:14:21 -> 00:15:33, zone 42 to 42, 0.44 miles.
		"1640996061000000,1640996133000000,42,42,0.44",
	}
	if len(lines) != rows+1 || lines[0] != want[0] || lines[1] != want[1] {
		t.Fatalf("got %d lines starting %q; want %d starting %q", len(lines), lines[:2], rows+1, want)
	}
}

func TestMissingFile(t *testing.T) {
	if _, _, err := extract("no-such.parquet", filepath.Join(t.TempDir(), "x.csv")); err == nil {
		t.Fatal("want an error for a missing file")
	}
}
