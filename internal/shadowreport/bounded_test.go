package shadowreport

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

// generated is a Kinesis stand-in whose streams (one shard each) hold n
// records made on demand: record i arrives at epoch + i ms; ride_events'
// is a ride of 10 + i%50 minutes, and each predictions stream's answers
// it (event_id shardId-000000000000:i). It keeps nothing, so that a test
// can weigh what the reader keeps. Every page it serves, it also measures
// the live heap (after a GC): peak is the largest.
type generated struct {
	n    int
	peak uint64
}

var epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func (g *generated) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	return &kinesis.ListShardsOutput{Shards: []types.Shard{{ShardId: aws.String("shardId-000000000000")}}}, nil
}

func (g *generated) GetShardIterator(_ context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	from := 0
	switch in.ShardIteratorType {
	case types.ShardIteratorTypeAtTimestamp:
		from = max(0, int(in.Timestamp.Sub(epoch).Milliseconds()))
	case types.ShardIteratorTypeAfterSequenceNumber:
		n, _ := strconv.Atoi(aws.ToString(in.StartingSequenceNumber))
		from = n + 1
	}
	return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s/%d", aws.ToString(in.StreamName), from))}, nil
}

func (g *generated) GetRecords(_ context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	g.peak = max(g.peak, m.HeapAlloc)
	stream, pos, _ := strings.Cut(aws.ToString(in.ShardIterator), "/")
	from, _ := strconv.Atoi(pos)
	to := min(g.n, from+int(aws.ToInt32(in.Limit)))
	out := &kinesis.GetRecordsOutput{NextShardIterator: aws.String(fmt.Sprintf("%s/%d", stream, to)), MillisBehindLatest: aws.Int64(int64(g.n - to))}
	pickup := time.Date(2022, 2, 1, 8, 0, 0, 0, time.UTC)
	for i := from; i < to; i++ {
		var data []byte
		switch stream {
		case "ride_events":
			data = golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(time.Duration(10+i%50)*time.Minute), i)
		case "ride_prediction":
			data = pred(fmt.Sprint(i), fmt.Sprintf("shardId-000000000000:%d", i), "A", float64(10+i%50))
		default:
			data = pred(fmt.Sprint(i), fmt.Sprintf("shardId-000000000000:%d", i), "B", float64(11+i%50))
		}
		out.Records = append(out.Records, types.Record{SequenceNumber: aws.String(strconv.Itoa(i)), Data: data,
			ApproximateArrivalTimestamp: aws.Time(epoch.Add(time.Duration(i) * time.Millisecond))})
	}
	return out, nil
}

// TestReadIsBounded: reading 10 times the records keeps about the same
// memory. Read is given N and then 10 N rides on each of the three streams
// (60,000 and 600,000 records); the largest live heap while it reads (the
// stand-in weighs it at every page) grows by less than 2 MiB, where
// keeping the records, or every ride until the end as the report did
// before (issue 30, finding 7), would grow it tens of MiB. And the
// report is exact: every ride joined, scored, none only in one stream.
func TestReadIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: reads 660,000 generated records")
	}
	lim := Limits{MaxPending: 1000, SampleSize: 1000, MaxVersions: 10}
	const n = 20_000
	var peaks []uint64
	for _, rides := range []int{n, 10 * n} {
		g := &generated{n: rides}
		c, err := Read(context.Background(), Options{Limits: lim}, Source{g, "ride_prediction"}, Source{g, "ride_prediction_shadow"}, Source{g, "ride_events"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Joined != rides || c.Scored != rides || c.Serving.Only+c.Shadow.Only != 0 || len(c.Sample) != lim.SampleSize || c.MeanAbsDiff != 1 {
			t.Errorf("%d rides: joined %d, scored %d, only %d/%d, sample %d, mean |diff| %v", rides, c.Joined, c.Scored,
				c.Serving.Only, c.Shadow.Only, len(c.Sample), c.MeanAbsDiff)
		}
		t.Logf("%d rides a stream: peak live heap %.2f MiB", rides, float64(g.peak)/(1<<20))
		peaks = append(peaks, g.peak)
	}
	if peaks[1] > peaks[0]+2<<20 {
		t.Errorf("the peak live heap grew from %.2f MiB to %.2f MiB for 10 times the records; want it bounded",
			float64(peaks[0])/(1<<20), float64(peaks[1])/(1<<20))
	}
}

// TestJoinerWindow: the Joiner keeps at most 2 × MaxPending rides however
// far apart a ride's halves are; a ride whose other half comes after
// MaxPending others counts as only in each stream, and a repeat of a ride
// settled recently as a duplicate.
func TestJoinerWindow(t *testing.T) {
	j := NewJoiner("a", "b", false, Limits{MaxPending: 10, SampleSize: 5, MaxVersions: 2})
	kept := 0
	for i := range 1000 {
		j.Serving(pred("r", fmt.Sprint(i), "A", 1))
		kept = max(kept, j.Kept())
	}
	for i := range 1000 {
		j.Shadow(pred("r", fmt.Sprint(i), fmt.Sprint(i%5), 2))
		kept = max(kept, j.Kept())
	}
	j.Serving(pred("x", "x", "A", 1))
	j.Shadow(pred("x", "x", "0", 2))
	j.Serving(pred("x", "x", "A", 1)) // settled: a repeat
	c := j.Finish()
	if kept > 20 {
		t.Errorf("the Joiner kept %d rides at once, want at most 2 × MaxPending = 20", kept)
	}
	if c.Serving.Only != 1000 || c.Shadow.Only != 1000 || c.Joined != 1 || c.Serving.Duplicates != 1 {
		t.Errorf("only %d/%d, joined %d, duplicates %d: want 1000 only in each stream (too far apart), x joined, and its repeat dropped",
			c.Serving.Only, c.Shadow.Only, c.Joined, c.Serving.Duplicates)
	}
	if len(c.Shadow.Versions) != 3 || c.Shadow.Versions["(other)"] != 600 {
		t.Errorf("shadow versions %v: want 2 by name, the other 600 rides under (other)", c.Shadow.Versions)
	}
}
