package handler

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// userRecord is one user record of an aggregate that aggregated writes.
type userRecord struct {
	key, hashKey string
	data         []byte
}

// aggregated is the KPL aggregated record of users, as
// aggregation-format.md describes it, with one table entry per key
// (handler/kpl's tests check the decoder against protobuf-go, and
// e2e's against aws-kinesis-agg).
func aggregated(users ...userRecord) []byte {
	var tables, records []byte
	nHash := uint64(0)
	for i, u := range users {
		tables = protowire.AppendBytes(protowire.AppendTag(tables, 1, protowire.BytesType), []byte(u.key))
		var r []byte
		r = protowire.AppendVarint(protowire.AppendTag(r, 1, protowire.VarintType), uint64(i))
		if u.hashKey != "" {
			tables = protowire.AppendBytes(protowire.AppendTag(tables, 2, protowire.BytesType), []byte(u.hashKey))
			r = protowire.AppendVarint(protowire.AppendTag(r, 2, protowire.VarintType), nHash)
			nHash++
		}
		r = protowire.AppendBytes(protowire.AppendTag(r, 3, protowire.BytesType), u.data)
		records = protowire.AppendBytes(protowire.AppendTag(records, 3, protowire.BytesType), r)
	}
	return frame(append(tables, records...))
}

// frame is the aggregated record of the AggregatedRecord message msg.
func frame(msg []byte) []byte {
	sum := md5.Sum(msg)
	return append(append([]byte("\xF3\x89\x9A\xC2"), msg...), sum[:]...)
}

// keyedKinesis keeps each record written with its partition key.
type keyedKinesis struct {
	mu      sync.Mutex
	written map[string][]keyed
	fail    func(data string) bool // throttle this entry, every time
}

type keyed struct{ Data, Key string }

func (k *keyedKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := &kinesis.PutRecordsOutput{}
	for _, r := range in.Records {
		if k.fail != nil && k.fail(string(r.Data)) {
			out.Records = append(out.Records, types.PutRecordsResultEntry{ErrorCode: aws.String("ProvisionedThroughputExceededException"), ErrorMessage: aws.String("slow")})
			continue
		}
		stream := aws.ToString(in.StreamName)
		k.written[stream] = append(k.written[stream], keyed{string(r.Data), aws.ToString(r.PartitionKey)})
		out.Records = append(out.Records, types.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-0")})
	}
	return out, nil
}

func TestDeaggregatedRecords(t *testing.T) {
	invalid := []byte(`{"ride_id": 12}`)
	agg := aggregated(userRecord{key: "k1", data: rideEvent(11, 130, 205, 3.66)}, userRecord{key: "k2", data: invalid},
		userRecord{key: "k1", hashKey: "42", data: rideEvent(13, 131, 205, 1)})
	badSum := aggregated(userRecord{key: "k4", data: rideEvent(14, 130, 205, 2)})
	badSum[len(badSum)-1] ^= 1
	payloads := [][]byte{rideEvent(10, 130, 205, 3.66), agg, badSum, rideEvent(15, 132, 205, 4)}
	k := &keyedKinesis{written: map[string][]keyed{}}
	var logs, metrics bytes.Buffer
	h := New(k, Config{Retry: fastRetry, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Metrics: &metrics})
	res := invoke(t, h, kinesisEvent(t, payloads...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}

	// Predictions: the plain rides' and the aggregate's valid ones, each with
	// its event id and its own partition key.
	type prediction struct {
		RideID  int    `json:"ride_id"`
		EventID string `json:"event_id"`
		Key     string `json:"-"`
	}
	var got []prediction
	for _, w := range k.written["ride_prediction"] {
		var p prediction
		if err := json.Unmarshal([]byte(w.Data), &p); err != nil {
			t.Fatal(err)
		}
		p.Key = w.Key
		got = append(got, p)
	}
	want := []prediction{{10, "shardId-000000000000:seq-0", "0"}, {11, "shardId-000000000000:seq-1:0", "k1"},
		{13, "shardId-000000000000:seq-1:2", "k1"}, {15, "shardId-000000000000:seq-3", "3"}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b prediction) bool { return a == b })); diff != "" {
		t.Errorf("predictions (-want +got):\n%s", diff)
	}

	// Dead letters: the invalid user record alone, with its own data, and
	// the aggregate with a bad MD5 as one plain record.
	var dead []deadLetter
	for _, w := range k.written["ride_events_dlq"] {
		var dl deadLetter
		if err := json.Unmarshal([]byte(w.Data), &dl); err != nil {
			t.Fatal(err)
		}
		dead = append(dead, dl)
	}
	if len(dead) != 2 {
		t.Fatalf("%d dead letters, want 2: %+v", len(dead), dead)
	}
	if d := dead[0]; d.EventID != "shardId-000000000000:seq-1:1" || d.ShardID != "shardId-000000000000" || d.SequenceNumber != "seq-1" ||
		d.PartitionKey != "k2" || !bytes.Equal(d.Data, invalid) || d.DataSize != len(invalid) || d.Error != "ride: missing" {
		t.Errorf("the invalid user record's dead letter: %+v", d)
	}
	if d := dead[1]; d.EventID != "shardId-000000000000:seq-2" || d.SequenceNumber != "seq-2" || d.PartitionKey != "2" ||
		!bytes.Equal(d.Data, badSum) || d.Error != "not UTF-8 (the original's decode('utf-8') refuses it)" {
		t.Errorf("the bad aggregate's dead letter: %+v", d)
	}
	if !strings.Contains(logs.String(), `"msg":"aggregated record not de-aggregated; handled as one record","sequence_number":"seq-2","event_id":"shardId-000000000000:seq-2","error":"kpl: MD5 does not match the protobuf message"`) {
		t.Errorf("no log line for the bad aggregate:\n%s", logs.String())
	}
	// RecordsIn counts Kinesis records; InvalidRecords, user records.
	if doc := checkEMF(t, metrics.Bytes()); doc["RecordsIn"] != 4.0 || doc["InvalidRecords"] != 2.0 || doc["Predictions"] != 4.0 {
		t.Errorf("metrics: RecordsIn %v, InvalidRecords %v, Predictions %v", doc["RecordsIn"], doc["InvalidRecords"], doc["Predictions"])
	}
}

