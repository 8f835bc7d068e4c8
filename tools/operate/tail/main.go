// Command tail prints every record of a Kinesis stream (all shards) as one
// JSON line each: the original app's get-shard-iterator + get-records +
// base64 --decode | jq, in one command.
//
// Against the local stack, in a shell with the variables `make up` prints
// (it picks free ports; AWS_ENDPOINT_URL_KINESIS and the rest):
//
//	go run ./tools/operate/tail -follow
//
// Flags: -stream (ride_prediction), -from (TRIM_HORIZON or LATEST), -follow
// (keep reading new records until Ctrl-C), -meta (wrap each record with its
// shard, sequence number and partition key).
//
// It reads until every shard is caught up, not until the first empty page
// (Kinesis may answer empty pages before it reaches records), and renews an
// expired iterator after the last record it printed.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("tail: ")
	stream := flag.String("stream", localstack.PredictionsStream, "stream to read")
	from := flag.String("from", "TRIM_HORIZON", "TRIM_HORIZON or LATEST")
	follow := flag.Bool("follow", false, "keep reading new records")
	meta := flag.Bool("meta", false, `print {"shard_id", "sequence_number", "partition_key", "data"} per record`)
	flag.Parse()
	if *from != "TRIM_HORIZON" && *from != "LATEST" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := kinesalite.FromEnv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if !*follow {
		recs, err := kinesalite.ReadAll(ctx, c, *stream)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range recs {
			out.Write(line(r, *meta))
		}
		return
	}
	var mu sync.Mutex
	err = kinesalite.Follow(ctx, c, *stream, types.ShardIteratorType(*from), 200*time.Millisecond, func(r kinesalite.Record) {
		mu.Lock()
		defer mu.Unlock()
		out.Write(line(r, *meta))
		out.Flush()
	})
	if err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// line is one output line: the record's data, or with meta the record with
// where it is in the stream (data as JSON when it is JSON, else a string).
func line(r kinesalite.Record, meta bool) []byte {
	if !meta {
		return append(r.Data, '\n')
	}
	data := json.RawMessage(r.Data)
	if !json.Valid(r.Data) {
		data, _ = json.Marshal(string(r.Data))
	}
	b, _ := json.Marshal(struct {
		ShardID        string          `json:"shard_id"`
		SequenceNumber string          `json:"sequence_number"`
		PartitionKey   string          `json:"partition_key"`
		Data           json.RawMessage `json:"data"`
	}{r.Shard, r.Seq, r.Key, data})
	return append(b, '\n')
}
