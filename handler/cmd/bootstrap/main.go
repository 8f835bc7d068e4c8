// Command bootstrap is the Lambda function (runtime provided.al2023): it
// wires the environment, one Kinesis client and the handler, then serves.
//
// Environment: PREDICTIONS_STREAM_NAME (default ride_prediction),
// DLQ_STREAM_NAME (default ride_events_dlq), TEST_RUN=True to write nothing,
// RUN_ID to insist on a model (start-up fails if the compiled one differs),
// and the AWS SDK's usual variables (AWS_REGION, AWS_ENDPOINT_URL_KINESIS, ...).
//
// For the end-to-end tests only: RIDEPRED_TEST_CRASH_RIDE_ID and
// RIDEPRED_TEST_CRASH_MARKER make the process exit in the middle of the
// batch holding that ride, once (the marker file records that it did).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler"
	"github.com/nyc-taxi/ridepred/handler/ride"
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
	h := handler.New(kinesis.NewFromConfig(awsCfg), handler.Config{
		PredictionsStream: os.Getenv("PREDICTIONS_STREAM_NAME"),
		DLQStream:         os.Getenv("DLQ_STREAM_NAME"),
		TestRun:           os.Getenv("TEST_RUN") == "True",
		Logger:            log,
		BeforePredict:     crashTrigger(os.Getenv("RIDEPRED_TEST_CRASH_RIDE_ID"), os.Getenv("RIDEPRED_TEST_CRASH_MARKER")),
	})
	log.Info("start", "model_version", handler.ModelVersion(), "test_run", os.Getenv("TEST_RUN") == "True")
	lambda.Start(h)
}

// crashTrigger exits the process the first time it sees the ride whose
// partition key is rideID, simulating a crash in the middle of a batch.
func crashTrigger(rideID, marker string) func(ride.Ride) {
	if rideID == "" || marker == "" {
		return nil
	}
	return func(r ride.Ride) {
		if r.PartitionKey() != rideID {
			return
		}
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return // crashed before
		}
		f.Close()
		os.Exit(86)
	}
}
