// Command dashboard prints the CloudWatch dashboard that template.yaml
// declares, its body with the template's substitutions made, for the
// plain-CLI deploy (DEPLOY.md: aws cloudwatch put-dashboard), and draws it
// from a local run's metrics (docs/operate.md, "Dashboard").
//
//	go run ./tools/operate/dashboard -region us-east-1 [-param Name=Value ...]
//	go run ./tools/operate/dashboard -draw build/dashboard.png [-metrics build/metrics.jsonl]
//
// Parameters take their defaults unless -param sets them. -draw plots each
// of the function's own metrics from the EMF documents of a make demo or
// make up run (build/metrics.jsonl), with matplotlib (-python); what only
// AWS measures (Kinesis, Lambda, SQS) is named in its panel.
//
// Flags: -template (template.yaml), -region (us-east-1), -param, -draw,
// -metrics (build/metrics.jsonl), -python (/usr/bin/python3).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

// params collects -param Name=Value flags.
type params map[string]string

func (p params) String() string { return fmt.Sprint(map[string]string(p)) }

func (p params) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want Name=Value", s)
	}
	p[k] = v
	return nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("dashboard: ")
	template := flag.String("template", "template.yaml", "the SAM template that declares the dashboard")
	region := flag.String("region", "us-east-1", "the region the dashboard's widgets read")
	overrides := params{}
	flag.Var(overrides, "param", "a template parameter, Name=Value (repeatable); the rest take their defaults")
	draw := flag.String("draw", "", "draw the dashboard from -metrics into this PNG instead of printing its body")
	metrics := flag.String("metrics", "build/metrics.jsonl", "with -draw: the function's EMF documents (make demo and make up write them)")
	python := flag.String("python", "/usr/bin/python3", "with -draw: a Python with matplotlib")
	flag.Parse()
	text, err := os.ReadFile(*template)
	if err != nil {
		log.Fatal(err)
	}
	body, err := Body(text, *region, overrides)
	if err != nil {
		log.Fatal(err)
	}
	if *draw == "" {
		fmt.Println(body)
		return
	}
	if err := Draw(body, *metrics, *draw, *python); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", *draw)
}
