package shadowreport

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Markdown writes the report; chart, if set, is the chart's path relative
// to the report, for its image link.
func (c *Comparison) Markdown(w io.Writer, chart string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Shadow report: the serving model against its shadow, on live traffic\n\n")
	from := "from the start"
	if !c.Since.IsZero() {
		from = "since " + c.Since.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "`%s` (serving) and `%s` (shadow), every shard %s, joined by `event_id` "+
		"(the source record each prediction answers).\n\n", c.Serving.Stream, c.Shadow.Stream, from)
	b.WriteString("| | serving | shadow |\n|---|---|---|\n")
	row := func(name, a, b2 string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", name, a, b2) }
	row("stream", "`"+c.Serving.Stream+"`", "`"+c.Shadow.Stream+"`")
	row("model_version (rides)", versions(c.Serving.Versions), versions(c.Shadow.Versions))
	row("records read", count(c.Serving.Records), count(c.Shadow.Records))
	row("duplicates dropped (an `event_id` seen before)", count(c.Serving.Duplicates), count(c.Shadow.Duplicates))
	if c.Serving.Unreadable+c.Shadow.Unreadable > 0 {
		row("records that are not a prediction", count(c.Serving.Unreadable), count(c.Shadow.Unreadable))
	}
	row("rides only in this stream", count(c.Serving.Only), count(c.Shadow.Only))
	if c.Joined > 0 {
		row("mean prediction, rides scored by both", minutes(c.Serving.Mean, 3), minutes(c.Shadow.Mean, 3))
	}
	if c.Scored > 0 {
		row(fmt.Sprintf("RMSE, 1 ≤ duration ≤ 60 (%s rides)", count(c.Scored)), minutes(c.Serving.RMSE, 4), minutes(c.Shadow.RMSE, 4))
	}
	b.WriteString("\n")
	if c.Joined == 0 {
		b.WriteString("**No ride was scored by both models.**\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "**%s rides scored by both.** Shadow against serving: mean absolute difference %.3f min, max %.3f min "+
		"(`event_id` `%s`); %.1f%% of rides differ by more than 1 minute.\n\n",
		count(c.Joined), c.MeanAbsDiff, c.MaxAbsDiff, c.MaxAbsDiffEvent, 100*c.ShareOver1Min)
	switch {
	case c.Scored > 0:
		move := c.Shadow.RMSE - c.Serving.RMSE
		verdict := "unchanged"
		if move < 0 {
			verdict = "better"
		} else if move > 0 {
			verdict = "worse"
		}
		fmt.Fprintf(&b, "**RMSE would move by %+.4f min** (%s) on these %s rides if the shadow were promoted.\n\n", move, verdict, count(c.Scored))
	case c.WithDuration > 0:
		fmt.Fprintf(&b, "No RMSE: none of the %s rides with a known duration lasted 1 to 60 minutes.\n\n", count(c.WithDuration))
	default:
		b.WriteString("No RMSE: no ride scored by both carries its real duration (ride events with `lpep_pickup_datetime` and " +
			"`lpep_dropoff_datetime` in the ride, as the local stack's replayed rides have, give one).\n\n")
	}
	if chart != "" {
		fmt.Fprintf(&b, "![serving against shadow](%s)\n", chart)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// versions lists model versions with their rides, most rides first.
func versions(v map[string]int) string {
	if len(v) == 0 {
		return "none"
	}
	names := slices.Sorted(maps.Keys(v))
	slices.SortStableFunc(names, func(a, b string) int { return v[b] - v[a] })
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("`%s` (%s)", n, count(v[n])))
	}
	return strings.Join(parts, ", ")
}

func minutes(x float64, digits int) string { return strconv.FormatFloat(x, 'f', digits, 64) + " min" }

// count writes n with thousands separators, as the refresh report does.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
