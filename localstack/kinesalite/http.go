package kinesalite

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// httpClient keeps enough idle connections for the tools' parallel calls,
// so that a loopback server does not see a new connection for most calls.
// It is the SDK's buildable client, so that settings such as AWS_CA_BUNDLE
// still apply.
var httpClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
	t.MaxIdleConns = 64
	t.MaxIdleConnsPerHost = 64
})
