package handler

import (
	"fmt"

	"github.com/nyc-taxi/ridepred/handler/kpl"
)

// What one KPL aggregate, and one invocation, may fan out to. A 6-byte
// protobuf Record can name a key of any length, so without these a 1 MiB
// aggregate stands for 174,000 user records, or a 200 KB key copied into
// every dead letter; and dead letters of one aggregate all go to the
// dead-letter stream within one invocation, which a shard takes at 1,000
// records a second. Past a bound the aggregate is dead-lettered once, as
// itself, with the reason: Kinesis keeps it for re-reading while the
// stream retains it. DEPLOY.md, "Bounds on KPL aggregates", gives the
// memory these come to, measured.
const (
	// An aggregate may expand to at most one user record per
	// minRecordBytes of its own bytes (a ride event is 75 bytes at the
	// least, some 90 as a rule; a Record of no data 6), and to no more than
	// maxAggregateRecords.
	minRecordBytes      = 32
	maxAggregateRecords = 16384
	// An aggregate's user records, data plus partition key each, may sum
	// to at most maxExpansion times the aggregate's bytes: a key shared by
	// every record counts once per record.
	maxExpansion = 8
	// An invocation's aggregates may expand, in all, to at most
	// maxInvocationRecords user records and maxInvocationBytes bytes:
	// beyond them, the aggregates left are dead-lettered whole. A 6 MB
	// event of ride events, aggregated, holds some 60,000.
	maxInvocationRecords = 65536
	maxInvocationBytes   = 16 << 20
	// One aggregate may make at most maxAggregateDeadLetters dead letters,
	// and an invocation's aggregates maxInvocationDeadLetters in all (a
	// second and ten seconds of one dead-letter shard, against the
	// function's 30 s time-out); an aggregate past either is dead-lettered
	// whole, once, and its valid rides are still predicted.
	maxAggregateDeadLetters  = 1000
	maxInvocationDeadLetters = 10000
)

// fanout is what the invocation's aggregates may still expand to.
type fanout struct{ records, bytes int }

func newFanout() fanout { return fanout{records: maxInvocationRecords, bytes: maxInvocationBytes} }

// limits are the bounds for an aggregate of size bytes.
func (f *fanout) limits(size int) kpl.Limits {
	return kpl.Limits{Records: max(1, min(size/minRecordBytes, maxAggregateRecords, f.records)), Bytes: max(1, min(maxExpansion*size, f.bytes))}
}

// spend takes an aggregate's user records off what is left.
func (f *fanout) spend(users []kpl.UserRecord) {
	f.records -= len(users)
	for _, u := range users {
		f.bytes -= len(u.Data) + len(u.PartitionKey)
	}
}

// overLimit is the reason an aggregate is dead-lettered whole for its
// size.
func overLimit(err error) error {
	return fmt.Errorf("aggregated record dead-lettered whole, not de-aggregated: %w (an aggregate may expand to one user record per %d of its bytes, "+
		"%d at most, and %dx its bytes; an invocation's aggregates to %d user records and %d MiB)",
		err, minRecordBytes, maxAggregateRecords, maxExpansion, maxInvocationRecords, maxInvocationBytes>>20)
}

// invalidRecord is a record to dead-letter: src, refused for err, which
// answers for records[rec] (src is that record, or the aggregate it came
// from).
type invalidRecord struct {
	rec int
	src *kinesisRecord
	err error
}

// boundDeadLetters replaces the invalid user records of an aggregate
// that would make more than maxAggregateDeadLetters dead letters, or more
// than the invocation has left, with one invalid record: the aggregate
// itself. invalid is in records' order, so an aggregate's user records
// are next to each other.
func boundDeadLetters(batch, records []kinesisRecord, invalid []invalidRecord) []invalidRecord {
	left := maxInvocationDeadLetters
	out := invalid[:0] // written no faster than read
	for i := 0; i < len(invalid); {
		agg := records[invalid[i].rec].agg
		j := i + 1
		for agg != 0 && j < len(invalid) && records[invalid[j].rec].agg == agg {
			j++
		}
		n := j - i
		if agg == 0 || n <= min(maxAggregateDeadLetters, left) {
			if agg != 0 {
				left -= n
			}
			out = append(out, invalid[i:j]...)
			i = j
			continue
		}
		out = append(out, invalidRecord{rec: invalid[i].rec, src: &batch[agg-1], err: fmt.Errorf(
			"aggregated record dead-lettered whole: %d of its user records are invalid, over the %d dead letters one aggregate may make "+
				"(%d left in this invocation); its valid rides are predicted. The first, %s: %w",
			n, maxAggregateDeadLetters, left, records[invalid[i].rec].EventID, invalid[i].err)})
		i = j
	}
	return out
}
