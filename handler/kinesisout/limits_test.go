package kinesisout

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckEntry(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    Entry
		want string // in the error, "" for none
	}{
		{"small", Entry{Data: []byte("x"), Key: "k"}, ""},
		{"1 MiB of data and key", Entry{Data: make([]byte, MaxRecordBytes-3), Key: "abc"}, ""},
		{"one byte more", Entry{Data: make([]byte, MaxRecordBytes-2), Key: "abc"}, "1048577 bytes"},
		{"no key", Entry{Data: []byte("x")}, "0 characters"},
		{"256 characters", Entry{Key: strings.Repeat("é", 256)}, ""},
		{"257 characters", Entry{Key: strings.Repeat("\x01", 257)}, "257 characters"},
		// Kinesis counts UTF-16 code units: 128 astral characters are 256.
		{"128 astral characters", Entry{Key: strings.Repeat("😀", 128)}, ""},
		{"129 astral characters", Entry{Key: strings.Repeat("😀", 129)}, "258 characters"},
		{"not UTF-8", Entry{Key: "\xff"}, "not UTF-8"},
	} {
		err := CheckEntry(tc.e)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestOverLimitNotSent: entries past Kinesis's limits on one record are
// returned as Refused without a call, so they spend no split (Splits -1
// allows none), and every other entry is written in one call.
func TestOverLimitNotSent(t *testing.T) {
	in := entries(300, 100)
	bad := map[int]bool{3: true, 100: true, 101: true, 299: true}
	in[3].Data = make([]byte, MaxRecordBytes)
	in[100].Key = strings.Repeat("k", 257)
	in[101].Key = ""
	in[299].Data = make([]byte, 6<<20)
	f := &fake{callErr: func(_ context.Context, data []string) error {
		for _, d := range data {
			if len(d) >= MaxRecordBytes {
				return refusal("records.1.member.data")
			}
		}
		return nil
	}}
	retry := fastRetry
	retry.Splits = -1
	failed, _ := Publish(context.Background(), f, "s", in, retry)
	rec, class := recs(failed)
	if diff := cmp.Diff([]int{3, 100, 101, 299}, rec); diff != "" {
		t.Fatalf("failed (-want +got):\n%s", diff)
	}
	for i, c := range class {
		if c != Refused || !strings.Contains(failed[i].Err.Error(), "not sent") {
			t.Errorf("entry %d: %v (%v), want Refused, not sent", rec[i], failed[i].Err, c)
		}
	}
	if diff := cmp.Diff([]int{296}, f.calls); diff != "" || len(f.written) != 296 {
		t.Errorf("%d written; calls (-want +got):\n%s", len(f.written), diff)
	}
	for i := range in {
		if !bad[i] && in[i].Rec != i {
			t.Fatal("entries changed")
		}
	}
}

// TestSpentSplitsKeepIsolatedWrites: once the calls for splitting are
// spent, the halves already split from the bad entries are still written,
// and only the entries never isolated fail, as Permanent, for a later
// invocation; the bad entries isolated in time fail as Refused.
func TestSpentSplitsKeepIsolatedWrites(t *testing.T) {
	bad := map[string]bool{"r3.": true, "r7.": true, "r130.": true}
	f := &fake{callErr: func(_ context.Context, data []string) error {
		for _, d := range data {
			if bad[strings.TrimRight(d, ".")+"."] {
				return refusal("records.1.member.data")
			}
		}
		return nil
	}}
	retry := fastRetry
	retry.Splits = 6
	failed, _ := Publish(context.Background(), f, "s", entries(500, 8), retry)
	refused, permanent := 0, 0
	for _, fl := range failed {
		switch fl.Class {
		case Refused:
			refused++
		case Permanent:
			permanent++
		}
	}
	// 250-499 hold r130 alone, in 250-374 after one split; the calls then
	// run out on 0-124, and 125-249 and 375-499, split off clean, are written.
	// 500 → 0-249 → 0-124 → 0-61, which holds r3 and r7: the calls are
	// spent there and on 125-249, which holds r130 (62 + 125 entries never
	// isolated); 62-124 and 250-499, split off clean, are written.
	if len(f.written) != 63+250 || permanent != 62+125 || refused != 0 {
		t.Errorf("%d written, %d refused, %d permanent, calls %v", len(f.written), refused, permanent, f.calls)
	}
	for _, w := range f.written {
		if bad[strings.TrimRight(w, ".")+"."] {
			t.Errorf("bad entry %s written", w)
		}
	}
}
