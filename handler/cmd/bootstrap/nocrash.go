//go:build !e2ecrash

package main

import (
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// publisher is the client the handler writes through: the SDK's, as it is.
// crash.go, built only with -tags e2ecrash for one end-to-end test, wraps it.
func publisher(client *kinesis.Client) kinesisout.Publisher { return client }
