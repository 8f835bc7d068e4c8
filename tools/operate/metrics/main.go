// Command metrics prints the function's metrics as CloudWatch would show
// them: it sums the CloudWatch embedded metric format (EMF) documents the
// function wrote, one per invocation, from a file of them (make up keeps
// build/metrics.jsonl) or from any log output that holds them (stdin: -).
//
//	go run ./tools/operate/metrics -file build/metrics.jsonl
//
// Flags: -file (build/metrics.jsonl; - for stdin).
package main

import (
	"flag"
	"io"
	"log"
	"os"

	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/tools/internal/stdin"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("metrics: ")
	file := flag.String("file", "build/metrics.jsonl", "EMF documents, or log output holding them (- for stdin)")
	flag.Parse()
	var r io.Reader = os.Stdin
	if *file == "-" {
		stdin.Hint(os.Stderr, os.Stdin, "metrics: reads the function's log output on stdin (-file -): EMF documents, one JSON object a line, among other lines")
	} else {
		f, err := os.Open(*file)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		r = f
	}
	t, err := emf.Read(r)
	if err != nil {
		log.Fatal(err)
	}
	t.Print(os.Stdout)
}
