package kinesalite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestAtTimestamp: GetShardIterator AT_TIMESTAMP answers as Kinesis does,
// through the fix in localstack/kinesalite/server.js: from the first record
// that arrived at or after the timestamp, and, when no record did (an
// empty shard, a time after the last record), at the shard's end, from
// which the records put later are read. kinesalite 3.3.3 alone never
// answers the second kind of request. A timestamp in the future is
// refused, as Kinesis refuses it.
func TestAtTimestamp(t *testing.T) {
	_, c := MustStart(t, map[string]int32{"s": 1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iterator := func(at time.Time) (*string, error) {
		// A request kinesalite never answers fails here, not by the
		// test's time-out.
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(at)})
		if err != nil {
			return nil, err
		}
		return out.ShardIterator, nil
	}
	read := func(iter *string) []string {
		t.Helper()
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		return got
	}
	pause := func() time.Time { // kinesalite's clock counts milliseconds
		time.Sleep(20 * time.Millisecond)
		now := time.Now()
		time.Sleep(20 * time.Millisecond)
		return now
	}

	empty, err := iterator(pause())
	if err != nil {
		t.Fatalf("AT_TIMESTAMP on an empty shard: %v", err)
	}
	put(t, c, 0, 2)
	between := pause()
	put(t, c, 2, 4)
	after := pause()
	afterIter, err := iterator(after)
	if err != nil {
		t.Fatalf("AT_TIMESTAMP after the last record: %v", err)
	}
	put(t, c, 4, 5)
	betweenIter, err := iterator(between)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		iter *string
		want []string
	}{
		{"on the empty shard", empty, []string{"0", "1", "2", "3", "4"}},
		{"between the puts", betweenIter, []string{"2", "3", "4"}},
		{"after the last record", afterIter, []string{"4"}},
	} {
		if got := read(tc.iter); !slices.Equal(got, tc.want) {
			t.Errorf("AT_TIMESTAMP %s read %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := iterator(time.Now().Add(time.Hour)); err == nil {
		t.Error("AT_TIMESTAMP an hour from now: no error, want Kinesis' InvalidArgumentException")
	}
}
