package shadowreport

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// TestReadFromKinesalite: rides on a two-shard ride_events, predictions
// keyed by the event ids Kinesis gave them on both output streams (one
// retried), read back from kinesalite, joined, scored and charted.
func TestReadFromKinesalite(t *testing.T) {
	ctx := context.Background()
	_, c := kinesalite.MustStart(t, map[string]int32{"ride_events": 2, "ride_prediction": 2, "ride_prediction_shadow": 1})
	put := func(stream string, data [][]byte) *kinesis.PutRecordsOutput {
		t.Helper()
		in := &kinesis.PutRecordsInput{StreamName: aws.String(stream)}
		for i, d := range data {
			in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: d, PartitionKey: aws.String(fmt.Sprint(i))})
		}
		out, err := c.PutRecords(ctx, in)
		if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
			t.Fatalf("put on %s: %v %+v", stream, err, out)
		}
		return out
	}
	const n = 40
	pickup := time.Date(2022, 2, 1, 8, 0, 0, 0, time.UTC)
	var events [][]byte
	for i := range n {
		events = append(events, golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(time.Duration(10+i)*time.Minute), i))
	}
	var serving, shadow [][]byte
	for i, r := range put("ride_events", events).Records {
		id := aws.ToString(r.ShardId) + ":" + aws.ToString(r.SequenceNumber)
		serving = append(serving, pred(fmt.Sprint(i), id, "A", float64(10+i))) // exact
		shadow = append(shadow, pred(fmt.Sprint(i), id, "B", float64(10+i)+2)) // 2 minutes long
	}
	put("ride_prediction", append(serving, serving[:3]...)) // three retried
	put("ride_prediction_shadow", shadow)

	got, err := Read(ctx, Options{}, Source{c, "ride_prediction"}, Source{c, "ride_prediction_shadow"}, Source{c, "ride_events"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Joined != n || got.Serving.Only+got.Shadow.Only != 0 || got.Serving.Duplicates != 3 || got.Scored != n {
		t.Errorf("joined %d of %d, only %d/%d, duplicates %d, scored %d", got.Joined, n, got.Serving.Only, got.Shadow.Only,
			got.Serving.Duplicates, got.Scored)
	}
	if got.Serving.RMSE != 0 || got.Shadow.RMSE != 2 || got.MeanAbsDiff != 2 || got.ShareOver1Min != 1 {
		t.Errorf("RMSE %v and %v, want 0 and 2; mean |diff| %v, want 2; share over 1 min %v, want 1",
			got.Serving.RMSE, got.Shadow.RMSE, got.MeanAbsDiff, got.ShareOver1Min)
	}

	path := filepath.Join(t.TempDir(), "report.md")
	md, err := got.Write(path, "/usr/bin/python3")
	if err != nil {
		t.Fatal(err)
	}
	if onDisk, _ := os.ReadFile(path); !bytes.Equal(onDisk, md) || !bytes.Contains(md, []byte("![serving against shadow](report.png)")) {
		t.Errorf("report on disk differs from the one returned, or links no chart:\n%s", md)
	}
	if png, err := os.ReadFile(filepath.Join(filepath.Dir(path), "report.png")); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("no chart: %v", err)
	}
}

// TestReadSince: with Options.Since, only the records that arrived since
// are read (GetShardIterator AT_TIMESTAMP on kinesalite, through
// localstack/kinesalite/server.js's fix: a shard with nothing since, here the
// shadow's second, is read as empty), and the report says from when.
func TestReadSince(t *testing.T) {
	ctx := context.Background()
	_, c := kinesalite.MustStart(t, map[string]int32{"ride_events": 1, "ride_prediction": 1, "ride_prediction_shadow": 2})
	put := func(stream string, data []byte) string {
		t.Helper()
		// One partition key: on the two-shard stream, one shard gets all.
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), Data: data, PartitionKey: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ShardId) + ":" + aws.ToString(out.SequenceNumber)
	}
	pickup := time.Date(2022, 2, 1, 8, 0, 0, 0, time.UTC)
	ride := func(i int) {
		id := put("ride_events", golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(time.Duration(10+i)*time.Minute), i))
		put("ride_prediction", pred(fmt.Sprint(i), id, "A", float64(10+i)))
		put("ride_prediction_shadow", pred(fmt.Sprint(i), id, "B", float64(11+i)))
	}
	for i := range 5 {
		ride(i)
	}
	time.Sleep(20 * time.Millisecond) // kinesalite's clock counts milliseconds
	since := time.Now()
	time.Sleep(20 * time.Millisecond)
	for i := 5; i < 12; i++ {
		ride(i)
	}
	got, err := Read(ctx, Options{Since: since}, Source{c, "ride_prediction"}, Source{c, "ride_prediction_shadow"}, Source{c, "ride_events"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Joined != 7 || got.Serving.Records != 7 || got.Shadow.Records != 7 || got.Scored != 7 || got.Serving.Only+got.Shadow.Only != 0 {
		t.Errorf("since %v: joined %d, read %d and %d, scored %d, only %d/%d; want the 7 rides since, all joined and scored",
			since, got.Joined, got.Serving.Records, got.Shadow.Records, got.Scored, got.Serving.Only, got.Shadow.Only)
	}
	var md bytes.Buffer
	if err := got.Markdown(&md, ""); err != nil || !strings.Contains(md.String(), "since "+since.UTC().Format(time.RFC3339)) {
		t.Errorf("the report does not say since when (%v):\n%s", err, md.String())
	}
}
