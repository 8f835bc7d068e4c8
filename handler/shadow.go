package handler

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// challenger is a shadow model: it scores the rides beside the serving
// model, and its predictions go to the shadow stream, never to the
// serving one.
type challenger struct {
	version string // the model_version of its records
	// predict scores the rides it accepts (another family may refuse what
	// the serving model takes): their indexes in rides, and its
	// predictions for them.
	predict func(rides []validRide) (scored []int, preds []float64)
}

// compiledShadow is the model make shadow compiled into generated/shadow,
// or nil when that package holds none.
func compiledShadow() *challenger {
	if !shadow.Shipped {
		return nil
	}
	return &challenger{version: ShadowVersion(), predict: predictCompiledShadow}
}

// ShadowVersion names the shadow model in its records as ModelVersion
// names the serving one, or is "" when no shadow is compiled in.
func ShadowVersion() string {
	if !shadow.Shipped {
		return ""
	}
	return modelVersion(shadow.RunID, shadow.ModelSHA256)
}

// predictCompiledShadow scores the rides whose features generated/shadow's
// own prepare_features made (ride.Parse ran it, on the same parsed ride),
// as one batch.
func predictCompiledShadow(rides []validRide) (scored []int, preds []float64) {
	features := make([]shadow.Features, 0, len(rides))
	scored = make([]int, 0, len(rides))
	for i := range rides {
		if rides[i].ShadowErr != nil {
			continue
		}
		features = append(features, rides[i].Shadow)
		scored = append(scored, i)
	}
	preds = make([]float64, len(features))
	shadow.PredictBatch(features, preds)
	return scored, preds
}

// shadowShare is the part of the time left, once the serving writes'
// margin is set aside, that the shadow's writes may take. They run beside
// the serving writes and end by then, well before the serving writes'
// deadline, so the invocation never waits past it for them.
const shadowShare = 4

// shadowBatch is what the shadow did with one batch: the comparison with
// the serving model on the rides both scored, and its writes.
type shadowBatch struct {
	scored          []int     // indexes in the batch's rides of those the shadow scored
	preds           []float64 // the shadow's predictions for them
	sumAbs, maxAbs  float64   // |shadow - serving|: sum and max
	over1Min        int       // rides whose two predictions differ by more than a minute
	servingSum, sum float64   // both models' predictions, summed
	written, failed int       // shadow records written, and not
	err             error     // why the first one that failed did
}

// scoreShadow predicts the rides with the challenger, if any, and compares
// its predictions with the serving model's (preds).
func (h *Handler) scoreShadow(rides []validRide, preds []float64) *shadowBatch {
	if h.challenger == nil {
		return nil
	}
	s := &shadowBatch{}
	s.scored, s.preds = h.challenger.predict(rides)
	for k, i := range s.scored {
		d := math.Abs(s.preds[k] - preds[i])
		s.sumAbs += d
		s.maxAbs = max(s.maxAbs, d)
		if d > 1 {
			s.over1Min++
		}
		s.servingSum += preds[i]
		s.sum += s.preds[k]
	}
	return s
}

// publishShadow starts writing the shadow's predictions to the shadow
// stream, in the same record shape as the serving ones (the source
// record's event id, the shadow's model_version), and returns a function
// that waits until it is done. The writes get a context of their own that
// ends after a share of the time left (shadowShare), and a failure is only
// counted and logged: it never fails a record nor makes a dead letter.
func (h *Handler) publishShadow(ctx context.Context, records []kinesisRecord, rides []validRide, s *shadowBatch) (wait func()) {
	if s == nil || h.cfg.ShadowStream == "" || len(s.scored) == 0 {
		return func() {}
	}
	scored := make([]validRide, len(s.scored))
	for k, i := range s.scored {
		scored[k] = rides[i]
	}
	out := h.encodeRecords(records, scored, s.preds, h.challenger.version)
	sctx, cancel := shadowContext(ctx, h.cfg.Retry.Margin)
	retry := h.cfg.Retry
	retry.Margin = 0 // sctx's deadline is the shadow's margin already
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		failed, _ := kinesisout.Publish(sctx, h.out, h.cfg.ShadowStream, out, retry)
		s.written, s.failed = len(out)-len(failed), len(failed)
		if len(failed) > 0 {
			s.err = failed[0].Err
		}
	}()
	return func() { <-done }
}

// shadowContext is ctx cut to the shadow's share of the time left before
// its deadline less margin; without a deadline, ctx's own.
func shadowContext(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, max(0, time.Until(deadline)-margin)/shadowShare)
}

// logShadow writes the batch's shadow line: the shadow's version, the
// comparison and its writes; a warning when some were not written.
func (h *Handler) logShadow(ctx context.Context, s *shadowBatch) {
	if s == nil {
		return
	}
	level, msg := slog.LevelInfo, "shadow"
	attrs := []any{"shadow_version", h.challenger.version, "stream", h.cfg.ShadowStream, "rides", len(s.scored),
		"written", s.written, "write_failures", s.failed}
	if n := float64(len(s.scored)); n > 0 {
		attrs = append(attrs, "mean_abs_diff", s.sumAbs/n, "max_abs_diff", s.maxAbs, "share_over_1min", float64(s.over1Min)/n,
			"serving_mean", s.servingSum/n, "shadow_mean", s.sum/n)
	}
	if s.err != nil {
		level, msg = slog.LevelWarn, "shadow records not written"
		attrs = append(attrs, "error", s.err.Error())
	}
	h.cfg.Logger.Log(ctx, level, msg, attrs...)
}
