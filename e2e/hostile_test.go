package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// maxFunctionRSSMiB is the peak resident set the function must stay
// within for any 6 MB event: half the template's MemorySize of 256 MB.
const maxFunctionRSSMiB = 128

// userRec is one user record for localstack/kinesalite/aggregate.js.
type userRec struct {
	PartitionKey string `json:"partitionKey"`
	Data         []byte `json:"data"`
}

// TestHostileAggregatesEndToEnd (issue 30's done-when): KPL aggregates
// made by AWS's aws-kinesis-agg as a hostile producer would (1 MiB of
// 174,000 empty records of a 1-byte key; 0.9 MB of 13,000 invalid records;
// 200 KB keys, once named by 100 invalid records, once by 3 valid rides
// and 2 invalid records), beside a 1 MiB aggregate of 8,000 valid rides
// and 100 plain ones, go through kinesalite and, as one 4.5 MB Kinesis
// event, through the real function
// under the real emulator, twice (as Lambda retries). Each invocation
// predicts every valid ride, bit for bit sklearn's answer, answers no
// batch item failure, and writes bounded dead letters: each hostile
// aggregate once, whole, and the invalid user records of the small one
// alone, every one under 1 MiB. The function's peak RSS stays within
// 128 MiB.
func TestHostileAggregatesEndToEnd(t *testing.T) {
	valid, want := stacktest.GoldenRides(t, 8105)
	var many, small []userRec
	for _, r := range valid[:8000] {
		many = append(many, userRec{r.ID, r.Event})
	}
	longKey := strings.Repeat("\x01", 200_000)
	for i, r := range valid[8000:8003] {
		small = append(small, userRec{longKey, r.Event}, userRec{longKey, []byte(fmt.Sprintf(`{"ride_id": "long-key-invalid-%d"}`, i))})
	}
	small = small[:5]
	empties := make([]userRec, 174_000)
	for i := range empties {
		empties[i] = userRec{PartitionKey: "k", Data: []byte{}}
	}
	invalid := make([]userRec, 100)
	for i := range invalid {
		invalid[i] = userRec{longKey, []byte(fmt.Sprintf(`{"ride_id": "dead-%d"}`, i))}
	}
	// 13,000 invalid user records of 65 bytes: within the bounds on
	// expansion, past those on dead letters.
	tiny := make([]userRec, 13_000)
	for i := range tiny {
		tiny[i] = userRec{"t", []byte(fmt.Sprintf(`{"ride_id": %d, "ride": "not an object, and 60 bytes long"}`, 10_000_000+i))}
	}
	aggs := aggregateUsers(t, [][]userRec{empties, invalid, tiny, small, many})
	for _, r := range valid[8003:] {
		aggs = append(aggs, aggregated{PartitionKey: r.ID, Data: r.Event})
	}
	c, rss := throughFunction(t, aggs)
	checkHostileOutputs(t, c, want, aggs)
	if rss == 0 || rss > maxFunctionRSSMiB {
		t.Errorf("function's peak RSS %.1f MiB, want within %d", rss, maxFunctionRSSMiB)
	}
}

