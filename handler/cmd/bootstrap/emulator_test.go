package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/handler"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// The original app's events (../shared/reference/python-streaming-app.md).
const (
	directEvent  = `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`
	kinesisEvent = `{"Records": [{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1",
		"sequenceNumber": "49639854210870046278837730620094743524175848591505489922",
		"data": "ewogICJyaWRlIjogewogICAgIlBVTG9jYXRpb25JRCI6IDEzMCwKICAgICJET0xvY2F0aW9uSUQiOiAyMDUsCiAgICAidHJpcF9kaXN0YW5jZSI6IDMuNjYKICB9LAogICJyaWRlX2lkIjogMTIzCn0K",
		"approximateArrivalTimestamp": 1681552724.5},
		"eventSource": "aws:kinesis", "eventVersion": "1.0",
		"eventID": "shardId-000000000000:49639854210870046278837730620094743524175848591505489922",
		"eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::938316853267:role/lambda-kinesis-role",
		"awsRegion": "us-east-1", "eventSourceARN": "arn:aws:kinesis:us-east-1:938316853267:stream/ride_events"}]}`
)

// binaries are build/bootstrap and the emulator (proc.Binaries).
func binaries(t *testing.T) (rie, bootstrap string) {
	t.Helper()
	rie, bootstrap, err := proc.Binaries(t)
	if err != nil {
		t.Fatal(err)
	}
	return rie, bootstrap
}

