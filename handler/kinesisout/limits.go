package kinesisout

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Kinesis's limits on one record, which it checks before anything else:
// a call that holds an entry past them is refused whole.
const (
	MaxRecordBytes = 1 << 20 // data plus partition key
	MaxKeyChars    = 256     // a partition key's UTF-16 code units, at least 1
)

// CheckEntry tells whether Kinesis can take e: at most MaxRecordBytes of
// data plus key, and a key of 1 to MaxKeyChars UTF-16 code units (as
// Kinesis, and kinesalite, count them) of valid UTF-8.
func CheckEntry(e Entry) error {
	switch n := keyChars(e.Key); {
	case len(e.Data)+len(e.Key) > MaxRecordBytes:
		return fmt.Errorf("a record of %d bytes of data and partition key, over Kinesis's %d", len(e.Data)+len(e.Key), MaxRecordBytes)
	case n < 1 || n > MaxKeyChars:
		return fmt.Errorf("a partition key of %d characters, not 1 to %d", n, MaxKeyChars)
	case !utf8.ValidString(e.Key):
		return fmt.Errorf("a partition key that is not UTF-8")
	}
	return nil
}

// keyChars is the length of s in UTF-16 code units.
func keyChars(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// fitting splits entries into those Kinesis can take and, as Refused
// failures that no call was made for, those it cannot (CheckEntry): known
// before any call, they cost no split of a call. entries itself is
// returned when all fit.
func fitting(stream string, entries []Entry) (fit []Entry, refused []Failure) {
	for i, e := range entries {
		err := CheckEntry(e)
		if err == nil {
			if fit != nil {
				fit = append(fit, e)
			}
			continue
		}
		if fit == nil {
			fit = append(make([]Entry, 0, len(entries)-1), entries[:i]...)
		}
		refused = append(refused, Failure{Entry: e, Class: Refused, Err: fmt.Errorf("put record to %s: not sent: %w", stream, err)})
	}
	if fit == nil {
		return entries, nil
	}
	return fit, refused
}
