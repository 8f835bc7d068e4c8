package handler

import (
	"github.com/aws/aws-lambda-go/events"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Response is the answer to a Kinesis event: the records Lambda must send
// again, and with TEST_RUN the predictions and dead letters that were not
// written.
type Response struct {
	events.KinesisEventResponse
	Predictions []jsontext.Value `json:"predictions,omitempty"`
	DeadLetters []jsontext.Value `json:"dead_letters,omitempty"`
}

// responseOptions write a Response as encoding/json did: compact, with <, >,
// &, U+2028 and U+2029 escaped, and the records it carries keeping their
// other escapes as written, even an unpaired surrogate's (a ride id's, as
// json.dumps writes it).
var responseOptions = jsonv2.JoinOptions(jsontext.EscapeForHTML(true), jsontext.EscapeForJS(true), jsontext.PreserveRawStrings(true),
	jsontext.AllowInvalidUTF8(true))

func encodeResponse(res Response) ([]byte, error) {
	return jsonv2.Marshal(res, responseOptions)
}

// report is the response that names the records Lambda must send again:
// records[i] for each i in failed, which is sorted. The user records of
// one aggregate are next to each other and share its sequence number,
// which is named once: Lambda sends the aggregate again, whole.
func report(records []kinesisRecord, failed []int) Response {
	res := Response{KinesisEventResponse: events.KinesisEventResponse{BatchItemFailures: make([]events.KinesisBatchItemFailure, 0, len(failed))}}
	for _, i := range failed {
		seq := records[i].Kinesis.SequenceNumber
		if n := len(res.BatchItemFailures); n > 0 && res.BatchItemFailures[n-1].ItemIdentifier == seq {
			continue
		}
		res.BatchItemFailures = append(res.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: seq})
	}
	return res
}
