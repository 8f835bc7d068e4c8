package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/kinesistest"
)

// FuzzRecord: any record bytes give a prediction or an error, never a panic,
// and through the handler every record ends as a prediction or a dead letter.
// The seed corpus is in testdata/fuzz/FuzzRecord and runs with go test.
func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`))
	f.Add([]byte(`{"ride": {"PULocationID": "7", "DOLocationID": 7, "trip_distance": 0}, "ride_id": "x"}`))
	f.Add([]byte(`{"ride": null, "ride_id": [1]}`))
	h := New(kinesistest.Nop{}, Config{TestRun: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := ride.Parse(data)
		if err == nil {
			if err := rd.Features.Validate(); err != nil {
				t.Fatalf("ride.Parse accepted invalid features %+v: %v", rd.Features, err)
			}
			if p := generated.Predict(rd.Features); math.IsNaN(p) || math.IsInf(p, 0) {
				t.Fatalf("prediction %v for %q", p, data)
			}
			if !json.Valid(rd.ID) {
				t.Fatalf("ride id %q is not JSON", rd.ID)
			}
		}
		b, err := h.Invoke(context.Background(), kinesisEvent(t, data))
		if err != nil {
			t.Fatalf("Kinesis event with record %q: %v", data, err)
		}
		var res Response
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Predictions)+len(res.DeadLetters) != 1 {
			t.Fatalf("record %q: %d predictions and %d dead letters", data, len(res.Predictions), len(res.DeadLetters))
		}
		for _, d := range res.DeadLetters {
			var dl deadLetter
			if err := json.Unmarshal(d, &dl); err != nil || dl.SequenceNumber != "seq-0" || dl.Error == "" || dl.DataSize != len(data) {
				t.Fatalf("record %q: dead letter %s (%v)", data, d, err)
			}
		}
	})
}

// FuzzInvoke: any invocation payload gives a response or an error, never a
// panic; a response is JSON, and an error says what was wrong.
func FuzzInvoke(f *testing.F) {
	f.Add([]byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`))
	f.Add([]byte(`{"Records": [{"eventID": "s:1", "eventSource": "aws:kinesis", "kinesis": {"data": "eyJyaWRlX2lkIjogMX0=", "partitionKey": "1", "sequenceNumber": "1"}}]}`))
	f.Add([]byte(`{"Records": null}`))
	f.Add([]byte(`{"Records": [{"kinesis": {"data": "!!"}}]}`))
	h := New(kinesistest.Nop{}, Config{Retry: fastRetry})
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := h.Invoke(context.Background(), payload)
		switch {
		case err != nil && !strings.HasPrefix(err.Error(), "invalid event: ") && !strings.HasPrefix(err.Error(), "invalid ride event: "):
			t.Fatalf("error %q does not say what was invalid", err)
		case err == nil && !json.Valid(b):
			t.Fatalf("response %q is not JSON", b)
		}
	})
}

// faultyKinesis answers PutRecords with faults drawn from r: throttled and
// failing calls, permanent errors, calls refused for their content, partial
// failures and wrong result counts. It keeps what it wrote.
type faultyKinesis struct {
	r       *rand.Rand
	written map[string][]string
}

func (k *faultyKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	stream := aws.ToString(in.StreamName)
	keep := func(r types.PutRecordsRequestEntry) { k.written[stream] = append(k.written[stream], string(r.Data)) }
	out := &kinesis.PutRecordsOutput{}
	switch k.r.IntN(10) {
	case 0:
		return nil, &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "slow down"}
	case 1:
		return nil, &smithy.GenericAPIError{Code: "InternalFailure", Message: "500"}
	case 2:
		if k.r.IntN(4) == 0 {
			return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
		}
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"}
	case 3: // wrong result count, after writing everything
		for _, r := range in.Records {
			keep(r)
		}
		out.Records = make([]types.PutRecordsResultEntry, len(in.Records)-1)
		return out, nil
	}
	for _, r := range in.Records {
		if k.r.IntN(4) == 0 {
			out.Records = append(out.Records, types.PutRecordsResultEntry{ErrorCode: aws.String("ProvisionedThroughputExceededException"), ErrorMessage: aws.String("slow")})
			continue
		}
		keep(r)
		out.Records = append(out.Records, types.PutRecordsResultEntry{SequenceNumber: aws.String("1")})
	}
	return out, nil
}

// FuzzWrite drives the real write path through faultyKinesis: after every
// invocation each input record must have a prediction or a dead letter
// written (both carry its event_id), be reported for a retry, or (the
// dead-letter stream refusing) have its dead letter in the log, and nothing
// else may be written.
func FuzzWrite(f *testing.F) {
	for seed := range uint64(12) {
		f.Add([]byte(`{"ride_id": 1}`), seed, uint8(seed*7))
	}
	f.Add([]byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "x"}`), uint64(99), uint8(3))
	f.Fuzz(func(t *testing.T, record []byte, seed uint64, n uint8) {
		payloads := rides(int(n % 64))
		at := int(n) % (len(payloads) + 1)
		payloads = append(payloads[:at], append([][]byte{record}, payloads[at:]...)...)
		k := &faultyKinesis{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), written: map[string][]string{}}
		var logs bytes.Buffer
		h := New(k, Config{Retry: kinesisout.Retry{Max: time.Microsecond, Rounds: 3}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		b, err := h.Invoke(context.Background(), kinesisEvent(t, payloads...))
		if err != nil {
			t.Fatal(err)
		}
		var res Response
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		done := map[string]bool{}
		for _, f := range res.BatchItemFailures {
			done[f.ItemIdentifier] = true
		}
		for stream, records := range k.written {
			for _, w := range records {
				var rec struct {
					EventID string `json:"event_id"`
				}
				if err := json.Unmarshal([]byte(w), &rec); err != nil {
					t.Fatalf("%s got a record that is not JSON: %q", stream, w)
				}
				_, seq, ok := strings.Cut(rec.EventID, ":")
				if !ok || seq == "" {
					t.Fatalf("%s got a record that answers no input: %q", stream, w)
				}
				done[seq] = true
			}
		}
		for i := range payloads {
			seq := fmt.Sprintf("seq-%d", i)
			if !done[seq] && !strings.Contains(logs.String(), `\"sequence_number\": \"`+seq+`\"`) {
				t.Fatalf("record %s (%q) was neither written, reported nor logged; response %s", seq, payloads[i], b)
			}
		}
	})
}
