package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// ceiling measures kinesalite alone, the stack's likely limit: how fast one
// server takes the rides with PutRecords (as the replay sends them) and
// gives them back with GetRecords.
func ceiling(ctx context.Context, rs []rides.Ride, shards int32) (string, error) {
	k, err := kinesalite.Start(io.Discard)
	if err != nil {
		return "", err
	}
	defer k.Stop()
	c := kinesalite.Client(k.Endpoint)
	if err := kinesalite.CreateStream(ctx, c, localstack.RidesStream, shards); err != nil {
		return "", err
	}
	start := time.Now()
	if err := rides.Put(ctx, c, localstack.RidesStream, rs, 0, nil); err != nil {
		return "", err
	}
	put := time.Since(start)
	start = time.Now()
	got, err := kinesalite.ReadAll(ctx, c, localstack.RidesStream)
	if err != nil {
		return "", err
	}
	get := time.Since(start)
	return fmt.Sprintf("kinesalite alone: %d puts in %.2fs (%.0f/s), %d gets in %.2fs (%.0f/s); "+
		"a ride costs the stack two of each", len(rs), put.Seconds(), float64(len(rs))/put.Seconds(),
		len(got), get.Seconds(), float64(len(got))/get.Seconds()), nil
}
