package main

import (
	"fmt"
	"slices"
	"strings"
)

// says is "what the run says": the figures BENCHMARKS.md's argument about
// the run rests on, computed from the report, so that they follow a new
// run (the claims around them are the prose's, outside the section).
func says(r *Report) string {
	if len(r.Results) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nWhat the run says (computed from the tables above by `tools/measure/benchstream/says.go`):\n\n")
	b.WriteString(saysCeiling(r.Results))
	b.WriteString(saysBatch(r))
	p50, p99 := span(r.Results, func(x Result) float64 { return x.P50Ms }), span(r.Results, func(x Result) float64 { return x.P99Ms })
	worst := slices.MaxFunc(r.Results, func(a, b Result) int { return cmpF(a.P99Ms, b.P99Ms) })
	fmt.Fprintf(&b, "- **Latency** at %.0f rides a second: %s ms at p50 and %s ms at p99, the most at %d shards, PF %d (%d lanes).\n",
		r.Settings.LatencyRate, p50, p99, worst.Shards, worst.PF, worst.Shards*worst.PF)
	b.WriteString(saysQuota(r))
	return b.String()
}

// saysCeiling: what limits the drain, and how fast it drains.
func saysCeiling(rs []Result) string {
	var b strings.Builder
	largest, kinds := 0, map[string]int{}
	for _, x := range rs {
		if top := topPart(x); top == partKinesisOut {
			largest++
		}
		kind, _, _ := strings.Cut(x.Ceiling, " (")
		kinds[kind]++
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%s at %d", k, n))
	}
	slices.Sort(ks)
	fastest := slices.MaxFunc(rs, func(a, b Result) int { return cmpF(a.RidesPerSecond, b.RidesPerSecond) })
	fmt.Fprintf(&b, "- **The ceiling.** The kinesalite serving the function's writes is the stack's largest CPU user at %d of %d points (%s of a core); "+
		"the function itself takes %s of a core. The ceiling column names %s. The drain runs at %s rides/s, the most at %d shards, PF %d, batches of %d.\n",
		largest, len(rs), span(rs, func(x Result) float64 { return x.Cores[partKinesisOut] }), span(rs, func(x Result) float64 { return x.Cores[partFunctions] }),
		strings.Join(ks, ", "), span(rs, func(x Result) float64 { return x.RidesPerSecond }), fastest.Shards, fastest.PF, fastest.Batch)
	return b.String()
}

// saysBatch: the function's CPU a ride against the batch size.
func saysBatch(r *Report) string {
	small := filter(r.Results, func(x Result) bool { return x.Batch <= 100 })
	large := filter(r.Results, func(x Result) bool { return x.Batch >= 1000 })
	if len(small) == 0 || len(large) == 0 {
		return ""
	}
	perRide := func(x Result) float64 { return x.FunctionCPUPerRideUs }
	return fmt.Sprintf("- **The function's CPU a ride against the batch**: %s µs a ride in batches of 100, %s µs in batches of 1,000 and more "+
		"(the process's CPU: decoding the event, predicting, encoding, writing, its metrics).\n", span(small, perRide), span(large, perRide))
}

// saysQuota: the function and the original under Lambda's CPU shares.
func saysQuota(r *Report) string {
	q := func(rt string, mb, batch int) (QuotaRow, bool) {
		i := slices.IndexFunc(r.Quota, func(x QuotaRow) bool { return x.Runtime == rt && x.MemoryMB == mb && (batch == 0 || x.Batch == batch) })
		if i < 0 {
			return QuotaRow{}, false
		}
		return r.Quota[i], true
	}
	g256, ok1 := q("go", 256, 1000)
	gFull, ok2 := q("go", 1769, 1000)
	p256, ok3 := q("python", 256, 0)
	pFull, ok4 := q("python", 1769, 0)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return ""
	}
	most := slices.MaxFunc(r.Quota, func(a, b QuotaRow) int { return a.Batch - b.Batch })
	gMost, _ := q("go", 256, most.Batch)
	cold := map[string]ColdStart{}
	peak := 0.0
	for _, c := range r.Cold {
		if c.MemoryMB == 256 {
			cold[c.Runtime] = c
		}
		if c.Runtime == "python" {
			peak = max(peak, c.PeakRSSMiB)
		}
	}
	return fmt.Sprintf("- **Under Lambda's CPU shares** a batch of 1,000 takes %.0f ms at 256 MB (the template's default) and %.0f ms at 1,769 MB, "+
		"and the largest batch timed, %d rides, %.0f ms at 256 MB. The original takes %.1f ms a ride at 1,769 MB and %.1f ms at 256 MB, writing nothing; "+
		"its process peaks at %.0f MiB (%s), and it starts in %.1f s at 256 MB against the function's %.0f ms.\n",
		g256.WallMs, gFull.WallMs, most.Batch, gMost.WallMs, pFull.WallMs/float64(pFull.Batch), p256.WallMs/float64(p256.Batch),
		peak, fits(peak), cold["python"].Ms/1000, cold["go"].Ms)
}

// fits says whether a process that peaks at mib runs at Lambda's least memory.
func fits(mib float64) string {
	if mib*1.048576 > 128 {
		return "more than 128 MB, so it cannot run at Lambda's least memory size"
	}
	return "within 128 MB"
}

func filter(rs []Result, keep func(Result) bool) []Result {
	var out []Result
	for _, x := range rs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// span is the least and the most of f over rs, "a to b" (or "a" if equal).
func span(rs []Result, f func(Result) float64) string {
	lo, hi := f(rs[0]), f(rs[0])
	for _, x := range rs[1:] {
		lo, hi = min(lo, f(x)), max(hi, f(x))
	}
	if short(lo) == short(hi) {
		return short(lo)
	}
	return short(lo) + " to " + short(hi)
}

// short prints x with two significant decimals below 1, else at most one.
func short(x float64) string {
	switch {
	case x < 1:
		return fmt.Sprintf("%.2f", x)
	case x < 100 && x != float64(int(x)):
		return strings.TrimSuffix(fmt.Sprintf("%.1f", x), ".0")
	}
	return fmt.Sprintf("%.0f", x)
}

// topPart is the part of the stack that used the most CPU at x.
func topPart(x Result) string {
	top := partKinesisIn
	for _, k := range []string{partKinesisOut, partMapping, partFunctions, partEmulators} {
		if x.Cores[k] > x.Cores[top] {
			top = k
		}
	}
	return top
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
