package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/internal/shadowreport"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/esm"
)

func run(ctx context.Context, o options) (*Report, error) {
	valid, err := rides.Load(o.file, o.n, "feb-", o.columns)
	if err != nil {
		return nil, err
	}
	rs := append(valid, rides.Poison(o.poison)...)
	if o.ceiling {
		msg, err := ceiling(ctx, rs, o.shards)
		fmt.Println(msg)
		return nil, err
	}
	var logs io.Writer = io.Discard
	if o.verbose {
		logs = os.Stderr
	}
	mapping, err := o.mapping()
	if err != nil {
		return nil, err
	}
	s, err := localstack.Start(ctx, localstack.Config{RIE: o.rie, Bootstrap: o.bootstrap, Emulators: o.emulators, Shards: o.shards, ESM: mapping,
		MetricsFile: o.metricsFile, ShadowStream: o.shadowStream}, logs)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	log.Printf("started kinesalite (ride_events in %d shards), %d emulators and the event source mapping (parallelization factor %d)",
		o.shards, len(s.Emulators), o.parallelization)

	log.Printf("replaying %d rides and %d invalid records", len(rs)-o.poison, o.poison)
	var mu sync.Mutex
	putAt := make(map[string]time.Time, len(rs))
	start := time.Now()
	if err := rides.Put(ctx, s.Client, localstack.RidesStream, rs, o.rate, func(ok []rides.Ride, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ok {
			putAt[r.ID] = at
		}
	}); err != nil {
		return nil, err
	}
	ids := rides.IDs(rs)
	if !s.Out.WaitFor(ctx, ids, o.timeout) && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	rep := report(s, rs, putAt, start)
	rep.CPU = fmt.Sprintf("%s, over %.1fs", s.CPUReport(), time.Since(start).Seconds())
	rep.Metrics = s.MetricsAfter(rep.Predicted + rep.Duplicates)
	if o.shadowStream != "" {
		if rep.Shadow, err = shadowReport(ctx, s, o, rides.ValidIDs(rs)); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// shadowReport waits until every valid ride has its shadow prediction
// (or o.timeout passes), then writes tools/operate/shadowreport's report of the
// run to o.shadowReport and returns it.
func shadowReport(ctx context.Context, s *localstack.Stack, o options, valid []string) ([]byte, error) {
	if !s.Out.WaitForShadow(ctx, valid, o.timeout) && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c, err := shadowreport.Read(ctx, shadowreport.Options{}, shadowreport.Source{Client: s.OutClient, Stream: localstack.PredictionsStream},
		shadowreport.Source{Client: s.OutClient, Stream: o.shadowStream}, shadowreport.Source{Client: s.Client, Stream: localstack.RidesStream})
	if err != nil {
		return nil, fmt.Errorf("shadow report: %w", err)
	}
	md, err := c.Write(o.shadowReport, "/usr/bin/python3")
	if err != nil {
		return nil, fmt.Errorf("shadow report: %w", err)
	}
	log.Printf("wrote the shadow report to %s", o.shadowReport)
	return md, nil
}

// mapping is the event source mapping of make demo and make up:
// template.yaml's function time-out and record age, the demo's batching
// and retries.
func (o options) mapping() (esm.Config, error) {
	text, err := os.ReadFile(o.template)
	if err != nil {
		return esm.Config{}, err
	}
	cfg, err := localstack.MappingFromTemplate(text)
	if err != nil {
		return esm.Config{}, fmt.Errorf("%s: %w", o.template, err)
	}
	cfg.BatchSize, cfg.Window, cfg.Bisect, cfg.MaxRetries, cfg.Poll = o.batch, o.window, true, 5, 20*time.Millisecond
	cfg.ParallelizationFactor = o.parallelization
	return cfg, nil
}
