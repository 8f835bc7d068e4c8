package ride

import (
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// nestedRideID is a ride event of about size bytes whose ride_id nests
// objects depth deep, each naming "x" twice around the next, the
// innermost holding a string of DEL characters (6 bytes each once
// json.dumps escapes them): json.loads keeps each object's "x" where it
// first was, with its last value. It returns the event and the ride id as
// json.dumps writes it, built here by hand.
func nestedRideID(depth, size int) (event []byte, want string) {
	inner := strings.Repeat("\x7f", size-depth*len(`{"x": 0, "v": , "x": 1}`))
	var in, out strings.Builder
	for range depth {
		in.WriteString(`{"x": 0, "v": `)
		out.WriteString(`{"x": 1, "v": `)
	}
	in.WriteString(`"` + inner + `"`)
	out.WriteString(`"` + strings.Repeat(`\u007f`, len(inner)) + `"`)
	for range depth {
		in.WriteString(`, "x": 1}`)
		out.WriteString(`}`)
	}
	return []byte(`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": ` + in.String() + `}`), out.String()
}

// deepest is the deepest ride_id nesting the reader takes (pyval's
// maxDepth, 900) under the event and the ride_id itself.
const deepest = 898

// TestDumpsNested (issue 30, finding 4): a 1 MiB ride id nested 898 deep
// (the most maxDepth allows under the event and ride_id), each level
// naming a member twice, is written back as json.dumps writes it.
// BenchmarkDumpsNested shows its cost, which no longer grows with depth.
func TestDumpsNested(t *testing.T) {
	event, want := nestedRideID(deepest, 1<<20)
	r, err := Parse(event)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.ID) != want {
		t.Fatalf("ride id of %d bytes, want %d; starts %.80s", len(r.ID), len(want), r.ID)
	}
}

// BenchmarkDumpsNested: Parse's cost on a 1 MiB ride id nested 898 deep,
// each level naming a member twice, against the same ride id flat. Here
// (2026-12-06, a loaded machine, -cpu 1 -benchtime 20x -count 3) both take
// 18 to 24 ms of CPU; before dumps.go, the nested one took 1.65 s a run
// (wall time, -cpu 2; the flat one 32 ms).
func BenchmarkDumpsNested(b *testing.B) {
	for _, depth := range []int{1, deepest} {
		event, _ := nestedRideID(depth, 1<<20)
		b.Run(map[bool]string{true: "flat", false: "898-deep"}[depth == 1], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(event)))
			cpu := proc.OwnCPU()
			for b.Loop() {
				if _, err := Parse(event); err != nil {
					b.Fatal(err)
				}
			}
			// The process's CPU time (the collector's too), in 10 ms ticks:
			// on a shared machine, wall time is not the cost.
			b.ReportMetric((proc.OwnCPU()-cpu)*1000/float64(b.N), "cpu-ms/op")
		})
	}
}
