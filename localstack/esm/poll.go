package esm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// delivered is a batch a lane has handled (or stopped on, if ctx ended).
type delivered struct {
	lane int
	recs []types.Record
}

// shard polls one shard, from its checkpoint or else from, and hands its
// records to ParallelizationFactor lanes by partition key (laneOf). Each
// lane delivers batches of at most BatchSize records and MaxBatchBytes,
// once a batch is full or Window has passed since its first record, one
// at a time; the lanes run concurrently. The shard is read ahead while
// lanes deliver, until one lane holds a full batch back. It checkpoints
// after each batch, as far as every record read is handled (progress),
// and returns true once a shard closed by a split or merge is read to its
// end and every record handled.
func (m *Mapping) shard(ctx context.Context, id string, from types.ShardIteratorType) (ended bool, err error) {
	// With LATEST, reading begins now: a renewal before any record is
	// read starts at this time, not at the newest record then, which
	// would skip those written since (during a GetRecords outage longer
	// than an iterator's five minutes, say), as Lambda does not.
	r := &shardRead{m: m, id: id, from: from, began: time.Now(), prog: newProgress(),
		lanes: make([]lane, m.cfg.ParallelizationFactor)}
	if r.iter, err = m.iterator(ctx, id, from, "", time.Time{}); err != nil {
		return false, err
	}
	r.finished = make(chan delivered, len(r.lanes))
	// On the way out, stop the lanes still delivering (they may retry
	// for ever) and wait for them: cancel runs first.
	defer r.wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for ctx.Err() == nil {
		for len(r.finished) > 0 {
			if err := r.handled(ctx, <-r.finished); err != nil {
				return false, err
			}
		}
		got, err := r.read(ctx)
		if err != nil {
			return false, err
		}
		if got < 0 {
			continue
		}
		if r.iter == nil && r.prog.empty() {
			return true, nil
		}
		if started := r.startReady(ctx); got > 0 || started > 0 {
			continue
		}
		if err := r.idle(ctx); err != nil {
			return false, err
		}
	}
	return false, nil
}

// shardRead is the reading of one shard: its iterator, the lanes its
// records go to, and the batches in flight.
type shardRead struct {
	m        *Mapping
	id       string
	from     types.ShardIteratorType
	began    time.Time
	iter     *string // nil once a closed shard is read to its end
	lanes    []lane
	prog     *progress
	finished chan delivered
	busy     int    // lanes delivering
	lastRead string // the sequence number of the last record read
}

// read reads the next records into the lanes, if the fullest has room,
// and returns how many; -1 means read again (the iterator was renewed,
// or the call failed and was waited out).
func (r *shardRead) read(ctx context.Context) (int, error) {
	m := r.m
	room := m.cfg.BatchSize - fullest(r.lanes)
	if room <= 0 || r.iter == nil {
		return 0, nil
	}
	res, err := m.k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: r.iter, Limit: aws.Int32(int32(min(10000, room)))})
	var expired *types.ExpiredIteratorException
	switch {
	case errors.As(err, &expired):
		// An iterator lasts five minutes, less than a long retry
		// may take. The records read so far stay with their
		// lanes: read on after the last of them, or from when
		// reading began if none was read yet.
		m.cfg.Logger.Info("iterator expired, renewing it where reading stopped", "shard", r.id, "after", r.lastRead)
		if r.iter, err = m.iterator(ctx, r.id, r.from, r.lastRead, r.began); err != nil {
			return 0, err
		}
		return -1, nil
	case err != nil:
		if ctx.Err() == nil {
			m.cfg.Logger.Warn("get records", "shard", r.id, "error", err.Error())
			kinesalite.Sleep(ctx, m.cfg.Poll)
		}
		return -1, nil
	}
	got := len(res.Records)
	r.iter = res.NextShardIterator
	m.spread(r.lanes, res.Records)
	r.prog.add(res.Records)
	if got > 0 {
		r.lastRead = aws.ToString(res.Records[got-1].SequenceNumber)
	}
	return got, nil
}

