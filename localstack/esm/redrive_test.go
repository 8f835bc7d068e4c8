package esm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRedriveAfterExpiredRecords: a batch whose first records are past the
// stream's retention is redriven from the first record still there; the
// error counts the records that are gone (issue 30, finding 8: the whole
// batch was refused).
func TestRedriveAfterExpiredRecords(t *testing.T) {
	s := newStream(8)
	s.trimmed = 3
	fn := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	m := New(s, []Invoker{fn}, Config{Stream: "in", OnFailure: "failures", BatchSize: 8, Bisect: true, RetryWait: time.Millisecond})
	n, err := m.Redrive(context.Background(), BatchInfo{ShardID: "shardId-000000000000", StartSequenceNumber: "0", EndSequenceNumber: "7", BatchSize: 8})
	if n != 5 || err == nil || !strings.Contains(err.Error(), "3 records before 3 are past") {
		t.Errorf("Redrive = %d, %v; want 5 and an error that counts the 3 records gone", n, err)
	}
	if diff := cmp.Diff([][]string{seqs(3, 8)}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
	if len(s.failed) != 0 {
		t.Errorf("on-failure stream got %+v, want nothing: the records still there were handled", s.failed)
	}
}

// hangsFrom answers batchItemFailures from record from on, and never
// answers a batch that starts there: a function that hangs.
type hangsFrom struct{ from string }

func (h hangsFrom) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var f fakeFunction
	f.fn = func(seqs []string) ([]byte, error) {
		switch i := slices.Index(seqs, h.from); {
		case i == 0:
			<-ctx.Done()
			return nil, ctx.Err()
		case i > 0:
			return []byte(`{"batchItemFailures": [{"itemIdentifier": "` + h.from + `"}]}`), nil
		}
		return ok, nil
	}
	return f.Invoke(ctx, payload)
}

// TestRedriveTimeoutPutsBack: when Redrive's context ends while the
// function hangs, the records not yet handled (from the hung one to the
// batch's end) go back on the on-failure stream, under a context of their
// own, and the error says so (issue 30, finding 5: the write ran under the
// ended context, and the batch was dropped).
func TestRedriveTimeoutPutsBack(t *testing.T) {
	s := newStream(8)
	m := New(s, []Invoker{hangsFrom{"4"}}, Config{Stream: "in", OnFailure: "failures", BatchSize: 8, Bisect: true, RetryWait: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	n, err := m.Redrive(ctx, BatchInfo{ShardID: "shardId-000000000000", StartSequenceNumber: "0", EndSequenceNumber: "7", BatchSize: 8})
	if n != 8 || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "4 records unfinished (4..7), put back on failures") {
		t.Errorf("Redrive = %d, %v; want 8 read back and an error that names the 4 put back", n, err)
	}
	if len(s.failed) != 1 {
		t.Fatalf("on-failure stream got %+v, want the unfinished range", s.failed)
	}
	got := s.failed[0]
	if b := got.KinesisBatchInfo; b.StartSequenceNumber != "4" || b.EndSequenceNumber != "7" || b.BatchSize != 4 || got.RequestContext.Condition != RedriveUnfinished {
		t.Errorf("put back %+v, want 4..7 (4 records), condition %s", got, RedriveUnfinished)
	}
}
