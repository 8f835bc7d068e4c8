// Command bootstrap is the Lambda function (runtime provided.al2023): it
// wires the environment, one Kinesis client and the handler, then serves.
//
// Environment: PREDICTIONS_STREAM_NAME (default ride_prediction),
// DLQ_STREAM_NAME (default ride_events_dlq), SHADOW_STREAM_NAME (optional:
// the shadow model's predictions, when make shadow compiled one in; set
// without one, it is ignored with a warning, so that a stack still
// configured for a shadow keeps serving after make promote or shadow-off),
// each a stream's name or ARN (start-up fails on anything else, and on a
// shadow stream that is the prediction or DLQ stream), TEST_RUN=True to write nothing,
// RUN_ID to insist on a model (start-up fails if the compiled one differs),
// POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME for the metrics
// (one CloudWatch EMF document per invocation on stdout), Lambda's
// AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL for the logs, and the AWS
// SDK's usual variables (AWS_REGION, AWS_ENDPOINT_URL_KINESIS, ...).
//
// The handler's retry loop is the only one: the SDK's own retries are off,
// so that every PutRecords call ends by the deadline the handler gives it.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler"
)

func main() {
	// Lambda's own log format: AWS_LAMBDA_LOG_FORMAT (JSON or TEXT) and
	// AWS_LAMBDA_LOG_LEVEL, the request id on every line logged in an
	// invocation, and here the model and function versions on every line.
	log := slog.New(lambdacontext.NewLogHandler()).With("model_version", handler.ModelVersion(),
		"function_version", os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"))
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
		ShadowStream:      os.Getenv("SHADOW_STREAM_NAME"),
		TestRun:           os.Getenv("TEST_RUN") == "True",
		Logger:            log,
		Metrics:           os.Stdout,
		Namespace:         os.Getenv("POWERTOOLS_METRICS_NAMESPACE"),
		Service:           os.Getenv("POWERTOOLS_SERVICE_NAME"),
		FunctionVersion:   os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
	}
	if err := cfg.Check(); err != nil {
		log.Error("start-up refused", "error", err.Error())
		os.Exit(1)
	}
	if cfg.ShadowStream != "" && handler.ShadowVersion() == "" {
		log.Warn("SHADOW_STREAM_NAME is set, but no shadow model is compiled in: nothing goes to it (make shadow MODEL=PATH ships one)",
			"shadow_stream", cfg.ShadowStream)
	}
	h := handler.New(publisher(client), cfg)
	log.Info("start", "model_version", handler.ModelVersion(), "shadow_version", handler.ShadowVersion(), "test_run", os.Getenv("TEST_RUN") == "True")
	lambda.Start(h)
}
