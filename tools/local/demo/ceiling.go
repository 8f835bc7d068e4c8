package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
	"github.com/nyc-taxi/ridepred/tools/internal/rides"
)

// ceiling measures kinesalite alone, the stack's likely limit: how fast one
// server takes the rides with PutRecords (as the replay sends them) and
// gives them back with GetRecords.
func ceiling(ctx context.Context, rs []rides.Ride, shards int32) (string, error) {
	k, err := localkinesis.Start(io.Discard)
	if err != nil {
		return "", err
	}
	defer k.Stop()
	c := localkinesis.Client(k.Endpoint)
	if err := localkinesis.CreateStream(ctx, c, ridesStream, shards); err != nil {
		return "", err
	}
	start := time.Now()
	if err := rides.Put(ctx, c, ridesStream, rs, 0, nil); err != nil {
		return "", err
	}
	put := time.Since(start)
	start = time.Now()
	got, err := localkinesis.ReadAll(ctx, c, ridesStream)
	if err != nil {
		return "", err
	}
	get := time.Since(start)
	return fmt.Sprintf("kinesalite alone: %d puts in %.2fs (%.0f/s), %d gets in %.2fs (%.0f/s); "+
		"a ride costs the stack two of each", len(rs), put.Seconds(), float64(len(rs))/put.Seconds(),
		len(got), get.Seconds(), float64(len(got))/get.Seconds()), nil
}
