package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var featureCost = flag.Bool("features.cost", false, "TestFeatureCost: measure the compiled feature code (go test -bench in a temporary module)")

// fiveFeatures is a five-feature prepare_features over a ride of ten
// fields, for TestFeatureCost.
const fiveFeatures = `def prepare_features(ride):
    features = {}
    features["PU_DO"] = "%s_%s" % (ride["PULocationID"], ride["DOLocationID"])
    features["trip_distance"] = float(ride["trip_distance"])
    features["fare_amount"] = ride.get("fare_amount", 0.0)
    features["payment"] = str(int(ride["payment_type"]))
    features["vendor"] = f"v{ride['VendorID']}"
    return features
`

// tenFields is a ride event of ten TLC fields.
const tenFields = `{"ride": {"VendorID": 2, "lpep_pickup_datetime": "2022-02-01 00:20:21", "store_and_fwd_flag": "N", "RatecodeID": 1.0, ` +
	`"PULocationID": 43, "DOLocationID": 238, "passenger_count": 1.0, "trip_distance": 1.16, "fare_amount": 5.5, "payment_type": 1.0}, "ride_id": 123}`

// TestFeatureCost (with -features.cost) compiles the seed's program and
// fiveFeatures with gen and benchmarks, per ride event of ten fields, the
// reading of the event as ride.Parse reads it (the fields the function
// uses kept, the rest skipped) plus Prepare:
//
//	go test ./gen -run TestFeatureCost -features.cost -v
func TestFeatureCost(t *testing.T) {
	if !*featureCost {
		t.Skip("-features.cost not given")
	}
	py := startPython(t)
	dir, put := tempModule(t)
	programs := map[string]*Program{"seed": SeedProgram()}
	a, err := py.run(fiveFeatures, "{}", true)
	if err != nil || a.Program == nil {
		t.Fatalf("features.py: %v %s", err, a.Refused)
	}
	a.Program.Source, a.Program.Function = "features.py", "prepare_features"
	programs["five"] = a.Program
	for name, p := range programs {
		data, err := json.Marshal(programForest(p, func(key string) bool { return key != "trip_distance" && key != "fare_amount" }))
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Package: name, ImportPath: "prop/" + name, Limits: DefaultLimits}
		var files []File
		if err := generate("forest.json", bytes.NewReader(data), nil, cfg, func(f File) error { files = append(files, f); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := write(filepath.Join(dir, name), files); err != nil {
			t.Fatal(err)
		}
	}
	put("cost_test.go", fmt.Sprintf(costBench, "`"+tenFields+"`"))
	cmd := exec.Command("go", "test", "-mod=mod", "-run", "^$", "-bench", ".", "-benchmem", "-count", "5")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test -bench: %v\n%s", err, out)
	}
	t.Logf("\n%s", out)
}

const costBench = `package cost

import (
	"testing"

	"github.com/nyc-taxi/ridepred/handler/pyval"
	"prop/five"
	"prop/seed"
)

var event = []byte(%s)

// read is ride.Parse's reading of the event: the ride's members, those
// fields names kept, the rest skipped.
func read(data []byte, fields []string, vals []pyval.Value) {
	r := pyval.NewReader(data)
	r.Open('{')
	for name, more, _ := r.Member(true); more; name, more, _ = r.Member(false) {
		if string(name) != "ride" {
			r.Value()
			continue
		}
		r.Open('{')
		for name, more, _ := r.Member(true); more; name, more, _ = r.Member(false) {
			i := -1
			for j, f := range fields {
				if string(name) == f {
					i = j
				}
			}
			v, _ := r.Value()
			if i >= 0 {
				vals[i] = v
			}
		}
	}
}

func BenchmarkSeedFeatures(b *testing.B) {
	var buf [16]pyval.Value
	for b.Loop() {
		vals := buf[:len(seed.Fields)]
		read(event, seed.Fields, vals)
		if _, err := seed.Prepare(vals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFiveFeatures(b *testing.B) {
	var buf [16]pyval.Value
	for b.Loop() {
		vals := buf[:len(five.Fields)]
		read(event, five.Fields, vals)
		if _, err := five.Prepare(vals); err != nil {
			b.Fatal(err)
		}
	}
}
`
