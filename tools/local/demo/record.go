package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// Record is what -record stores of a run: where and when it ran, with
// what flags, how long it took, and its summary, so that README.md's
// quick start shows a real run (-from writes it there).
type Record struct {
	Run     runinfo.Run `json:"run"`
	Rides   int         `json:"rides"`
	Shards  int32       `json:"shards"`
	PF      int         `json:"parallelization_factor"`
	Seconds float64     `json:"seconds"` // the demo's own run: from the stack's start to its stop
	Report  *Report     `json:"report"`
}

// readmeSection is README.md's generated section of the demo's output.
const readmeSection = "demo"

// storedRecord is the committed run that README.md shows.
const storedRecord = "tools/local/demo/demo.json"

func writeRecord(path string, r Record) error { return runinfo.WriteJSON(path, r) }

func readRecord(path string) (Record, error) {
	var r Record
	if err := runinfo.ReadJSON(path, &r); err != nil {
		return r, err
	}
	if r.Report == nil {
		return r, fmt.Errorf("%s: no report", path)
	}
	return r, nil
}

// markdown is README.md's section for r, stored at file: where it ran,
// how long it took, and the summary the demo printed.
func (r Record) markdown(file string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated from `%s` (`make demo` stores its run in `build/demo.json`): %d rides in %d shards, parallelization factor %d, on %s. The demo took %s from the stack's start to its stop, and printed:\n\n",
		file, r.Rides, r.Shards, r.PF, r.Run, (time.Duration(r.Seconds*10) * time.Second / 10))
	b.WriteString("```\n")
	r.Report.summary(&b)
	b.WriteString("```\n")
	return b.String()
}

// updateReadme writes the record at from into the document at doc.
func updateReadme(doc, from string) error {
	r, err := readRecord(from)
	if err != nil {
		return err
	}
	return docsection.Update(doc, readmeSection, r.markdown(from))
}

// store writes the run's Record to o.record, if any.
func (o options) store(info runinfo.Run, start time.Time, rep *Report) error {
	if o.record == "" {
		return nil
	}
	info.Finish()
	r := Record{Run: info, Rides: o.n, Shards: o.shards, PF: o.parallelization, Seconds: time.Since(start).Seconds(), Report: rep}
	return writeRecord(o.record, r)
}
