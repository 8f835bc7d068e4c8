package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestAstralRideIDs: ride ids of 200 emoji are 400 UTF-16 units, more than
// a partition key holds; they are written (keyed by the source record's
// partition key) and do not poison the valid rides in their call.
func TestAstralRideIDs(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{Shards: 1, ESM: stacktest.Mapping})
	valid, want := stacktest.GoldenRides(t, 300)
	var rs []rides.Ride
	astral := map[string]string{} // partition key -> ride id
	for i, r := range valid {
		rs = append(rs, r)
		if i%50 == 0 {
			key := fmt.Sprintf("astral-%d", i)
			astral[key] = fmt.Sprintf("%d-%s", i, strings.Repeat("😀", 200))
			rs = append(rs, rides.Ride{ID: key, Valid: true,
				Event: fmt.Appendf(nil, `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": %q}`, astral[key])})
		}
	}
	send(t, s, rs)
	for key, id := range astral {
		outs := s.Out.Get(key)
		var p struct {
			RideID string `json:"ride_id"`
		}
		if len(outs) == 0 || outs[0].Stream != localstack.PredictionsStream {
			t.Fatalf("ride %s: outputs %v, want a prediction", key, outs)
		}
		if err := json.Unmarshal(outs[0].Data, &p); err != nil || p.RideID != id {
			t.Fatalf("ride %s: prediction %s (%v), want ride_id %q", key, outs[0].Data, err, id)
		}
		delete(want, key)
	}
	checkPredictions(t, s, want)
	if n := s.Mapping.Stats.SkippedBatches.Load(); n != 0 {
		t.Errorf("%d batches given up on", n)
	}
}

// TestOneMiBInvalidRecord: an invalid record at Kinesis's 1 MiB limit is
// dead-lettered (cut, with its size and sha256) and does not block its shard.
func TestOneMiBInvalidRecord(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{Shards: 1, ESM: stacktest.Mapping})
	valid, want := stacktest.GoldenRides(t, 100)
	huge := rides.Ride{ID: "huge", Event: bytes.Repeat([]byte("x"), 1<<20-len("huge"))}
	rs := append(append(append([]rides.Ride{}, valid[:50]...), huge), valid[50:]...)
	send(t, s, rs)
	checkPredictions(t, s, want)
	outs := s.Out.Get("huge")
	var dl struct {
		Size      int    `json:"data_size"`
		Truncated bool   `json:"data_truncated"`
		SHA256    string `json:"data_sha256"`
		Error     string `json:"error"`
	}
	if len(outs) == 0 || outs[0].Stream != localstack.DLQStream {
		t.Fatalf("huge record: outputs %v, want a dead letter", outs)
	}
	if err := json.Unmarshal(outs[0].Data, &dl); err != nil {
		t.Fatalf("huge record's dead letter: %v", err)
	}
	if dl.Size != len(huge.Event) {
		t.Errorf("dead letter's data_size %d, want the record's %d", dl.Size, len(huge.Event))
	}
	if !dl.Truncated {
		t.Error("dead letter's data is not marked truncated")
	}
	if dl.SHA256 == "" {
		t.Error("dead letter has no data_sha256")
	}
	if n := s.Mapping.Stats.SkippedBatches.Load(); n != 0 {
		t.Errorf("%d batches given up on", n)
	}
}

// TestHungPutRecordsAtTheDeadline: while PutRecords hangs, the function cuts
// each call off before its deadline and answers in time, reporting the rides
// for a retry (no function time-outs); once Kinesis answers, every ride is
// predicted.
func TestHungPutRecordsAtTheDeadline(t *testing.T) {
	s, proxy := startHungStack(t, 10*time.Second, 3)
	rs, want := stacktest.GoldenRides(t, 200)
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, 30*time.Second, func() bool { return s.Mapping.Stats.PartialFailures.Load() > 0 },
		func() string { return "no invocation answered while PutRecords hung" })
	proxy.hang.Store(false)
	ids := rides.IDs(rs)
	if !s.Out.WaitFor(context.Background(), ids, 60*time.Second) {
		t.Fatalf("only %d of %d rides predicted after the hang", s.Out.Accounted(ids), len(ids))
	}
	checkPredictions(t, s, want)
	if !proxy.hung.Load() {
		t.Fatal("no PutRecords call hung")
	}
	if n := s.Mapping.Stats.FunctionErrors.Load(); n != 0 {
		t.Errorf("%d function errors (time-outs): the function ran past its deadline", n)
	}
}

