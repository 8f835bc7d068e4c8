package localstack

// Stream names, as in the original app and template.yaml: the stack
// creates them, and the tools default to them.
const (
	// RidesStream is where ride events come in (the mapping's source).
	RidesStream = "ride_events"
	// PredictionsStream gets the function's predictions
	// (PREDICTIONS_STREAM_NAME).
	PredictionsStream = "ride_prediction"
	// ShadowStream is where a stack with a shadow model (make shadow) has
	// the function write the shadow's predictions (SHADOW_STREAM_NAME),
	// tools/operate/shadowreport's default.
	ShadowStream = "ride_prediction_shadow"
	// DLQStream gets the function's dead letters (DLQ_STREAM_NAME).
	DLQStream = "ride_events_dlq"
	// FailuresStream is the mapping's on-failure destination: the metadata
	// of the batches it gave up on, which tools/operate/redrive replays.
	FailuresStream = "ride_events_failures"
)
