package handler

// The output records' partition keys: the predictions' (encode.go) and the
// dead letters' (deadletter.go) come from their source record alike.

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf16"
	"unicode/utf8"
)

// partitionKey is the output records' partition key: the source record's
// own, which sends each key's records to one shard (in order only while
// none is re-sent: see kinesisout.Publish); the sequence number (digits)
// if the record has no key that fits Kinesis (a user record's, which
// Kinesis never checked, or a hand-made event's), or its sha256 if not
// even that fits. So every output record's key fits: 1 to 256 UTF-16
// code units of valid UTF-8.
func partitionKey(r *kinesisRecord) string {
	if keyFits(r.Kinesis.PartitionKey) {
		return r.Kinesis.PartitionKey
	}
	if keyFits(r.Kinesis.SequenceNumber) {
		return r.Kinesis.SequenceNumber
	}
	sum := sha256.Sum256([]byte(r.Kinesis.SequenceNumber))
	return hex.EncodeToString(sum[:])
}

// keyFits tells whether Kinesis takes k as a partition key.
func keyFits(k string) bool {
	n := utf16Len(k)
	return n >= 1 && n <= maxKeyChars && utf8.ValidString(k)
}

// utf16Len is the length of s in UTF-16 code units, as Kinesis counts a
// partition key's characters.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
