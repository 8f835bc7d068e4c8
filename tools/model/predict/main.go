// Command predict reads ride events as JSON lines on stdin, the record
// payload of the original app:
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// and writes one JSON line per input line, in order:
//
//	{"ride_id": 123, "prediction": 18.321633541366506}
//
// or, for an invalid ride, {"ride_id": ..., "error": "..."} (ride_id is null
// when it could not be read). It never stops at a bad line. Validation is the
// Lambda handler's (package handler/ride); predictions come from the compiled
// model, in batches.
//
// Usage (on a terminal, with nothing redirected, it says what it expects
// on stderr and reads the lines typed, up to Ctrl-D):
//
//	go run ./tools/model/predict < rides.jsonl > predictions.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log"
	"os"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/tools/internal/stdin"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("predict: ")
	if len(os.Args) > 1 {
		log.Print("usage: predict < rides.jsonl > predictions.jsonl")
		os.Exit(2)
	}
	stdin.Hint(os.Stderr, os.Stdin, `predict: reads ride events on stdin, one JSON object a line, such as
{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
and writes a prediction a line to stdout: go run ./tools/model/predict < rides.jsonl > predictions.jsonl`)
	if err := run(os.Stdin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// block is how many lines are predicted together.
const block = 4096

type line struct {
	id  json.RawMessage
	err error
}

func run(r io.Reader, w io.Writer) error {
	in := bufio.NewReaderSize(r, 1<<16)
	out := bufio.NewWriterSize(w, 1<<16)
	lines := make([]line, 0, block)
	features := make([]generated.Features, 0, block)
	preds := make([]float64, block)
	var buf []byte
	flush := func() error {
		generated.PredictBatch(features, preds)
		next := 0
		for _, l := range lines {
			buf = append(buf[:0], `{"ride_id": `...)
			if l.id == nil {
				buf = append(buf, "null"...)
			} else {
				buf = append(buf, l.id...)
			}
			if l.err != nil {
				msg, _ := json.Marshal(l.err.Error())
				buf = append(append(append(buf, `, "error": `...), msg...), "}\n"...)
			} else {
				buf = append(ride.AppendFloat(append(buf, `, "prediction": `...), preds[next]), "}\n"...)
				next++
			}
			if _, err := out.Write(buf); err != nil {
				return err
			}
		}
		lines, features = lines[:0], features[:0]
		return nil
	}
	for {
		text, err := in.ReadBytes('\n')
		if len(text) > 0 {
			r, perr := ride.Parse(trimNewline(text))
			lines = append(lines, line{id: r.ID, err: perr})
			if perr == nil {
				features = append(features, r.Features)
			}
			if len(lines) == block {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return out.Flush()
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}
