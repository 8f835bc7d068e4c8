package rides

import (
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/handler/ride"
)

// TestPoisonReasons: every poison record is refused for the reason it
// states, which the demo's dead letters are checked against.
func TestPoisonReasons(t *testing.T) {
	for _, p := range Poison(12) {
		if _, err := ride.Parse(p.Event); err == nil || !strings.Contains(err.Error(), p.Reason) {
			t.Errorf("%s: ride.Parse(%s) = %v, want an error containing %q", p.ID, p.Event, err, p.Reason)
		}
	}
}
