// Command capacity prints CAPACITY.md's tables: shards, the mapping's
// concurrency, batch size and window against latency, memory size against
// duration, and the cost per million rides at 100, 1,000 and 10,000 rides
// a second, for this function and for the original Python app (one
// PutRecord per ride). It computes them from three kinds of input, each
// named in its output:
//
//   - what make bench-stream measured (-measured, tools/measure/benchstream/stream.json):
//     the function's duration per batch at each memory size's CPU share,
//     the original's per ride, both cold starts, the records' sizes;
//   - AWS's published limits and us-east-1 prices (flags; the defaults
//     and the pages they were read from are in limits.go);
//   - assumptions nothing here can measure (flags): a PutRecords round
//     trip to Kinesis, how often a caught-up shard is read, how busy a lane
//     may be planned.
//
// The mapping's settings start from template.yaml's defaults (BatchSize,
// MaximumBatchingWindowInSeconds, MemorySize, RideEventsRetentionHours).
//
//	go run ./tools/measure/capacity                    # print the tables
//	go run ./tools/measure/capacity -update CAPACITY.md  # and rewrite them there
//
// -update replaces what lies between the lines <!-- begin: capacity -->
// and <!-- end --> (tools/internal/docsection); a test fails when
// CAPACITY.md's tables are not what this prints from the committed
// stream.json.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"

	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
)

type options struct {
	measured, template, update string
	rates                      []float64
	prices                     Prices
	assume                     Assumptions
	pricesRead                 string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("capacity: ")
	o := options{prices: USEast1, assume: DefaultAssumptions}
	flag.StringVar(&o.measured, "measured", "tools/measure/benchstream/stream.json", "make bench-stream's report")
	flag.StringVar(&o.template, "template", "template.yaml", "the SAM template whose defaults the plans start from")
	flag.StringVar(&o.update, "update", "", "also rewrite the tables in this document (CAPACITY.md)")
	rates := flag.String("rates", "100,1000,10000", "rides per second to plan for")
	flag.Float64Var(&o.prices.ShardHour, "shard-hour", o.prices.ShardHour, "$ per provisioned shard-hour")
	flag.Float64Var(&o.prices.RetentionShardHour, "retention-shard-hour", o.prices.RetentionShardHour, "$ per shard-hour of extended retention")
	flag.Float64Var(&o.prices.PUTUnitsPerMillion, "put-units", o.prices.PUTUnitsPerMillion, "$ per million PUT payload units")
	flag.Float64Var(&o.prices.RequestsPerMillion, "requests", o.prices.RequestsPerMillion, "$ per million Lambda requests")
	flag.Float64Var(&o.prices.GBSecond, "gb-second", o.prices.GBSecond, "$ per Lambda GB-second (x86_64)")
	flag.Float64Var(&o.prices.GBSecondArm64, "gb-second-arm64", o.prices.GBSecondArm64, "$ per Lambda GB-second (arm64)")
	flag.StringVar(&o.pricesRead, "prices-read", PricesRead, "when the prices were read")
	flag.Float64Var(&o.assume.PutLatencyMs, "put-latency-ms", o.assume.PutLatencyMs, "assumed PutRecords round trip to Kinesis")
	flag.Float64Var(&o.assume.PollSeconds, "poll-seconds", o.assume.PollSeconds, "assumed wait before a caught-up shard is read again")
	flag.Float64Var(&o.assume.Headroom, "headroom", o.assume.Headroom, "the busiest a lane is planned")
	flag.Parse()
	for _, f := range strings.Split(*rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			fmt.Fprintf(os.Stderr, "-rates: %q is not a list of positive numbers\n", *rates)
			os.Exit(2)
		}
		o.rates = append(o.rates, r)
	}
	md, err := render(o)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(md)
	if o.update != "" {
		if err := docsection.Update(o.update, docSection, md); err != nil {
			log.Fatal(err)
		}
	}
}

// docSection is CAPACITY.md's section that -update rewrites.
const docSection = "capacity"

// render reads the inputs and writes every table.
func render(o options) (string, error) {
	m, err := readMeasured(o.measured)
	if err != nil {
		return "", err
	}
	d, err := readDefaults(o.template)
	if err != nil {
		return "", err
	}
	t := &tables{m: m, d: d, o: o, p: Planner{Limits: AWSLimits, Prices: o.prices, Assumptions: o.assume}}
	return t.all()
}
