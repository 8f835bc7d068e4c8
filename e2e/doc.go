// Package e2e is the system's end-to-end suite: ride events put on
// kinesalite, the built Lambda binary (build/bootstrap) under the real
// Runtime Interface Emulator, the local event source mapping in between
// (localstack), and every ride's outcome read back from the output
// streams. It covers parity with sklearn through the whole pipeline, the
// failure classes of "nothing lost" (poison records, throttled and
// refused output, a function that crashes or hangs mid-batch, the
// mapping's time-out, non-Kinesis events), KPL aggregates and hostile
// ones, keys kept in order across shards and parallel batches, a missing
// or misnamed stream, the shadow model through make shadow, the
// original's CLI workflow against make up, and the arm64 build.
//
// It has no code of its own, only tests; the stack they start is
// localstack's, through localstack/stacktest. Run it with
//
//	make package rie kinesalite
//	go test ./e2e
//
// which takes a few minutes (go test builds the binaries itself if make
// has not). go test -short skips it: every test starts servers.
package e2e
