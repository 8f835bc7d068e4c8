// Package stacktest starts the local stack for tests (the end-to-end suite
// in e2e/, tools/operate/redrive's) and holds what they share: real rides
// with sklearn's answers, and the mapping set up as template.yaml sets up
// the real one.
package stacktest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// Mapping is the event source mapping as template.yaml sets up the real
// one (bisect on error, ReportBatchItemFailures, an on-failure destination
// that gets batch metadata only), with short waits.
var Mapping = esm.Config{BatchSize: 200, Window: 20 * time.Millisecond, Bisect: true, MaxRetries: 10,
	Poll: 20 * time.Millisecond, RetryWait: 20 * time.Millisecond}

// Start runs the built bootstrap under the real emulator against
// kinesalite (proc.Binaries builds both if make test did not) until tb
// ends; cfg's zero RIE, Bootstrap, Shards (3) and ESM (Mapping) are filled
// in. The stack's logs are shown if tb fails. It skips tb under -short.
func Start(tb testing.TB, cfg localstack.Config) *localstack.Stack {
	tb.Helper()
	rie, bootstrap, err := proc.Binaries(tb)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.RIE = rie
	if cfg.Bootstrap == "" {
		cfg.Bootstrap = bootstrap
	}
	if cfg.Shards == 0 {
		cfg.Shards = 3
	}
	if cfg.ESM.BatchSize == 0 {
		cfg.ESM = Mapping
	}
	logs, err := os.Create(filepath.Join(tb.TempDir(), "stack.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ESM.Logger = slog.New(slog.NewTextHandler(logs, nil))
	s, err := localstack.Start(context.Background(), cfg, logs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Stop()
		logs.Close()
		if tb.Failed() {
			showLogs(tb, logs.Name())
		}
	})
	return s
}

// showLogs logs the end of the stack's logs and its first function error.
func showLogs(tb testing.TB, path string) {
	b, _ := os.ReadFile(path)
	tb.Logf("stack logs (last 4 KiB):\n%s", b[max(0, len(b)-4096):])
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "function error") {
			tb.Logf("first function error: %s", line)
			break
		}
	}
}

// GoldenRides are n real rides as ride events, with sklearn's answers.
func GoldenRides(tb testing.TB, n int) ([]rides.Ride, map[string]float64) {
	tb.Helper()
	all, err := golden.Rides()
	if err != nil {
		tb.Fatal(err)
	}
	want := map[string]float64{}
	var rs []rides.Ride
	for i := 0; len(rs) < n; i += len(all) / n {
		g := all[i]
		id := fmt.Sprintf("%s-%d", g.Month, g.Row)
		ev := golden.RideEvent(g.PULocationID, g.DOLocationID, g.TripDistance, id)
		rs = append(rs, rides.Ride{ID: id, Event: ev, Valid: true})
		want[id] = g.Prediction
	}
	return rs, want
}

// AWSEnv is this process's environment plus what points an AWS SDK
// client (a tool such as tools/operate/redrive) at s: its ride_events
// kinesalite, its first emulator as Lambda, dummy credentials.
func AWSEnv(tb testing.TB, s *localstack.Stack) []string {
	tb.Helper()
	u, err := url.Parse(s.Emulators[0].URL)
	if err != nil {
		tb.Fatal(err)
	}
	return append(os.Environ(), "AWS_ENDPOINT_URL_KINESIS="+s.Kinesis.Endpoint, "AWS_ENDPOINT_URL_LAMBDA="+u.Scheme+"://"+u.Host,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local")
}

// Eventually waits until cond holds, polling, and fails tb with the
// message that msg returns if it does not within timeout.
func Eventually(tb testing.TB, timeout time.Duration, cond func() bool, msg func() string) {
	tb.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal(msg())
		}
	}
}
