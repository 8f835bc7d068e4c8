package localstack

import (
	"fmt"
	"math"
	"os"

	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// startMetrics sets up the collector of the function's EMF documents,
// which also writes them to file, if one is named.
func (s *Stack) startMetrics(file string) error {
	s.Metrics = &emf.Collector{Next: s.logs}
	if file == "" {
		return nil
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	s.Metrics.File = f
	s.stop = append(s.stop, func() { f.Close() })
	return nil
}

// startEmulators starts the emulators running the function, and returns
// how the mapping invokes each.
func (s *Stack) startEmulators(cfg Config) ([]esm.Invoker, error) {
	n := cfg.Emulators
	if n <= 0 {
		n = min(esm.Concurrency(int(cfg.Shards), cfg.ESM.ParallelizationFactor), MaxEmulators)
	}
	env := s.functionEnv(cfg)
	var invokers []esm.Invoker
	for range n {
		e, err := proc.StartEmulator(cfg.RIE, []string{cfg.Bootstrap}, env, s.Metrics)
		if err != nil {
			return nil, err
		}
		s.stop = append(s.stop, e.Stop)
		s.Emulators = append(s.Emulators, e)
		var inv esm.Invoker = esm.HTTPInvoker{URL: e.URL}
		if cfg.Invoker != nil {
			inv = cfg.Invoker(inv)
		}
		invokers = append(invokers, inv)
	}
	return invokers, nil
}

// functionEnv is the function's environment: the output server's endpoint,
// dummy credentials, the stream names and the time-out.
func (s *Stack) functionEnv(cfg Config) []string {
	endpoint := s.Output.Endpoint
	if cfg.FunctionEndpoint != nil {
		endpoint = cfg.FunctionEndpoint(endpoint)
	}
	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + endpoint, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local", "PREDICTIONS_STREAM_NAME=" + PredictionsStream, "DLQ_STREAM_NAME=" + DLQStream}
	if cfg.ShadowStream != "" {
		env = append(env, "SHADOW_STREAM_NAME="+cfg.ShadowStream)
	}
	if t := cfg.ESM.FunctionTimeout; t > 0 {
		// One Timeout, as in Lambda: the emulator ends the function when
		// the mapping stops waiting for it (FunctionEnv may say otherwise).
		env = append(env, fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(math.Ceil(t.Seconds()))))
	}
	return append(env, cfg.FunctionEnv...)
}
