package kinesisout

import (
	"errors"

	"github.com/aws/smithy-go"
)

// Class is what a failed PutRecords call, or one failed entry of a call,
// calls for. Publish decides it from the error code alone, in classes.
type Class int

const (
	// Transient failures (throttling, service trouble, a call cut off at
	// the deadline, any code not in classes) are sent again while the
	// invocation has time; a later invocation may write them.
	Transient Class = iota
	// Refused: Kinesis refused the call for what it holds (a record too
	// large, a bad partition key). A call of several entries is split until
	// the entries at fault stand alone; those no retry can write.
	Refused
	// Permanent failures (a missing stream, no permission, a disabled KMS
	// key) are not sent again: no retry within the invocation can fix them,
	// though a later invocation may, once someone has.
	Permanent
)

func (c Class) String() string {
	switch c {
	case Refused:
		return "refused"
	case Permanent:
		return "permanent"
	}
	return "transient"
}

// classes is the one list of error codes that are not Transient.
var classes = map[string]Class{
	"ValidationException":         Refused,
	"InvalidArgumentException":    Refused,
	"SerializationException":      Refused,
	"ResourceNotFoundException":   Permanent,
	"AccessDeniedException":       Permanent,
	"UnrecognizedClientException": Permanent,
	"KMSAccessDeniedException":    Permanent,
	"KMSDisabledException":        Permanent,
	"KMSNotFoundException":        Permanent,
	"KMSInvalidStateException":    Permanent,
}

// classify tells what an error code calls for.
func classify(code string) Class { return classes[code] }

// classifyErr tells what a failed call calls for: its API error code's
// class, and Transient for errors without one (a network error, the
// call's deadline, a wrong answer).
func classifyErr(err error) Class {
	var api smithy.APIError
	if errors.As(err, &api) {
		return classify(api.ErrorCode())
	}
	return Transient
}
