package shadowreport

import (
	"container/list"
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
)

// Limits bound what a Joiner keeps, whatever it reads: its memory is
// O(MaxPending + SampleSize + MaxVersions), not O(records).
type Limits struct {
	// MaxPending is how many rides may wait for their other halves
	// (serving, shadow, source event) at once. Past it, the ride waiting
	// longest is settled with what it has: a ride with both predictions
	// is compared without its duration, one with a single prediction
	// counts as only in that stream. The streams are read merged in
	// arrival order (Read), and a ride's records arrive within the same
	// invocation, so a window of this many rides joins all but those
	// retried much later.
	MaxPending int
	// SampleSize is how many joined rides the chart draws: a uniform
	// sample (reservoir sampling, fixed seed) of all of them.
	SampleSize int
	// MaxVersions is how many model versions are counted by name; the
	// rest are counted under "(other)".
	MaxVersions int
}

// DefaultLimits are tools/operate/shadowreport's: at most 250,000 rides waiting
// and as many settled ones remembered for duplicates (a map entry each,
// with a list element while waiting), and 20,000 sampled pairs, whatever
// the streams hold. TestReadIsBounded shows the bound with smaller limits.
var DefaultLimits = Limits{MaxPending: 250_000, SampleSize: 20_000, MaxVersions: 100}

// The halves of a ride.
const (
	hasServing = 1 << iota
	hasShadow
	hasEvent
)

// ride is what has been read of one event_id.
type ride struct {
	has             uint8
	serving, shadow float64
	duration        float64 // NaN if unknown
	queued          *list.Element
}

// Joiner aggregates a comparison as it reads: records go in one at a time
// (Serving, Shadow, Event), in any order, and Finish gives the report.
// What it keeps is bounded by Limits.
type Joiner struct {
	c      Comparison
	lim    Limits
	events bool             // an events stream is read: a ride waits for its event too
	rides  map[string]*ride // waiting, and recently settled (for duplicates)
	queue  *list.List       // event ids in rides, oldest first
	sums   struct{ a, b, abs, over, sqA, sqB float64 }
	rng    *rand.Rand
}

// NewJoiner returns a Joiner of the streams named serving and shadow;
// events tells whether source events (durations) will be given too.
func NewJoiner(serving, shadow string, events bool, lim Limits) *Joiner {
	j := &Joiner{lim: lim, events: events, rides: map[string]*ride{}, queue: list.New(), rng: rand.New(rand.NewPCG(1, 2))}
	j.c.Serving = Side{Stream: serving, Versions: map[string]int{}}
	j.c.Shadow = Side{Stream: shadow, Versions: map[string]int{}}
	return j
}

// Serving takes one record of the serving stream.
func (j *Joiner) Serving(data []byte) { j.prediction(&j.c.Serving, hasServing, data) }

// Shadow takes one record of the shadow stream.
func (j *Joiner) Shadow(data []byte) { j.prediction(&j.c.Shadow, hasShadow, data) }

// Event takes the real duration of the ride with event id id, if known.
func (j *Joiner) Event(id string, duration float64, known bool) {
	r := j.ride(id)
	if r.queued == nil || r.has&hasEvent != 0 { // settled, or a repeat
		return
	}
	r.has |= hasEvent
	if known {
		r.duration = duration
	}
	j.settleIfComplete(id, r)
}

func (j *Joiner) prediction(s *Side, half uint8, data []byte) {
	s.Records++
	var p Prediction
	if json.Unmarshal(data, &p) != nil || p.EventID == "" {
		s.Unreadable++
		return
	}
	r := j.ride(p.EventID)
	switch {
	case r.has&half != 0: // this half seen: a repeat
		s.Duplicates++
		return
	case r.queued == nil: // settled without this half, which comes late
		r.has |= half
		s.Only++
		j.version(s, p.Version)
		return
	}
	r.has |= half
	if half == hasServing {
		r.serving = p.Value
	} else {
		r.shadow = p.Value
	}
	j.version(s, p.Version)
	j.settleIfComplete(p.EventID, r)
}

// ride is the ride id: waiting, settled recently (queued nil), or new.
// Making room for a new one settles the ride waiting longest.
func (j *Joiner) ride(id string) *ride {
	if r, ok := j.rides[id]; ok {
		return r
	}
	for j.queue.Len() >= max(1, j.lim.MaxPending) {
		oldest := j.queue.Front().Value.(string)
		j.settle(oldest, j.rides[oldest])
	}
	r := &ride{duration: math.NaN()}
	r.queued = j.queue.PushBack(id)
	j.rides[id] = r
	return r
}

