// Package handler is the Lambda function: it reads a Kinesis event of ride
// events (or, as the original app's first version, one ride event invoked
// directly), predicts every valid ride with the model compiled into
// generated/, and writes one record per ride, a prediction on the
// predictions stream or a dead letter with the reason on the dead-letter
// stream.
//
// Nothing is lost: a record Kinesis refuses on its own (found by splitting
// a refused PutRecords call) becomes a dead letter, a record not written by
// the invocation's deadline is returned in batchItemFailures for Lambda to
// send again, and a dead letter the dead-letter stream refuses for good
// goes to the log. Each PutRecords call ends before the invocation's
// deadline, and this package's retry loop is the only one. See DEPLOY.md
// for what happens after Lambda gives up on a batch, and tools/operate/redrive.
//
// Handler holds a Publisher (the SDK client's PutRecords, or a fake in
// tests); cmd/bootstrap wires the environment and calls lambda.Start.
//
// One concern per file: Invoke (handler.go) decodes the payload
// (decode.go) and answers one ride event directly (direct.go) or runs the
// batch flow (batch.go), whose steps are de-aggregate the records a KPL
// producer aggregated (deaggregate.go, with the format in kpl/, within the
// bounds of fanout.go), parse, make the dead letters (deadletter.go, as
// many as fanout.go allows one aggregate), predict, encode the
// predictions (encode.go), publish them and the dead letters
// (publish.go), and report the records to send again. A new step of the
// flow belongs in a file of its own.
package handler
