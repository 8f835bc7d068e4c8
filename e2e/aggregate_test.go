package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// runAggregate has localstack/kinesalite/aggregate.js (aws-kinesis-agg, the
// KPL's aggregation) pack each group of user records (partitionKey, data)
// into one Kinesis record, installing it first if it is missing.
func runAggregate[U any](t *testing.T, groups [][]U) []aggregated {
	t.Helper()
	var in bytes.Buffer
	for _, g := range groups {
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(append(b, '\n'))
	}
	var stderr bytes.Buffer
	if err := kinesalite.Install(&stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.Bytes())
	}
	cmd := exec.Command("node", "aggregate.js")
	cmd.Dir, cmd.Stdin, cmd.Stderr = kinesalite.Dir(), &in, &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node aggregate.js: %v\n%s", err, stderr.Bytes())
	}
	var recs []aggregated
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		var r aggregated
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("aggregate.js wrote %.200q: %v", sc.Bytes(), err)
		}
		recs = append(recs, r)
	}
	if len(recs) != len(groups) {
		t.Fatalf("aggregate.js made %d records of %d groups", len(recs), len(groups))
	}
	return recs
}
