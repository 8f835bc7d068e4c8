package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/emf"
)

// Report is what the demo prints.
type Report struct {
	Sent         int `json:"sent"`
	Valid        int `json:"valid"`
	Predicted    int `json:"predicted"`
	Duplicates   int `json:"duplicates"`
	DeadLettered int `json:"dead_lettered"`
	Lost         int `json:"lost"`
	// SkippedBatches and SkippedRecords: batches the mapping gave up on;
	// only their metadata is on the on-failure destination, as in AWS, so
	// their rides count as lost until tools/operate/redrive replays them.
	SkippedBatches int64         `json:"skipped_batches"`
	SkippedRecords int64         `json:"skipped_records"`
	RMSE           float64       `json:"rmse"`
	RMSERides      int           `json:"rmse_rides"`
	P50            time.Duration `json:"p50_ns"`
	P99            time.Duration `json:"p99_ns"`
	Throughput     float64       `json:"throughput_rides_per_s"`
	Mapping        string        `json:"mapping"`
	CPU            string        `json:"cpu"`
	// Metrics: the function's own, from its EMF documents.
	Metrics emf.Table `json:"-"`
	// Shadow: tools/operate/shadowreport's report of the run, with a shadow.
	Shadow []byte `json:"-"`
}

func report(s *localstack.Stack, rs []rides.Ride, putAt map[string]time.Time, start time.Time) *Report {
	rep := &Report{Sent: len(rs)}
	var sq float64
	var lat []time.Duration
	var last time.Time
	for _, r := range rs {
		outs := s.Out.Get(r.ID)
		if r.Valid {
			rep.Valid++
		}
		var preds []localstack.Output
		for _, o := range outs {
			switch o.Stream {
			case localstack.PredictionsStream:
				preds = append(preds, o)
			case localstack.DLQStream:
				rep.DeadLettered++
			}
		}
		if len(outs) == 0 {
			rep.Lost++
		}
		if len(preds) == 0 {
			continue
		}
		rep.Predicted++
		rep.Duplicates += len(preds) - 1
		lat = append(lat, preds[0].Arrival.Sub(putAt[r.ID]))
		if preds[0].Arrival.After(last) {
			last = preds[0].Arrival
		}
		var p struct {
			Prediction float64 `json:"prediction"`
		}
		if json.Unmarshal(preds[0].Data, &p) == nil && r.Duration >= 1 && r.Duration <= 60 {
			d := p.Prediction - r.Duration
			sq += d * d
			rep.RMSERides++
		}
	}
	if rep.RMSERides > 0 {
		rep.RMSE = math.Sqrt(sq / float64(rep.RMSERides))
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		rep.P50, rep.P99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
		rep.Throughput = float64(rep.Predicted) / last.Sub(start).Seconds()
	}
	st := &s.Mapping.Stats
	rep.SkippedBatches, rep.SkippedRecords = st.SkippedBatches.Load(), st.ToOnFailure.Load()
	rep.Mapping = fmt.Sprintf("%d invocations (up to %d at once, %d emulators), %d partial failures, %d function errors, %d retries, %d bisections",
		st.Invocations.Load(), st.MaxInFlight.Load(), len(s.Emulators), st.PartialFailures.Load(), st.FunctionErrors.Load(), st.Retries.Load(), st.Bisections.Load())
	return rep
}

func (r *Report) print(w io.Writer) {
	r.summary(w)
	fmt.Fprintf(w, "event source mapping   %s\n", r.Mapping)
	fmt.Fprintf(w, "CPU time               %s\n", r.CPU)
	if r.Metrics.Documents > 0 {
		fmt.Fprintf(w, "\nthe function's metrics, as CloudWatch would show them for the run:\n")
		r.Metrics.Print(w)
	}
	if len(r.Shadow) > 0 {
		fmt.Fprintf(w, "\n")
		w.Write(r.Shadow)
	}
}

// summary is what became of the rides: the lines README.md shows.
func (r *Report) summary(w io.Writer) {
	fmt.Fprintf(w, "rides sent             %d (%d valid, %d invalid)\n", r.Sent, r.Valid, r.Sent-r.Valid)
	fmt.Fprintf(w, "predictions received   %d (+%d duplicates from retries)\n", r.Predicted, r.Duplicates)
	fmt.Fprintf(w, "dead-lettered          %d\n", r.DeadLettered)
	fmt.Fprintf(w, "skipped by the mapping %d batches, %d records (metadata on the on-failure destination; tools/operate/redrive replays them)\n",
		r.SkippedBatches, r.SkippedRecords)
	fmt.Fprintf(w, "lost                   %d (no prediction and no dead letter)\n", r.Lost)
	fmt.Fprintf(w, "RMSE                   %.4f min over %d rides with 1 <= duration <= 60\n", r.RMSE, r.RMSERides)
	fmt.Fprintf(w, "put-to-prediction      p50 %v, p99 %v\n", r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond))
	fmt.Fprintf(w, "throughput             %.0f rides/s end to end\n", r.Throughput)
}
