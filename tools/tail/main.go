// Command tail prints every record of a Kinesis stream (all shards) as one
// JSON line each: the original app's get-shard-iterator + get-records +
// base64 --decode | jq, in one command.
//
//	AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 AWS_REGION=us-east-1 go run ./tools/tail -follow
//
// Flags: -stream (ride_prediction), -from (TRIM_HORIZON or LATEST), -follow
// (keep reading new records until Ctrl-C).
package main

import (
	"bufio"
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/localkinesis"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("tail: ")
	stream := flag.String("stream", "ride_prediction", "stream to read")
	from := flag.String("from", "TRIM_HORIZON", "TRIM_HORIZON or LATEST")
	follow := flag.Bool("follow", false, "keep reading new records")
	flag.Parse()
	if *from != "TRIM_HORIZON" && *from != "LATEST" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := localkinesis.FromEnv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if !*follow {
		recs, err := localkinesis.ReadAll(ctx, c, *stream)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range recs {
			out.Write(append(r.Data, '\n'))
		}
		return
	}
	var mu sync.Mutex
	err = localkinesis.Follow(ctx, c, *stream, types.ShardIteratorType(*from), 200*time.Millisecond, func(r localkinesis.Record) {
		mu.Lock()
		defer mu.Unlock()
		out.Write(append(r.Data, '\n'))
		out.Flush()
	})
	if err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
