package localstack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// startKinesis starts the kinesalite servers (one with cfg.OneServer) and
// creates the streams on them.
func (s *Stack) startKinesis(ctx context.Context, cfg Config) (err error) {
	if s.Kinesis, err = kinesalite.Start(s.logs); err != nil {
		return err
	}
	s.stop = append(s.stop, s.Kinesis.Stop)
	s.Output = s.Kinesis
	if !cfg.OneServer {
		if s.Output, err = kinesalite.Start(s.logs); err != nil {
			return err
		}
		s.stop = append(s.stop, s.Output.Stop)
	}
	s.Client, s.OutClient = kinesalite.Client(s.Kinesis.Endpoint), kinesalite.Client(s.Output.Endpoint)
	for _, st := range s.streams(cfg) {
		if err := kinesalite.CreateStream(ctx, st.client, st.name, st.shards); err != nil {
			return err
		}
	}
	return nil
}

// stream is one of the stack's streams, on the server its client reaches.
type stream struct {
	client *kinesis.Client
	name   string
	shards int32
}

// streams are the stack's streams: the source and the on-failure
// destination on one server, the function's outputs on the other.
func (s *Stack) streams(cfg Config) []stream {
	out := cfg.PredictionShards
	if out <= 0 {
		out = 2
		if cfg.OneServer {
			out = 1
		}
	}
	streams := []stream{{s.Client, RidesStream, cfg.Shards}, {s.Client, FailuresStream, 1},
		{s.OutClient, PredictionsStream, out}, {s.OutClient, DLQStream, 1}}
	if cfg.ShadowStream != "" {
		streams = append(streams, stream{s.OutClient, cfg.ShadowStream, out})
	}
	return streams
}
