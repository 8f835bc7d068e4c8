package esm

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// outage is kinesalite with a GetRecords outage: while down is set, every
// GetRecords call fails as a service error would; once expire is set, the
// next call's iterator is aged past five minutes, so that kinesalite
// itself answers ExpiredIteratorException, as Kinesis does after an
// outage longer than an iterator's life.
type outage struct {
	*kinesis.Client
	t              *testing.T
	down, expire   atomic.Bool
	reads, refused atomic.Int64
}

func (o *outage) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	if o.down.Load() {
		o.refused.Add(1)
		return nil, errors.New("InternalFailure: the test's outage")
	}
	if o.expire.CompareAndSwap(true, false) {
		aged := *in
		aged.ShardIterator = aws.String(ageIterator(o.t, *in.ShardIterator, 301*time.Second))
		in = &aged
	}
	o.reads.Add(1)
	return o.Client.GetRecords(ctx, in, optFns...)
}

// TestLatestRenewalAfterOutage: a mapping that starts at LATEST and has
// read nothing yet, whose iterator expires during a GetRecords outage,
// renews it at the time reading began (AT_TIMESTAMP), as Lambda resumes
// where reading stopped: the records written during the outage are
// delivered, those written before the mapping began are not, and none
// twice. (Renewed at LATEST, the ones of the outage were skipped: issue
// 30, finding 8.)
func TestLatestRenewalAfterOutage(t *testing.T) {
	c := startKinesalite(t, 1)
	putKeys(t, c, "before")
	time.Sleep(20 * time.Millisecond) // kinesalite's clock counts milliseconds
	k := &outage{Client: c, t: t}
	fn := &recorder{}
	startMapping(t, k, fn, Config{BatchSize: 10, StartingPosition: types.ShardIteratorTypeLatest})
	waitFor(t, "the mapping's first read", func() bool { return k.reads.Load() > 0 })
	k.down.Store(true)
	refused := k.refused.Load()
	waitFor(t, "a read during the outage", func() bool { return k.refused.Load() > refused })
	want := keys("during", 5)
	putKeys(t, c, want...)
	k.expire.Store(true)
	k.down.Store(false)
	waitFor(t, "the expired iterator to be used", func() bool { return !k.expire.Load() })
	after := keys("after", 5)
	putKeys(t, c, after...)
	want = append(want, after...)
	waitFor(t, "the records of and after the outage", func() bool { return len(fn.got()) >= len(want) })
	time.Sleep(100 * time.Millisecond) // room for duplicates to show
	if got := fn.got(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("delivered %v, want %v", got, want)
	}
}
