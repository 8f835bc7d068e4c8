package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// What a dead letter keeps, so that it fits in a Kinesis record (1 MiB of
// data plus partition key) whatever it came from: at most
// maxDeadLetterData of the record's data (349,528 bytes in base64), its
// partition key cut at Kinesis's 256 characters (1,536 bytes at most,
// escaped), and each text field (the error, event id, shard id, sequence
// number) cut at maxDeadLetterField bytes (24 KiB at most, escaped):
// under 460 KiB in all (TestDeadLetterFits).
const (
	maxDeadLetterData  = 256 << 10
	maxDeadLetterField = 4 << 10
	maxKeyChars        = 256 // UTF-16 code units, as Kinesis (and kinesalite) count a partition key
)

// deadLetter is what the dead-letter stream gets for an invalid record: why,
// where it is in the source stream (to re-read it while the stream holds
// it), its data, cut at maxDeadLetterData, then its partition key, cut at
// maxKeyChars (a user record's key, which Kinesis never checked, may be
// any length). The data comes before the key so that a dead letter cut
// short (in the log: logDeadLetter) keeps the data.
type deadLetter struct {
	Error          string `json:"error"`
	EventID        string `json:"event_id"`
	ShardID        string `json:"shard_id"`
	SequenceNumber string `json:"sequence_number"`
	DataSize       int    `json:"data_size"`
	DataSHA256     string `json:"data_sha256"`
	DataTruncated  bool   `json:"data_truncated"`
	Data           []byte `json:"data"` // base64
	PartitionKey   string `json:"partition_key"`
	// A key cut at maxKeyChars says so, with the whole key's size in bytes
	// and sha256.
	PartitionKeyTruncated bool   `json:"partition_key_truncated,omitempty"`
	PartitionKeySize      int    `json:"partition_key_size,omitempty"`
	PartitionKeySHA256    string `json:"partition_key_sha256,omitempty"`
}

// deadLetters logs each invalid record and makes its dead letter.
func (h *Handler) deadLetters(ctx context.Context, invalid []invalidRecord) []kinesisout.Entry {
	dead := make([]kinesisout.Entry, len(invalid))
	for i, v := range invalid {
		h.cfg.Logger.WarnContext(ctx, "invalid record", "sequence_number", v.src.Kinesis.SequenceNumber, "event_id", v.src.EventID,
			"error", v.err.Error())
		dead[i] = deadLetterEntry(v.src, v.rec, v.err)
	}
	return dead
}

// deadLetterEntry is the dead-letter stream's record for r, refused for
// reason, answering for the caller's record rec.
func deadLetterEntry(r *kinesisRecord, rec int, reason error) kinesisout.Entry {
	sum := sha256.Sum256(r.Kinesis.Data)
	d := deadLetter{
		Error: cutText(reason.Error(), maxDeadLetterField), EventID: cutText(r.EventID, maxDeadLetterField),
		SequenceNumber: cutText(r.Kinesis.SequenceNumber, maxDeadLetterField),
		DataSize:       len(r.Kinesis.Data), DataSHA256: hex.EncodeToString(sum[:]), Data: r.Kinesis.Data,
	}
	shard, _, _ := strings.Cut(r.EventID, ":")
	d.ShardID = cutText(shard, maxDeadLetterField)
	if len(d.Data) > maxDeadLetterData {
		d.Data, d.DataTruncated = d.Data[:maxDeadLetterData], true
	}
	d.PartitionKey = r.Kinesis.PartitionKey
	if cut := cutUTF16(d.PartitionKey, maxKeyChars); len(cut) < len(d.PartitionKey) {
		keySum := sha256.Sum256([]byte(d.PartitionKey))
		d.PartitionKey, d.PartitionKeyTruncated, d.PartitionKeySize, d.PartitionKeySHA256 = cut, true, len(d.PartitionKey), hex.EncodeToString(keySum[:])
	}
	data, err := jsonv2.Marshal(&d, spaced)
	if err != nil { // an invalid UTF-8 error text or key: keep the record anyway
		d.Error, d.PartitionKey = strings.ToValidUTF8(d.Error, "\uFFFD"), strings.ToValidUTF8(d.PartitionKey, "\uFFFD")
		d.EventID, d.ShardID, d.SequenceNumber = strings.ToValidUTF8(d.EventID, "\uFFFD"), strings.ToValidUTF8(d.ShardID, "\uFFFD"),
			strings.ToValidUTF8(d.SequenceNumber, "\uFFFD")
		data, _ = jsonv2.Marshal(&d, spaced)
	}
	return kinesisout.Entry{Data: data, Key: partitionKey(r), Rec: rec}
}

// cutText is s cut to at most n bytes, at a character's start.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cutUTF16 is s cut to at most n UTF-16 code units, at a character's
// start: the longest prefix Kinesis would take as a key.
func cutUTF16(s string, n int) string {
	units := 0
	for i, c := range s {
		if units += utf16.RuneLen(c); units > n {
			return s[:i]
		}
	}
	return s
}

// maxLoggedData is how much of a dead letter the log keeps when the
// dead-letter stream refuses it: CloudWatch Logs takes events up to 256 KB.
const maxLoggedData = 64 << 10

// logDeadLetter keeps in the log a dead letter that the dead-letter stream
// refused for good, the last place it can be kept: its first
// maxLoggedData bytes, the data before the key.
func logDeadLetter(ctx context.Context, log *slog.Logger, r *kinesisRecord, data []byte, err error) {
	if len(data) > maxLoggedData {
		data = data[:maxLoggedData]
	}
	log.ErrorContext(ctx, "dead-letter stream refused; dead letter kept here", "sequence_number", r.Kinesis.SequenceNumber,
		"event_id", r.EventID, "error", err.Error(), "dead_letter", string(data))
}
