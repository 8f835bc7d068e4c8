// Package rides turns TLC trips into the original app's ride events and
// puts them on a stream.
package rides

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/tlc"
)

// Ride is one event to put and what is known about it.
type Ride struct {
	ID       string // ride_id as text, also the partition key
	Event    []byte
	Duration float64 // real duration in minutes
	Valid    bool    // false for deliberately invalid (poison) records
	Reason   string  // a poison record's dead-letter reason
}

// FromTrips makes ride events for the first n trips with the three inputs
// present (all if n <= 0). Ride ids are "<prefix><row>", unique per file.
// A trip with both its times carries them in its event
// (golden.RideEventWithTimes), so that a consumer of the stream, such as
// tools/operate/shadowreport, can score predictions against the real duration.
func FromTrips(trips []tlc.Trip, n int, prefix string) []Ride {
	var out []Ride
	for row, t := range trips {
		if n > 0 && len(out) == n {
			break
		}
		if t.PULocationID == nil || t.DOLocationID == nil || t.TripDistance == nil {
			continue
		}
		d, timed := t.Duration()
		id := fmt.Sprintf("%s%d", prefix, row)
		event := golden.RideEvent(*t.PULocationID, *t.DOLocationID, *t.TripDistance, id)
		if timed {
			event = golden.RideEventWithTimes(*t.PULocationID, *t.DOLocationID, *t.TripDistance,
				time.UnixMicro(*t.Pickup), time.UnixMicro(*t.Dropoff), id)
		}
		out = append(out, Ride{ID: id, Event: event, Duration: d, Valid: true})
	}
	return out
}

// Poison returns n invalid records of several kinds, ids "poison-<i>",
// each with the reason its dead letter gives.
func Poison(n int) []Ride {
	kinds := []struct{ format, reason string }{
		{`not json at all %s`, "invalid JSON"},
		{`{"ride": {"PULocationID": 130, "DOLocationID": 205}, "ride_id": "%s"}`, "ride.trip_distance: missing"},
		{`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": {"miles": 3.66}}, "ride_id": "%s"}`, "(TypeError)"},
		{`{"ride": {"PULocationID": {"id": 130}, "DOLocationID": 205, "trip_distance": 1}, "ride_id": "%s"}`, "str() of a JSON array or object is not supported"},
		{`{"ride_id": "%s"}`, "ride: missing"},
		hugeDistance(),
	}
	var out []Ride
	for i := range n {
		id := fmt.Sprintf("poison-%d", i)
		k := kinds[i%len(kinds)]
		out = append(out, Ride{ID: id, Event: fmt.Appendf(nil, k.format, id), Reason: k.reason})
	}
	return out
}

// hugeDistance is a ride with a distance beyond float32 when the model
// refuses it (sklearn's forests, xgboost's Booster), and one beyond
// float64 (an integer, which Python's float() refuses) when the model takes
// it (HistGradientBoosting compares it).
func hugeDistance() struct{ format, reason string } {
	if (generated.Features{TripDistance: 1e39}).Validate() != nil {
		return struct{ format, reason string }{`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1e39}, "ride_id": "%s"}`, "beyond float32's range"}
	}
	return struct{ format, reason string }{`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1` + strings.Repeat("0", 400) + `}, "ride_id": "%s"}`,
		"int too large to convert to float"}
}

// Put writes rides to stream with PutRecords in batches of up to 500, at
// rate rides per second (0: as fast as possible, several calls in flight),
// retrying failed entries. sent is called after each batch with the rides
// written and the time the call returned.
func Put(ctx context.Context, c *kinesis.Client, stream string, rs []Ride, rate float64, sent func([]Ride, time.Time)) error {
	batch, workers, interval := 500, 4, time.Duration(0)
	if rate > 0 {
		batch = max(1, min(500, int(rate/20)))
		workers = 2
		interval = time.Duration(float64(batch) / rate * float64(time.Second))
	}
	jobs := make(chan []Ride)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				if err := putBatch(ctx, c, stream, b, sent); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	next := time.Now()
	for i := 0; i < len(rs) && ctx.Err() == nil; i += batch {
		if interval > 0 {
			time.Sleep(time.Until(next))
			next = next.Add(interval)
		}
		select {
		case jobs <- rs[i:min(i+batch, len(rs))]:
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return err
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

func putBatch(ctx context.Context, c *kinesis.Client, stream string, b []Ride, sent func([]Ride, time.Time)) error {
	for wait := 50 * time.Millisecond; len(b) > 0; wait = min(2*wait, 2*time.Second) {
		in := &kinesis.PutRecordsInput{StreamName: aws.String(stream)}
		for _, r := range b {
			in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: r.Event, PartitionKey: aws.String(r.ID)})
		}
		out, err := c.PutRecords(ctx, in)
		if err != nil {
			return fmt.Errorf("put rides: %w", err)
		}
		now := time.Now()
		var again, ok []Ride
		for i, r := range out.Records {
			if r.ErrorCode != nil {
				again = append(again, b[i])
			} else {
				ok = append(ok, b[i])
			}
		}
		if sent != nil {
			sent(ok, now)
		}
		if b = again; len(b) > 0 {
			time.Sleep(wait)
		}
	}
	return nil
}

// IDs are the rides' ids, in order.
func IDs(rs []Ride) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// ValidIDs are the valid rides' ids, in order.
func ValidIDs(rs []Ride) []string {
	var ids []string
	for _, r := range rs {
		if r.Valid {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