// TestMappingTimeoutWaitsForTheFunction: the mapping's deadline (1 s)
// passes while the function, whose own time-out is 4 s, waits on a hung
// PutRecords. That is a function error, but the mapping must not invoke the
// emulator again until the first invocation ends: the emulator serves one
// invocation at a time and crashes on a second. Once PutRecords answers,
// every ride is predicted.
func TestMappingTimeoutWaitsForTheFunction(t *testing.T) {
	s, proxy := startHungStack(t, time.Second, 4)
	rs, want := stacktest.GoldenRides(t, 100)
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	// Two time-outs: the retry of the first batch has been sent too.
	stacktest.Eventually(t, 30*time.Second, func() bool { return s.Mapping.Stats.FunctionErrors.Load() >= 2 }, func() string {
		return fmt.Sprintf("%d function errors, want the mapping to time out twice", s.Mapping.Stats.FunctionErrors.Load())
	})
	proxy.hang.Store(false)
	ids := rides.IDs(rs)
	if !s.Out.WaitFor(context.Background(), ids, 60*time.Second) {
		t.Fatalf("only %d of %d rides predicted after the hang (did the emulator crash?)", s.Out.Accounted(ids), len(ids))
	}
	checkPredictions(t, s, want)
}

// startHungStack is a one-shard stack whose function writes through a proxy
// that holds every PutRecords call while proxy.hang is set, as it is at the
// start; the mapping gives up on an invocation after mappingTimeout, the
// function times out after functionTimeout seconds.
func startHungStack(t *testing.T, mappingTimeout time.Duration, functionTimeout int) (*localstack.Stack, *faultProxy) {
	var proxy *faultProxy
	cfg := stacktest.Mapping
	cfg.FunctionTimeout = mappingTimeout
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1, ESM: cfg, FunctionEnv: []string{fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", functionTimeout)},
		FunctionEndpoint: func(k string) string {
			p, srv := startProxy(k, 0, 0)
			t.Cleanup(srv.Close)
			proxy = p
			return srv.URL
		}})
	proxy.hang.Store(true)
	return s, proxy
}

// TestNonKinesisRecordsFail: an SQS event sent to the function fails the
// invocation (so that SQS keeps the messages) instead of being dead-lettered
// without a sequence number.
func TestNonKinesisRecordsFail(t *testing.T) {
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, body, err := s.Emulators[0].Invoke(ctx, []byte(`{"Records": [{"messageId": "1", "eventSource": "aws:sqs", "body": "{}"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "Kinesis events only") || !strings.Contains(string(body), "errorMessage") {
		t.Fatalf("SQS event answered %d %s", status, body)
	}
	if n := s.Out.Count(localstack.DLQStream); n != 0 {
		t.Errorf("%d dead letters written for a non-Kinesis event", n)
	}
}

// TestOriginalCLIWorkflow runs docs/local.md's copy of the original's AWS CLI
// commands (v2, with the endpoint added) against the stack make up starts,
// and checks that the prediction they decode is sklearn's.
func TestOriginalCLIWorkflow(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("AWS CLI v2 (/usr/bin/aws) is missing: make deps installs it")
	}
	s := stacktest.Start(t, localstack.Config{Shards: 1, Emulators: 1, OneServer: true})
	readme, err := os.ReadFile("../docs/local.md")
	if err != nil {
		t.Fatal(err)
	}
	block := func(name string) string {
		_, rest, ok := strings.Cut(string(readme), "<!-- cli-workflow:"+name+" -->\n```sh\n")
		code, _, ok2 := strings.Cut(rest, "```")
		if !ok || !ok2 {
			t.Fatalf("docs/local.md has no cli-workflow:%s block", name)
		}
		return code
	}
	shell := func(code string) string {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", code)
		cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+s.Kinesis.Endpoint, "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_OUTPUT=text")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s\n%s", err, code, out)
		}
		return string(out)
	}
	shell(block("put"))
	stacktest.Eventually(t, 30*time.Second, func() bool { return s.Out.Count(localstack.PredictionsStream) > 0 },
		func() string { return "no prediction after the original's put-record" })
	out := shell(block("get"))
	var p struct {
		RideID     int     `json:"ride_id"`
		Prediction float64 `json:"prediction"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("the workflow printed %q: %v", out, err)
	}
	want, err := golden.OriginalPrediction()
	if err != nil {
		t.Fatal(err)
	}
	if p.RideID != 123 || p.Prediction != want {
		t.Fatalf("the workflow decoded %+v; want ride 123 and sklearn's %v", p, want)
	}
}
