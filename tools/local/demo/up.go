package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"

	"github.com/nyc-taxi/ridepred/localstack"
)

// serve is make up: the stack with every stream on one kinesalite, one
// shard each but ride_events (-shards, 1 by default, as the original's CLI
// workflow expects), until ctx ends.
func serve(ctx context.Context, o options) error {
	var logs io.Writer = io.Discard
	if o.verbose {
		logs = os.Stderr
	}
	mapping, err := o.mapping()
	if err != nil {
		return err
	}
	s, err := localstack.Start(ctx, localstack.Config{RIE: o.rie, Bootstrap: o.bootstrap, Emulators: o.emulators, Shards: o.shards, OneServer: true, ESM: mapping,
		MetricsFile: o.metricsFile, ShadowStream: o.shadowStream}, logs)
	if err != nil {
		return err
	}
	defer s.Stop()
	u, err := url.Parse(s.Emulators[0].URL)
	if err != nil {
		return err
	}
	fmt.Printf(upHelp, s.Kinesis.Endpoint, u.Scheme+"://"+u.Host, o.metricsFile, o.shards, o.parallelization, len(s.Emulators))
	if o.shadowStream != "" {
		fmt.Printf(upShadowHelp, o.shadowStream)
	}
	if o.mlflowPython != "" {
		m, stop, err := startMLflow(o.mlflowPython, logs)
		if err != nil {
			return fmt.Errorf("MLflow: %w", err)
		}
		defer stop()
		printMLflowHelp(os.Stdout, m, o.mlflowPython)
	}
	<-ctx.Done()
	log.Print("stopping everything make up started")
	return nil
}

const upHelp = `The local stack is up: kinesalite with ride_events (%[4]d shards),
ride_prediction, ride_events_dlq and ride_events_failures (one shard each),
the function under the Lambda emulator (%[6]d emulators), and the event source
mapping (parallelization factor %[5]d). In another shell:

export AWS_ENDPOINT_URL=%[1]s AWS_ENDPOINT_URL_KINESIS=%[1]s AWS_ENDPOINT_URL_LAMBDA=%[2]s
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_DEFAULT_OUTPUT=text

then the original's commands with AWS CLI v2 (/usr/bin/aws; 2.9 needs --endpoint-url),
as in docs/local.md, "The original's workflow, against make up":

/usr/bin/aws kinesis put-record --endpoint-url "$AWS_ENDPOINT_URL" --stream-name ride_events \
  --partition-key 1 --cli-binary-format raw-in-base64-out \
  --data '{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}'
go run ./tools/operate/tail -stream ride_prediction

and the function's metrics so far, as CloudWatch would show them:

go run ./tools/operate/metrics -file %[3]s

Ctrl-C stops everything.
`

const upShadowHelp = `
A shadow model is compiled in (make shadow): the function writes its
predictions to %[1]s as well (SHADOW_STREAM_NAME). After some rides
(go run ./tools/local/replay -n 5000), compare it with the serving model:

export SHADOW_STREAM_NAME=%[1]s
go run ./tools/operate/shadowreport
`
