package fieldname

import "testing"

func TestGo(t *testing.T) {
	for in, want := range map[string]string{
		"trip_distance": "TripDistance", "PU_DO": "PUDO", "fare amount": "FareAmount", "2x": "F2x", "_": "F",
	} {
		if got := Go(in); got != want {
			t.Errorf("Go(%q) = %q, want %q", in, got, want)
		}
	}
}
