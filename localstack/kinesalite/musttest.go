package kinesalite

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// MustStart runs kinesalite until tb ends, its output on stderr, creates
// streams (name: shards) and returns it with a client for it. It skips tb
// under -short, which starts no server.
func MustStart(tb testing.TB, streams map[string]int32) (*Server, *kinesis.Client) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: starts kinesalite")
	}
	s, err := Start(os.Stderr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	c := Client(s.Endpoint)
	for name, shards := range streams {
		if err := CreateStream(context.Background(), c, name, shards); err != nil {
			tb.Fatal(err)
		}
	}
	return s, c
}
