package handler

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// Config is the handler's settings; main reads them from the environment.
type Config struct {
	PredictionsStream string // PREDICTIONS_STREAM_NAME, default ride_prediction
	DLQStream         string // DLQ_STREAM_NAME, default ride_events_dlq
	TestRun           bool   // TEST_RUN=True: predict, write nothing, answer the predictions
	Retry             kinesisout.Retry
	Logger            *slog.Logger
}

// Handler is the Lambda function. It implements lambda.Handler and decodes
// the payload itself.
type Handler struct {
	out     kinesisout.Publisher
	cfg     Config
	version string // the model_version every prediction carries
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
	return &Handler{out: out, cfg: cfg, version: ModelVersion()}
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
