// Package kinesistest holds Kinesis clients that stand in for the real one
// where no stream is wanted, in the style of net/http/httptest.
package kinesistest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Nop accepts every PutRecords call and keeps nothing: the output client of
// the handler's benchmarks.
type Nop struct{}

// PutRecords answers every record as written.
func (Nop) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}, nil
}
