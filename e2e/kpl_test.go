package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestKPLAggregatedRides: 1,000 real rides, aggregated by AWS's Node
// library aws-kinesis-agg as a KPL producer puts them, go through
// kinesalite, the mapping and the function under the emulator. Every ride
// is predicted, bit for bit sklearn's answer, under the event id
// shard:sequence:subsequence of its place in its aggregate; in the last
// aggregate, one invalid ride among valid ones is the only dead letter.
func TestKPLAggregatedRides(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{})
	valid, want := stacktest.GoldenRides(t, 1000)
	poison := rides.Poison(1)[0]
	var groups [][]rides.Ride
	for i := 0; i < 992; i += 64 {
		groups = append(groups, valid[i:min(i+64, 992)])
	}
	groups = append(groups, slices.Concat(valid[992:996], []rides.Ride{poison}, valid[996:]))

	eventIDs := putAggregates(t, s, groups, aggregate(t, groups))
	ids := []string{poison.ID}
	for _, r := range valid {
		ids = append(ids, r.ID)
	}
	if !s.Out.WaitFor(context.Background(), ids, 90*time.Second) {
		t.Fatalf("only %d of %d rides have an outcome; %d predictions, %d dead letters; the first aggregate's ride %s has %q",
			s.Out.Accounted(ids), len(ids), s.Out.Count(localstack.PredictionsStream), s.Out.Count(localstack.DLQStream), valid[0].ID, outputs(s.Out.Get(valid[0].ID)))
	}

	checkPredictions(t, s, want)
	for _, r := range valid {
		for _, o := range s.Out.Get(r.ID) {
			var p struct {
				EventID string `json:"event_id"`
			}
			if err := json.Unmarshal(o.Data, &p); err != nil || p.EventID != eventIDs[r.ID] {
				t.Fatalf("ride %s: prediction %s, want event_id %s", r.ID, o.Data, eventIDs[r.ID])
			}
		}
	}
	dead := s.Out.Get(poison.ID)
	if len(dead) == 0 || len(dead) != s.Out.Count(localstack.DLQStream) {
		t.Fatalf("%d dead letters, %d of them the invalid ride's: %q", s.Out.Count(localstack.DLQStream), len(dead), outputs(dead))
	}
	for _, o := range dead {
		var dl struct {
			Error        string `json:"error"`
			EventID      string `json:"event_id"`
			PartitionKey string `json:"partition_key"`
			Data         []byte `json:"data"`
		}
		if err := json.Unmarshal(o.Data, &dl); err != nil || o.Stream != localstack.DLQStream || dl.EventID != eventIDs[poison.ID] ||
			dl.PartitionKey != poison.ID || !bytes.Equal(dl.Data, poison.Event) || !strings.Contains(dl.Error, poison.Reason) {
			t.Fatalf("invalid ride: %s %s, want its own dead letter, event id %s", o.Stream, o.Data, eventIDs[poison.ID])
		}
	}
	if n := s.Mapping.Stats.ToOnFailure.Load(); n != 0 {
		t.Errorf("%d records went to the on-failure stream", n)
	}
	t.Logf("%d rides in %d aggregated records: all predicted as sklearn, bit for bit, with shard:sequence:subsequence event ids; "+
		"the invalid one alone dead-lettered (%d duplicates from retries)", len(ids), len(groups), s.Out.Count(localstack.PredictionsStream)-len(valid))
}

// aggregated is one Kinesis record that aws-kinesis-agg made.
type aggregated struct {
	PartitionKey    string `json:"partitionKey"`
	ExplicitHashKey string `json:"explicitHashKey,omitempty"`
	Data            []byte `json:"data"` // base64
}

// aggregate has localstack/kinesalite/aggregate.js pack each group of rides,
// keyed by ride id, into one record.
func aggregate(t *testing.T, groups [][]rides.Ride) []aggregated {
	t.Helper()
	var in [][]aggregated
	for _, g := range groups {
		var users []aggregated
		for _, r := range g {
			users = append(users, aggregated{PartitionKey: r.ID, Data: r.Event})
		}
		in = append(in, users)
	}
	recs := runAggregate(t, in)
	for _, r := range recs {
		if !bytes.HasPrefix(r.Data, []byte("\xF3\x89\x9A\xC2")) {
			t.Fatalf("aggregate.js made a record without the KPL magic: %q", r.Data[:min(16, len(r.Data))])
		}
	}
	return recs
}

// putAggregates puts the records on ride_events and returns the event id
// each ride's prediction must carry: shard:sequence:subsequence, its
// aggregate's shard and sequence number and its index in the aggregate.
func putAggregates(t *testing.T, s *localstack.Stack, groups [][]rides.Ride, recs []aggregated) map[string]string {
	t.Helper()
	in := &kinesis.PutRecordsInput{StreamName: aws.String(localstack.RidesStream)}
	for _, r := range recs {
		e := types.PutRecordsRequestEntry{Data: r.Data, PartitionKey: aws.String(r.PartitionKey)}
		if r.ExplicitHashKey != "" {
			e.ExplicitHashKey = aws.String(r.ExplicitHashKey)
		}
		in.Records = append(in.Records, e)
	}
	out, err := s.Client.PutRecords(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	eventIDs := map[string]string{}
	shards := map[string]bool{}
	for i, res := range out.Records {
		if res.ErrorCode != nil {
			t.Fatalf("put aggregate %d: %s", i, aws.ToString(res.ErrorMessage))
		}
		shards[aws.ToString(res.ShardId)] = true
		for sub, r := range groups[i] {
			eventIDs[r.ID] = fmt.Sprintf("%s:%s:%d", aws.ToString(res.ShardId), aws.ToString(res.SequenceNumber), sub)
		}
	}
	if len(shards) < 2 {
		t.Fatalf("all aggregates on one shard of %s; the test wants several", localstack.RidesStream)
	}
	return eventIDs
}

// outputs is output records as text, cut at 300 bytes, for failure
// messages.
func outputs(outs []localstack.Output) []string {
	var s []string
	for _, o := range outs {
		s = append(s, o.Stream+": "+string(o.Data[:min(300, len(o.Data))]))
	}
	return s
}
