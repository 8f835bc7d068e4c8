package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// maxDeadLetterData is how much of an invalid record a dead letter keeps:
// with base64 and the rest, a dead letter stays far below Kinesis's 1 MiB
// record limit whatever the record's size.
const maxDeadLetterData = 256 << 10

// deadLetter is what the dead-letter stream gets for an invalid record: why,
// where it is in the source stream (to re-read it while the stream holds
// it), and its data, cut at maxDeadLetterData.
type deadLetter struct {
	Error          string `json:"error"`
	EventID        string `json:"event_id"`
	ShardID        string `json:"shard_id"`
	SequenceNumber string `json:"sequence_number"`
	PartitionKey   string `json:"partition_key"`
	DataSize       int    `json:"data_size"`
	DataSHA256     string `json:"data_sha256"`
	DataTruncated  bool   `json:"data_truncated"`
	Data           []byte `json:"data"` // base64
}

// deadLetterEntry is the dead-letter stream's record for records[i],
// refused for reason.
func deadLetterEntry(records []kinesisRecord, i int, reason error) kinesisout.Entry {
	r := &records[i]
	sum := sha256.Sum256(r.Kinesis.Data)
	d := deadLetter{
		Error: reason.Error(), EventID: r.EventID, SequenceNumber: r.Kinesis.SequenceNumber, PartitionKey: r.Kinesis.PartitionKey,
		DataSize: len(r.Kinesis.Data), DataSHA256: hex.EncodeToString(sum[:]), Data: r.Kinesis.Data,
	}
	d.ShardID, _, _ = strings.Cut(r.EventID, ":")
	if len(d.Data) > maxDeadLetterData {
		d.Data, d.DataTruncated = d.Data[:maxDeadLetterData], true
	}
	data, err := jsonv2.Marshal(&d, spaced)
	if err != nil { // an invalid UTF-8 error text or key: keep the record anyway
		d.Error, d.PartitionKey = strings.ToValidUTF8(d.Error, "\uFFFD"), strings.ToValidUTF8(d.PartitionKey, "\uFFFD")
		data, _ = jsonv2.Marshal(&d, spaced)
	}
	return kinesisout.Entry{Data: data, Key: partitionKey(r), Rec: i}
}

// maxLoggedData is how much of a dead letter the log keeps when the
// dead-letter stream refuses it: CloudWatch Logs takes events up to 256 KB.
const maxLoggedData = 64 << 10

// logDeadLetter keeps in the log a dead letter that the dead-letter stream
// refused for good, the last place it can be kept.
func logDeadLetter(ctx context.Context, log *slog.Logger, r *kinesisRecord, data []byte, err error) {
	if len(data) > maxLoggedData {
		data = data[:maxLoggedData]
	}
	log.ErrorContext(ctx, "dead-letter stream refused; dead letter kept here", "sequence_number", r.Kinesis.SequenceNumber,
		"event_id", r.EventID, "error", err.Error(), "dead_letter", string(data))
}
