// Package kpl reads the aggregated record format of the Kinesis Producer
// Library (KPL) and of AWS's aggregation libraries (kinesis-aggregation),
// which pack many user records into one Kinesis record:
//
//	0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5 of the protobuf (16 bytes)
//
// with, in proto2 (amazon-kinesis-producer's aggregation-format.md):
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag {
//	  required string key   = 1;
//	  optional string value = 2;
//	}
//
// It reads the protobuf with protowire, as a protobuf parser would: fields
// in any order, unknown fields skipped, a field of the wrong wire type
// taken as an unknown one, the last value kept of a scalar given twice, and
// a required field missing an error. TestDeaggregateAsProtobuf and
// FuzzDeaggregate judge it by protobuf-go's own parser.
package kpl

import (
	"crypto/md5"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// magic starts every aggregated record.
const magic = "\xF3\x89\x9A\xC2"

// UserRecord is one of the records an aggregated record holds, as its
// producer put it.
type UserRecord struct {
	PartitionKey    string
	ExplicitHashKey string // "" if the record has none
	Data            []byte // part of the aggregated record's bytes, not a copy
}

// HasMagic reports whether data starts with the aggregated format's magic
// bytes: the one check a plain record costs.
func HasMagic(data []byte) bool {
	return len(data) >= len(magic) && string(data[:len(magic)]) == magic
}

// Errors that say why data is not an aggregated record, besides a
// malformed protobuf's.
var (
	ErrNoMagic  = errors.New("kpl: no magic bytes")
	ErrShort    = errors.New("kpl: too short for a protobuf message and its MD5")
	ErrChecksum = errors.New("kpl: MD5 does not match the protobuf message")
)

// Deaggregate returns the user records that data holds, in order: a user
// record's index is its sub-sequence number. It returns an error if data
// is not an aggregated record: no magic bytes, nothing between them and
// the MD5, an MD5 that does not match, or a protobuf that is not a valid
// AggregatedRecord (malformed, a required field missing, a key index
// outside its table). The caller then handles data as one plain record,
// as AWS's deaggregation libraries do with a record that fails the first
// three checks. (On an index outside its table, the Python library logs
// and drops the user records from there on; here none is dropped.)
//
// A valid AggregatedRecord may hold no records: then there is none.
//
// Deaggregate sets no bound on what data expands to: a record of 6 bytes
// can name a key of any length, so a 1 MiB aggregate can stand for
// 174,000 user records or gigabytes of keys. DeaggregateWithin bounds it.
func Deaggregate(data []byte) ([]UserRecord, error) {
	return DeaggregateWithin(data, Limits{})
}

// Limits bound what one aggregated record may expand to; 0 is no bound.
type Limits struct {
	Records int // user records
	// Bytes bounds the user records' data plus partition keys, summed:
	// their size as plain Kinesis records. The data is part of the
	// aggregate, but every user record of a shared key counts it again.
	Bytes int
}

// LimitError is an aggregated record that expands past a Limits bound.
type LimitError struct {
	What  string // "user records" or "bytes of data and partition keys"
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("kpl: the aggregate expands to more than %d %s", e.Limit, e.What)
}

// DeaggregateWithin is Deaggregate within lim: it returns a *LimitError,
// having allocated nothing per user record, for an aggregate of more user
// records than lim.Records, and stops at the first user record past
// lim.Bytes. A malformed AggregatedRecord is reported as such before
// either; a malformed Record after the one past lim.Bytes is not read.
func DeaggregateWithin(data []byte, lim Limits) ([]UserRecord, error) {
	if !HasMagic(data) {
		return nil, ErrNoMagic
	}
	if len(data) <= len(magic)+md5.Size {
		return nil, ErrShort
	}
	msg, sum := data[len(magic):len(data)-md5.Size], data[len(data)-md5.Size:]
	if md5.Sum(msg) != [md5.Size]byte(sum) {
		return nil, ErrChecksum
	}
	return parse(msg, lim)
}

// aggregate is an AggregatedRecord's key tables: its records may come
// before them.
type aggregate struct {
	keys, hashKeys []string
}

// parse reads an AggregatedRecord in two passes: the tables and a count of
// the records first, so that an aggregate of too many records is refused
// before they take memory, then each record, its keys resolved.
func parse(msg []byte, lim Limits) ([]UserRecord, error) {
	var a aggregate
	n := 0
	err := fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			a.keys = append(a.keys, string(v))
		case 2:
			a.hashKeys = append(a.hashKeys, string(v))
		case 3:
			n++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kpl: AggregatedRecord: %w", err)
	}
	if lim.Records > 0 && n > lim.Records {
		return nil, &LimitError{What: "user records", Limit: lim.Records}
	}
	out := make([]UserRecord, 0, n)
	size := 0
	err = fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != 3 || typ != protowire.BytesType {
			return nil
		}
		u, err := a.userRecord(v)
		if err != nil {
			return fmt.Errorf("kpl: record %d: %w", len(out), err)
		}
		if size += len(u.Data) + len(u.PartitionKey); lim.Bytes > 0 && size > lim.Bytes {
			return &LimitError{What: "bytes of data and partition keys", Limit: lim.Bytes}
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userRecord reads one Record and looks its keys up in the tables.
func (a *aggregate) userRecord(b []byte) (UserRecord, error) {
	var (
		key, hashKey                uint64
		hasKey, hasHashKey, hasData bool
		data                        []byte
	)
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			key, _ = protowire.ConsumeVarint(v)
			hasKey = true
		case num == 2 && typ == protowire.VarintType:
			hashKey, _ = protowire.ConsumeVarint(v)
			hasHashKey = true
		case num == 3 && typ == protowire.BytesType:
			data, hasData = v, true
		case num == 4 && typ == protowire.BytesType:
			return checkTag(v)
		}
		return nil
	})
	switch {
	case err != nil:
		return UserRecord{}, err
	case !hasKey:
		return UserRecord{}, errors.New("no partition_key_index")
	case !hasData:
		return UserRecord{}, errors.New("no data")
	case key >= uint64(len(a.keys)):
		return UserRecord{}, fmt.Errorf("partition_key_index %d outside a table of %d", key, len(a.keys))
	case hasHashKey && hashKey >= uint64(len(a.hashKeys)):
		return UserRecord{}, fmt.Errorf("explicit_hash_key_index %d outside a table of %d", hashKey, len(a.hashKeys))
	}
	r := UserRecord{PartitionKey: a.keys[key], Data: data}
	if hasHashKey {
		r.ExplicitHashKey = a.hashKeys[hashKey]
	}
	return r, nil
}

// checkTag checks that a Tag has its required key. Tags carry nothing the
// handler uses, but a parser refuses a message without a required field.
func checkTag(b []byte) error {
	hasKey := false
	err := fields(b, func(num protowire.Number, typ protowire.Type, _ []byte) error {
		hasKey = hasKey || num == 1 && typ == protowire.BytesType
		return nil
	})
	if err == nil && !hasKey {
		err = errors.New("a tag with no key")
	}
	return err
}

// fields calls f with each field of the message b: its number, wire type
// and value (a length-delimited field's contents, else the encoded value).
// It stops at the first malformed field or error from f.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		if num > protowire.MaxValidNumber { // ConsumeTag takes up to MaxInt32; parsers do not
			return fmt.Errorf("field number %d beyond %d", num, protowire.MaxValidNumber)
		}
		b = b[n:]
		var v []byte
		if typ == protowire.BytesType {
			v, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}
