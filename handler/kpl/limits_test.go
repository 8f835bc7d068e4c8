package kpl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostile is an aggregate of n records of no data, all of one key: the
// most user records and key bytes per byte of aggregate.
func hostile(key string, n int) []byte {
	recs := make([][]byte, 0, n+1)
	recs = append(recs, bytesField(1, key))
	for range n {
		recs = append(recs, record(0, ""))
	}
	return frame([]byte(message(recs...)))
}

// TestDeaggregateWithin: an aggregate past a bound is refused with a
// *LimitError saying which; within the bounds, it reads as Deaggregate
// reads it. A shared key counts once per user record that names it.
func TestDeaggregateWithin(t *testing.T) {
	three := frame([]byte(message(bytesField(1, "kk"), record(0, "ab"), record(0, "cde"), record(0, ""))))
	for _, c := range []struct {
		name string
		data []byte
		lim  Limits
		want string // the LimitError's What, "" for none
	}{
		{"no bounds", three, Limits{}, ""},
		{"at both bounds", three, Limits{Records: 3, Bytes: 2 + 2 + 2 + 3 + 2}, ""},
		{"one record too many", three, Limits{Records: 2}, "user records"},
		{"one byte too many", three, Limits{Bytes: 2 + 2 + 2 + 3 + 2 - 1}, "bytes of data and partition keys"},
		{"174,000 empty records", hostile("k", 174_000), Limits{Records: 16384, Bytes: 8 << 20}, "user records"},
		{"a 200 KB key named 100 times", hostile(strings.Repeat("\x01", 200_000), 100), Limits{Records: 16384, Bytes: 8 << 20},
			"bytes of data and partition keys"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DeaggregateWithin(c.data, c.lim)
			var le *LimitError
			switch {
			case c.want == "" && err != nil:
				t.Fatal(err)
			case c.want == "":
				want, _ := Deaggregate(c.data)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("within the bounds (-Deaggregate +DeaggregateWithin):\n%s", diff)
				}
			case !errors.As(err, &le) || le.What != c.want || got != nil:
				t.Errorf("got %d records, %v; want a LimitError on %s", len(got), err, c.want)
			}
		})
	}
}

// TestDeaggregateWithinMalformedFirst: a malformed aggregate is reported
// as malformed, whatever its size, so that callers handle it as AWS's
// libraries do.
func TestDeaggregateWithinMalformedFirst(t *testing.T) {
	data := hostile("k", 10)
	msg := append([]byte(string(data[4:len(data)-16])), "\x08\xff"...)
	_, err := DeaggregateWithin(frame(msg), Limits{Records: 1})
	var le *LimitError
	if err == nil || errors.As(err, &le) {
		t.Errorf("got %v, want the protobuf's error", err)
	}
}
