package handler

import (
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// direct answers a single ride event as the original app's first version
// did, writing nothing:
//
//	{"ride_duration": 18.3, "ride_id": 123}
func (h *Handler) direct(payload []byte) ([]byte, error) {
	r, err := ride.Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("invalid ride event: %w", err)
	}
	return jsonv2.Marshal(struct {
		RideDuration float64        `json:"ride_duration"`
		RideID       jsontext.Value `json:"ride_id"`
	}{generated.Predict(r.Features), jsontext.Value(r.ID)}, spaced)
}
