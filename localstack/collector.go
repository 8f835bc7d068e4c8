package localstack

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// Output is one record on an output stream.
type Output struct {
	Stream  string
	Data    []byte
	Arrival time.Time
}

// Collector keeps every output record by partition key (the ride id).
type Collector struct {
	mu     sync.Mutex
	byKey  map[string][]Output
	count  map[string]int // records per stream
	shadow string         // the shadow stream, whose records are no ride's outcome
}

func newCollector(shadow string) *Collector {
	return &Collector{byKey: map[string][]Output{}, count: map[string]int{}, shadow: shadow}
}

// startCollector follows the output streams and the on-failure stream
// from their start until Stop.
func (s *Stack) startCollector(shadow string) {
	s.Out = newCollector(shadow)
	outputs := map[string]*kinesis.Client{PredictionsStream: s.OutClient, DLQStream: s.OutClient, FailuresStream: s.Client}
	if shadow != "" {
		outputs[shadow] = s.OutClient
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for name, c := range outputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kinesalite.Follow(ctx, c, name, types.ShardIteratorTypeTrimHorizon, 20*time.Millisecond,
				func(r kinesalite.Record) { s.Out.add(name, r) })
		}()
	}
	s.stop = append(s.stop, func() { cancel(); wg.Wait() })
}

func (c *Collector) add(stream string, r kinesalite.Record) {
	key := r.Key
	if stream != PredictionsStream && !isPrediction(r.Data) {
		// Dead letters carry the input's partition key inside; on-failure
		// messages carry only batch metadata, kept under the shard id.
		var v struct {
			PartitionKey string `json:"partition_key"`
		}
		if json.Unmarshal(r.Data, &v) == nil && v.PartitionKey != "" {
			key = v.PartitionKey
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey[key] = append(c.byKey[key], Output{Stream: stream, Data: r.Data, Arrival: r.Arrival})
	c.count[stream]++
}

// isPrediction tells a prediction (the shadow stream's, keyed by the ride
// id as ride_prediction's) from a dead letter or an on-failure message.
func isPrediction(data []byte) bool {
	var v struct {
		EventID    string   `json:"event_id"`
		Prediction *float64 `json:"prediction"`
	}
	return json.Unmarshal(data, &v) == nil && v.EventID != "" && v.Prediction != nil
}

// Accounted counts how many of ids have at least one outcome: a
// prediction, a dead letter or an on-failure message (a shadow prediction
// is none: the serving model's answer is the ride's outcome).
func (c *Collector) Accounted(ids []string) int {
	return c.having(ids, func(o Output) bool { return c.shadow == "" || o.Stream != c.shadow })
}

// Shadowed counts how many of ids have a prediction on the shadow stream.
func (c *Collector) Shadowed(ids []string) int {
	return c.having(ids, func(o Output) bool { return c.shadow != "" && o.Stream == c.shadow })
}

func (c *Collector) having(ids []string, ok func(Output) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, id := range ids {
		for _, o := range c.byKey[id] {
			if ok(o) {
				n++
				break
			}
		}
	}
	return n
}

// Get returns the output records for a ride id.
func (c *Collector) Get(id string) []Output {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Output(nil), c.byKey[id]...)
}

// Count is the number of records read from a stream.
func (c *Collector) Count(stream string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count[stream]
}

// WaitFor waits until every id has an outcome (Accounted) or the timeout
// passes.
func (c *Collector) WaitFor(ctx context.Context, ids []string, timeout time.Duration) bool {
	return c.waitFor(ctx, ids, timeout, c.Accounted)
}

// WaitForShadow waits until every id has a shadow prediction or the
// timeout passes.
func (c *Collector) WaitForShadow(ctx context.Context, ids []string, timeout time.Duration) bool {
	return c.waitFor(ctx, ids, timeout, c.Shadowed)
}

func (c *Collector) waitFor(ctx context.Context, ids []string, timeout time.Duration, done func([]string) int) bool {
	deadline := time.Now().Add(timeout)
	for done(ids) < len(ids) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
