package esm

import (
	"strings"
	"testing"
)

// TestParseFailedBatches: on-failure messages give their batches in order;
// anything else is refused, naming the message.
func TestParseFailedBatches(t *testing.T) {
	ok := [][]byte{
		[]byte(`{"KinesisBatchInfo": {"shardId": "shardId-000000000001", "startSequenceNumber": "10", "endSequenceNumber": "20", "batchSize": 2}}`),
		[]byte(`{"requestContext": {"condition": "RetryAttemptsExhausted"}, "KinesisBatchInfo": {"shardId": "shardId-000000000000", "startSequenceNumber": "5", "endSequenceNumber": "5"}}`),
	}
	got, err := ParseFailedBatches(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ShardID != "shardId-000000000001" || got[0].EndSequenceNumber != "20" || got[0].BatchSize != 2 ||
		got[1].StartSequenceNumber != "5" {
		t.Errorf("ParseFailedBatches = %+v", got)
	}
	for _, bad := range []string{`not json`, `{"KinesisBatchInfo": {}}`, `{"Records": []}`} {
		_, err := ParseFailedBatches(append(ok[:1:1], []byte(bad)))
		if err == nil || !strings.Contains(err.Error(), "message 2") {
			t.Errorf("ParseFailedBatches(%s) = %v, want an error naming message 2", bad, err)
		}
	}
}

func TestStreamName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:kinesis:us-east-1:000000000000:stream/ride_events": "ride_events",
		"ride_events": "",
	} {
		if got := StreamName(arn); got != want {
			t.Errorf("StreamName(%q) = %q, want %q", arn, got, want)
		}
	}
}
