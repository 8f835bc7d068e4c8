package esm

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// deliver invokes the function with recs until they are handled: processed,
// or sent to the on-failure stream once retries run out or as they grow
// older than MaxRecordAge. It returns how many of recs, from the first,
// are handled: all unless ctx ended first (records are handled in order,
// bisection's halves one after the other).
func (m *Mapping) deliver(ctx context.Context, shard string, recs []types.Record, retries int) (handled int) {
	wait := m.cfg.RetryWait
	var err error
	for ctx.Err() == nil {
		if old := m.tooOld(recs); old > 0 {
			if !m.onFailure(ctx, shard, recs[:old], RecordAgeExceeded, retries, err) {
				return handled
			}
			handled += old
			if recs = recs[old:]; len(recs) == 0 {
				return handled
			}
		}
		var from int
		from, err = m.invoke(ctx, shard, recs)
		switch {
		case err == nil && from < 0:
			return handled + len(recs)
		case err == nil:
			m.Stats.PartialFailures.Add(1)
			m.cfg.Logger.Info("partial batch failure", "shard", shard, "records", len(recs), "retry_from", aws.ToString(recs[from].SequenceNumber))
			handled += from
			recs = recs[from:]
		case m.cfg.Bisect && len(recs) > 1:
			m.Stats.FunctionErrors.Add(1)
			m.Stats.Bisections.Add(1)
			m.cfg.Logger.Warn("function error, bisecting", "shard", shard, "records", len(recs), "error", err.Error())
			half := len(recs) / 2
			if n := m.deliver(ctx, shard, recs[:half], retries); n < half {
				return handled + n
			}
			return handled + half + m.deliver(ctx, shard, recs[half:], retries)
		default:
			m.Stats.FunctionErrors.Add(1)
			m.cfg.Logger.Warn("function error", "shard", shard, "records", len(recs), "error", err.Error())
		}
		if m.cfg.MaxRetries >= 0 && retries >= m.cfg.MaxRetries {
			if !m.onFailure(ctx, shard, recs, RetryAttemptsExhausted, retries+1, err) {
				return handled
			}
			return handled + len(recs)
		}
		retries++
		m.Stats.Retries.Add(1)
		kinesalite.Sleep(ctx, time.Duration(rand.Int64N(int64(wait)))+wait/2)
		wait = min(2*wait, 5*time.Second)
	}
	return handled
}

// invoke makes one invocation. It returns the index of the first record to
// retry (-1 if none) or a function error.
func (m *Mapping) invoke(ctx context.Context, shard string, recs []types.Record) (int, error) {
	payload, err := json.Marshal(m.event(shard, recs))
	if err != nil {
		return 0, err
	}
	var fn Invoker
	select {
	case fn = <-m.fns:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	m.Stats.started()
	body, err := m.call(ctx, fn, payload)
	m.Stats.inFlight.Add(-1)
	m.Stats.Invocations.Add(1)
	if err != nil {
		return 0, err
	}
	var res struct {
		events.KinesisEventResponse
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return 0, fmt.Errorf("function response is not JSON: %.200s", body)
	}
	if res.ErrorMessage != nil || res.ErrorType != "" {
		return 0, fmt.Errorf("function error %s: %s", res.ErrorType, aws.ToString(res.ErrorMessage))
	}
	from := -1
	for _, f := range res.BatchItemFailures {
		i := index(recs, f.ItemIdentifier)
		if i < 0 {
			// As Lambda does: an identifier not in the batch fails all of it.
			i = 0
		}
		if from < 0 || i < from {
			from = i
		}
	}
	return from, nil
}

func index(recs []types.Record, seq string) int {
	for i, r := range recs {
		if aws.ToString(r.SequenceNumber) == seq && seq != "" {
			return i
		}
	}
	return -1
}

// event builds the payload Lambda would send for recs.
func (m *Mapping) event(shard string, recs []types.Record) events.KinesisEvent {
	return Event(m.cfg.Region, m.arn(), shard, recs)
}

// Role is the function's role as the mapping's events name it
// (invokeIdentityArn): as long as the one template.yaml's stack gets
// (CloudFormation names it STACK-FunctionRole-RANDOM), so that an event
// here is as many bytes as AWS's.
const Role = "arn:aws:iam::000000000000:role/ride-duration-prediction-FunctionRole-0123456789AB"

// Event is the event Lambda's mapping sends for recs, read from shard of
// the stream arn in region: what the function gets, field for field (the
// benchmarks build their events with it, so that a batch's size in bytes
// is a real one's).
func Event(region, arn, shard string, recs []types.Record) events.KinesisEvent {
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(recs))}
	for i, r := range recs {
		seq := aws.ToString(r.SequenceNumber)
		ev.Records[i] = events.KinesisEventRecord{
			AwsRegion: region, EventID: shard + ":" + seq, EventName: "aws:kinesis:record", EventSource: "aws:kinesis",
			EventSourceArn: arn, EventVersion: "1.0", InvokeIdentityArn: Role,
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: aws.ToTime(r.ApproximateArrivalTimestamp)},
				Data:                        r.Data, PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: seq, KinesisSchemaVersion: "1.0",
			},
		}
	}
	return ev
}