// startReady starts delivering each lane's batch that is ready, and
// returns how many it started.
func (r *shardRead) startReady(ctx context.Context) int {
	started := 0
	for i := range r.lanes {
		batch := r.m.ready(&r.lanes[i], r.iter == nil)
		if batch == nil {
			continue
		}
		r.busy++
		started++
		go func() {
			r.m.deliver(ctx, r.id, batch, 0)
			r.finished <- delivered{i, batch}
		}()
	}
	return started
}

// idle waits for a batch to finish, a poll's time, or ctx.
func (r *shardRead) idle(ctx context.Context) error {
	wait := time.NewTimer(r.m.cfg.Poll)
	defer wait.Stop()
	select {
	case d := <-r.finished:
		return r.handled(ctx, d)
	case <-wait.C:
	case <-ctx.Done():
	}
	return nil
}

// handled takes a finished batch back from its lane and moves the
// checkpoint; records of a delivery cut short by ctx are not handled.
func (r *shardRead) handled(ctx context.Context, d delivered) error {
	r.busy--
	r.lanes[d.lane].busy = false
	if ctx.Err() != nil {
		return nil
	}
	if seq := r.prog.done(d.recs); seq != "" {
		return r.m.checkpoint(r.id, seq)
	}
	return nil
}

// wait waits for the lanes still delivering.
func (r *shardRead) wait() {
	for ; r.busy > 0; r.busy-- {
		<-r.finished
	}
}

// spread hands records, in the order read, to the lanes of their keys.
func (m *Mapping) spread(lanes []lane, recs []types.Record) {
	now := time.Now()
	for _, r := range recs {
		l := &lanes[laneOf(aws.ToString(r.PartitionKey), len(lanes))]
		if len(l.pending) == 0 {
			l.first = now
		}
		l.pending = append(l.pending, r)
	}
}

// ready takes the lane's next batch if the lane is idle and the batch is
// full, its window has passed, or the shard is closed and read to its end
// (its last records wait for no others); nil otherwise.
func (m *Mapping) ready(l *lane, end bool) []types.Record {
	if l.busy || len(l.pending) == 0 {
		return nil
	}
	n := m.batchLen(l.pending)
	full := n < len(l.pending) || len(l.pending) >= m.cfg.BatchSize || end
	if !full && time.Since(l.first) < m.cfg.Window {
		return nil
	}
	batch := l.pending[:n:n]
	l.pending = append(l.pending[:0:0], l.pending[n:]...)
	l.first, l.busy = time.Now(), true
	return batch
}

// iterator reads shard from after the record after if given, else after
// its checkpoint, else, when from is LATEST and began is set (a renewal
// before any record was read), from began (AT_TIMESTAMP), else from from.
func (m *Mapping) iterator(ctx context.Context, shard string, from types.ShardIteratorType, after string, began time.Time) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(m.cfg.Stream), ShardId: aws.String(shard), ShardIteratorType: from}
	if after == "" {
		after = m.Checkpoint(shard)
	}
	switch {
	case after != "":
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(after)
	case from == types.ShardIteratorTypeLatest && !began.IsZero():
		in.ShardIteratorType, in.Timestamp = types.ShardIteratorTypeAtTimestamp, aws.Time(began)
	}
	out, err := m.k.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("shard iterator: %w", err)
	}
	return out.ShardIterator, nil
}

// batchLen is how many leading records fit in one invocation payload.
func (m *Mapping) batchLen(recs []types.Record) int {
	size := 0
	for i, r := range recs {
		size += len(r.Data)*4/3 + len(aws.ToString(r.PartitionKey)) + 600 // base64 and the record's JSON
		if i == m.cfg.BatchSize || size > m.cfg.MaxBatchBytes && i > 0 {
			return i
		}
	}
	return len(recs)
}
