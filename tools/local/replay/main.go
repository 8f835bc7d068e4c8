// Command replay puts NYC TLC rides on a Kinesis stream as the original
// app's ride events ({"ride": {...}, "ride_id": ...}), with unique ride ids,
// at a chosen rate or as fast as possible, with a progress bar.
//
// Against the local stack, in a shell with the variables `make up` prints
// (it picks free ports; AWS_ENDPOINT_URL_KINESIS and the rest):
//
//	go run ./tools/local/replay -n 10000 -rate 2000
//
// Flags: -file (default the committed Feb 2022 Parquet), -stream (ride_events),
// -n (rides, 0 = all), -rate (rides/s, 0 = as fast as possible), -poison
// (invalid records mixed in, to exercise the dead-letter stream).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("replay: ")
	file := flag.String("file", "model-export/data/green_tripdata_2022-02.parquet", "TLC green trip Parquet file")
	stream := flag.String("stream", localstack.RidesStream, "stream to put ride events on")
	n := flag.Int("n", 10000, "rides to send (0 = all)")
	rate := flag.Float64("rate", 0, "rides per second (0 = as fast as possible)")
	poison := flag.Int("poison", 0, "invalid records to mix in")
	columns := flag.String("columns", strings.Join(rides.ModelColumns(), ","), "the TLC columns each ride carries, under their own names (default: those the shipped models' prepare_features read)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	valid, err := rides.Load(*file, *n, "", strings.Split(*columns, ","))
	if err != nil {
		log.Fatal(err)
	}
	rs := append(valid, rides.Poison(*poison)...)
	c, err := kinesalite.FromEnv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	bar := progressbar.Default(int64(len(rs)), "rides")
	start := time.Now()
	err = rides.Put(ctx, c, *stream, rs, *rate, func(ok []rides.Ride, _ time.Time) { bar.Add(len(ok)) })
	bar.Finish()
	if err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(os.Stderr, "replay: %d records on %s in %.2fs (%.0f/s)\n", len(rs), *stream, elapsed.Seconds(), float64(len(rs))/elapsed.Seconds())
}
