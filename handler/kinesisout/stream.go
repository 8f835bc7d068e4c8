package kinesisout

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var (
	streamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	// streamARN is arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME.
	streamARN = regexp.MustCompile(`^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/([a-zA-Z0-9_.-]{1,128})$`)
)

// CheckStream tells whether s names a stream as Kinesis takes it: a name
// (1 to 128 letters, digits, '_', '.', '-') or a stream ARN, which users
// paste from the console. Anything else Kinesis refuses on every call, so
// the handler refuses to start with it.
func CheckStream(s string) error {
	switch {
	case streamName.MatchString(s), streamARN.MatchString(s):
		return nil
	case strings.HasPrefix(s, "arn:"):
		return fmt.Errorf("%q is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", s)
	}
	return fmt.Errorf("%q is not a Kinesis stream name (1 to 128 letters, digits, '_', '.' or '-') or ARN", s)
}

// StreamParams are the StreamName and StreamARN parameters for s: an ARN is
// sent as both (Kinesis takes either or both, and checks they agree; local
// servers without StreamARN read the name).
func StreamParams(s string) (name, arn *string) {
	if m := streamARN.FindStringSubmatch(s); m != nil {
		return aws.String(m[1]), aws.String(s)
	}
	return aws.String(s), nil
}