// throughFunction puts recs on ride_events in a fresh kinesalite, then
// sends every record, as one Kinesis event, through the function under
// the emulator twice, and returns a client of that kinesalite and the
// function's peak RSS in MiB. Neither invocation may report a batch item
// failure.
func throughFunction(t *testing.T, recs []aggregated) (*kinesis.Client, float64) {
	t.Helper()
	rie, bootstrap, err := proc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	var logs proc.Logs
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%.20000s", logs.String())
		}
	})
	k, err := kinesalite.Start(&logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	c := kinesalite.Client(k.Endpoint)
	ctx := context.Background()
	for _, s := range []string{localstack.RidesStream, localstack.PredictionsStream, localstack.DLQStream} {
		if err := kinesalite.CreateStream(ctx, c, s, 1); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range recs {
		// A key past 256 characters names only user records: Kinesis
		// would refuse it for the aggregate.
		key := r.PartitionKey
		if len(key) > 256 {
			key = fmt.Sprintf("hostile-%d", i)
		}
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(localstack.RidesStream), PartitionKey: aws.String(key), Data: r.Data}); err != nil {
			t.Fatalf("put record %d of %d bytes: %v", i, len(r.Data), err)
		}
	}
	event := lambdaEvent(t, c)

	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + k.Endpoint, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"PREDICTIONS_STREAM_NAME=" + localstack.PredictionsStream, "DLQ_STREAM_NAME=" + localstack.DLQStream, "AWS_LAMBDA_FUNCTION_TIMEOUT=30"}
	e, err := proc.StartEmulator(rie, []string{bootstrap}, env, &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	for try := 1; try <= 2; try++ {
		callCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
		status, body, err := e.Invoke(callCtx, event)
		cancel()
		var res events.KinesisEventResponse
		if err != nil || status != 200 || json.Unmarshal(body, &res) != nil || len(res.BatchItemFailures) != 0 {
			t.Fatalf("invocation %d: %d %.500s (%v)", try, status, body, err)
		}
	}
	rss := e.FunctionPeakRSS()
	t.Logf("two invocations of a %.2f MB event of %d records: peak RSS %.1f MiB", float64(len(event))/1e6, len(recs), rss)
	return c, rss
}

// checkHostileOutputs: every valid ride predicted as sklearn does, and the
// dead letters of two invocations: each hostile aggregate whole, twice,
// and the two invalid user records of the small aggregate, twice each.
func checkHostileOutputs(t *testing.T, c *kinesis.Client, want map[string]float64, aggs []aggregated) {
	t.Helper()
	preds, err := kinesalite.ReadAll(context.Background(), c, localstack.PredictionsStream)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, p := range preds {
		var v struct {
			RideID     string  `json:"ride_id"`
			Prediction float64 `json:"prediction"`
		}
		if err := json.Unmarshal(p.Data, &v); err != nil {
			t.Fatalf("prediction %.200s: %v", p.Data, err)
		}
		got[v.RideID] = v.Prediction
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || math.Float64bits(g) != math.Float64bits(w) {
			t.Fatalf("ride %s: predicted %v (%v), sklearn %v", id, g, ok, w)
		}
	}
	dead, err := kinesalite.ReadAll(context.Background(), c, localstack.DLQStream)
	if err != nil {
		t.Fatal(err)
	}
	whole, users, size := map[string]int{}, map[string]int{}, 0
	for _, d := range dead {
		var dl struct {
			Error     string `json:"error"`
			EventID   string `json:"event_id"`
			Truncated bool   `json:"partition_key_truncated"`
			Data      []byte `json:"data"`
		}
		if err := json.Unmarshal(d.Data, &dl); err != nil || len(d.Data)+len(d.Key) > 1<<20 {
			t.Fatalf("dead letter of %d bytes: %v", len(d.Data), err)
		}
		size += len(d.Data)
		if strings.Contains(dl.Error, "dead-lettered whole") {
			whole[dl.EventID]++
			continue
		}
		if !dl.Truncated || !strings.HasPrefix(string(dl.Data), `{"ride_id": "long-key-invalid-`) {
			t.Errorf("dead letter %.300s", d.Data)
		}
		users[string(dl.Data)]++
	}
	if len(whole) != 3 || len(users) != 2 || len(dead) != 2*5 {
		t.Errorf("%d dead letters (%d bytes): aggregates whole %v, user records %v; want 3 aggregates and 2 user records, twice each", len(dead), size, whole, users)
	}
	t.Logf("%d predictions and %d dead letters (%d bytes) from two invocations", len(preds), len(dead), size)
}

// aggregateUsers has localstack/kinesalite/aggregate.js (aws-kinesis-agg) pack
// each group into one record.
func aggregateUsers(t *testing.T, groups [][]userRec) []aggregated {
	t.Helper()
	return runAggregate(t, groups)
}

