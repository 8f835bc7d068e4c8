package shadowreport

import (
	"crypto/md5"
	"path/filepath"
	"runtime"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/internal/tlc"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// TestDurationOfReplayedRides: the duration read back from each replayed
// ride event is the TLC trip's, exactly, as make demo's RMSE takes it.
func TestDurationOfReplayedRides(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	trips, err := tlc.Read(filepath.Join(filepath.Dir(file), "..", "..", "model-export", "data", "green_tripdata_2022-02.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	rs := rides.FromTrips(trips, 5000, "feb-")
	timed := 0
	for _, r := range rs {
		got, ok := Duration(r.Event)
		if !ok {
			continue
		}
		timed++
		if got != r.Duration {
			t.Fatalf("%s: duration %v from %s, want %v", r.ID, got, r.Event, r.Duration)
		}
	}
	if timed < len(rs)*9/10 {
		t.Errorf("only %d of %d replayed rides carry their times", timed, len(rs))
	}
}

// aggregate is a KPL aggregated record of the given user records, built by
// hand (the format: handler/kpl).
func aggregate(data ...string) []byte {
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.BytesType)
	m = protowire.AppendString(m, "pk")
	for _, d := range data {
		var r []byte
		r = protowire.AppendTag(r, 1, protowire.VarintType)
		r = protowire.AppendVarint(r, 0)
		r = protowire.AppendTag(r, 3, protowire.BytesType)
		r = protowire.AppendString(r, d)
		m = protowire.AppendTag(m, 3, protowire.BytesType)
		m = protowire.AppendBytes(m, r)
	}
	sum := md5.Sum(m)
	return append(append([]byte("\xf3\x89\x9a\xc2"), m...), sum[:]...)
}

// TestDurations: event ids as the function writes them, shard:sequence,
// and :index inside a KPL aggregate; events without times have none.
func TestDurations(t *testing.T) {
	ev := func(pickup, dropoff string) string {
		return `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1, "lpep_pickup_datetime": "` + pickup +
			`", "lpep_dropoff_datetime": "` + dropoff + `"}, "ride_id": 1}`
	}
	got := Durations([]kinesalite.Record{
		{Shard: "shardId-000000000000", Seq: "1", Data: []byte(ev("2022-02-01 00:00:00", "2022-02-01 00:12:30"))},
		{Shard: "shardId-000000000001", Seq: "2", Data: aggregate(ev("2022-02-01 23:59:00", "2022-02-02 00:01:00.5"),
			`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 2}`, ev("2022-02-01 00:00:00", "2022-02-01 00:00:06"))},
		{Shard: "shardId-000000000000", Seq: "3", Data: []byte(ev("yesterday", "today"))},
	})
	want := map[string]float64{"shardId-000000000000:1": 12.5, "shardId-000000000001:2:0": 120.5 / 60, "shardId-000000000001:2:2": 0.1}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for id, d := range want {
		if got[id] != d {
			t.Errorf("%s: %v, want %v", id, got[id], d)
		}
	}
}
