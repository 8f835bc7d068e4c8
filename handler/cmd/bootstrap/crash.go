//go:build e2ecrash

// Built only with -tags e2ecrash, for tools/demo's TestFunctionCrashMidBatch:
// RIDEPRED_TEST_CRASH_RIDE_ID and RIDEPRED_TEST_CRASH_MARKER make the
// process exit in the middle of the batch holding that ride, once (the
// marker file records that it did). The shipped binary has no such hook.

package main

import (
	"os"

	"github.com/nyc-taxi/ridepred/handler/ride"
)

func init() {
	beforePredict = crashTrigger(os.Getenv("RIDEPRED_TEST_CRASH_RIDE_ID"), os.Getenv("RIDEPRED_TEST_CRASH_MARKER"))
}

// crashTrigger exits the process the first time it sees the ride whose
// partition key is rideID, simulating a crash in the middle of a batch.
func crashTrigger(rideID, marker string) func(ride.Ride) {
	if rideID == "" || marker == "" {
		return nil
	}
	return func(r ride.Ride) {
		if r.IDText() != rideID {
			return
		}
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return // crashed before
		}
		f.Close()
		os.Exit(86)
	}
}
