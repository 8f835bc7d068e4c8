package handler

import (
	"fmt"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// direct answers a single ride event as the original app's first version
// did, writing nothing:
//
//	{"ride_duration": 18.3, "ride_id": 123}
//
// The ride id is written as the original's json.dumps writes it
// (ride.Ride.ID), which json v2 would refuse to write back if it held an
// unpaired surrogate.
func (h *Handler) direct(payload []byte) ([]byte, error) {
	r, err := ride.Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("invalid ride event: %w", err)
	}
	b := appendFloat([]byte(`{"ride_duration": `), generated.Predict(r.Features))
	b = append(append(append(b, `, "ride_id": `...), r.ID...), '}')
	return b, nil
}
