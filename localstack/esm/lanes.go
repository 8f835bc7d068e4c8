package esm

import (
	"crypto/md5"
	"encoding/binary"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// MaxParallelizationFactor is Lambda's limit on concurrent batches per
// shard.
const MaxParallelizationFactor = 10

// Concurrency is how many invocations a mapping of shards shards runs at
// once with ParallelizationFactor pf, as Lambda counts it: shards × pf.
// Each needs an invoker of its own (an emulator runs one invocation at a
// time), so a local stack that should never make a batch wait for a
// function starts this many emulators.
func Concurrency(shards, pf int) int {
	return max(1, shards) * min(max(1, pf), MaxParallelizationFactor)
}

// laneOf is the concurrent batch ("lane") of a shard that records with
// partitionKey go to, out of lanes. A key always goes to the same lane,
// and a lane delivers one batch at a time, in the order it read its
// records, so that one key's records never run concurrently nor out of
// order, as Lambda promises with a ParallelizationFactor above 1.
//
// Lambda does not say how it hashes; this takes the key's MD5, the hash
// Kinesis itself maps keys to shards with, and its low 64 bits, which do
// not depend on the shard's hash-key range (the high bits do: a shard
// holds one slice of them). GetRecords gives no explicit hash key, so a
// producer's ExplicitHashKey chooses the shard but not the lane.
func laneOf(partitionKey string, lanes int) int {
	if lanes <= 1 {
		return 0
	}
	sum := md5.Sum([]byte(partitionKey))
	return int(binary.BigEndian.Uint64(sum[8:]) % uint64(lanes))
}

// lane is one of a shard's concurrent batches: records read and waiting
// for it, and whether it is delivering a batch.
type lane struct {
	pending []types.Record
	first   time.Time // when the oldest of pending was read
	busy    bool
}

// fullest is the most records any lane holds back.
func fullest(lanes []lane) int {
	n := 0
	for _, l := range lanes {
		n = max(n, len(l.pending))
	}
	return n
}

// progress follows which of a shard's records have been handled, for its
// checkpoint. With concurrent batches a later batch can end first; the
// checkpoint is the last record before which every record read is
// handled, so that a restart from it misses none (and may deliver again
// some that were handled: at least once, as Lambda).
type progress struct {
	read    []string // sequence numbers read, past the checkpoint, in order
	handled map[string]bool
}

func newProgress() *progress { return &progress{handled: map[string]bool{}} }

// add notes records read from the shard, in order.
func (p *progress) add(recs []types.Record) {
	for _, r := range recs {
		p.read = append(p.read, aws.ToString(r.SequenceNumber))
	}
}

// done marks recs handled and returns the new checkpoint, or "" if it
// did not move.
func (p *progress) done(recs []types.Record) string {
	for _, r := range recs {
		p.handled[aws.ToString(r.SequenceNumber)] = true
	}
	last := ""
	for len(p.read) > 0 && p.handled[p.read[0]] {
		last = p.read[0]
		delete(p.handled, last)
		p.read = p.read[1:]
	}
	return last
}

// empty says whether every record read is handled.
func (p *progress) empty() bool { return len(p.read) == 0 }
