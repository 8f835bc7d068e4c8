package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// vCPUMemoryMB is the memory size at which Lambda gives a function one
// whole vCPU; below it, a share in proportion
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
const vCPUMemoryMB = 1769

// QuotaRow is the function's cost for one batch size at one memory size,
// under the CPU share Lambda gives that memory.
type QuotaRow struct {
	Runtime     string  `json:"runtime"` // go, or python (the original, model-export/baseline)
	MemoryMB    int     `json:"memory_mb"`
	CPUShare    float64 `json:"cpu_share"`
	Batch       int     `json:"batch"`
	Invocations int     `json:"invocations"`
	// WallMs is an invocation's round trip through the emulator, back to
	// back (what Lambda bills, but for real Kinesis's write latency, which
	// the local sink does not have); CPUMs the function process's CPU
	// time per invocation; HandlerMs the function's HandlerDuration (Go).
	WallMs    float64 `json:"wall_ms"`
	CPUMs     float64 `json:"cpu_ms"`
	HandlerMs float64 `json:"handler_ms,omitempty"`
	// ThrottledMs is how long per invocation the quota held it back.
	ThrottledMs float64 `json:"throttled_ms"`
}

// ColdStart is the first invocation of a new function process under a
// CPU share: the process's start, its init and a 1-ride answer; and the
// process's peak resident memory once it has run every batch.
type ColdStart struct {
	Runtime    string  `json:"runtime"`
	MemoryMB   int     `json:"memory_mb"`
	Ms         float64 `json:"ms"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

// quotaRuns runs the function under the emulator, in a cgroup that holds
// the emulator and the function to memory / 1,769 MB of one CPU, for each
// memory size: once from cold, then batch after batch of each size, back to
// back, as a function behind a busy shard runs. The function writes to a
// stand-in Kinesis that accepts every record at once, so the figures are
// the function's own. The original (model-export/baseline under the same
// emulator, TEST_RUN as make bench runs it: it writes nothing) runs the
// smallest batch only: it takes milliseconds a ride.
func quotaRuns(ctx context.Context, cfg config, rs []rides.Ride, logs io.Writer) ([]QuotaRow, []ColdStart, error) {
	q, err := newCPUQuota(fmt.Sprintf("ridepred-bench-stream-%d", os.Getpid()))
	if err != nil {
		return nil, nil, fmt.Errorf("CPU quota: %w", err)
	}
	defer q.remove()
	sink, err := startNopKinesis()
	if err != nil {
		return nil, nil, err
	}
	defer sink.Close()

	goEnv := []string{"AWS_ENDPOINT_URL_KINESIS=" + sink.url, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local", "GOMAXPROCS=1"}
	// No RUN_ID: the baseline unpickles MODEL_PATH with Debian's Python
	// (make bench measures its start through MLflow from S3).
	pyEnv := []string{"TEST_RUN=True", "AWS_REGION=us-east-1", "RUN_ID=", "MODEL_PATH=" + filepath.Join(cfg.build, "model", "model.pkl")}
	runtimes := []struct {
		name      string
		bootstrap []string
		env       []string
		batches   []int
		minMemory int
	}{
		{"go", []string{cfg.bootstrap}, goEnv, cfg.batches, 0},
		// The original's process peaks at 132 MiB (make bench): it does not
		// fit in 128 MB.
		{"python", []string{cfg.python, "model-export/baseline/runtime.py"}, pyEnv, cfg.batches[:1], 256},
	}
	if _, err := os.Stat(filepath.Join(cfg.build, "model", "model.pkl")); err != nil && cfg.python != "" {
		log.Printf("quota: no %s/model/model.pkl (make bench-stream makes it): the original is not measured", cfg.build)
		cfg.python = ""
	}
	if cfg.python == "" {
		runtimes = runtimes[:1]
	}
	var rows []QuotaRow
	var colds []ColdStart
	for _, rt := range runtimes {
		for _, mem := range cfg.memories {
			if mem < rt.minMemory {
				continue
			}
			share := float64(mem) / vCPUMemoryMB
			if err := q.set(share); err != nil {
				return nil, nil, err
			}
			log.Printf("quota: %s at %d MB (%.1f%% of a CPU)", rt.name, mem, 100*share)
			cold, got, err := quotaRun(ctx, q, cfg, rt.bootstrap, rt.env, rt.batches, rs, logs)
			if err != nil {
				return nil, nil, fmt.Errorf("%s at %d MB: %w", rt.name, mem, err)
			}
			cold.Runtime, cold.MemoryMB = rt.name, mem
			colds = append(colds, cold)
			for _, r := range got {
				r.Runtime, r.MemoryMB, r.CPUShare = rt.name, mem, share
				rows = append(rows, r)
			}
		}
	}
	return rows, colds, nil
}

// quotaRun starts one emulator in q and measures its cold start, then each
// batch size.
func quotaRun(ctx context.Context, q *cpuQuota, cfg config, bootstrap, env []string, batches []int, rs []rides.Ride, logs io.Writer) (cold ColdStart, rows []QuotaRow, err error) {
	metrics := &emf.Collector{Next: logs}
	e, err := proc.StartEmulator(cfg.rie, bootstrap, env, metrics)
	if err != nil {
		return cold, nil, err
	}
	defer e.Stop()
	// The emulator starts the function at the first invocation, as its
	// child, in the emulator's cgroup.
	if err := q.add(proc.GroupPids(e.Pid())...); err != nil {
		return cold, nil, err
	}
	start := time.Now()
	if err := invokeOK(ctx, e, kinesisEvent(rs[:1])); err != nil {
		return cold, nil, err
	}
	cold.Ms = ms(time.Since(start))
	for _, b := range batches {
		payload, b := fitPayload(rs[:b])
		if err := invokeOK(ctx, e, payload); err != nil { // the first of a size warms its buffers
			return cold, nil, err
		}
		cpu0, thr0, docs0 := proc.ChildrenCPU(e.Pid()), q.throttled(), metrics.Table()
		start := time.Now()
		// At least 3 invocations and at most 20; no more after 3 s.
		n := 0
		for ; n < 20 && (n < 3 || time.Since(start) < 3*time.Second); n++ {
			if err := invokeOK(ctx, e, payload); err != nil {
				return cold, nil, err
			}
		}
		wall := time.Since(start)
		cpu, thr := proc.ChildrenCPU(e.Pid())-cpu0, q.throttled()-thr0
		handler := since(docs0, metrics.Table(), "HandlerDuration")
		rows = append(rows, QuotaRow{Batch: b, Invocations: n, WallMs: ms(wall) / float64(n), CPUMs: cpu * 1e3 / float64(n),
			HandlerMs: sum(handler) / float64(max(1, len(handler))), ThrottledMs: ms(thr) / float64(n)})
	}
	cold.PeakRSSMiB = e.FunctionPeakRSS()
	return cold, rows, nil
}

// invokeOK invokes e and fails unless the function answered without error.
func invokeOK(ctx context.Context, e *proc.Emulator, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	status, body, err := e.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	var res struct {
		ErrorMessage      string `json:"errorMessage"`
		BatchItemFailures []any  `json:"batchItemFailures"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &res) != nil || res.ErrorMessage != "" || len(res.BatchItemFailures) > 0 {
		return fmt.Errorf("invoke: %d %.300s", status, body)
	}
	return nil
}

