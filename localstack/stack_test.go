package localstack_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestLaterMapping: a stack started with LaterMapping leaves the rides on
// ride_events until StartMapping; then every ride is predicted, the
// function's metrics count them, and Stop leaves none of its processes
// running.
func TestLaterMapping(t *testing.T) {
	rie, bootstrap, err := proc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	var logs proc.Logs
	s, err := localstack.Start(context.Background(), localstack.Config{RIE: rie, Bootstrap: bootstrap, Shards: 2,
		LaterMapping: true, ESM: stacktest.Mapping}, &logs)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	if len(s.Emulators) != 2 {
		t.Errorf("%d emulators, want one per shard (parallelization factor 1)", len(s.Emulators))
	}
	rs, _ := stacktest.GoldenRides(t, 200)
	if err := rides.Put(context.Background(), s.Client, localstack.RidesStream, rs, 0, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // ten of the mapping's polls, had it started
	if n := s.Mapping.Stats.Invocations.Load(); n != 0 || s.Out.Accounted(rides.IDs(rs)) != 0 {
		t.Fatalf("before StartMapping: %d invocations, %d rides with an outcome; want none", n, s.Out.Accounted(rides.IDs(rs)))
	}
	s.StartMapping()
	if !s.Out.WaitFor(context.Background(), rides.IDs(rs), 60*time.Second) {
		t.Fatalf("%d of %d rides have an outcome\n%s", s.Out.Accounted(rides.IDs(rs)), len(rs), logs.String())
	}
	if got := s.Out.Count(localstack.PredictionsStream); got < len(rs) {
		t.Errorf("%d predictions, want %d", got, len(rs))
	}
	if got := s.MetricsAfter(len(rs)).Sum("Predictions"); got < float64(len(rs)) {
		t.Errorf("the function's metrics count %v predictions, want %d", got, len(rs))
	}
	pids := []int{s.Kinesis.Pid(), s.Output.Pid()}
	for _, e := range s.Emulators {
		pids = append(pids, e.Pid())
	}
	s.Stop()
	stopped = true
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d still runs after Stop", pid)
		}
	}
}
