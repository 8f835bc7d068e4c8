package handler

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-json-experiment/json/jsontext"
)

// TestResponseEncoding: the answer to Lambda is compact JSON, as
// encoding/json wrote it: <, >, &, U+2028 and U+2029 escaped, the records
// it carries otherwise as written.
func TestResponseEncoding(t *testing.T) {
	for _, tc := range []struct {
		res  Response
		want string
	}{
		{Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}}, `{"batchItemFailures":[]}`},
		{Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: "1"}, {ItemIdentifier: "<2>"}}}},
			`{"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"\u003c2\u003e"}]}`},
		{Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}},
			Predictions: []jsontext.Value{[]byte(`{"ride_id": "\u00e9\/<&>` + "\u2028" + `", "prediction": 1.50}`)},
			DeadLetters: []jsontext.Value{[]byte(`{"error": "x", "data": "e30="}`)}},
			`{"batchItemFailures":[],"predictions":[{"ride_id":"\u00e9\/\u003c\u0026\u003e\u2028","prediction":1.50}],"dead_letters":[{"error":"x","data":"e30="}]}`},
	} {
		got, err := encodeResponse(tc.res)
		if err != nil || string(got) != tc.want {
			t.Errorf("encodeResponse(%+v) = %s (%v)\nwant %s", tc.res, got, err, tc.want)
		}
	}
}