// maxPayload is Lambda's limit on a synchronous invocation's event
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
// the emulator cuts off what is longer.
const maxPayload = 6 << 20

// fitPayload is the event of the most leading rides of rs that fit in one
// invocation, as the mapping would cut it, and how many they are.
func fitPayload(rs []rides.Ride) ([]byte, int) {
	// The largest n whose event fits: sort.Search finds the first that
	// does not.
	n := sort.Search(len(rs)+1, func(n int) bool { return len(kinesisEvent(rs[:n])) > maxPayload }) - 1
	return kinesisEvent(rs[:n]), n
}

// kinesisEvent is the event Lambda's mapping would send for rs, read
// from the stream's first shard. Every record arrived at the same time,
// the AWS documentation's example's (1681552724.5), as in
// tools/measure/capacity's EventBytes: a timestamp's digits vary with the
// time, and the event's size must not (fitPayload, CAPACITY.md's largest
// batch).
func kinesisEvent(rs []rides.Ride) []byte {
	recs := make([]types.Record, len(rs))
	arrival := time.Unix(1681552724, 500e6)
	for i, r := range rs {
		recs[i] = types.Record{Data: r.Event, PartitionKey: aws.String(r.ID), ApproximateArrivalTimestamp: &arrival,
			SequenceNumber: aws.String(fmt.Sprintf("4963985421087004627883773062009474352417584859150%07d", i))}
	}
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/" + localstack.RidesStream
	b, _ := json.Marshal(esm.Event("us-east-1", arn, "shardId-000000000000", recs))
	return b
}

// nopKinesis answers every PutRecords call as written, at once: the
// function's output under the quota runs, so that no kinesalite's time
// counts in the function's.
type nopKinesis struct {
	url string
	srv *http.Server
}

func startNopKinesis() (*nopKinesis, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(answerPutRecords)}
	go srv.Serve(l)
	return &nopKinesis{url: "http://" + l.Addr().String(), srv: srv}, nil
}

func (n *nopKinesis) Close() error { return n.srv.Close() }

// answerPutRecords answers a PutRecords call (JSON 1.1, as the SDK sends
// it to Kinesis) with every entry written.
func answerPutRecords(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Records []json.RawMessage `json:"Records"`
	}
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		http.Error(w, `{"__type": "SerializationException"}`, http.StatusBadRequest)
		return
	}
	type entry struct{ SequenceNumber, ShardId string }
	out := struct {
		FailedRecordCount int
		Records           []entry
	}{Records: make([]entry, len(in.Records))}
	for i := range out.Records {
		out.Records[i] = entry{"1", "shardId-000000000000"}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
