package handler

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestNonKinesisRecordsRefused: records that did not come from a Kinesis
// stream fail the invocation, so that their own source keeps them.
func TestNonKinesisRecordsRefused(t *testing.T) {
	h := New(newFake(), Config{})
	for _, payload := range []string{
		`{"Records": [{"eventSource": "aws:sqs", "kinesis": {"data": "e30=", "sequenceNumber": "1"}}]}`,
		`{"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": "e30="}}]}`,
		`{"Records": [{"body": "{}"}]}`,
	} {
		if _, err := h.Invoke(context.Background(), []byte(payload)); err == nil || !strings.Contains(err.Error(), "Kinesis events only") {
			t.Errorf("%s: err = %v", payload, err)
		}
	}
}

func TestDecodeEvent(t *testing.T) {
	rec := func(eventID, source, data, key, seq string) kinesisRecord {
		return kinesisRecord{EventID: eventID, EventSource: source, Kinesis: kinesisData{Data: []byte(data), PartitionKey: key, SequenceNumber: seq}}
	}
	for _, tc := range []struct {
		name    string
		payload string
		want    []kinesisRecord
		direct  bool
		err     string
	}{
		{name: "record", payload: `{"Records": [{"eventID": "s:1", "eventSource": "aws:kinesis", "kinesis": {"data": "e30=", "partitionKey": "k", "sequenceNumber": "1"}}]}`,
			want: []kinesisRecord{rec("s:1", "aws:kinesis", "{}", "k", "1")}},
		{name: "other members skipped", payload: `{"Records": [{"eventVersion": "1.0", "kinesis": {"approximateArrivalTimestamp": 1.5, "kinesisSchemaVersion": {"x": [1]},
			"sequenceNumber": "2", "data": ""}, "eventSource": "aws:kinesis", "awsRegion": null}], "other": 1}`,
			want: []kinesisRecord{{EventSource: "aws:kinesis", Kinesis: kinesisData{Data: []byte{}, SequenceNumber: "2", Arrival: 1.5}}}},
		{name: "arrival not a number skipped", payload: `{"Records": [{"eventSource": "aws:kinesis", "kinesis": {"approximateArrivalTimestamp": "x", "sequenceNumber": "4"}}]}`,
			want: []kinesisRecord{rec("", "aws:kinesis", "", "", "4")}},
		{name: "escaped names", payload: `{"Records": [{"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "3"}}]}`,
			want: []kinesisRecord{rec("", "aws:kinesis", "", "", "3")}},
		{name: "names match exactly", payload: `{"Records": [{"eventsource": "aws:kinesis", "kinesis": {"sequenceNumber": "3"}}]}`,
			err: `invalid event: record 0 has eventSource "" and sequence number "3"`},
		{name: "no records", payload: `{"Records": []}`, want: []kinesisRecord{}},
		{name: "ride event", payload: `{"ride": {}, "ride_id": 1}`, direct: true},
		{name: "null Records", payload: `{"Records": null}`, direct: true},
		{name: "record not an object", payload: `{"Records": [1]}`, err: "got a JSON number, want an object"},
		{name: "kinesis not an object", payload: `{"Records": [{"kinesis": "x"}]}`, err: "got a JSON string, want an object"},
		{name: "sequence number not a string", payload: `{"Records": [{"kinesis": {"sequenceNumber": 1}}]}`, err: "got a JSON number, want a string"},
		{name: "data not base64", payload: `{"Records": [{"kinesis": {"data": "!!"}}]}`, err: "invalid event: "},
		{name: "not JSON", payload: `{"Records": [`, err: "invalid event: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, direct, err := decodeEvent([]byte(tc.payload))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || direct != tc.direct {
				t.Fatalf("direct %v, err %v; want direct %v", direct, err, tc.direct)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(kinesisRecord{})); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkDecodeEvent compares the handler's Kinesis event decoder with
// json v2 decoding into aws-lambda-go's events.KinesisEvent, on the same
// event: the library type is used unless this shows the hand-written one
// more than 10% faster.
func BenchmarkDecodeEvent(b *testing.B) {
	event := event1000(b)
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := decodeEvent(event); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("events.KinesisEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev events.KinesisEvent
			if err := jsonv2.Unmarshal(event, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
