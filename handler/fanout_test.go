package handler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// sharedKey is an aggregate whose user records all name its one key.
func sharedKey(key string, data ...[]byte) []byte {
	msg := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte(key))
	for _, d := range data {
		r := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 0)
		r = protowire.AppendBytes(protowire.AppendTag(r, 3, protowire.BytesType), d)
		msg = protowire.AppendBytes(protowire.AppendTag(msg, 3, protowire.BytesType), r)
	}
	return frame(msg)
}

// empties are n user records of no data.
func empties(n int) [][]byte { return make([][]byte, n) }

// decodeDeadLetters reads the dead letters written.
func decodeDeadLetters(t *testing.T, written []string) []deadLetter {
	t.Helper()
	var out []deadLetter
	for _, w := range written {
		var d deadLetter
		if err := json.Unmarshal([]byte(w), &d); err != nil {
			t.Fatalf("dead letter %.200s: %v", w, err)
		}
		out = append(out, d)
	}
	return out
}

// TestHostileAggregatesDeadLetteredWhole (issue 30, finding 1): a 1 MiB
// aggregate of 174,000 empty records of a 1-byte key, and a 22 KB one of
// 1,000 empty records of a 16 KiB key, each become one dead letter, the
// aggregate itself with the reason, and the rides around them are
// predicted. Before, they made 175,000 dead letters (about 140 MB), and
// the invocation allocated over 400 MB.
func TestHostileAggregatesDeadLetteredWhole(t *testing.T) {
	huge := sharedKey("k", empties(174_000)...)
	keyed := sharedKey(strings.Repeat("\x01", 16<<10), empties(1000)...)
	if len(huge) > 1<<20 || len(keyed) > 22<<10 {
		t.Fatalf("aggregates of %d and %d bytes", len(huge), len(keyed))
	}
	payloads := append(append(rides(5), huge, keyed), rides(5)...)
	event := kinesisEvent(t, payloads...)
	fake := newFake()
	h := New(fake, Config{Retry: fastRetry})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := invoke(t, h, event)
	runtime.ReadMemStats(&after)
	if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != 10 {
		t.Fatalf("%d failures, %d predictions; want none and 10", len(res.BatchItemFailures), len(fake.written["ride_prediction"]))
	}
	dead := decodeDeadLetters(t, fake.written["ride_events_dlq"])
	if len(dead) != 2 {
		t.Fatalf("%d dead letters, want 2", len(dead))
	}
	for i, agg := range [][]byte{huge, keyed} {
		d := dead[i]
		sum := sha256.Sum256(agg)
		if want := fmt.Sprintf("seq-%d", 5+i); d.SequenceNumber != want || d.DataSHA256 != hex.EncodeToString(sum[:]) || d.DataSize != len(agg) ||
			!strings.Contains(d.Error, "dead-lettered whole") || !strings.Contains(d.Error, "kpl: the aggregate expands to more than") {
			t.Errorf("dead letter %d: %s, size %d, error %q; want the aggregate %s itself", i, d.SequenceNumber, d.DataSize, d.Error, want)
		}
	}
	// The event is 1.5 MB; the dead letters and predictions some 0.4 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
		t.Errorf("the invocation allocated %d MiB", alloc>>20)
	}
}

// TestAggregateDeadLettersBounded (issue 30, finding 1): an aggregate
// makes at most maxAggregateDeadLetters dead letters, which its dead
// letters' one key (its user records share it) would put on one shard.
// With one invalid user record more, the aggregate is dead-lettered once,
// whole, and its valid rides are still predicted.
func TestAggregateDeadLettersBounded(t *testing.T) {
	for _, invalid := range []int{maxAggregateDeadLetters, maxAggregateDeadLetters + 1} {
		data := append(rides(5), make([][]byte, invalid)...)
		for i := 5; i < len(data); i++ {
			data[i] = []byte(`{"ride_id": "a bit longer than 32"}`)
		}
		fake := newFake()
		h := New(fake, Config{Retry: fastRetry})
		res := invoke(t, h, kinesisEvent(t, sharedKey("k", data...)))
		dead := decodeDeadLetters(t, fake.written["ride_events_dlq"])
		if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != 5 {
			t.Fatalf("%d invalid: %d failures, %d predictions; want none and 5", invalid, len(res.BatchItemFailures), len(fake.written["ride_prediction"]))
		}
		switch {
		case invalid <= maxAggregateDeadLetters && len(dead) != invalid:
			t.Errorf("%d invalid user records: %d dead letters", invalid, len(dead))
		case invalid > maxAggregateDeadLetters && (len(dead) != 1 || dead[0].EventID != "shardId-000000000000:seq-0" ||
			!strings.Contains(dead[0].Error, fmt.Sprintf("%d of its user records are invalid", invalid))):
			t.Errorf("%d invalid user records: %d dead letters, the first %+v; want the aggregate, once", invalid, len(dead), dead[0])
		}
	}
}

// TestInvocationDeadLettersBounded: an invocation's aggregates make at
// most maxInvocationDeadLetters dead letters; those past it are each
// dead-lettered once, whole. Plain records are not counted: Lambda's
// batch size bounds them.
func TestInvocationDeadLettersBounded(t *testing.T) {
	batch := make([]kinesisRecord, 13)
	var records []kinesisRecord
	var invalid []invalidRecord
	for a := range batch {
		batch[a].EventID = fmt.Sprintf("shardId-0:seq-%d", a)
		n := maxAggregateDeadLetters
		if a == 12 {
			n = 1 // a plain record
		}
		for j := range n {
			r := kinesisRecord{EventID: fmt.Sprintf("%s:%d", batch[a].EventID, j), agg: a + 1}
			if a == 12 {
				r.agg = 0
			}
			records = append(records, r)
			invalid = append(invalid, invalidRecord{rec: len(records) - 1, src: &records[len(records)-1], err: fmt.Errorf("bad")})
		}
	}
	kept := boundDeadLetters(batch, records, invalid)
	if want := 10*maxAggregateDeadLetters + 2 + 1; len(kept) != want {
		t.Fatalf("%d dead letters, want %d", len(kept), want)
	}
	for i, k := range kept[10*maxAggregateDeadLetters : len(kept)-1] {
		if k.src != &batch[10+i] || !strings.Contains(k.err.Error(), "(0 left in this invocation)") {
			t.Errorf("aggregate %d: %v from %s", 10+i, k.err, k.src.EventID)
		}
	}
}

// TestFanoutLimits: an aggregate may expand to one user record per 32 of
// its bytes and 8 times its bytes, within what the invocation has left.
func TestFanoutLimits(t *testing.T) {
	f := newFanout()
	if l := f.limits(1 << 20); l.Records != maxAggregateRecords || l.Bytes != 8<<20 {
		t.Errorf("1 MiB aggregate: %+v", l)
	}
	if l := f.limits(800); l.Records != 25 || l.Bytes != 6400 {
		t.Errorf("800-byte aggregate: %+v", l)
	}
	f.records, f.bytes = 10, 1000
	if l := f.limits(1 << 20); l.Records != 10 || l.Bytes != 1000 {
		t.Errorf("10 records and 1,000 bytes left: %+v", l)
	}
}
