package kpl

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// kplProto is aggregation-format.md's messages (proto2), as a descriptor.
const kplProto = `
name: "kpl.proto" package: "kpl"
message_type: { name: "AggregatedRecord"
  field: { name: "partition_key_table" number: 1 label: LABEL_REPEATED type: TYPE_STRING }
  field: { name: "explicit_hash_key_table" number: 2 label: LABEL_REPEATED type: TYPE_STRING }
  field: { name: "records" number: 3 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".kpl.Record" } }
message_type: { name: "Record"
  field: { name: "partition_key_index" number: 1 label: LABEL_REQUIRED type: TYPE_UINT64 }
  field: { name: "explicit_hash_key_index" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field: { name: "data" number: 3 label: LABEL_REQUIRED type: TYPE_BYTES }
  field: { name: "tags" number: 4 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".kpl.Tag" } }
message_type: { name: "Tag"
  field: { name: "key" number: 1 label: LABEL_REQUIRED type: TYPE_STRING }
  field: { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING } }
`

// aggregatedRecord is AggregatedRecord's descriptor, for protobuf-go's
// parser.
func aggregatedRecord(tb testing.TB) protoreflect.MessageDescriptor {
	tb.Helper()
	var fdp descriptorpb.FileDescriptorProto
	if err := prototext.Unmarshal([]byte(kplProto), &fdp); err != nil {
		tb.Fatal(err)
	}
	fd, err := protodesc.NewFile(&fdp, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return fd.Messages().ByName("AggregatedRecord")
}

// reference de-aggregates the message m with protobuf-go's parser: the
// answer Deaggregate must give.
func reference(desc protoreflect.MessageDescriptor, m []byte) ([]UserRecord, error) {
	ar := dynamicpb.NewMessage(desc)
	if err := proto.Unmarshal(m, ar); err != nil {
		return nil, err
	}
	fields := desc.Fields()
	keys := ar.Get(fields.ByNumber(1)).List()
	hashKeys := ar.Get(fields.ByNumber(2)).List()
	records := ar.Get(fields.ByNumber(3)).List()
	out := make([]UserRecord, records.Len())
	for i := range out {
		r := records.Get(i).Message()
		rf := r.Descriptor().Fields()
		k := r.Get(rf.ByNumber(1)).Uint()
		if k >= uint64(keys.Len()) {
			return nil, fmt.Errorf("record %d: partition key index out of range", i)
		}
		out[i] = UserRecord{PartitionKey: keys.Get(int(k)).String(), Data: r.Get(rf.ByNumber(3)).Bytes()}
		if ehk := rf.ByNumber(2); r.Has(ehk) {
			h := r.Get(ehk).Uint()
			if h >= uint64(hashKeys.Len()) {
				return nil, fmt.Errorf("record %d: explicit hash key index out of range", i)
			}
			out[i].ExplicitHashKey = hashKeys.Get(int(h)).String()
		}
	}
	return out, nil
}

// TestDeaggregateAsProtobuf: on every test case, Deaggregate agrees with
// protobuf-go's parser (an aggregate of no bytes aside, which AWS's
// libraries take for a plain record).
func TestDeaggregateAsProtobuf(t *testing.T) {
	desc := aggregatedRecord(t)
	for _, c := range cases() {
		checkAsProtobuf(t, desc, []byte(c.msg))
	}
}

// FuzzDeaggregate: for any protobuf message, framed with its magic bytes
// and MD5, Deaggregate never panics and gives what protobuf-go's parser
// gives; on any bytes at all, it never panics. The seeds are the unit
// tests' messages, and testdata/fuzz/FuzzDeaggregate (among them an
// aggregate that aws-kinesis-agg 4.2.8 wrote).
func FuzzDeaggregate(f *testing.F) {
	for _, c := range cases() {
		if len(c.msg) < 4096 {
			f.Add([]byte(c.msg))
		}
	}
	desc := aggregatedRecord(f)
	f.Fuzz(func(t *testing.T, m []byte) {
		Deaggregate(m)
		checkAsProtobuf(t, desc, m)
		checkWithin(t, frame(m))
	})
}

// checkWithin: DeaggregateWithin gives Deaggregate's answer when that is
// within its limits, and a LimitError only when it is not.
func checkWithin(t *testing.T, data []byte) {
	t.Helper()
	all, err := Deaggregate(data)
	lim := Limits{Records: 3, Bytes: 64}
	got, errWithin := DeaggregateWithin(data, lim)
	size := 0
	for _, u := range all {
		size += len(u.Data) + len(u.PartitionKey)
	}
	var le *LimitError
	switch over := len(all) > lim.Records || size > lim.Bytes; {
	case err != nil:
		// A malformed Record may be past the limits, where it is not read.
		if errWithin == nil || errors.As(errWithin, &le) && !strings.HasPrefix(err.Error(), "kpl: record ") {
			t.Fatalf("Deaggregate: %v; DeaggregateWithin: %v", err, errWithin)
		}
	case over != errors.As(errWithin, &le):
		t.Fatalf("%d records, %d bytes: DeaggregateWithin says %v", len(all), size, errWithin)
	case !over && !cmp.Equal(all, got, cmp.Comparer(bytes.Equal)):
		t.Fatalf("within the limits, DeaggregateWithin gives %v, Deaggregate %v", got, all)
	}
}

func checkAsProtobuf(t *testing.T, desc protoreflect.MessageDescriptor, m []byte) {
	t.Helper()
	got, err := Deaggregate(frame(m))
	if len(m) == 0 {
		if err != ErrShort {
			t.Fatalf("no message: got %v, %v; want ErrShort", got, err)
		}
		return
	}
	want, wantErr := reference(desc, m)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("message %q: Deaggregate says %v, protobuf-go %v", m, err, wantErr)
	}
	if err != nil {
		return
	}
	equalData := cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) })
	if diff := cmp.Diff(want, got, equalData); diff != "" {
		t.Fatalf("message %q: mismatch (-protobuf-go +Deaggregate):\n%s", m, diff)
	}
}
