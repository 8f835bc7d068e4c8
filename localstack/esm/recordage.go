package esm

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// tooOld is how many leading records of recs arrived more than
// MaxRecordAge ago: Lambda does not invoke with them (nor retry them) but
// sends their metadata to the on-failure destination. A shard's records
// arrive in sequence order, so those too old come first.
func (m *Mapping) tooOld(recs []types.Record) int {
	if m.cfg.MaxRecordAge <= 0 {
		return 0
	}
	cutoff := time.Now().Add(-m.cfg.MaxRecordAge)
	for i, r := range recs {
		if !aws.ToTime(r.ApproximateArrivalTimestamp).Before(cutoff) {
			return i
		}
	}
	return len(recs)
}
