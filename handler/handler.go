package handler

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// Config is the handler's settings; main reads them from the environment.
type Config struct {
	PredictionsStream string // PREDICTIONS_STREAM_NAME, default ride_prediction
	DLQStream         string // DLQ_STREAM_NAME, default ride_events_dlq
	// ShadowStream (SHADOW_STREAM_NAME, optional) gets the shadow model's
	// predictions, when one is compiled in (shadow.go); empty: none are
	// written, and the comparison is still measured.
	ShadowStream string
	TestRun      bool // TEST_RUN=True: predict, write nothing, answer the predictions
	Retry        kinesisout.Retry
	Logger       *slog.Logger
	// Metrics, if set, gets one CloudWatch EMF document per invocation
	// (metrics.go); main sets stdout.
	Metrics         io.Writer
	Namespace       string // POWERTOOLS_METRICS_NAMESPACE, default RidePrediction
	Service         string // POWERTOOLS_SERVICE_NAME, default ride-duration-prediction
	FunctionVersion string // AWS_LAMBDA_FUNCTION_VERSION, for the metrics and the logs
}

// Check tells whether the settings can work: each stream a name or ARN
// Kinesis takes (an empty one is the default). Kinesis would refuse every
// call to any other, so main refuses to start with it.
func (c Config) Check() error {
	for _, s := range []struct{ env, stream string }{{"PREDICTIONS_STREAM_NAME", c.PredictionsStream}, {"DLQ_STREAM_NAME", c.DLQStream},
		{"SHADOW_STREAM_NAME", c.ShadowStream}} {
		if s.stream == "" {
			continue
		}
		if err := kinesisout.CheckStream(s.stream); err != nil {
			return fmt.Errorf("%s: %w", s.env, err)
		}
	}
	return nil
}

// Handler is the Lambda function. It implements lambda.Handler and decodes
// the payload itself.
type Handler struct {
	out        kinesisout.Publisher
	cfg        Config
	version    string      // the model_version every prediction carries
	challenger *challenger // the shadow model, or nil
}

var _ lambda.Handler = (*Handler)(nil)

// New returns a handler that writes through out.
func New(out kinesisout.Publisher, cfg Config) *Handler {
	if cfg.PredictionsStream == "" {
		cfg.PredictionsStream = "ride_prediction"
	}
	if cfg.DLQStream == "" {
		cfg.DLQStream = "ride_events_dlq"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Retry == (kinesisout.Retry{}) {
		cfg.Retry = kinesisout.DefaultRetry
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "RidePrediction"
	}
	if cfg.Service == "" {
		cfg.Service = "ride-duration-prediction"
	}
	return &Handler{out: out, cfg: cfg, version: ModelVersion(), challenger: compiledShadow()}
}

// Invoke handles one invocation: a Kinesis event goes through the batch
// flow (batch.go), one ride event is answered directly (direct.go).
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	records, direct, err := decodeEvent(payload)
	switch {
	case err != nil:
		return nil, err
	case direct:
		return h.direct(payload)
	}
	return encodeResponse(h.batch(ctx, records))
}