// TestDeaggregatedFailureReportsParent: user records that cannot be
// written have Lambda send their aggregate again, named once.
func TestDeaggregatedFailureReportsParent(t *testing.T) {
	agg := aggregated(userRecord{key: "a", data: rideEvent(11, 130, 205, 1)}, userRecord{key: "b", data: rideEvent(12, 130, 205, 2)},
		userRecord{key: "c", data: rideEvent(13, 130, 205, 3)})
	k := &keyedKinesis{written: map[string][]keyed{}, fail: func(data string) bool {
		return strings.Contains(data, `"ride_id": 11,`) || strings.Contains(data, `"ride_id": 13,`) || strings.Contains(data, `"ride_id": 20,`)
	}}
	h := New(k, Config{Retry: kinesisout.Retry{Rounds: 2}})
	res := invoke(t, h, kinesisEvent(t, rideEvent(10, 130, 205, 1), agg, rideEvent(20, 130, 205, 1)))
	if diff := cmp.Diff(failures("seq-1", "seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
}

// TestDeaggregateRetrySameEventIDs: a retried aggregate gives the same
// predictions, event ids included, so consumers can drop the repeats.
func TestDeaggregateRetrySameEventIDs(t *testing.T) {
	event := kinesisEvent(t, aggregated(userRecord{key: "a", data: rideEvent(1, 130, 205, 1)}, userRecord{key: "b", data: rideEvent(2, 7, 8, 2)}))
	h := New(nil, Config{TestRun: true})
	first, again := invoke(t, h, event), invoke(t, h, event)
	var ids []string
	for _, p := range first.Predictions {
		var v struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.EventID)
	}
	if diff := cmp.Diff([]string{"shardId-000000000000:seq-0:0", "shardId-000000000000:seq-0:1"}, ids); diff != "" {
		t.Fatalf("event ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(first.Predictions, again.Predictions); diff != "" {
		t.Errorf("retry (-first +again):\n%s", diff)
	}
}

// TestDeaggregateEdges: an aggregate of no user records leaves nothing;
// a batch without aggregates is handed on as it is, not copied.
func TestDeaggregateEdges(t *testing.T) {
	h := New(nil, Config{TestRun: true})
	keysOnly := frame(protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte("k")))
	res := invoke(t, h, kinesisEvent(t, rideEvent(1, 130, 205, 1), keysOnly, rideEvent(2, 130, 205, 1)))
	if len(res.Predictions) != 2 || len(res.DeadLetters) != 0 || len(res.BatchItemFailures) != 0 {
		t.Errorf("empty aggregate: %d predictions, %d dead letters, %d failures", len(res.Predictions), len(res.DeadLetters), len(res.BatchItemFailures))
	}
	records, _, err := decodeEvent(kinesisEvent(t, rides(3)...))
	if err != nil {
		t.Fatal(err)
	}
	if out := h.deaggregate(context.Background(), records); len(out) != 3 || &out[0] != &records[0] {
		t.Error("a batch without aggregates was copied")
	}
}
