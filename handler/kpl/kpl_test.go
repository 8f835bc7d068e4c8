package kpl

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
)

// Helpers that write protobuf fields by hand, so that tests can write
// malformed messages too.

func bytesField(num protowire.Number, v string) []byte {
	return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), []byte(v))
}

func varintField(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

func message(fields ...[]byte) string { return string(bytes.Join(fields, nil)) }

// record is a Record with a partition key index and data, and more fields.
func record(key uint64, data string, more ...[]byte) []byte {
	return bytesField(3, message(append([][]byte{varintField(1, key), bytesField(3, data)}, more...)...))
}

// frame is the aggregated record of the protobuf message m.
func frame(m []byte) []byte {
	sum := md5.Sum(m)
	return append(append([]byte(magic), m...), sum[:]...)
}

// testCase is an AggregatedRecord message and what Deaggregate makes of it.
type testCase struct {
	name    string
	msg     string
	want    []UserRecord
	wantErr string // part of the error, "" for none
}

// cases are the table of TestDeaggregate and seeds of FuzzDeaggregate.
func cases() []testCase {
	twoKeys := message(bytesField(1, "pk-a"), bytesField(1, "pk-b"), bytesField(2, "170141183460469231731687303715884105728"))
	many := make([][]byte, 0, 100_001)
	for i := range 100_000 {
		many = append(many, bytesField(1, fmt.Sprint("key-", i)))
	}
	many = append(many, record(99_999, "last"))
	return []testCase{
		{name: "two records, shared keys, an explicit hash key",
			msg: twoKeys + message(record(0, "one"), record(1, "two", varintField(2, 0)), record(0, "three")),
			want: []UserRecord{{PartitionKey: "pk-a", Data: []byte("one")},
				{PartitionKey: "pk-b", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte("two")},
				{PartitionKey: "pk-a", Data: []byte("three")}}},
		{name: "records before the tables",
			msg:  message(record(1, "x")) + twoKeys,
			want: []UserRecord{{PartitionKey: "pk-b", Data: []byte("x")}}},
		{name: "empty data and an empty key", msg: message(bytesField(1, ""), record(0, "")),
			want: []UserRecord{{PartitionKey: "", Data: []byte{}}}},
		{name: "zero records", msg: twoKeys, want: []UserRecord{}},
		{name: "huge key table", msg: message(many...),
			want: []UserRecord{{PartitionKey: "key-99999", Data: []byte("last")}}},
		{name: "unknown fields of every wire type", msg: twoKeys + message(
			varintField(15, 7), protowire.AppendFixed32(protowire.AppendTag(nil, 16, protowire.Fixed32Type), 1),
			protowire.AppendFixed64(protowire.AppendTag(nil, 17, protowire.Fixed64Type), 1), bytesField(18, "junk"),
			protowire.AppendTag(append(protowire.AppendTag(nil, 19, protowire.StartGroupType), varintField(1, 5)...), 19, protowire.EndGroupType),
			record(0, "d", varintField(9, 1), bytesField(10, "x"))),
			want: []UserRecord{{PartitionKey: "pk-a", Data: []byte("d")}}},
		{name: "tags", msg: twoKeys + message(record(0, "t", bytesField(4, message(bytesField(1, "k"), bytesField(2, "v"))), bytesField(4, message(bytesField(1, "k2"))))),
			want: []UserRecord{{PartitionKey: "pk-a", Data: []byte("t")}}},
		{name: "a field given twice: the last counts", msg: twoKeys + message(bytesField(3, message(varintField(1, 0), bytesField(3, "a"), varintField(1, 1), bytesField(3, "b")))),
			want: []UserRecord{{PartitionKey: "pk-b", Data: []byte("b")}}},
		{name: "a field of the wrong wire type is an unknown field",
			msg:  twoKeys + message(record(0, "w", protowire.AppendFixed64(protowire.AppendTag(nil, 1, protowire.Fixed64Type), 1), bytesField(2, "9"))),
			want: []UserRecord{{PartitionKey: "pk-a", Data: []byte("w")}}},
		{name: "records of the wrong wire type are no records", msg: twoKeys + message(varintField(3, 1)), want: []UserRecord{}},

		{name: "partition key index out of range", msg: twoKeys + message(record(0, "ok"), record(2, "x")), wantErr: "record 1: partition_key_index 2 outside a table of 2"},
		{name: "huge partition key index", msg: twoKeys + message(record(1<<63, "x")), wantErr: "partition_key_index 9223372036854775808 outside"},
		{name: "explicit hash key index out of range", msg: twoKeys + message(record(0, "x", varintField(2, 1))), wantErr: "explicit_hash_key_index 1 outside a table of 1"},
		{name: "explicit hash key index, no table", msg: message(bytesField(1, "k"), record(0, "x", varintField(2, 0))), wantErr: "outside a table of 0"},
		{name: "no partition key index", msg: twoKeys + message(bytesField(3, message(bytesField(3, "x")))), wantErr: "no partition_key_index"},
		{name: "no data", msg: twoKeys + message(bytesField(3, message(varintField(1, 0)))), wantErr: "no data"},
		{name: "data of the wrong wire type", msg: twoKeys + message(bytesField(3, message(varintField(1, 0), varintField(3, 5)))), wantErr: "no data"},
		{name: "key table of the wrong wire type", msg: message(varintField(1, 0), record(0, "x")), wantErr: "outside a table of 0"},
		{name: "a tag without its key", msg: twoKeys + message(record(0, "t", bytesField(4, message(bytesField(2, "v"))))), wantErr: "a tag with no key"},
		{name: "truncated", msg: (twoKeys + message(record(0, "one")))[:len(twoKeys)+5], wantErr: "AggregatedRecord: field 3: unexpected EOF"},
		{name: "truncated record", msg: twoKeys + message(bytesField(3, message(varintField(1, 0), bytesField(3, "data"))[:5])), wantErr: "record 0: field 3: unexpected EOF"},
		{name: "truncated varint", msg: twoKeys + "\x08\xff", wantErr: "unexpected EOF"},
		{name: "field number 0", msg: twoKeys + "\x02\x00", wantErr: "invalid field number"},
		{name: "end group alone", msg: twoKeys + "\x0c", wantErr: "mismatching end group"},
		{name: "group never ended", msg: twoKeys + "\x0b\x08\x01", wantErr: "unexpected EOF"},
		{name: "wire type 6", msg: twoKeys + "\x0e", wantErr: "reserved"},
	}
}

func TestDeaggregate(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := Deaggregate(frame([]byte(c.msg)))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one saying %q (records %v)", err, c.wantErr, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeaggregateNotAggregated(t *testing.T) {
	valid := frame([]byte(message(bytesField(1, "k"), record(0, "data"))))
	badSum := bytes.Clone(valid)
	badSum[len(badSum)-1] ^= 1
	flipped := bytes.Clone(valid)
	flipped[6] ^= 0x40
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNoMagic},
		{"three magic bytes", []byte(magic[:3]), ErrNoMagic},
		{"JSON", []byte(`{"ride": {}}`), ErrNoMagic},
		{"magic alone", []byte(magic), ErrShort},
		{"magic and an MD5, no message", frame(nil), ErrShort},
		{"bad MD5", badSum, ErrChecksum},
		{"a message byte changed", flipped, ErrChecksum},
		{"truncated by one byte", valid[:len(valid)-1], ErrChecksum},
		{"one byte too many", append(bytes.Clone(valid), 0), ErrChecksum},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Deaggregate(c.data); !errors.Is(err, c.want) {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestHasMagic(t *testing.T) {
	for data, want := range map[string]bool{"": false, "\xF3\x89\x9A": false, magic: true, magic + "x": true, "\xF3\x89\x9A\xC3": false, `{"ride"`: false} {
		if got := HasMagic([]byte(data)); got != want {
			t.Errorf("HasMagic(%q) = %v", data, got)
		}
	}
}

// TestDataIsNotCopied: user records point into the aggregated record, so
// de-aggregating a 1 MiB record does not double it.
func TestDataIsNotCopied(t *testing.T) {
	data := frame([]byte(message(bytesField(1, "k"), record(0, strings.Repeat("x", 1000)))))
	got, err := Deaggregate(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := got[0].Data; &d[0] != &data[len(data)-md5.Size-1000] {
		t.Error("user record's data is a copy")
	}
}

// TestAWSKinesisAgg reads an aggregated record that AWS's Node library
// aws-kinesis-agg 4.2.8 wrote (localstack/kinesalite/aggregate.js) from
// [{"partitionKey":"a","data":{"x":1}}, {"partitionKey":"b",
// "explicitHashKey":"42","data":{"y":2}}, {"partitionKey":"a","data":{"z":3}}].
func TestAWSKinesisAgg(t *testing.T) {
	data, err := base64.StdEncoding.DecodeString("84mawgoBYQoBYhICNDIaCwgAGgd7IngiOjF9Gg0IARAAGgd7InkiOjJ9GgsIABoHeyJ6IjozfZBRxI42X0seUvsYN/jMSls=")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Deaggregate(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []UserRecord{{PartitionKey: "a", Data: []byte(`{"x":1}`)}, {PartitionKey: "b", ExplicitHashKey: "42", Data: []byte(`{"y":2}`)},
		{PartitionKey: "a", Data: []byte(`{"z":3}`)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
