package handler

import (
	"cmp"
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
// call to any other, so main refuses to start with it. The shadow stream
// must also differ from the prediction and dead-letter streams, by name
// whether given as a name or an ARN: the shadow's prediction carries the
// serving one's event_id, so a consumer that drops repeats by event_id
// would keep whichever came first, the shadow's as often as not.
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
	if c.ShadowStream == "" {
		return nil
	}
	shadow := streamName(c.ShadowStream, "")
	for _, s := range []struct{ env, stream, def string }{{"PREDICTIONS_STREAM_NAME", c.PredictionsStream, defaultPredictionsStream},
		{"DLQ_STREAM_NAME", c.DLQStream, defaultDLQStream}} {
		if streamName(s.stream, s.def) == shadow {
			return fmt.Errorf("SHADOW_STREAM_NAME: %q is the stream of %s (%q): the shadow's predictions need a stream of their own",
				c.ShadowStream, s.env, cmp.Or(s.stream, s.def))
		}
	}
	return nil
}

// The streams a Config's empty settings stand for.
const (
	defaultPredictionsStream = "ride_prediction"
	defaultDLQStream         = "ride_events_dlq"
)

// streamName is the stream's name, out of its ARN if it is one, or def if
// s is empty.
func streamName(s, def string) string {
	name, _ := kinesisout.StreamParams(cmp.Or(s, def))
	return *name
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
	cfg.PredictionsStream = cmp.Or(cfg.PredictionsStream, defaultPredictionsStream)
	cfg.DLQStream = cmp.Or(cfg.DLQStream, defaultDLQStream)
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
