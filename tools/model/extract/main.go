// Command extract reads NYC TLC green taxi trip Parquet files and writes the
// columns that training needs as CSV, because Debian's Python has no Parquet
// reader.
//
// Usage:
//
//	go run ./tools/model/extract -in model-export/data/green_tripdata_2022-01.parquet -out build/jan.csv
//
// The CSV has the header pickup_us,dropoff_us,PULocationID,DOLocationID,trip_distance.
// Times are microseconds since the epoch of the file's naive (local NYC) clock,
// trip_distance is printed so that it parses back to the same float64. Rows
// keep their order, which matters: the forest's bootstrap samples are drawn by
// row index.
//
// With -rides FILE, it also writes every record as a ride object, one JSON
// line each in file order, with every column of the TLC file under its own
// name (tlc.Record.AppendObject: a null is null): the rides golden.py runs
// the model's own prepare_features on.
//
// A null in any of these columns is written as an empty field, never dropped
// or guessed: training then drops rows without a duration (the seed's duration
// filter would too) and the golden answers skip rows without the three model
// inputs. The count of nulls per column is printed on stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/tlc"
)

var header = []string{"pickup_us", "dropoff_us", "PULocationID", "DOLocationID", "trip_distance"}

func main() {
	log.SetFlags(0)
	log.SetPrefix("extract: ")
	in := flag.String("in", "", "input Parquet file")
	out := flag.String("out", "", "output CSV file")
	rides := flag.String("rides", "", "also write every record as a JSON ride object a line, every column under its own name")
	flag.Parse()
	if *in == "" || *out == "" && *rides == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *out == "" {
		if err := writeRides(*in, *rides); err != nil {
			log.Fatal(err)
		}
		return
	}
	nulls, rows, err := extract(*in, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "extract: %s: %d rows; nulls per column:", *in, rows)
	for i, h := range header {
		fmt.Fprintf(os.Stderr, " %s=%d", h, nulls[i])
	}
	fmt.Fprintln(os.Stderr)
	if *rides != "" {
		if err := writeRides(*in, *rides); err != nil {
			log.Fatal(err)
		}
	}
}

// writeRides writes every record of in as a ride object, a line each.
func writeRides(in, out string) error {
	records, err := tlc.ReadRecords(in)
	if err != nil {
		return err
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(o)
	var line []byte
	for i := range records {
		line = append(records[i].AppendObject(line[:0], tlc.Columns), '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

func extract(in, out string) (nulls [5]int, rows int, err error) {
	trips, err := tlc.Read(in)
	if err != nil {
		return nulls, 0, err
	}
	o, err := os.Create(out)
	if err != nil {
		return nulls, 0, err
	}
	w := bufio.NewWriter(o)
	w.WriteString(strings.Join(header, ",") + "\n")
	for _, t := range trips {
		fields := [5]string{
			formatInt(t.Pickup), formatInt(t.Dropoff),
			formatInt(t.PULocationID), formatInt(t.DOLocationID),
			formatFloat(t.TripDistance),
		}
		for i, s := range fields {
			if s == "" {
				nulls[i]++
			}
		}
		w.WriteString(strings.Join(fields[:], ",") + "\n")
	}
	if err := w.Flush(); err != nil {
		o.Close()
		return nulls, len(trips), err
	}
	return nulls, len(trips), o.Close()
}

func formatInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// formatFloat prints the shortest decimal that parses back to the same
// float64, as Python's repr does.
func formatFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}
