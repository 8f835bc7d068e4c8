package kinesisout

import (
	"errors"
	"regexp"

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
	// Refused: Kinesis refused the call for an entry it holds (a record
	// too large, a bad partition key: its message points at records.N). A
	// call of several entries is split until the entries at fault stand
	// alone; those no retry can write.
	Refused
	// Permanent failures (a missing stream, no permission, a disabled KMS
	// key, a refusal of the call itself such as a malformed stream name)
	// are not sent again: no retry within the invocation can fix them,
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
// call's deadline, a wrong answer). A refusal is Refused only when every
// field it names is an entry's: one that names the request (the stream's
// name or ARN, the list of records) or none refuses the call itself, which
// splitting cannot help and no entry is at fault for.
func classifyErr(err error) Class {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return Transient
	}
	class := classify(api.ErrorCode())
	if class == Refused && !aboutEntries(api.ErrorMessage()) {
		return Permanent
	}
	return class
}

// field is a field a validation error names, as Kinesis (and kinesalite)
// write them: "Value '...' at 'records.3.member.data' failed to satisfy
// constraint: ...", one such clause per error.
var (
	field      = regexp.MustCompile(`at '([A-Za-z0-9.]+)' failed to satisfy constraint`)
	entryField = regexp.MustCompile(`^records\.\d+\.member\.`)
)

// aboutEntries tells whether a refusal names fields and all are entries'.
func aboutEntries(msg string) bool {
	fields := field.FindAllStringSubmatch(msg, -1)
	for _, f := range fields {
		if !entryField.MatchString(f[1]) {
			return false
		}
	}
	return len(fields) > 0
}