// lambdaEvent is the Kinesis event Lambda's mapping would send for every
// record now in ride_events.
func lambdaEvent(t *testing.T, c *kinesis.Client) []byte {
	t.Helper()
	recs, err := kinesalite.ReadAll(context.Background(), c, localstack.RidesStream)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.KinesisEvent
	for _, r := range recs {
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			EventID: r.Shard + ":" + r.Seq, EventSource: "aws:kinesis", EventName: "aws:kinesis:record", EventVersion: "1.0", AwsRegion: "us-east-1",
			EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/" + localstack.RidesStream,
			Kinesis: events.KinesisRecord{Data: r.Data, PartitionKey: r.Key, SequenceNumber: r.Seq, KinesisSchemaVersion: "1.0",
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.Arrival}},
		})
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLargestEventsEndToEnd: the events that take the function the most
// memory, each about 6 MB, twice through the function under the emulator
// against kinesalite: four 1 MiB aggregates of the shortest valid rides,
// the most valid rides an event can hold; six aggregates of 16,384
// invalid user records each, more than an invocation reads (65,536); and
// four 1 MiB rides whose
// ride_id of DEL characters json.dumps writes six times larger, whose
// predictions Kinesis cannot take (each is dead-lettered). The peak RSS
// stays within 128 MiB (DEPLOY.md, "Bounds on KPL aggregates").
func TestLargestEventsEndToEnd(t *testing.T) {
	short := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"ride":{"PULocationID":%d,"DOLocationID":7,"trip_distance":1},"ride_id":%d}`, 100+i%100, i))
	}
	var groups [][]userRec
	for g := range 4 {
		var users []userRec
		for i := g * 11_500; i < (g+1)*11_500; i++ {
			users = append(users, userRec{"k", short(i)})
		}
		groups = append(groups, users)
	}
	var invalid [][]userRec
	for g := range 6 {
		users := make([]userRec, 16_384)
		for i := range users {
			users[i] = userRec{"k", []byte(fmt.Sprintf(`{"ride_id": %d, "no": "ride"}`, 10_000_000*(g+1)+i))}
		}
		invalid = append(invalid, users)
	}
	del := func(i int) []byte {
		head := fmt.Sprintf(`{"ride": {"PULocationID": %d, "DOLocationID": 7, "trip_distance": 1}, "ride_id": "`, i)
		return []byte(head + strings.Repeat("\x7f", 1<<20-len(head)-2-4) + `"}`)
	}
	for _, tc := range []struct {
		name              string
		recs              []aggregated
		predictions, dead int
	}{
		{"most user records", aggregateUsers(t, groups), 4 * 11_500, 0},
		// 98,304 invalid user records: the first 65,536 are read, and every
		// aggregate is dead-lettered whole.
		{"most invalid user records", aggregateUsers(t, invalid), 0, 6},
		{"largest ride ids", []aggregated{{PartitionKey: "a", Data: del(1)}, {PartitionKey: "b", Data: del(2)}, {PartitionKey: "c", Data: del(3)}, {PartitionKey: "d", Data: del(4)}}, 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rss := throughFunction(t, tc.recs)
			preds, err := kinesalite.ReadAll(context.Background(), c, localstack.PredictionsStream)
			if err != nil {
				t.Fatal(err)
			}
			dead, err := kinesalite.ReadAll(context.Background(), c, localstack.DLQStream)
			if err != nil {
				t.Fatal(err)
			}
			if len(preds) != 2*tc.predictions || len(dead) != 2*tc.dead {
				t.Errorf("%d predictions and %d dead letters, want %d and %d", len(preds), len(dead), 2*tc.predictions, 2*tc.dead)
			}
			if rss == 0 || rss > maxFunctionRSSMiB {
				t.Errorf("function's peak RSS %.1f MiB, want within %d", rss, maxFunctionRSSMiB)
			}
		})
	}
}
