package esm

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ParseFailedBatches reads on-failure messages (FailedBatch, one per
// message, as Lambda sends them to SQS or SNS, or as the local mapping
// puts them on its on-failure stream) and returns the batches they
// locate, in order. A message that is no Kinesis on-failure message is an
// error naming it, by its place (from 1).
func ParseFailedBatches(messages [][]byte) ([]BatchInfo, error) {
	var out []BatchInfo
	for i, msg := range messages {
		var m FailedBatch
		if err := json.Unmarshal(msg, &m); err != nil || m.KinesisBatchInfo.ShardID == "" {
			return nil, fmt.Errorf("message %d is not a Kinesis on-failure message (%v): %.200s", i+1, err, msg)
		}
		out = append(out, m.KinesisBatchInfo)
	}
	return out, nil
}

// StreamName is the name in a stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME).
func StreamName(arn string) string {
	_, name, _ := strings.Cut(arn, ":stream/")
	return name
}
