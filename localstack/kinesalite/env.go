package kinesalite

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// FromEnv is the client the command-line tools use: the SDK's default
// configuration, which honours AWS_ENDPOINT_URL_KINESIS (kinesalite) and
// AWS_REGION, or real AWS credentials. optFns change the client's options
// (an --endpoint-url flag sets BaseEndpoint).
func FromEnv(ctx context.Context, optFns ...func(*kinesis.Options)) (*kinesis.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(httpClient))
	if err != nil {
		return nil, err
	}
	return kinesis.NewFromConfig(cfg, optFns...), nil
}
