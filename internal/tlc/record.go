package tlc

import (
	"strconv"
	"time"

	"github.com/nyc-taxi/ridepred/handler/pyval"
)

// Record is a TLC green trip record, every column of the 2022 files under
// its own name, for rides that carry any of them (a model's
// prepare_features may read any).
type Record struct {
	VendorID             *int64   `parquet:"VendorID,optional"`
	Pickup               *int64   `parquet:"lpep_pickup_datetime,optional"`
	Dropoff              *int64   `parquet:"lpep_dropoff_datetime,optional"`
	StoreAndFwdFlag      *string  `parquet:"store_and_fwd_flag,optional"`
	RatecodeID           *float64 `parquet:"RatecodeID,optional"`
	PULocationID         *int64   `parquet:"PULocationID,optional"`
	DOLocationID         *int64   `parquet:"DOLocationID,optional"`
	PassengerCount       *float64 `parquet:"passenger_count,optional"`
	TripDistance         *float64 `parquet:"trip_distance,optional"`
	FareAmount           *float64 `parquet:"fare_amount,optional"`
	Extra                *float64 `parquet:"extra,optional"`
	MTATax               *float64 `parquet:"mta_tax,optional"`
	TipAmount            *float64 `parquet:"tip_amount,optional"`
	TollsAmount          *float64 `parquet:"tolls_amount,optional"`
	ImprovementSurcharge *float64 `parquet:"improvement_surcharge,optional"`
	TotalAmount          *float64 `parquet:"total_amount,optional"`
	PaymentType          *float64 `parquet:"payment_type,optional"`
	TripType             *float64 `parquet:"trip_type,optional"`
	CongestionSurcharge  *float64 `parquet:"congestion_surcharge,optional"`
}

// Columns are the columns a Record holds, in the files' order (ehail_fee,
// null in every 2022 row, is left out).
var Columns = []string{"VendorID", "lpep_pickup_datetime", "lpep_dropoff_datetime", "store_and_fwd_flag", "RatecodeID",
	"PULocationID", "DOLocationID", "passenger_count", "trip_distance", "fare_amount", "extra", "mta_tax", "tip_amount",
	"tolls_amount", "improvement_surcharge", "total_amount", "payment_type", "trip_type", "congestion_surcharge"}

// ReadRecords returns every record of a file, in order.
func ReadRecords(path string) ([]Record, error) { return readAll[Record](path) }

// AppendColumn appends column's value as JSON: an integer column as an
// integer, a double as Python's repr of the float (1.0 stays a float), the
// times as "2006-01-02 15:04:05" text of the files' naive clock, a string
// as a string, and a null as null. ok is false for a column it lacks.
func (r *Record) AppendColumn(dst []byte, column string) (out []byte, ok bool) {
	switch column {
	case "lpep_pickup_datetime", "lpep_dropoff_datetime":
		t := r.Pickup
		if column == "lpep_dropoff_datetime" {
			t = r.Dropoff
		}
		if t == nil {
			return append(dst, "null"...), true
		}
		return strconv.AppendQuote(dst, time.UnixMicro(*t).UTC().Format("2006-01-02 15:04:05.999999")), true
	case "store_and_fwd_flag":
		if r.StoreAndFwdFlag == nil {
			return append(dst, "null"...), true
		}
		return strconv.AppendQuote(dst, *r.StoreAndFwdFlag), true
	}
	ints := map[string]*int64{"VendorID": r.VendorID, "PULocationID": r.PULocationID, "DOLocationID": r.DOLocationID}
	if v, is := ints[column]; is {
		if v == nil {
			return append(dst, "null"...), true
		}
		return strconv.AppendInt(dst, *v, 10), true
	}
	floats := map[string]*float64{"RatecodeID": r.RatecodeID, "passenger_count": r.PassengerCount, "trip_distance": r.TripDistance,
		"fare_amount": r.FareAmount, "extra": r.Extra, "mta_tax": r.MTATax, "tip_amount": r.TipAmount, "tolls_amount": r.TollsAmount,
		"improvement_surcharge": r.ImprovementSurcharge, "total_amount": r.TotalAmount, "payment_type": r.PaymentType,
		"trip_type": r.TripType, "congestion_surcharge": r.CongestionSurcharge}
	v, is := floats[column]
	switch {
	case !is:
		return dst, false
	case v == nil:
		return append(dst, "null"...), true
	}
	return pyval.AppendFloatRepr(dst, *v), true
}

// AppendObject appends the record as a JSON object of the columns given,
// each under its own name ({"PULocationID": 130, "fare_amount": 12.5}).
func (r *Record) AppendObject(dst []byte, columns []string) []byte {
	dst = append(dst, '{')
	for i, c := range columns {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(strconv.AppendQuote(dst, c), ": "...)
		dst, _ = r.AppendColumn(dst, c)
	}
	return append(dst, '}')
}
