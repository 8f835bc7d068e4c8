package esm

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// LambdaInvoker invokes a function through the Lambda API (or the Runtime
// Interface Emulator, which serves the same path: tools/operate/redrive
// against make up). A function error is an error, as the mapping sees it.
type LambdaInvoker struct {
	Client *lambda.Client
	Name   string // the function, with its alias
}

// Invoke invokes the function with payload, for at most Lambda's longest
// time-out, 15 minutes.
func (l LambdaInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	out, err := l.Client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(l.Name), Payload: payload})
	if err != nil {
		return nil, err
	}
	if out.FunctionError != nil {
		return nil, errors.New("function error " + aws.ToString(out.FunctionError) + ": " + string(out.Payload))
	}
	return out.Payload, nil
}

var _ Invoker = LambdaInvoker{}