func startEmulator(t *testing.T, env ...string) (*proc.Emulator, *proc.Logs) {
	t.Helper()
	rie, bootstrap := binaries(t)
	var logs proc.Logs
	env = append(env, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	e, err := proc.StartEmulator(rie, []string{bootstrap}, env, &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e, &logs
}

func invoke(t *testing.T, e *proc.Emulator, payload string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, body, err := e.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return status, string(body)
}

func TestOriginalEventsUnderEmulator(t *testing.T) {
	// RUN_ID names the compiled model (its run id, or sha256:... without
	// one): the function must start with it.
	e, logs := startEmulator(t, "TEST_RUN=True", "PREDICTIONS_STREAM_NAME=ride_prediction", "RUN_ID="+handler.ModelVersion())

	status, body := invoke(t, e, kinesisEvent)
	var res struct {
		BatchItemFailures []any `json:"batchItemFailures"`
		Predictions       []struct {
			RideID     json.RawMessage `json:"ride_id"`
			Prediction float64         `json:"prediction"`
		} `json:"predictions"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || status != 200 {
		t.Fatalf("Kinesis event: %d %s (%v)\n%s", status, body, err, logs)
	}
	want, err := golden.OriginalPrediction()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Predictions) != 1 || string(res.Predictions[0].RideID) != "123" ||
		res.Predictions[0].Prediction != want || len(res.BatchItemFailures) != 0 {
		t.Fatalf("Kinesis event answered %s", body)
	}

	status, body = invoke(t, e, directEvent)
	if want := `{"ride_duration": ` + string(ride.AppendFloat(nil, want)) + `, "ride_id": 123}`; status != 200 || body != want {
		t.Fatalf("direct event answered %d %s, want %s", status, body, want)
	}

	status, body = invoke(t, e, `{"ride": {"PULocationID": 130}, "ride_id": 123}`)
	if !strings.Contains(body, "invalid ride event: ") || !strings.Contains(body, "ride.DOLocationID: missing (KeyError)") {
		t.Fatalf("invalid direct event answered %d %s", status, body)
	}
}

func TestRunIDMismatchStopsStartUnderEmulator(t *testing.T) {
	e, logs := startEmulator(t, "RUN_ID=def558fd38f44d8e9c4fc632668d3a47")
	_, body := invoke(t, e, directEvent)
	if strings.Contains(body, "ride_duration") {
		t.Fatalf("a function with the wrong RUN_ID answered %s", body)
	}
	// The function's own log line may reach the emulator's output after
	// the emulator has answered.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "this binary carries model"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("logs do not say which model the binary carries:\n%s", logs)
		}
	}
}

// TestMalformedStreamStopsStartUnderEmulator: a stream setting Kinesis
// would refuse on every call (here a name with a space, in either setting)
// stops the start with one sentence naming the variable, rather than
// dead-lettering every ride as "prediction refused"; so does a shadow
// stream that is the prediction stream (the default one here), which
// would mix the shadow's answers into the serving ones.
func TestMalformedStreamStopsStartUnderEmulator(t *testing.T) {
	for _, env := range []string{"PREDICTIONS_STREAM_NAME=ride prediction", "DLQ_STREAM_NAME=arn:aws:kinesis:us-east-1:1:stream/dlq",
		"SHADOW_STREAM_NAME=ride prediction shadow", "SHADOW_STREAM_NAME=arn:aws:kinesis:us-east-1:123456789012:stream/ride_prediction"} {
		name, _, _ := strings.Cut(env, "=")
		e, logs := startEmulator(t, env)
		_, body := invoke(t, e, directEvent)
		if strings.Contains(body, "ride_duration") {
			t.Fatalf("a function with %s answered %s", env, body)
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), name+": "); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("logs do not name %s:\n%s", name, logs)
			}
		}
	}
}

// TestShadowStreamUnderEmulator: SHADOW_STREAM_NAME without a shadow
// compiled in starts the function with a warning that says so (it keeps
// serving: a stack still set up for a shadow after make promote or
// shadow-off must not stop); with one, the start line names the shadow.
func TestShadowStreamUnderEmulator(t *testing.T) {
	e, logs := startEmulator(t, "TEST_RUN=True", "SHADOW_STREAM_NAME=ride_prediction_shadow")
	if status, body := invoke(t, e, directEvent); status != 200 || !strings.Contains(body, "ride_duration") {
		t.Fatalf("direct event answered %d %s\n%s", status, body, logs)
	}
	want := "no shadow model is compiled in"
	if v := handler.ShadowVersion(); v != "" {
		want = v
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("logs do not say %q:\n%s", want, logs)
		}
	}
}

// TestLogsAndMetricsUnderEmulator: in both of Lambda's log formats, every
// line the function logs in an invocation carries the request id, the
// model version and the function version; the batch has one summary line,
// an invalid record's line its event id; and the invocation writes one EMF
// document.
func TestLogsAndMetricsUnderEmulator(t *testing.T) {
	invalid := strings.Replace(kinesisEvent, `"data": "ewog`, `"data": "bm90IGpzb24=", "x": "ewog`, 1)
	for _, format := range []string{"JSON", "TEXT"} {
		t.Run(format, func(t *testing.T) {
			e, logs := startEmulator(t, "TEST_RUN=True", "AWS_LAMBDA_LOG_FORMAT="+format, "POWERTOOLS_METRICS_NAMESPACE=Test")
			invoke(t, e, kinesisEvent)
			invoke(t, e, invalid)
			var batch, invalidLine, emf []string
			for deadline := time.Now().Add(5 * time.Second); len(batch) < 2 || len(emf) < 2; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("after two invocations: %d batch lines, %d EMF documents:\n%s", len(batch), len(emf), logs)
				}
				batch, invalidLine, emf = nil, nil, nil
				for _, line := range strings.Split(logs.String(), "\n") {
					switch {
					case strings.HasPrefix(line, `{"_aws":`):
						emf = append(emf, line)
					case strings.Contains(line, `"message":"batch"`), strings.Contains(line, "message=batch"):
						batch = append(batch, line)
					case strings.Contains(line, "invalid record"):
						invalidLine = append(invalidLine, line)
					}
				}
			}
			fields := []string{`"requestId":"`, `"model_version":"` + handler.ModelVersion() + `"`, `"function_version":"`}
			if format == "TEXT" {
				fields = []string{"requestId=", "model_version=" + handler.ModelVersion(), "function_version="}
			}
			for _, line := range append(batch, invalidLine...) {
				for _, f := range fields {
					if !strings.Contains(line, f) {
						t.Errorf("log line lacks %s: %s", f, line)
					}
				}
			}
			if len(invalidLine) != 1 || !strings.Contains(invalidLine[0], "shardId-000000000000:49639854210870046278837730620094743524175848591505489922") {
				t.Errorf("invalid record's log lines %q, want one with its event id", invalidLine)
			}
			for _, doc := range emf {
				var m struct {
					AWS       struct{ CloudWatchMetrics []struct{ Namespace string } } `json:"_aws"`
					RecordsIn float64
				}
				if err := json.Unmarshal([]byte(doc), &m); err != nil || len(m.AWS.CloudWatchMetrics) != 1 || m.AWS.CloudWatchMetrics[0].Namespace != "Test" || m.RecordsIn != 1 {
					t.Errorf("EMF document %s (%v)", doc, err)
				}
			}
		})
	}
}

// TestFunctionZip: the function.zip beside the bootstrap holds that
// bootstrap, byte for byte and executable, at its root, as the
// provided.al2023 runtime expects. Under make test-arm64, BOOTSTRAP is a
// script that execs build/arm64/bootstrap under qemu: the zip beside it
// must hold that binary.
func TestFunctionZip(t *testing.T) {
	_, bootstrap := binaries(t)
	if head, _ := os.ReadFile(bootstrap); strings.HasPrefix(string(head), "#!") {
		bootstrap = filepath.Join(filepath.Dir(bootstrap), "bootstrap")
	}
	want, err := os.ReadFile(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(filepath.Join(filepath.Dir(bootstrap), "function.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if len(z.File) != 1 || z.File[0].Name != "bootstrap" || z.File[0].Mode()&0o111 == 0 {
		t.Fatalf("function.zip holds %v; want only an executable bootstrap", z.File)
	}
	f, err := z.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("function.zip's bootstrap (%d bytes) is not %s (%d bytes): make package rebuilds both", len(got), bootstrap, len(want))
	}
}

// TestShipsOnlyTheFunction: the Lambda binary links the handler and the
// model, nothing of the local stack (tools/) or of the tests' support
// (internal/golden, localstack/proc, internal/kinesistest).
func TestShipsOnlyTheFunction(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/nyc-taxi/ridepred/") && !strings.HasPrefix(pkg, "github.com/nyc-taxi/ridepred/handler") &&
			!strings.HasPrefix(pkg, "github.com/nyc-taxi/ridepred/generated") {
			t.Errorf("build/bootstrap links %s", pkg)
		}
	}
}
