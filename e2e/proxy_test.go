package e2e

import (
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// faultProxy stands between the function and kinesalite and fails a share
// of PutRecords entries (answering them as throttled without forwarding
// them) or of whole PutRecords calls.
type faultProxy struct {
	target         string
	entryShare     float64
	callShare      float64
	mu             sync.Mutex
	rng            *rand.Rand
	entries, calls atomic.Int64 // failures injected
	putCalls       atomic.Int64 // PutRecords calls seen
	// refuseKey, if set, has every entry of that partition key throttled,
	// for ever: a poisoned record whose batch never succeeds.
	refuseKey string
	// hang, while set, holds every PutRecords call unanswered until the
	// caller gives up; hung counts them.
	hang, hung         atomic.Bool
	forwardedPutCalls  atomic.Int64
	forwardedPutRecord atomic.Int64
}

func startProxy(target string, entryShare, callShare float64) (*faultProxy, *httptest.Server) {
	p := &faultProxy{target: target, entryShare: entryShare, callShare: callShare, rng: rand.New(rand.NewPCG(3, 4))}
	return p, httptest.NewServer(p)
}

func (p *faultProxy) draw(share float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64() < share
}

type putRecords struct {
	StreamName string            `json:"StreamName"`
	Records    []json.RawMessage `json:"Records"`
}

type putResult struct {
	FailedRecordCount int               `json:"FailedRecordCount"`
	Records           []json.RawMessage `json:"Records"`
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecords") {
		p.forward(w, r, body)
		return
	}
	if p.hang.Load() {
		p.hung.Store(true)
		<-r.Context().Done()
		return
	}
	// Whole calls fail on a fixed beat (every 1/callShare-th, from the
	// first), so that a run with few calls still sees faults.
	if p.callShare > 0 && p.putCalls.Add(1)%int64(math.Round(1/p.callShare)) == 1 {
		p.calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type": "ProvisionedThroughputExceededException", "message": "Rate exceeded (injected)"}`)
		return
	}
	var in putRecords
	if err := json.Unmarshal(body, &in); err != nil {
		p.forward(w, r, body)
		return
	}
	keep := make([]bool, len(in.Records))
	var fwd putRecords
	fwd.StreamName = in.StreamName
	for i, rec := range in.Records {
		if keep[i] = !p.draw(p.entryShare) && !p.refused(rec); keep[i] {
			fwd.Records = append(fwd.Records, rec)
		} else {
			p.entries.Add(1)
		}
	}
	var res putResult
	if len(fwd.Records) > 0 {
		b, _ := json.Marshal(fwd)
		rec := httptest.NewRecorder()
		p.forward(rec, r, b)
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
	}
	out := putResult{FailedRecordCount: res.FailedRecordCount}
	next := 0
	for i := range in.Records {
		if keep[i] {
			out.Records = append(out.Records, res.Records[next])
			next++
			continue
		}
		out.FailedRecordCount++
		out.Records = append(out.Records, json.RawMessage(`{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard (injected)"}`))
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(b)
}

// refused says whether an entry of PutRecords is refuseKey's.
func (p *faultProxy) refused(entry json.RawMessage) bool {
	var e struct {
		PartitionKey string `json:"PartitionKey"`
	}
	return p.refuseKey != "" && json.Unmarshal(entry, &e) == nil && e.PartitionKey == p.refuseKey
}

func (p *faultProxy) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	proc.Forward(w, r, p.target, body)
}