func (j *Joiner) settleIfComplete(id string, r *ride) {
	complete := uint8(hasServing | hasShadow)
	if j.events {
		complete |= hasEvent
	}
	if r.has&complete == complete {
		j.settle(id, r)
	}
}

// settle counts a ride with what it has, and forgets it. A ride settled
// with both predictions stays known (without its queue entry) until the
// map's recent half is pruned, so that a late repeat counts as one.
func (j *Joiner) settle(id string, r *ride) {
	j.queue.Remove(r.queued)
	r.queued = nil
	switch {
	case r.has&(hasServing|hasShadow) == hasServing|hasShadow:
		j.pair(Pair{EventID: id, Serving: r.serving, Shadow: r.shadow, Duration: r.duration})
	case r.has&hasServing != 0:
		j.c.Serving.Only++
	case r.has&hasShadow != 0:
		j.c.Shadow.Only++
	}
	j.recent(id)
}

// recent keeps settled ids for duplicates, as many as MaxPending at most:
// the map holds waiting and settled rides, and is rebuilt with the
// waiting ones alone once the settled ones reach MaxPending.
func (j *Joiner) recent(string) {
	if len(j.rides)-j.queue.Len() < max(1, j.lim.MaxPending) {
		return
	}
	waiting := make(map[string]*ride, j.queue.Len())
	for e := j.queue.Front(); e != nil; e = e.Next() {
		id := e.Value.(string)
		waiting[id] = j.rides[id]
	}
	j.rides = waiting
}

func (j *Joiner) version(s *Side, v string) {
	if _, ok := s.Versions[v]; !ok && len(s.Versions) >= max(1, j.lim.MaxVersions) {
		v = "(other)"
	}
	s.Versions[v]++
}

// pair folds one joined ride into the sums and the chart's sample.
func (j *Joiner) pair(p Pair) {
	c := &j.c
	c.Joined++
	j.sums.a += p.Serving
	j.sums.b += p.Shadow
	d := math.Abs(p.Shadow - p.Serving)
	j.sums.abs += d
	if d > c.MaxAbsDiff || c.MaxAbsDiffEvent == "" || d == c.MaxAbsDiff && p.EventID < c.MaxAbsDiffEvent {
		c.MaxAbsDiff, c.MaxAbsDiffEvent = d, p.EventID
	}
	if d > 1 {
		j.sums.over++
	}
	if !math.IsNaN(p.Duration) {
		c.WithDuration++
		if p.Duration >= 1 && p.Duration <= 60 {
			c.Scored++
			j.sums.sqA += (p.Serving - p.Duration) * (p.Serving - p.Duration)
			j.sums.sqB += (p.Shadow - p.Duration) * (p.Shadow - p.Duration)
		}
	}
	switch {
	case len(c.Sample) < j.lim.SampleSize:
		c.Sample = append(c.Sample, p)
	case j.lim.SampleSize > 0:
		if i := j.rng.IntN(c.Joined); i < j.lim.SampleSize {
			c.Sample[i] = p
		}
	}
}

// Finish settles the rides still waiting and returns the comparison.
func (j *Joiner) Finish() Comparison {
	for j.queue.Len() > 0 {
		id := j.queue.Front().Value.(string)
		j.settle(id, j.rides[id])
	}
	c := j.c
	if n := float64(c.Joined); n > 0 {
		c.Serving.Mean, c.Shadow.Mean = j.sums.a/n, j.sums.b/n
		c.MeanAbsDiff, c.ShareOver1Min = j.sums.abs/n, j.sums.over/n
	}
	if c.Scored > 0 {
		c.Serving.RMSE, c.Shadow.RMSE = math.Sqrt(j.sums.sqA/float64(c.Scored)), math.Sqrt(j.sums.sqB/float64(c.Scored))
	}
	sort.Slice(c.Sample, func(a, b int) bool { return c.Sample[a].EventID < c.Sample[b].EventID })
	return c
}

// Kept is how many rides the Joiner holds now, waiting or recently
// settled: at most 2 × MaxPending.
func (j *Joiner) Kept() int { return len(j.rides) }
