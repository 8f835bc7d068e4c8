//go:build e2ecrash

// Built only with -tags e2ecrash, for e2e's TestFunctionCrashMidBatch:
// RIDEPRED_TEST_CRASH_RIDE_ID and RIDEPRED_TEST_CRASH_MARKER make the
// process exit in the middle of the batch holding that ride, once (the
// marker file records that it did). The shipped binary has no such hook:
// nocrash.go stands in for this file.

package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// publisher wraps the Kinesis client in crashClient when the environment
// asks for a crash.
func publisher(client *kinesis.Client) kinesisout.Publisher {
	rideID, marker := os.Getenv("RIDEPRED_TEST_CRASH_RIDE_ID"), os.Getenv("RIDEPRED_TEST_CRASH_MARKER")
	if rideID == "" || marker == "" {
		return client
	}
	return &crashClient{Publisher: client, rideID: rideID, marker: marker}
}

// crashClient exits the process, simulating a crash in the middle of a
// batch, the first time a PutRecords call carries the prediction of the
// ride whose id (as text) is rideID. The call is not made: that ride's
// chunk is not written, and the batch's earlier chunks may be.
type crashClient struct {
	kinesisout.Publisher
	rideID, marker string
}

func (c *crashClient) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	for _, r := range in.Records {
		var rec struct {
			RideID jsontext.Value `json:"ride_id"`
		}
		if jsonv2.Unmarshal(r.Data, &rec) != nil || len(rec.RideID) == 0 || (ride.Ride{ID: []byte(rec.RideID)}).IDText() != c.rideID {
			continue
		}
		f, err := os.OpenFile(c.marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			break // crashed before
		}
		f.Close()
		os.Exit(86)
	}
	return c.Publisher.PutRecords(ctx, in, optFns...)
}
