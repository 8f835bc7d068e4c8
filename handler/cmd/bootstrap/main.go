// Command bootstrap is the Lambda function (runtime provided.al2023): it
// wires the environment, one Kinesis client and the handler, then serves.
//
// Environment: PREDICTIONS_STREAM_NAME (default ride_prediction),
// DLQ_STREAM_NAME (default ride_events_dlq), each a stream's name or ARN
// (start-up fails on anything else), TEST_RUN=True to write nothing,
// RUN_ID to insist on a model (start-up fails if the compiled one differs),
// and the AWS SDK's usual variables (AWS_REGION, AWS_ENDPOINT_URL_KINESIS, ...).
//
// The handler's retry loop is the only one: the SDK's own retries are off,
// so that every PutRecords call ends by the deadline the handler gives it.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := handler.CheckRunID(os.Getenv("RUN_ID")); err != nil {
		log.Error("start-up refused", "error", err.Error())
		os.Exit(1)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	client := kinesis.NewFromConfig(awsCfg, func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} })
	cfg := handler.Config{
		PredictionsStream: os.Getenv("PREDICTIONS_STREAM_NAME"),
		DLQStream:         os.Getenv("DLQ_STREAM_NAME"),
		TestRun:           os.Getenv("TEST_RUN") == "True",
		Logger:            log,
	}
	if err := cfg.Check(); err != nil {
		log.Error("start-up refused", "error", err.Error())
		os.Exit(1)
	}
	h := handler.New(publisher(client), cfg)
	log.Info("start", "model_version", handler.ModelVersion(), "test_run", os.Getenv("TEST_RUN") == "True")
	lambda.Start(h)
}
