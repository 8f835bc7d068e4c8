// Package tlc reads NYC TLC green taxi trip records from their Parquet files.
package tlc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Trip holds the columns the model needs, in file order; pointers because
// every column of the TLC files is optional. Times are the files' naive
// (local NYC) clock, in microseconds since the epoch.
type Trip struct {
	Pickup       *int64   `parquet:"lpep_pickup_datetime,optional"`
	Dropoff      *int64   `parquet:"lpep_dropoff_datetime,optional"`
	PULocationID *int64   `parquet:"PULocationID,optional"`
	DOLocationID *int64   `parquet:"DOLocationID,optional"`
	TripDistance *float64 `parquet:"trip_distance,optional"`
}

// Duration is dropoff - pickup in minutes, as the seed computes it, and
// whether both times are present.
func (t Trip) Duration() (float64, bool) {
	if t.Pickup == nil || t.Dropoff == nil {
		return 0, false
	}
	return time.Duration((*t.Dropoff-*t.Pickup)*1000).Seconds() / 60, true
}

// Read returns every trip of a file, in order.
func Read(path string) ([]Trip, error) { return readAll[Trip](path) }

// readAll returns every row of a Parquet file as a T, in order.
func readAll[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	out := make([]T, 0, r.NumRows())
	buf := make([]T, 1024)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("read %s: %w", path, err)
		}
	}
}
