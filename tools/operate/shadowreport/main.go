// Command shadowreport compares the serving model with its shadow on the
// live stream: it reads ride_prediction and the shadow stream, every shard
// from -since (AT_TIMESTAMP) to now, joins the two by event_id as it
// reads, and writes a Markdown report
// with a chart: rides scored by both, only by one, duplicates dropped,
// both model versions, how far the shadow's predictions lie from the
// serving ones (mean and max absolute difference, the share over a
// minute), both means, and, where the rides carry their real duration
// (the local stack's replayed TLC rides do: tools/local/replay, make demo), both
// RMSEs. It is the refresh report's comparison, on real traffic.
//
// Its memory is bounded, whatever the streams hold (at 1,000 rides a
// second, 7 days are 600 M records a stream): it reads every shard a page
// at a time, merged in arrival order, and keeps only the rides waiting for
// their other half (250,000 at most), a sample of 20,000 joined rides for
// the chart and running sums (internal/shadowreport.Limits).
//
// Against the local stack (make up with a shadow compiled in, in a shell
// with the variables it prints) or AWS (the usual credentials and
// AWS_REGION):
//
//	go run ./tools/operate/shadowreport -since 24h
//	go run ./tools/operate/shadowreport -since 2026-11-30T08:00:00Z -endpoint-url http://127.0.0.1:4567 -out build/shadow/report.md
//
// Flags: -since (how far back to read: a duration before now, such as 24h,
// or an RFC 3339 time; default 24h; 0 reads every record the streams
// keep), -serving (ride_prediction), -shadow (SHADOW_STREAM_NAME if set,
// else ride_prediction_shadow), -events (ride_events, where the rides'
// durations come from; "" skips the RMSE and reading it), -out
// (build/shadowreport/report.md; the chart goes beside it, .png), -no-chart,
// -python (a python3 with matplotlib, /usr/bin/python3), -endpoint-url
// (the Kinesis endpoint; AWS_ENDPOINT_URL_KINESIS otherwise). The report is
// printed too.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/internal/shadowreport"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("shadowreport: ")
	defaultShadow := os.Getenv("SHADOW_STREAM_NAME")
	if defaultShadow == "" {
		defaultShadow = localstack.ShadowStream
	}
	serving := flag.String("serving", localstack.PredictionsStream, "the serving model's predictions stream")
	shadow := flag.String("shadow", defaultShadow, "the shadow's predictions stream (SHADOW_STREAM_NAME)")
	events := flag.String("events", localstack.RidesStream, `the ride events, for the rides' real durations ("": no RMSE)`)
	out := flag.String("out", "build/shadowreport/report.md", "the Markdown report to write; the chart goes beside it (.png)")
	noChart := flag.Bool("no-chart", false, "write no chart")
	python := flag.String("python", "/usr/bin/python3", "a python3 with matplotlib, for the chart")
	endpoint := flag.String("endpoint-url", "", "the Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS, or AWS)")
	sinceFlag := flag.String("since", "24h", "read from this long ago (a duration) or this RFC 3339 time; 0: from the start")
	flag.Parse()
	since, err := parseSince(*sinceFlag, time.Now())
	if flag.NArg() > 0 || *out == "" || err != nil {
		if err != nil {
			fmt.Fprintln(os.Stderr, "shadowreport: -since:", err)
		}
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := kinesalite.FromEnv(ctx, func(o *kinesis.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = aws.String(*endpoint)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	cmp, err := shadowreport.Read(ctx, shadowreport.Options{Since: since}, shadowreport.Source{Client: c, Stream: *serving}, shadowreport.Source{Client: c, Stream: *shadow},
		shadowreport.Source{Client: c, Stream: *events})
	if err != nil {
		log.Fatal(err)
	}
	if *noChart {
		*python = ""
	}
	md, err := cmp.Write(*out, *python)
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(md)
}

// parseSince is -since's time: now less a duration, an RFC 3339 time, or
// zero (read from the start) for "0".
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "0" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: a duration before now must be positive", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration (24h) nor an RFC 3339 time (2026-11-30T08:00:00Z)", s)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("%q is in the future", s)
	}
	return t, nil
}
