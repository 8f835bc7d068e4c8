// Package jsonscan reads JSON objects member by member from a streaming
// decoder, for the ride parser's hot path (handler/ride), which decodes
// ride events without building maps or reflecting over structs; it also
// names JSON kinds in error messages (KindName), for the ride parser and
// the Kinesis event decoder (handler/decode.go).
package jsonscan

import (
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// Object reads a JSON object from dec, calling member with each unquoted
// name while the decoder stands at its value; member must consume the
// value. name is scratch space for the names. A value that is not an object
// is skipped and reported as "got a JSON <kind>".
func Object(dec *jsontext.Decoder, name *[]byte, member func(name []byte) error) error {
	if kind := dec.PeekKind(); kind != '{' {
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("got a JSON %s", KindName(kind))
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if *name, err = jsontext.AppendUnquote((*name)[:0], raw); err != nil {
			return err
		}
		if err := member(*name); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// KindName names a JSON kind for error messages.
func KindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "object"
}
