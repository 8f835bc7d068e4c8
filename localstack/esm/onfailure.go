package esm

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// FailedBatch is what the on-failure destination receives when the
// mapping gives up on a batch, as Lambda sends it to SQS or SNS: where the
// batch is in the stream and why, never the records. They stay in the
// source stream for its retention period; tools/operate/redrive reads them back
// from there.
type FailedBatch struct {
	RequestContext struct {
		Condition              string `json:"condition"` // RetryAttemptsExhausted or RecordAgeExceeded
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		FunctionError          string `json:"functionError,omitempty"`
	} `json:"requestContext"`
	Version          string    `json:"version"`
	Timestamp        time.Time `json:"timestamp"`
	KinesisBatchInfo BatchInfo `json:"KinesisBatchInfo"`
}

// The conditions on which the mapping gives up on records.
const (
	RetryAttemptsExhausted = "RetryAttemptsExhausted" // MaximumRetryAttempts
	RecordAgeExceeded      = "RecordAgeExceeded"      // MaximumRecordAgeInSeconds
)

// BatchInfo locates a batch in its stream.
type BatchInfo struct {
	ShardID                         string    `json:"shardId"`
	StartSequenceNumber             string    `json:"startSequenceNumber"`
	EndSequenceNumber               string    `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord time.Time `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  time.Time `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int       `json:"batchSize"`
	StreamArn                       string    `json:"streamArn"`
}

// onFailure puts the batch's metadata on the on-failure stream, retrying
// until it succeeds or ctx ends: without it nobody would know what to
// redrive. Without an on-failure stream it only counts and logs the batch.
// It tells whether the batch is given up on as it should be: false only
// when ctx ended before the metadata was written.
func (m *Mapping) onFailure(ctx context.Context, shard string, recs []types.Record, condition string, invokes int, funcErr error) bool {
	m.Stats.ToOnFailure.Add(int64(len(recs)))
	m.Stats.SkippedBatches.Add(1)
	if m.cfg.OnFailure == "" {
		m.cfg.Logger.Error("giving up on a batch (no on-failure destination)", "shard", shard, "records", len(recs),
			"start", aws.ToString(recs[0].SequenceNumber), "end", aws.ToString(recs[len(recs)-1].SequenceNumber))
		return true
	}
	var fb FailedBatch
	fb.RequestContext.Condition, fb.RequestContext.ApproximateInvokeCount = condition, invokes
	if funcErr != nil {
		fb.RequestContext.FunctionError = funcErr.Error()
	}
	fb.Version, fb.Timestamp = "1.0", time.Now().UTC()
	first, last := recs[0], recs[len(recs)-1]
	fb.KinesisBatchInfo = BatchInfo{
		ShardID: shard, StartSequenceNumber: aws.ToString(first.SequenceNumber), EndSequenceNumber: aws.ToString(last.SequenceNumber),
		ApproximateArrivalOfFirstRecord: aws.ToTime(first.ApproximateArrivalTimestamp), ApproximateArrivalOfLastRecord: aws.ToTime(last.ApproximateArrivalTimestamp),
		BatchSize: len(recs), StreamArn: m.arn(),
	}
	m.cfg.Logger.Error("sending the batch's metadata to the on-failure destination", "condition", condition, "shard", shard, "records", len(recs),
		"start", fb.KinesisBatchInfo.StartSequenceNumber, "end", fb.KinesisBatchInfo.EndSequenceNumber)
	data, _ := json.Marshal(fb)
	entry := []kinesisout.Entry{{Data: data, Key: shard}}
	for wait := m.cfg.RetryWait; ctx.Err() == nil; wait = min(2*wait, 5*time.Second) {
		failed, _ := kinesisout.Publish(ctx, m.k, m.cfg.OnFailure, entry, kinesisout.DefaultRetry)
		if len(failed) == 0 {
			return true
		}
		m.cfg.Logger.Error("on-failure destination", "error", failed[0].Err.Error())
		kinesalite.Sleep(ctx, wait)
	}
	return false
}
